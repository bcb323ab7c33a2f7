"""Browser tests: Chromium (Debian's /usr/bin/chromium, headless) driven by playwright-core
from Node against a real MailJuke on port 0. The journeys live in *.mjs beside this file; this
wrapper starts the server, runs each script with the URL and the operator account (to read the
outbox like the Python tests do), and fails on a non-zero exit."""
import os
import shutil
import subprocess
import unittest

import mj

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = os.environ.get("MAILJUKE_CHROMIUM", "/usr/bin/chromium")


def node_ready():
    return (shutil.which("node") and os.path.exists(CHROMIUM)
            and os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")))


class BrowserTest(unittest.TestCase):
    server_env = None

    @classmethod
    def setUpClass(cls):
        if not node_ready():
            raise RuntimeError("browser tests need node, " + CHROMIUM + " and tests/browser/node_modules "
                               "(scripts/install-deps.sh test installs them)")
        # No trial credit: the journey pays for its domains with a top-up, like a customer.
        env = {"MAILJUKE_BILLING_TRIAL_CREDIT": "0"}
        if os.environ.get("MAILJUKE_TEST_WEB_ROOT"):
            env["MAILJUKE_HTTP_WEB_ROOT"] = os.environ["MAILJUKE_TEST_WEB_ROOT"]
        cls.server = mj.Server(env=env).start()
        cls.out = os.path.join(mj.OUTPUT, "browser")
        os.makedirs(cls.out, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_script(self, name, timeout=150):
        env = dict(os.environ)
        env.update({
            "MJ_URL": f"http://127.0.0.1:{self.server.port}",
            "MJ_OPERATOR_EMAIL": self.server.operator_email or "",
            "MJ_OPERATOR_PASSWORD": self.server.operator_password or "",
            "MJ_OUT": self.out,
            "MJ_CHROMIUM": CHROMIUM,
        })
        p = subprocess.run(["node", os.path.join(HERE, name)], env=env, cwd=HERE,
                           capture_output=True, text=True, timeout=timeout)
        print(p.stdout[-6000:])
        if p.returncode != 0:
            self.fail(f"{name} failed ({p.returncode}):\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}\n"
                      f"server log:\n{self.server.logs()[-2000:]}")

    def test_public_site_and_cookie_banner(self):
        self.run_script("public_site.mjs")

    def test_customer_journey(self):
        self.run_script("journey.mjs")


if __name__ == "__main__":
    unittest.main()

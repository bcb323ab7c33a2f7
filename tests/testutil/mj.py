"""Test harness: starts the real `mailjuke` binary on port 0 and talks HTTP to it.

Servers listen on 127.0.0.1 only, are bounded in time, and are stopped by pid.
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import uuid

BIN = os.environ.get("MAILJUKE_BIN", os.path.join(os.path.dirname(__file__), "../../build/mailjuke"))
OUTPUT = os.environ.get("MAILJUKE_TEST_OUTPUT", tempfile.gettempdir())
PG_URL = os.environ.get("MAILJUKE_TEST_PG_URL")
SANITIZED = os.environ.get("MAILJUKE_SANITIZED") == "1"
STRONG_PASSWORD = "correct-horse-battery-staple"


def pg_database():
    """Creates a fresh database on the test PostgreSQL cluster; returns its URL."""
    if not PG_URL:
        raise RuntimeError("MAILJUKE_TEST_PG_URL is not set (make test starts a cluster)")
    name = "mj_" + uuid.uuid4().hex[:12]
    base = urllib.parse.urlparse(PG_URL)
    subprocess.run(["psql", PG_URL, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return base._replace(path="/" + name).geturl()


class Server:
    def __init__(self, storage=None, env=None, config_text=None):
        self.dir = tempfile.mkdtemp(prefix="mailjuke-test-")
        self.data_dir = os.path.join(self.dir, "var")
        self.env = dict(os.environ)
        self.env.update({
            "MAILJUKE_PLATFORM_DATA_DIR": self.data_dir,
            "MAILJUKE_HTTP_LISTEN": "127.0.0.1:0",
            "MAILJUKE_DNS_LISTEN": "127.0.0.1:0",
            "MAILJUKE_SMTP_MX_LISTEN": "127.0.0.1:0",
            "MAILJUKE_SMTP_SUBMISSION_LISTEN": "127.0.0.1:0",
            "MAILJUKE_SMTP_SUBMISSIONS_LISTEN": "127.0.0.1:0",
            "MAILJUKE_IMAP_LISTEN": "127.0.0.1:0",
            "MAILJUKE_IMAP_IMAPS_LISTEN": "127.0.0.1:0",
            "MAILJUKE_PLATFORM_PUBLIC_URL": "http://127.0.0.1",
            "MAILJUKE_HTTP_WEB_ROOT": os.path.join(os.path.dirname(__file__), "../../web"),
            # Tests create many mailboxes without a subscription; billing tests set their own.
            "MAILJUKE_BILLING_TRIAL_MAILBOXES": "1000000",
            # Domain purchases are paid from the wallet: new workspaces get $100,000 of trial
            # credit ([billing] trial_credit) unless a test sets its own (billing tests: 0).
            "MAILJUKE_BILLING_TRIAL_CREDIT": "10000000",
            # Platform e-mail stays in the outbox (tests read it there) instead of being
            # delivered to the test users' made-up domains; test_outbox_delivery turns it on.
            "MAILJUKE_MAIL_SEND_OUTBOX": "0",
        })
        if storage is None and os.environ.get("MAILJUKE_TEST_STORAGE") == "postgres":
            storage = pg_database()
        if storage:
            self.env["MAILJUKE_STORAGE_URL"] = storage
        if env:
            self.env.update(env)
        self.config_path = None
        if config_text is not None:
            self.config_path = os.path.join(self.dir, "mailjuke.toml")
            with open(self.config_path, "w") as f:
                f.write(config_text)
        self.proc = None
        self.operator_email = None
        self.operator_password = None

    def start(self, timeout=30):
        args = [BIN]
        if self.config_path:
            args += ["--config", self.config_path]
        args += ["serve"]
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        restart_listeners = os.path.join(self.data_dir, "listeners.json")
        if os.path.exists(restart_listeners):
            os.unlink(restart_listeners)  # a restart: wait for the new process's addresses
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(args, env=self.env, stdout=out, stderr=err, cwd=self.dir)
        listeners = os.path.join(self.data_dir, "listeners.json")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mailjuke exited: " + self.logs())
            if os.path.exists(listeners):
                with open(listeners) as f:
                    self.listeners = json.load(f)
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("mailjuke did not start in time: " + self.logs())
        with open(self.stdout_path) as f:
            out = f.read()
        m = re.search(r"e-mail:\s+(\S+)\s+password:\s+(\S+)", out)
        if m:
            self.operator_email, self.operator_password = m.group(1), m.group(2)
        host, port = self.listeners["http"].rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.origin = "http://127.0.0.1"
        return self

    def logs(self):
        text = ""
        for p in (getattr(self, "stdout_path", None), getattr(self, "stderr_path", None)):
            if p and os.path.exists(p):
                with open(p) as f:
                    text += f.read()[-4000:]
        return text

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, then wait; returns the exit code. SIGKILL if it does not stop in time."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def client(self, **kw):
        return Client(self, **kw)

    def address(self, listener):
        """(host, port) of a listener named in listeners.json, e.g. "smtp_submission"."""
        host, port = self.listeners[listener].rsplit(":", 1)
        return host, int(port)


class ServerTestCase(unittest.TestCase):
    """Test case with one MailJuke server for the whole class; `server_env` adds variables."""

    server_env = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(env=cls.server_env).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        ctype = headers.get("content-type", "")
        self.json = None
        if "json" in ctype and body:
            try:
                self.json = json.loads(body)
            except ValueError:
                self.json = None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """A browser-like client: keeps the session cookie and sends CSRF token and Origin."""

    def __init__(self, server, api_key=None):
        self.server = server
        self.cookies = {}
        self.csrf = None
        self.api_key = api_key

    def request(self, method, path, body=None, headers=None, raw=None, content_type="application/json"):
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        h = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
            h["Origin"] = self.server.origin
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type:
            h["Content-Type"] = content_type
        if headers:
            h.update(headers)
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read().decode("utf-8", "replace")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        conn.close()
        resp = Response(r.status, hdrs, payload)
        if resp.json and isinstance(resp.json, dict) and "csrf_token" in resp.json:
            self.csrf = resp.json["csrf_token"]
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body if body is not None else {}, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body=body, **kw)

    # Flows used by many tests.
    def signup(self, email=None, password=STRONG_PASSWORD, name="Test Person"):
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        r = self.post("/api/v1/auth/signup", {"email": email, "password": password, "name": name,
                                              "accept_terms": True, "business_use": True})
        assert r.status == 201, r
        self.email = email
        self.password = password
        return r

    def login(self, email, password):
        r = self.post("/api/v1/auth/login", {"email": email, "password": password})
        return r

    def create_workspace(self, name="Acme"):
        r = self.post("/api/v1/workspaces", {"name": name})
        assert r.status == 201, r
        return r.json["id"]


def wait_until(predicate, what, deadline=20):
    """Polls `predicate` every 0.1 s; returns its first truthy result, or fails naming `what`."""
    end = time.time() + deadline
    while time.time() < end:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def operator_client(server):
    c = server.client()
    r = c.login(server.operator_email, server.operator_password)
    assert r.status == 200, r
    return c


def outbox(server, to=None, kind=None):
    """Returns outbox messages (newest first) via the operator API."""
    c = operator_client(server)
    path = "/api/v1/admin/outbox?limit=200"
    if to:
        path += "&to=" + urllib.parse.quote(to)
    r = c.get(path)
    assert r.status == 200, r
    items = r.json["data"]
    if kind:
        items = [m for m in items if m["kind"] == kind]
    return items


def token_from(message, label):
    m = re.search(label + r":\s*(\S+)", message["text"])
    assert m, message["text"]
    return m.group(1)

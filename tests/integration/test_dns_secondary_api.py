"""A real secondary (Knot, then NSD) of a zone served by the `mailjuke` server itself: the zone
comes from a domain bought through the HTTP API; the secondary pulls it by AXFR, and when a DNS
record is added through the API, MailJuke bumps the serial and NOTIFYs the secondary (RFC 1996),
which transfers again and answers the new record. Everything on 127.0.0.1 with free ports, in
temp dirs; processes are stopped by pid."""
import os
import shutil
import tempfile
import time
import unittest

import dns.rcode

import mj
from dns_secondary import ask, free_port, start_knot, start_nsd, wait_for

LOAD_DEADLINE = 30.0    # first transfer (the SOA refresh is an hour: retries are slow)
NOTIFY_DEADLINE = 10.0  # a change must arrive by NOTIFY, well before any refresh timer


class SecondaryOfApiZoneTest(unittest.TestCase):
    def run_secondary(self, binary, start, domain):
        if not shutil.which(binary):
            self.skipTest(f"{binary} not installed")
        if os.geteuid() != 0:
            self.skipTest("the secondary runs as root here")
        primary_port = free_port()
        port = free_port()
        while port == primary_port:
            port = free_port()
        server = mj.Server(env={
            "MAILJUKE_DNS_LISTEN": f"127.0.0.1:{primary_port}",
            "MAILJUKE_DNS_AXFR_ALLOW": "127.0.0.1",
            "MAILJUKE_DNS_NOTIFY": f"127.0.0.1:{port}",
        }).start()
        secondary = None
        base = os.environ.get("MAILJUKE_TEST_OUTPUT")
        if base:
            os.makedirs(base, exist_ok=True)
        d = tempfile.mkdtemp(prefix="dns-secondary-api-", dir=base)
        try:
            self.assertEqual(server.listeners["dns"], f"127.0.0.1:{primary_port}")
            owner = server.client()
            owner.signup()
            ws = owner.create_workspace("Secondary Co")
            r = owner.post(f"/api/v1/workspaces/{ws}/domains", {"name": domain, "source": "purchase"})
            self.assertEqual(r.status, 201, r)
            dom = r.json["id"]

            def primary_serial():
                r = ask(primary_port, domain, "SOA")
                return r.answer[0][0].serial if r is not None and r.answer else None

            self.assertTrue(wait_for(lambda: primary_serial() is not None, deadline=10),
                            "mailjuke does not answer the new zone's SOA")

            secondary = start(d, port, primary_port, zone=domain)

            def secondary_serial():
                r = ask(port, domain, "SOA")
                return r.answer[0][0].serial if r is not None and r.answer else None

            self.assertTrue(wait_for(lambda: secondary_serial() == primary_serial(),
                                     deadline=LOAD_DEADLINE),
                            f"{binary} never loaded the zone (serial {secondary_serial()} vs "
                            f"{primary_serial()}):\n{secondary.logs()}\n{server.logs()}")
            # The secondary serves the records MailJuke generated for a purchased domain.
            r = ask(port, f"mj1._domainkey.{domain}", "TXT")
            self.assertTrue(r.answer, r)
            self.assertTrue(b"".join(r.answer[0][0].strings).startswith(b"v=DKIM1"))
            r = ask(port, domain, "MX")
            self.assertTrue(r.answer, r)
            r = ask(port, f"shop.{domain}", "A")
            self.assertIsNotNone(r)
            self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
            before = primary_serial()

            r = owner.post(f"/api/v1/workspaces/{ws}/domains/{dom}/dns-records",
                           {"name": "shop", "type": "A", "ttl": 300, "value": "192.0.2.77"})
            self.assertEqual(r.status, 201, r)
            # MailJuke answers the new record itself, with a higher serial.
            self.assertTrue(wait_for(lambda: (primary_serial() or 0) > before, deadline=10),
                            "mailjuke did not bump the serial")

            def has_new():
                r = ask(port, f"shop.{domain}", "A")
                return r is not None and bool(r.answer) and r.answer[0][0].address == "192.0.2.77"

            # The SOA refresh is 3600 s: only the NOTIFY can bring the change this fast.
            started = time.time()
            self.assertTrue(wait_for(has_new, deadline=NOTIFY_DEADLINE),
                            f"{binary} did not pick up the change:\n{secondary.logs()}")
            # NSD reloads by forking a new server process; the old one may still answer a query
            # or two with the previous version, so the serial is polled too, not read once.
            self.assertTrue(wait_for(lambda: secondary_serial() == primary_serial(),
                                     deadline=max(1.0, NOTIFY_DEADLINE - (time.time() - started))),
                            f"{binary} serial {secondary_serial()} != {primary_serial()}")
            self.assertTrue(has_new())
        finally:
            if secondary:
                secondary.stop()
            code = server.stop()
            server.cleanup()
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(code, 0)

    def test_knot_secondary_of_api_zone(self):
        self.run_secondary("knotd", start_knot, "knot-secondary-api.com")

    def test_nsd_secondary_of_api_zone(self):
        self.run_secondary("nsd", start_nsd, "nsd-secondary-api.com")


if __name__ == "__main__":
    unittest.main()

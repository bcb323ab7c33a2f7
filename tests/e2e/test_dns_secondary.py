"""A real secondary (Knot, then NSD) transfers a zone from mailjuke_dns_serve by AXFR; after
the zone file changes and the tool gets SIGHUP, MailJuke NOTIFYs the secondary (RFC 1996),
which transfers again and answers the new record. Secondaries run in the foreground on
127.0.0.1 high ports with everything in a temp dir, and are stopped by pid."""
import os
import shutil
import unittest

import dns.rcode

import test_dns_server as base

from dns_secondary import ask, free_port, start_knot, start_nsd, wait_for


def zone_text(serial, extra=""):
    return f"""$ORIGIN notify.test.
$TTL 300
@ IN SOA ns1.notify.test. hostmaster.notify.test. {serial} 7200 3600 1209600 60
@ IN NS ns1
ns1 IN A 192.0.2.53
@ IN MX 10 mail
mail IN A 192.0.2.25
{extra}
"""


class SecondaryTest(unittest.TestCase):
    def run_secondary(self, binary, start):
        if not shutil.which(binary):
            self.skipTest(f"{binary} not installed")
        if os.geteuid() != 0:
            self.skipTest("the secondary runs as root here")
        d = base.output_dir()
        path = os.path.join(d, "notify.test.zone")
        with open(path, "w") as f:
            f.write(zone_text(1))
        port = free_port()
        primary = base.DnsServe([path], "--axfr-allow", "127.0.0.1", "--notify", f"127.0.0.1:{port}")
        secondary = None
        try:
            secondary = start(d, port, primary.port)

            def has_serial(serial):
                r = ask(port, "notify.test", "SOA")
                return r is not None and r.answer and r.answer[0][0].serial == serial

            self.assertTrue(wait_for(lambda: has_serial(1)), f"{binary} never loaded the zone")
            r = ask(port, "mail.notify.test", "A")
            self.assertEqual(r.answer[0][0].address, "192.0.2.25")
            self.assertEqual(ask(port, "new.notify.test", "A").rcode(), dns.rcode.NXDOMAIN)

            with open(path, "w") as f:
                f.write(zone_text(2, "new IN A 192.0.2.77\nnew IN TXT \"added\""))
            self.assertEqual(primary.reload(), "reloaded 1 zones")

            def has_new():
                r = ask(port, "new.notify.test", "A")
                return r is not None and r.answer and r.answer[0][0].address == "192.0.2.77"

            # The SOA refresh is 7200 s: only the NOTIFY can bring the change this fast.
            self.assertTrue(wait_for(has_new), f"{binary} did not pick up the change")
            # NSD reloads by forking: the old server process may answer once more; poll.
            self.assertTrue(wait_for(lambda: has_serial(2), deadline=5))
        finally:
            if secondary:
                secondary.stop()
            self.assertEqual(primary.stop(), 0)

    def test_knot_secondary_follows_notify(self):
        self.run_secondary("knotd", start_knot)

    def test_nsd_secondary_follows_notify(self):
        self.run_secondary("nsd", start_nsd)


if __name__ == "__main__":
    unittest.main()

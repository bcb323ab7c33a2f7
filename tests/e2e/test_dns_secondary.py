"""A real secondary (Knot, then NSD) transfers a zone from mailjuke_dns_serve by AXFR; after
the zone file changes and the tool gets SIGHUP, MailJuke NOTIFYs the secondary (RFC 1996),
which transfers again and answers the new record. Secondaries run in the foreground on
127.0.0.1 high ports with everything in a temp dir, and are stopped by pid."""
import os
import shutil
import signal
import socket
import subprocess
import time
import unittest

import dns.message
import dns.query
import dns.rcode

import test_dns_server as base

DEADLINE = 30.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def ask(port, name, rdtype):
    try:
        return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=port,
                             timeout=1.0)
    except Exception:  # not up yet, or still loading
        return None


def wait_for(predicate, deadline=DEADLINE, interval=0.1):
    end = time.time() + deadline
    while time.time() < end:
        if predicate():
            return True
        time.sleep(interval)
    return False


class Process:
    def __init__(self, cmd, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_knot(d, port, primary_port):
    d = os.path.join(d, "knot")  # its own storage: Knot must not see the primary's zone file
    os.makedirs(d)
    conf = os.path.join(d, "knot.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
  rundir: {d}
  pidfile: {d}/knot.pid
  listen: 127.0.0.1@{port}
control:
  listen: {d}/knot.sock
log:
  - target: stdout
    any: info
database:
  storage: {d}
remote:
  - id: primary
    address: 127.0.0.1@{primary_port}
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: {d}
zone:
  - domain: notify.test
    master: primary
    acl: notify_from_primary
""")
    return Process(["knotd", "-c", conf], os.path.join(d, "knot.log"))


def start_nsd(d, port, primary_port):
    d = os.path.join(d, "nsd")
    os.makedirs(d)
    conf = os.path.join(d, "nsd.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
  ip-address: 127.0.0.1@{port}
  username: ""
  chroot: ""
  zonesdir: "{d}"
  pidfile: "{d}/nsd.pid"
  xfrdfile: "{d}/xfrd.state"
  zonelistfile: "{d}/zone.list"
  database: ""
  logfile: "{d}/nsd-inner.log"
  verbosity: 2
remote-control:
  control-enable: no
zone:
  name: notify.test
  zonefile: "{d}/notify.test.secondary"
  request-xfr: AXFR 127.0.0.1@{primary_port} NOKEY
  allow-notify: 127.0.0.1 NOKEY
""")
    return Process(["nsd", "-d", "-c", conf], os.path.join(d, "nsd.log"))


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
            self.assertTrue(has_serial(2))
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

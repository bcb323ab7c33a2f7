"""Helpers to run a real secondary (Knot or NSD) of a zone served by MailJuke, pulling it by
AXFR and following NOTIFY. Secondaries run in the foreground on 127.0.0.1 high ports with
everything in a temp dir, and are stopped by pid. Used by tests/e2e/test_dns_secondary.py
(standalone DNS tool) and tests/integration/test_dns_secondary_api.py (the mailjuke server)."""
import os
import signal
import socket
import subprocess
import time

import dns.message
import dns.query

DEADLINE = 30.0


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (DNS servers bind both)."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


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
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def logs(self, limit=4000):
        try:
            with open(self.log_path) as f:
                return f.read()[-limit:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_knot(d, port, primary_port, zone="notify.test"):
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
  - domain: {zone}
    master: primary
    acl: notify_from_primary
""")
    return Process(["knotd", "-c", conf], os.path.join(d, "knot.log"))


def start_nsd(d, port, primary_port, zone="notify.test"):
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
  name: {zone}
  zonefile: "{d}/{zone}.secondary"
  request-xfr: AXFR 127.0.0.1@{primary_port} NOKEY
  allow-notify: 127.0.0.1 NOKEY
""")
    return Process(["nsd", "-d", "-c", conf], os.path.join(d, "nsd.log"))

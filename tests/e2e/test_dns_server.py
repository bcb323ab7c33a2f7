"""End-to-end tests of the authoritative DNS server (mailjuke_dns_serve) with real clients:
dig, kdig and dnspython, on 127.0.0.1 with a free port. Also checks exported zone text with
kzonecheck / named-checkzone / nsd-checkzone."""
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone

BUILD = os.environ.get("MAILJUKE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SERVE = os.path.join(BUILD, "tests/tools/dns_serve/mailjuke_dns_serve")
TIMEOUT = 5.0

ZONE = """$ORIGIN example.com.
$TTL 3600
@   IN SOA ns1.example.com. hostmaster.example.com. ( 2024010101 ; serial
        7200 3600 1209600 300 )
    IN NS ns1
    IN NS ns2.example.com.
    IN MX 10 mail
    IN A 192.0.2.1
    IN TXT "v=spf1 mx -all"
    IN CAA 0 issue "letsencrypt.org"
ns1 IN A 192.0.2.53
ns2 IN A 192.0.2.54
    IN AAAA 2001:db8::54
mail IN A 192.0.2.25
www 300 IN CNAME @
alias IN CNAME www
track IN CNAME t.platform.example.net.
mj1._domainkey IN TXT ( "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx4zS6Z"
    "2q5bK0b7xkP0v1n3jL0zq3k5kUqYwF1Hq1o5yZp9C8vTt3pZk2d0m8H1sF6sE4cQ7rU9wV2yX1zA3bC5dE7fG9hI1jK3lM5n"
    "O7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hI7jK9lM1nO3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hI3jK5lM7nO9pQ1rS3tU5vW7xY9zA1"
    "bC3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1pQ3rS5tU7vW9xY1zA3bC5dE7fG9hI1jK3lM5n"
    "O7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hI7jK9lM1nO3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hI3jK5lM7nO9pQwIDAQAB" )
_dmarc IN TXT "v=DMARC1; p=quarantine"
_sip._tcp IN SRV 10 5 5060 sip
sip IN AAAA 2001:db8::1
ptr IN PTR host.example.net.
sub IN NS ns.sub
ns.sub IN A 192.0.2.99
a.b.c IN A 192.0.2.7
big IN TXT "{a}" "{b}" "{c}" "{d}" "{e}" "{f}"
""".format(**{k: k * 180 for k in "abcdef"})


def output_dir():
    base = os.environ.get("MAILJUKE_TEST_OUTPUT")
    if base:
        os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix="dns-", dir=base)


class DnsServe:
    """Runs mailjuke_dns_serve on 127.0.0.1:0 and stops it by pid."""

    def __init__(self, zone_files, *args):
        self.proc = subprocess.Popen([SERVE, *args, *zone_files], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.read_line()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError("server did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.rsplit(":", 1)[1])

    def read_line(self, timeout=TIMEOUT):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline().strip() if ready else ""

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)
        return self.read_line()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


class DnsServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = output_dir()
        cls.zone_path = os.path.join(cls.dir, "example.com.zone")
        with open(cls.zone_path, "w") as f:
            f.write(ZONE)
        cls.export_dir = os.path.join(cls.dir, "export")
        os.makedirs(cls.export_dir)
        cls.server = DnsServe([cls.zone_path], "--axfr-allow", "127.0.0.1", "--udp-threads", "2",
                              "--tcp-idle-ms", "1000", "--export-dir", cls.export_dir)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:  # e.g. a sanitizer report at exit
            raise AssertionError("server exited with %d" % code)

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server must survive every test")

    def query(self, name, rdtype, tcp=False, **kw):
        q = dns.message.make_query(name, rdtype, **kw)
        q.flags &= ~dns.flags.RD
        fn = dns.query.tcp if tcp else dns.query.udp
        return fn(q, "127.0.0.1", port=self.port, timeout=TIMEOUT)

    def dig(self, *args):
        out = run(["dig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+tries=1", *args])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return out.stdout

    def kdig(self, *args):
        out = run(["kdig", "@127.0.0.1", "-p", str(self.port), "+norec", "+time=2", "+retry=0", *args])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return out.stdout

    def test_every_record_type_with_dig_and_kdig(self):
        cases = {
            ("example.com", "A"): "192.0.2.1",
            ("ns2.example.com", "AAAA"): "2001:db8::54",
            ("example.com", "NS"): "ns1.example.com.\nns2.example.com.",
            ("www.example.com", "CNAME"): "example.com.",
            ("example.com", "SOA"): "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
            ("example.com", "MX"): "10 mail.example.com.",
            ("example.com", "TXT"): '"v=spf1 mx -all"',
            ("_sip._tcp.example.com", "SRV"): "10 5 5060 sip.example.com.",
            ("example.com", "CAA"): '0 issue "letsencrypt.org"',
            ("ptr.example.com", "PTR"): "host.example.net.",
        }
        for (name, rdtype), expected in cases.items():
            got = "\n".join(sorted(self.dig(name, rdtype, "+short").strip().splitlines()))
            self.assertEqual(got, expected, (name, rdtype))
            kgot = "\n".join(sorted(self.kdig(name, rdtype, "+short").strip().splitlines()))
            self.assertEqual(kgot.replace("\\", ""), expected.replace("\\", ""), (name, rdtype))
        # Long TXT: one record of several <=255-octet strings that join to the DKIM key.
        r = self.query("mj1._domainkey.example.com", "TXT", use_edns=0)
        strings = list(r.answer[0])[0].strings
        self.assertGreater(len(strings), 1)
        self.assertTrue(all(len(s) <= 255 for s in strings))
        self.assertTrue(b"".join(strings).startswith(b"v=DKIM1; k=rsa; p=MIIB"))

    def test_answers_are_authoritative(self):
        r = self.query("example.com", "A")
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertTrue(r.flags & dns.flags.QR)
        self.assertFalse(r.flags & dns.flags.RA)

    def test_nxdomain_and_nodata_carry_the_soa(self):
        r = self.query("missing.example.com", "A")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertEqual(len(r.authority), 1)
        soa = r.authority[0]
        self.assertEqual(soa.rdtype, dns.rdatatype.SOA)
        self.assertEqual(soa.ttl, 300)  # RFC 2308: min(SOA TTL, MINIMUM)
        r = self.query("mail.example.com", "AAAA")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(len(r.answer), 0)
        self.assertEqual(r.authority[0].rdtype, dns.rdatatype.SOA)
        r = self.query("b.c.example.com", "A")  # empty non-terminal
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)

    def test_cname_chain(self):
        r = self.query("alias.example.com", "A")
        chain = [(str(rr.name), dns.rdatatype.to_text(rr.rdtype)) for rr in r.answer]
        self.assertEqual(chain, [("alias.example.com.", "CNAME"), ("www.example.com.", "CNAME"),
                                 ("example.com.", "A")])
        r = self.query("track.example.com", "A")
        self.assertEqual(len(r.answer), 1)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)

    def test_referral_with_glue(self):
        r = self.query("www.sub.example.com", "A")
        self.assertFalse(r.flags & dns.flags.AA)
        self.assertEqual(len(r.answer), 0)
        self.assertEqual(str(r.authority[0].name), "sub.example.com.")
        self.assertEqual(r.authority[0].rdtype, dns.rdatatype.NS)
        self.assertEqual(str(r.additional[0].name), "ns.sub.example.com.")
        out = self.dig("www.sub.example.com", "A")
        self.assertIn("AUTHORITY: 1", out)
        self.assertIn("192.0.2.99", out)

    def test_refused_outside_zones(self):
        self.assertEqual(self.query("example.org", "A").rcode(), dns.rcode.REFUSED)
        self.assertIn("status: REFUSED", self.dig("example.org", "A"))

    def test_query_case_is_echoed(self):
        r = self.query("WwW.ExAmPlE.cOm", "A")
        self.assertEqual(r.question[0].name.to_text(), "WwW.ExAmPlE.cOm.")
        self.assertEqual(r.answer[0].name.to_text(), "WwW.ExAmPlE.cOm.")
        self.assertIn("WwW.ExAmPlE.cOm.", self.dig("WwW.ExAmPlE.cOm", "A", "+noall", "+question"))

    def test_edns_sizes(self):
        r = self.query("example.com", "A", use_edns=0, payload=4096)
        self.assertEqual(r.edns, 0)
        self.assertEqual(r.payload, 1232)  # our advertised limit
        r = self.query("big.example.com", "TXT", use_edns=0, payload=4096)
        self.assertFalse(r.flags & dns.flags.TC)  # ~1.2 KB fits in 1232
        self.assertEqual(len(r.answer), 1)
        r = self.query("big.example.com", "TXT", use_edns=0, payload=600)
        self.assertTrue(r.flags & dns.flags.TC)
        q = dns.message.make_query("example.com", "A")
        q.use_edns(edns=1)  # RFC 6891 §6.1.3: only version 0 exists
        r = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=TIMEOUT)
        self.assertEqual(r.rcode(), dns.rcode.BADVERS)
        out = self.kdig("big.example.com", "TXT", "+bufsize=1232", "+notcp")
        self.assertNotIn("TC", out.split("Flags:")[1].splitlines()[0] if "Flags:" in out else "")

    def test_truncation_then_tcp_retry(self):
        r = self.query("big.example.com", "TXT")  # no EDNS: 512 octets
        self.assertTrue(r.flags & dns.flags.TC)
        self.assertEqual(len(r.answer), 0)
        raw = dns.query.udp(dns.message.make_query("big.example.com", "TXT"), "127.0.0.1",
                            port=self.port, timeout=TIMEOUT, ignore_trailing=True)
        self.assertLessEqual(len(raw.to_wire()), 512)
        r = self.query("big.example.com", "TXT", tcp=True)
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(len(list(r.answer[0])[0].strings), 6)
        # dig retries over TCP by itself after TC.
        out = self.dig("big.example.com", "TXT", "+noedns")
        self.assertIn("Truncated, retrying in TCP mode", out)
        self.assertIn("ANSWER: 1", out)

    def test_tcp_pipelining(self):
        names = ["example.com", "www.example.com", "missing.example.com", "mail.example.com"] * 5
        queries = [dns.message.make_query(n, "A") for n in names]
        payload = b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in queries))
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as s:
            s.sendall(payload)  # all at once, before reading any reply
            buf = b""
            replies = []
            while len(replies) < len(queries):
                chunk = s.recv(65536)
                self.assertTrue(chunk, "connection closed early")
                buf += chunk
                while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                    n = struct.unpack("!H", buf[:2])[0]
                    replies.append(dns.message.from_wire(buf[2:2 + n]))
                    buf = buf[2 + n:]
        by_id = {r.id: r for r in replies}
        for q in queries:
            self.assertIn(q.id, by_id)
            self.assertEqual(by_id[q.id].question[0].name, q.question[0].name)
        # The same connection also serves queries sent one by one.
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as s:
            for q in queries[:3]:
                dns.query.send_tcp(s, q)
                r, _ = dns.query.receive_tcp(s, expiration=time.time() + TIMEOUT)
                self.assertEqual(r.id, q.id)

    def test_tcp_idle_timeout_closes(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as s:
            start = time.time()
            self.assertEqual(s.recv(10), b"")  # closed by the server after ~1 s idle
            self.assertLess(time.time() - start, 4)

    def udp_raw(self, data):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1.0)
            s.sendto(data, ("127.0.0.1", self.port))
            try:
                return s.recv(65535)
            except socket.timeout:
                return None

    def test_malformed_packets_get_formerr_and_server_keeps_answering(self):
        good = dns.message.make_query("example.com", "A").to_wire()
        header = struct.pack("!HHHHHH", 0xBEEF, 0x0100, 1, 0, 0, 0)
        cases = [
            good[:-1],                                      # truncated question
            good + b"junk",                                 # trailing bytes
            header + b"\xc0\x0c\x00\x01\x00\x01",           # compression loop in the question
            header + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01",  # bad label length
            struct.pack("!HHHHHH", 0xBEEF, 0x0100, 2, 0, 0, 0) + b"\x00\x00\x01\x00\x01" * 2,
            struct.pack("!HHHHHH", 0xBEEF, 0x0100, 1, 0, 0, 5) + good[12:],  # missing records
        ]
        for bad in cases:
            reply = self.udp_raw(bad)
            self.assertIsNotNone(reply, bad)
            self.assertEqual(reply[:2], bad[:2])
            self.assertEqual(reply[3] & 0x0F, dns.rcode.FORMERR, bad)
            self.assertTrue(reply[2] & 0x80)
        # Unknown opcode: NOTIMP. Short packets and responses: no reply at all.
        status = bytearray(good)
        status[2] = (status[2] & 0x87) | (2 << 3)
        self.assertEqual(self.udp_raw(bytes(status))[3] & 0x0F, dns.rcode.NOTIMP)
        self.assertIsNone(self.udp_raw(b"\x01\x02\x03"))
        response = bytearray(good)
        response[2] |= 0x80
        self.assertIsNone(self.udp_raw(bytes(response)))
        # Garbage over TCP closes that connection only.
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as s:
            s.sendall(b"\x00\x03abc")
            self.assertEqual(s.recv(10), b"")
        self.assertEqual(self.query("example.com", "A").rcode(), dns.rcode.NOERROR)

    def test_any_is_minimal(self):
        r = self.query("example.com", "ANY")
        self.assertEqual(len(r.answer), 1)  # RFC 8482: one RRset

    def test_axfr(self):
        z = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", "example.com", port=self.port,
                                            timeout=TIMEOUT, lifetime=TIMEOUT))
        self.assertEqual(z.get_rdataset("www", "CNAME")[0].target.derelativize(z.origin).to_text(),
                         "example.com.")
        self.assertEqual(z.get_rdataset("@", "SOA")[0].serial, 2024010101)
        out = self.kdig("example.com", "AXFR")
        soas = [l for l in out.splitlines() if "\tSOA\t" in l]
        self.assertEqual(len(soas), 2)
        # Over UDP: not allowed.
        self.assertEqual(self.query("example.com", "AXFR").rcode(), dns.rcode.NOTIMP)

    def test_exported_zone_passes_a_zone_checker(self):
        exported = os.path.join(self.export_dir, "example.com.zone")
        self.assertTrue(os.path.exists(exported))
        checkers = [
            ["kzonecheck", "-o", "example.com", exported],
            ["named-checkzone", "example.com", exported],
            ["nsd-checkzone", "example.com", exported],
        ]
        ran = 0
        for cmd in checkers:
            if shutil.which(cmd[0]):
                out = run(cmd)
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                ran += 1
        if ran == 0:
            self.skipTest("no zone checker installed (kzonecheck, named-checkzone, nsd-checkzone)")
        # The export re-serves identically.
        other = DnsServe([exported])
        try:
            q = dns.message.make_query("alias.example.com", "A")
            a = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=TIMEOUT)
            b = dns.query.udp(q, "127.0.0.1", port=other.port, timeout=TIMEOUT)
            self.assertEqual(a.answer, b.answer)
        finally:
            self.assertEqual(other.stop(), 0)


class DnsServerLifecycleTest(unittest.TestCase):
    def test_reload_on_sighup_and_clean_stop(self):
        d = output_dir()
        path = os.path.join(d, "t.test.zone")
        with open(path, "w") as f:
            f.write("t.test. 60 IN SOA ns.t.test. hm.t.test. 1 1 1 1 60\nv.t.test. 60 IN A 192.0.2.1\n")
        server = DnsServe([path])
        try:
            q = dns.message.make_query("v.t.test", "A")
            r = dns.query.udp(q, "127.0.0.1", port=server.port, timeout=TIMEOUT)
            self.assertEqual(r.answer[0][0].address, "192.0.2.1")
            with open(path, "w") as f:
                f.write("t.test. 60 IN SOA ns.t.test. hm.t.test. 2 1 1 1 60\nv.t.test. 60 IN A 192.0.2.2\n")
            self.assertEqual(server.reload(), "reloaded 1 zones")
            r = dns.query.udp(q, "127.0.0.1", port=server.port, timeout=TIMEOUT)
            self.assertEqual(r.answer[0][0].address, "192.0.2.2")
            with open(path, "w") as f:
                f.write("broken\n")
            self.assertTrue(server.reload().startswith("reload failed"))
            r = dns.query.udp(q, "127.0.0.1", port=server.port, timeout=TIMEOUT)
            self.assertEqual(r.answer[0][0].address, "192.0.2.2")  # old zones kept
        finally:
            start = time.time()
            self.assertEqual(server.stop(), 0)
            self.assertLess(time.time() - start, 3)


if __name__ == "__main__":
    unittest.main()

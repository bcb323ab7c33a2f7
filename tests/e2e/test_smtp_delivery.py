"""Outbound delivery to a real remote MX: an aiosmtpd server on loopback, found through
MailJuke's own DNS (a custom MX record of a hosted zone), receives the message and dkimpy
verifies its DKIM signature against the key MailJuke publishes. Temporary failures are
retried and delivered once; permanent ones bounce to the sender as an RFC 3464 DSN."""
import email
import threading
import time
import unittest

import dkim
import dns.message
import dns.query
import dns.rdatatype
from aiosmtpd.controller import Controller

import mailtest
import mj
from dns_secondary import free_port

PASSWORD = "mailbox-password-1234"


class RemoteMx:
    """aiosmtpd handler: records every message; scripted replies per recipient local part."""

    def __init__(self):
        self.messages = []
        self.tempfails = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        if local.startswith("tempfail"):
            with self.lock:
                n = self.tempfails.get(address, 0)
                self.tempfails[address] = n + 1
            if n == 0:
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Stored"

    def received(self, marker):
        with self.lock:
            return [m for m in self.messages if marker.encode() in m[2]]


class DeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.remote = RemoteMx()
        cls.remote_port = free_port()
        cls.controller = Controller(cls.remote, hostname="127.0.0.1", port=cls.remote_port)
        cls.controller.start()
        dns_port = free_port()
        cls.server = mj.Server(env={
            "MAILJUKE_DNS_LISTEN": f"127.0.0.1:{dns_port}",
            "MAILJUKE_DELIVERY_RESOLVER": f"127.0.0.1:{dns_port}",
            "MAILJUKE_DELIVERY_PORT": str(cls.remote_port),
            "MAILJUKE_DELIVERY_FIRST_RETRY_SECONDS": "1",
        }).start()
        cls.dns_port = dns_port
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-out.com", "dest-zone.com"))
        cls.mail.mailbox("alice@acme-out.com", PASSWORD)
        base = f"/api/v1/workspaces/{cls.mail.ws}/domains/{cls.mail.domain_ids['dest-zone.com']}/dns-records"
        for rec in ({"name": "in", "type": "MX", "value": "10 mx.dest-zone.com."},
                    {"name": "mx", "type": "A", "value": "127.0.0.1"}):
            r = cls.mail.owner.post(base, rec)
            assert r.status == 201, r
        cls.wait(lambda: cls.lookup("in.dest-zone.com", "MX").answer, "MX record in DNS")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.controller.stop()

    @classmethod
    def lookup(cls, name, rdtype):
        q = dns.message.make_query(name, rdtype)
        return dns.query.udp(q, "127.0.0.1", port=cls.dns_port, timeout=2)

    wait = staticmethod(mj.wait_until)

    def send(self, to, subject):
        with mailtest.submission(self.server, "alice@acme-out.com", PASSWORD) as s:
            s.sendmail("alice@acme-out.com", to,
                       mailtest.simple_message("alice@acme-out.com", ", ".join(to), subject))

    def dnsfunc(self, name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        answer = self.lookup(name, "TXT").answer
        return b"".join(b"".join(rr.strings) for rrset in answer for rr in rrset)

    def test_delivered_with_valid_dkim_signature(self):
        self.send(["carol@in.dest-zone.com", "dan@in.dest-zone.com"], "outbound-1")
        got = self.wait(lambda: self.remote.received("outbound-1"), "delivery to the remote MX")
        self.assertEqual(len(got), 1)  # one transaction for both recipients of the domain
        sender, rcpts, content = got[0]
        self.assertEqual(sender, "alice@acme-out.com")
        self.assertEqual(sorted(rcpts), ["carol@in.dest-zone.com", "dan@in.dest-zone.com"])
        self.assertTrue(dkim.verify(content, dnsfunc=self.dnsfunc), content[:2000])

    def test_tempfail_then_success_delivers_once(self):
        self.send(["tempfail1@in.dest-zone.com"], "retry-1")
        self.wait(lambda: self.remote.received("retry-1"), "delivery after the retry", deadline=30)
        time.sleep(2.5)
        self.assertEqual(len(self.remote.received("retry-1")), 1)
        self.assertEqual(self.remote.tempfails["tempfail1@in.dest-zone.com"], 2)

    def test_permanent_failure_bounces_to_sender(self):
        self.send(["reject1@in.dest-zone.com"], "bounce-me")

        def dsn():
            return [m for m in mailtest.stored_messages(self.server, "alice@acme-out.com")
                    if b"multipart/report" in m and b"reject1@in.dest-zone.com" in m]
        found = self.wait(dsn, "a DSN in the sender's INBOX")
        parsed = email.message_from_bytes(found[0])
        self.assertEqual(parsed.get_content_type(), "multipart/report")
        self.assertEqual(parsed.get_param("report-type"), "delivery-status")
        parts = [p.get_content_type() for p in parsed.walk()]
        self.assertIn("message/delivery-status", parts)
        self.assertIn(b"Action: failed", found[0])
        self.assertIn(b"Status: 5.1.1", found[0])
        self.assertEqual(self.remote.received("bounce-me"), [])

    def test_operator_mail_queue(self):
        # A destination whose MX refuses connections (loopback, nothing listening) stays queued.
        base = f"/api/v1/workspaces/{self.mail.ws}/domains/{self.mail.domain_ids['dest-zone.com']}/dns-records"
        for rec in ({"name": "dead", "type": "MX", "value": "10 down.dest-zone.com."},
                    {"name": "down", "type": "A", "value": "127.0.0.2"}):
            self.assertEqual(self.mail.owner.post(base, rec).status, 201)
        self.wait(lambda: self.lookup("dead.dest-zone.com", "MX").answer, "MX record")
        self.send(["x@dead.dest-zone.com"], "stuck")
        op = mj.operator_client(self.server)

        def listed():
            r = op.get("/api/v1/admin/mail-queue")
            self.assertEqual(r.status, 200, r)
            return [e for e in r.json["data"] if e.get("domain") == "dead.dest-zone.com"]
        entry = self.wait(listed, "the stuck entry in the operator queue")[0]
        self.assertEqual(self.mail.owner.get("/api/v1/admin/mail-queue").status, 403)
        self.assertEqual(op.post(f"/api/v1/admin/mail-queue/{entry['id']}/retry", {}).status // 100, 2)
        self.assertEqual(op.delete(f"/api/v1/admin/mail-queue/{entry['id']}").status, 204)
        self.assertEqual(listed(), [])


if __name__ == "__main__":
    unittest.main()

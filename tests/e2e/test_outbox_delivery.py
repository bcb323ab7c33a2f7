"""Platform e-mail leaves through MailJuke's own mail server: an aiosmtpd sink on loopback is
the `[delivery] relay`; the platform sender's domain is hosted, so dkimpy verifies the signature
against the key MailJuke's DNS publishes. Sign-up → the verification e-mail arrives as an
RFC 5322 multipart/alternative message; marketing carries RFC 8058 one-click headers; a
suppressed address receives nothing; a hosted recipient gets the message in its INBOX."""
import email
import email.policy
import os
import re
import subprocess
import threading
import time
import unittest
import uuid

import dkim
import dns.message
import dns.query
from aiosmtpd.controller import Controller

import mailtest
import mj
from dns_secondary import free_port

PLATFORM_DOMAIN = "platform-mj.com"


class Sink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Stored"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m[1]]


class OutboxDeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink()
        cls.controller = Controller(cls.sink, hostname="127.0.0.1", port=free_port())
        cls.controller.start()
        cls.dns_port = free_port()
        cls.server = mj.Server(env={
            "MAILJUKE_MAIL_SEND_OUTBOX": "1",
            "MAILJUKE_MAIL_PLATFORM_FROM": f"MailJuke Team <no-reply@{PLATFORM_DOMAIN}>",
            "MAILJUKE_DELIVERY_RELAY": f"127.0.0.1:{cls.controller.port}",
            "MAILJUKE_DNS_LISTEN": f"127.0.0.1:{cls.dns_port}",
            "MAILJUKE_DELIVERY_RESOLVER": f"127.0.0.1:{cls.dns_port}",
            "MAILJUKE_DELIVERY_FIRST_RETRY_SECONDS": "1",
        }).start()
        # The operator hosts the platform sender's domain (it gets a DKIM key and a zone).
        cls.mail = mailtest.MailSetup(cls.server, domains=(PLATFORM_DOMAIN,))
        cls.wait(lambda: cls.lookup(PLATFORM_DOMAIN, "SOA").answer, "the platform zone in DNS")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.controller.stop()

    @classmethod
    def lookup(cls, name, rdtype):
        q = dns.message.make_query(name, rdtype)
        return dns.query.udp(q, "127.0.0.1", port=cls.dns_port, timeout=2)

    wait = staticmethod(mj.wait_until)

    def dnsfunc(self, name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        answer = self.lookup(name, "TXT").answer
        return b"".join(b"".join(rr.strings) for rrset in answer for rr in rrset)

    def assert_well_formed(self, raw):
        for line in raw.split(b"\r\n"):
            self.assertLessEqual(len(line), 998)
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))  # CRLF only
        return email.message_from_bytes(raw, policy=email.policy.default)

    def test_signup_verification_arrives_signed_and_well_formed(self):
        c = self.server.client()
        c.signup(email=f"new-{uuid.uuid4().hex[:8]}@example.org")
        got = self.wait(lambda: self.sink.to(c.email), "the verification e-mail at the sink")
        self.assertEqual(len(got), 1)
        sender, rcpts, raw = got[0]
        self.assertEqual(sender, f"no-reply@{PLATFORM_DOMAIN}")
        self.assertEqual(rcpts, [c.email])
        msg = self.assert_well_formed(raw)
        self.assertEqual(msg["From"], f"MailJuke Team <no-reply@{PLATFORM_DOMAIN}>")
        self.assertEqual(msg["To"], c.email)
        self.assertTrue(msg["Subject"].startswith("Verify your e-mail address"))
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertTrue(msg["Date"])
        self.assertTrue(msg["Message-ID"].endswith(f"@{PLATFORM_DOMAIN}>"))
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts], ["text/plain", "text/html"])
        for p in parts:
            self.assertEqual(p.get_content_charset(), "utf-8")
            self.assertEqual(p["Content-Transfer-Encoding"], "quoted-printable")
        # The token in the delivered text is the one the outbox holds, and it works.
        row = mj.outbox(self.server, to=c.email, kind="verify_email")[0]
        token = mj.token_from(row, "Verification token")
        self.assertIn(token, parts[0].get_content())
        self.assertIn(token, parts[1].get_content())
        self.assertEqual(c.post("/api/v1/auth/verify-email", {"token": token}).status, 200)
        # DKIM (RFC 6376) with the key MailJuke publishes for the hosted platform domain.
        self.assertTrue(raw.startswith(b"DKIM-Signature:"), raw[:300])
        self.assertTrue(dkim.verify(raw, dnsfunc=self.dnsfunc), raw[:2000])
        # The operator sees the row's delivery state.
        self.assertEqual(row["status"], "queued")
        self.assertTrue(row["queue_id"])
        self.assertTrue(row["sent_at"])

    def test_marketing_one_click_headers_and_suppression(self):
        yes, gone = self.server.client(), self.server.client()
        for c in (yes, gone):
            c.signup(email=f"m-{uuid.uuid4().hex[:8]}@example.net")
            self.assertEqual(c.put("/api/v1/me/consents", {"marketing_email": True}).status, 200)
        op = mj.operator_client(self.server)
        subject = "Frühlings-Neuigkeiten ✓ für alle Kunden"
        r = op.post("/api/v1/admin/marketing-sends", {"subject": subject, "text": "Hallo!\n\nGrüße"})
        self.assertEqual(r.status, 201, r)
        got = self.wait(lambda: [m for m in self.sink.to(yes.email) if b"List-Unsubscribe" in m[2]],
                        "the marketing e-mail")
        raw = got[0][2]
        msg = self.assert_well_formed(raw)
        self.assertIn(b"Subject: =?UTF-8?B?", raw)  # RFC 2047
        self.assertEqual(msg["Subject"], subject)
        self.assertEqual(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertRegex(msg["List-Unsubscribe"], r"^<https://[^>]+/api/v1/unsubscribe\?t=[^>]+>$")
        self.assertIsNone(msg["Auto-Submitted"])
        self.assertIn("Grüße", msg.get_body(("plain",)).get_content())
        # RFC 8058 §4: both fields are covered by the DKIM signature.
        sig = re.sub(r"\s", "", msg["DKIM-Signature"]).lower()
        self.assertIn("list-unsubscribe:list-unsubscribe-post", sig)
        self.assertTrue(dkim.verify(raw, dnsfunc=self.dnsfunc), raw[:2000])

        # `gone` unsubscribes with one click; the next send never reaches it.
        self.wait(lambda: self.sink.to(gone.email), "the first marketing e-mail to gone")
        path = mj.outbox(self.server, to=gone.email, kind="marketing")[0]["headers"][
            "List-Unsubscribe"].split("/api/v1/", 1)[1].rstrip(">")
        anon = self.server.client()
        r = anon.request("POST", "/api/v1/" + path, raw=b"List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 200, r)
        r = op.post("/api/v1/admin/marketing-sends", {"subject": "Second news", "text": "Again"})
        self.assertEqual(r.status, 201, r)
        self.wait(lambda: [m for m in self.sink.to(yes.email) if b"Second news" in m[2]],
                  "the second marketing e-mail")
        time.sleep(1)  # the outbox runs every 250 ms: anything for gone would have gone by now
        self.assertEqual([m for m in self.sink.to(gone.email) if b"Second news" in m[2]], [])

    def test_hosted_recipient_gets_the_invitation_in_its_inbox(self):
        address = f"team-{uuid.uuid4().hex[:6]}@{PLATFORM_DOMAIN}"
        self.mail.mailbox(address, "mailbox-password-1234")
        r = self.mail.owner.post(f"/api/v1/workspaces/{self.mail.ws}/members",
                                 {"email": address, "role": "viewer"})
        self.assertEqual(r.status, 201, r)
        stored = self.wait(lambda: [m for m in mailtest.stored_messages(self.server, address)
                                    if b"Invitation token" in m], "the invitation in the INBOX")
        msg = self.assert_well_formed(stored[0])
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual(self.sink.to(address), [])  # never left the server
        row = mj.outbox(self.server, to=address, kind="invitation")[0]
        self.assertEqual(row["status"], "queued")


class PlatformFromConfigTest(unittest.TestCase):
    def check(self, **env):
        e = dict(os.environ)
        e.update(env)
        return subprocess.run([mj.BIN, "config", "check"], capture_output=True, text=True, env=e,
                              timeout=60)

    def test_bad_values_exit_2_naming_the_key(self):
        for value in ("Name <broken", "no at sign", "<a b@c.test>"):
            r = self.check(MAILJUKE_MAIL_PLATFORM_FROM=value)
            self.assertEqual(r.returncode, 2, value)
            self.assertIn("mail.platform_from", r.stderr)
        r = self.check(MAILJUKE_MAIL_SEND_OUTBOX="2")
        self.assertEqual(r.returncode, 2)
        self.assertIn("mail.send_outbox", r.stderr)
        for value in ("Acme <hello@acme.test>", "hello@acme.test", ""):
            self.assertEqual(self.check(MAILJUKE_MAIL_PLATFORM_FROM=value).returncode, 0, value)


if __name__ == "__main__":
    unittest.main()

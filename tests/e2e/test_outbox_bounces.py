"""Bounces of platform e-mail: an aiosmtpd relay on loopback refuses `gone-*` recipients with
550 5.1.1, so the delivery worker's permanent failure marks the outbox row `bounced` (no DSN
goes to the platform sender) and the address lands on the marketing suppression list; a DSN a
remote MTA sends back to the platform address over the MX is matched by the original's
Message-ID and marks its row too; a reply that is not a report changes nothing. The operator
sees it all in /api/v1/admin/outbox."""
import threading
import time
import unittest
import uuid

from aiosmtpd.controller import Controller

import mailtest
import mj
from dns_secondary import free_port

PLATFORM_DOMAIN = "platform-bounce.com"
PLATFORM = f"no-reply@{PLATFORM_DOMAIN}"


class Relay:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone-"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Stored"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m[1]]


def report(original_message_id, recipient, status="5.7.1", diagnostic="550 5.7.1 blocked"):
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {PLATFORM}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <report-1@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n"
        "\r\n--R\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "\r\n--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        "\r\n--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: MailJuke <{PLATFORM}>\r\nTo: {recipient}\r\nMessage-ID: {original_message_id}\r\n"
        "\r\n--R--\r\n").encode()


class OutboxBouncesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.relay = Relay()
        cls.controller = Controller(cls.relay, hostname="127.0.0.1", port=free_port())
        cls.controller.start()
        dns_port = free_port()
        cls.server = mj.Server(env={
            "MAILJUKE_MAIL_SEND_OUTBOX": "1",
            "MAILJUKE_MAIL_PLATFORM_FROM": f"MailJuke <{PLATFORM}>",
            "MAILJUKE_DELIVERY_RELAY": f"127.0.0.1:{cls.controller.port}",
            "MAILJUKE_DNS_LISTEN": f"127.0.0.1:{dns_port}",
            "MAILJUKE_DELIVERY_RESOLVER": f"127.0.0.1:{dns_port}",
            "MAILJUKE_DELIVERY_FIRST_RETRY_SECONDS": "1",
        }).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.controller.stop()

    wait = staticmethod(mj.wait_until)

    def row(self, address, kind="verify_email"):
        rows = mj.outbox(self.server, to=address, kind=kind)
        return rows[0] if rows else None

    def test_refused_recipient_bounces_the_row_and_suppresses_marketing(self):
        c = self.server.client()
        c.signup(email=f"gone-{uuid.uuid4().hex[:8]}@example.org")
        self.assertEqual(c.put("/api/v1/me/consents", {"marketing_email": True}).status, 200)
        row = self.wait(lambda: (r := self.row(c.email)) and r["status"] == "bounced" and r,
                        "the verification e-mail's row bounced")
        self.assertTrue(row["queue_id"])
        self.assertIn("5.1.1", row["last_error"])
        self.assertIn("User unknown", row["last_error"])
        self.assertEqual(row["bounce"]["status"], "5.1.1")
        self.assertTrue(row["bounce"]["hard"])
        self.assertTrue(row["bounce"]["suppressed_for_marketing"])
        # The bounce is the row's state, not a DSN to the platform sender.
        time.sleep(0.5)
        self.assertEqual(self.relay.to(PLATFORM), [])
        # Marketing never goes to the address again.
        yes = self.server.client()
        yes.signup(email=f"yes-{uuid.uuid4().hex[:8]}@example.org")
        self.assertEqual(yes.put("/api/v1/me/consents", {"marketing_email": True}).status, 200)
        op = mj.operator_client(self.server)
        r = op.post("/api/v1/admin/marketing-sends", {"subject": "Bounce news", "text": "Hi"})
        self.assertEqual(r.status, 201, r)
        self.wait(lambda: [m for m in self.relay.to(yes.email) if b"Bounce news" in m[2]],
                  "the marketing e-mail to a good address")
        time.sleep(1)
        for m in mj.outbox(self.server, to=c.email, kind="marketing"):
            self.assertEqual(m["status"], "suppressed", m)

    def test_report_returned_to_the_platform_address_bounces_its_row(self):
        c = self.server.client()
        c.signup(email=f"later-{uuid.uuid4().hex[:8]}@example.org")
        delivered = self.wait(lambda: self.relay.to(c.email), "the verification e-mail")
        self.assertEqual(delivered[0][0], PLATFORM)
        raw = delivered[0][2].decode()
        mid = next(line.split(":", 1)[1].strip() for line in raw.split("\r\n")
                   if line.lower().startswith("message-id:"))
        self.assertEqual(self.row(c.email)["status"], "queued")
        with mailtest.mx(self.server) as s:
            # Not a report (an auto-reply quoting our Message-ID): accepted, nothing changes.
            auto = (f"From: {c.email}\r\nTo: {PLATFORM}\r\nSubject: Out of office\r\n"
                    f"In-Reply-To: {mid}\r\n\r\nAway.\r\n").encode()
            self.assertEqual(s.sendmail(c.email, [PLATFORM], auto), {})
            # A report about another recipient: nothing either.
            s.sendmail("", [PLATFORM], report(mid, "someone-else@example.org"))
            time.sleep(0.3)
            self.assertEqual(self.row(c.email)["status"], "queued")
            s.sendmail("", [PLATFORM], report(mid, c.email))
        row = self.wait(lambda: (r := self.row(c.email)) and r["status"] == "bounced" and r,
                        "the row bounced by the returned report")
        self.assertEqual(row["bounce"]["status"], "5.7.1")
        self.assertIn("550 5.7.1 blocked", row["last_error"])
        self.assertTrue(row["bounce"]["hard"])
        # A customer's recipient at the platform domain is still not accepted (no open relay).
        with mailtest.mx(self.server) as s:
            s.ehlo()
            code, _ = s.docmd("MAIL FROM:<>")
            self.assertEqual(code, 250)
            code, _ = s.docmd(f"RCPT TO:<other@{PLATFORM_DOMAIN}>")
            self.assertGreaterEqual(code, 500)


if __name__ == "__main__":
    unittest.main()

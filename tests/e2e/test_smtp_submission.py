"""SMTP submission with real clients (Python smtplib and swaks): STARTTLS + AUTH PLAIN/LOGIN on
587, implicit TLS on 465, wrong password, AUTH before TLS, sender spoofing, size limit,
pipelining, daily limit, suspension, and the Sent copy with a DKIM signature."""
import email
import smtplib
import socket
import subprocess
import unittest

import mailtest
import mj

PASSWORD = "mailbox-password-1234"


class SubmissionTest(mj.ServerTestCase):
    server_env = {"MAILJUKE_SMTP_MAX_MESSAGE_SIZE": "200000"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com", "other-mail.com"))
        cls.alice = cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.bob = cls.mail.mailbox("bob@other-mail.com", PASSWORD)

    def test_starttls_auth_plain_delivers_locally_with_sent_copy_and_dkim(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            msg = mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com", "plain-1")
            refused = s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"], msg)
            self.assertEqual(refused, {})
        inbox = [m for m in mailtest.stored_messages(self.server, "bob@other-mail.com") if b"plain-1" in m]
        self.assertEqual(len(inbox), 1)
        parsed = email.message_from_bytes(inbox[0])
        self.assertIn("DKIM-Signature", parsed)
        self.assertIn("d=acme-mail.com", parsed["DKIM-Signature"].replace(" ", ""))
        self.assertTrue(parsed["Message-ID"])  # added when missing
        self.assertTrue(parsed["Date"])
        sent = [m for m in mailtest.stored_messages(self.server, "alice@acme-mail.com", "Sent") if b"plain-1" in m]
        self.assertEqual(len(sent), 1)

    def test_implicit_tls_on_submissions_port(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD, implicit_tls=True) as s:
            s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"],
                       mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com", "tls-465"))
        self.assertTrue(any(b"tls-465" in m for m in mailtest.stored_messages(self.server, "bob@other-mail.com")))

    def test_swaks_auth_login_and_pipelining(self):
        host, port = self.server.address("smtp_submission")
        for extra in (["--auth", "LOGIN"], ["--auth", "PLAIN", "--pipeline"]):
            r = subprocess.run(
                ["swaks", "--server", host, "--port", str(port), "--tls",
                 "--from", "alice@acme-mail.com", "--to", "bob@other-mail.com",
                 "--h-From", "<alice@acme-mail.com>", "--h-Subject", "swaks " + extra[1],
                 "--auth-user", "alice@acme-mail.com", "--auth-password", PASSWORD, "--timeout", "20"] + extra,
                capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("250 2.0.0", r.stdout)
        subjects = b"".join(mailtest.stored_messages(self.server, "bob@other-mail.com"))
        self.assertIn(b"swaks LOGIN", subjects)
        self.assertIn(b"swaks PLAIN", subjects)

    def test_wrong_password_and_unknown_user(self):
        host, port = self.server.address("smtp_submission")
        for user, password in (("alice@acme-mail.com", "wrong-password-000"), ("nobody@acme-mail.com", PASSWORD)):
            s = smtplib.SMTP(host, port, timeout=10)
            s.starttls(context=mailtest.insecure_tls())
            with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
                s.login(user, password)
            self.assertEqual(cm.exception.smtp_code, 535)
            s.close()

    def test_auth_and_mail_before_tls_refused(self):
        host, port = self.server.address("smtp_submission")
        s = smtplib.SMTP(host, port, timeout=10)
        s.ehlo("client.test")
        self.assertNotIn("auth", s.esmtp_features)  # AUTH is only offered after STARTTLS
        self.assertIn("starttls", s.esmtp_features)
        code, _ = s.docmd("AUTH", "PLAIN AGFsaWNlQGFjbWUtbWFpbC5jb20AbWFpbGJveC1wYXNzd29yZC0xMjM0")
        self.assertIn(code, (530, 538))
        code, _ = s.docmd("MAIL", "FROM:<alice@acme-mail.com>")
        self.assertEqual(code, 530)
        s.close()

    def test_sender_spoofing_refused(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            with self.assertRaises(smtplib.SMTPSenderRefused) as cm:
                s.sendmail("bob@other-mail.com", ["bob@other-mail.com"],
                           mailtest.simple_message("bob@other-mail.com", "bob@other-mail.com"))
            self.assertEqual(cm.exception.smtp_code, 553)
            s.rset()
            # Envelope right, From header forged.
            with self.assertRaises(smtplib.SMTPDataError) as cm:
                s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"],
                           mailtest.simple_message("ceo@other-mail.com", "bob@other-mail.com", "forged"))
            self.assertEqual(cm.exception.smtp_code, 553)
        self.assertFalse(any(b"forged" in m for m in mailtest.stored_messages(self.server, "bob@other-mail.com")))

    def test_unknown_hosted_recipient_refused_at_rcpt(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as cm:
                s.sendmail("alice@acme-mail.com", ["nobody@other-mail.com"],
                           mailtest.simple_message("alice@acme-mail.com", "nobody@other-mail.com"))
            self.assertEqual(cm.exception.recipients["nobody@other-mail.com"][0], 550)

    def test_size_limit(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            self.assertEqual(int(s.esmtp_features["size"]), 200000)
            big = mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com", "big",
                                          body=("x" * 998 + "\r\n") * 250)
            with self.assertRaises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as cm:
                s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"], big)
            self.assertEqual(cm.exception.smtp_code, 552)
            # The session is still usable afterwards.
            s.rset()
            s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"],
                       mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com", "after-big"))

    def test_daily_limit(self):
        self.mail.mailbox("carol@acme-mail.com", PASSWORD, daily_limit=2)
        with mailtest.submission(self.server, "carol@acme-mail.com", PASSWORD) as s:
            for i in range(2):
                s.sendmail("carol@acme-mail.com", ["bob@other-mail.com"],
                           mailtest.simple_message("carol@acme-mail.com", "bob@other-mail.com", f"limit-{i}"))
            with self.assertRaises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as cm:
                s.sendmail("carol@acme-mail.com", ["bob@other-mail.com"],
                           mailtest.simple_message("carol@acme-mail.com", "bob@other-mail.com", "limit-3"))
            self.assertEqual(cm.exception.smtp_code, 451)
            self.assertIn(b"limit", cm.exception.args[1].lower())

    def test_suspended_mailbox_cannot_authenticate_but_receives(self):
        dave = self.mail.mailbox("dave@acme-mail.com", PASSWORD)
        self.mail.patch_mailbox(dave["id"], {"status": "suspended"})
        host, port = self.server.address("smtp_submission")
        s = smtplib.SMTP(host, port, timeout=10)
        s.starttls(context=mailtest.insecure_tls())
        with self.assertRaises(smtplib.SMTPAuthenticationError):
            s.login("dave@acme-mail.com", PASSWORD)
        s.close()
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            s.sendmail("alice@acme-mail.com", ["dave@acme-mail.com"],
                       mailtest.simple_message("alice@acme-mail.com", "dave@acme-mail.com", "to-suspended"))
        self.assertEqual(len(mailtest.stored_messages(self.server, "dave@acme-mail.com")), 1)

    def test_counters_in_mailbox_api(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"],
                       mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com", "count"))
        r = self.mail.owner.get(f"/api/v1/workspaces/{self.mail.ws}/mailboxes/{self.alice['id']}")
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(mailtest.find_key(r.json, "sent_today"), 1)
        r = self.mail.owner.get(f"/api/v1/workspaces/{self.mail.ws}/mailboxes/{self.bob['id']}")
        self.assertGreaterEqual(mailtest.find_key(r.json, "received_today"), 1)
        # The same counters in /metrics, labelled by mailbox id (never by address).
        metrics = mj.operator_client(self.server).get("/metrics").body
        self.assertRegex(metrics, r'mailjuke_mailbox_sent_today\{mailbox="%s"\} [1-9]' % self.alice["id"])
        self.assertNotIn("alice@acme-mail.com", metrics)

if __name__ == "__main__":
    unittest.main()

"""The MX listener with Python smtplib: hosted recipients only, no open relay, null sender,
Authentication-Results on every stored message, and bad input that never hurts other sessions."""
import email
import json
import smtplib
import socket
import time
import unittest

import mailtest
import mj


class InboundTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("inbound-co.com",))
        cls.mail.mailbox("sales@inbound-co.com", "mailbox-password-1234")

    def inbox(self):
        return mailtest.stored_messages(self.server, "sales@inbound-co.com")

    def test_delivers_to_inbox_with_authentication_results(self):
        with mailtest.mx(self.server) as s:
            s.ehlo("sender.example")
            self.assertNotIn("auth", s.esmtp_features)
            for feature in ("pipelining", "size", "8bitmime", "enhancedstatuscodes", "starttls", "smtputf8"):
                self.assertIn(feature, s.esmtp_features)
            s.sendmail("someone@sender.example", ["Sales@Inbound-Co.com"],
                       mailtest.simple_message("someone@sender.example", "sales@inbound-co.com", "inbound-1"))
        stored = [m for m in self.inbox() if b"inbound-1" in m]
        self.assertEqual(len(stored), 1)
        parsed = email.message_from_bytes(stored[0])
        results = parsed["Authentication-Results"]
        self.assertIsNotNone(results)
        for method in ("spf=", "dkim=", "dmarc="):
            self.assertIn(method, results)
        self.assertIn("Received", parsed)
        # The MIME structure is parsed once at delivery and cached for IMAP.
        envelope, part = mailtest.stored_structures(self.server, "sales@inbound-co.com")[self.inbox().index(stored[0])]
        self.assertEqual(json.loads(envelope)["subject"], "inbound-1")
        self.assertEqual(json.loads(part)["t"], "text")

    def test_forged_authentication_results_removed(self):
        with mailtest.mx(self.server) as s:
            s.sendmail("x@sender.example", ["sales@inbound-co.com"], mailtest.simple_message(
                "x@sender.example", "sales@inbound-co.com", "forged-ar",
                extra="Authentication-Results: mail.mailjuke.test; dkim=pass header.d=bank.example\r\n"))
        stored = [m for m in self.inbox() if b"forged-ar" in m][0]
        self.assertNotIn(b"header.d=bank.example", stored)

    def test_forward_to_copies_the_message(self):
        self.mail.mailbox("fwd@inbound-co.com", "mailbox-password-1234", forward_to="sales@inbound-co.com")
        with mailtest.mx(self.server) as s:
            s.sendmail("x@sender.example", ["fwd@inbound-co.com"],
                       mailtest.simple_message("x@sender.example", "fwd@inbound-co.com", "forward-me"))
        self.assertEqual(len([m for m in mailtest.stored_messages(self.server, "fwd@inbound-co.com")
                              if b"forward-me" in m]), 1)
        self.assertEqual(len([m for m in self.inbox() if b"forward-me" in m]), 1)

    def test_unknown_user_and_relay_denied(self):
        with mailtest.mx(self.server) as s:
            s.ehlo("sender.example")
            s.mail("someone@sender.example")
            code, text = s.rcpt("nobody@inbound-co.com")
            self.assertEqual(code, 550)
            self.assertIn(b"5.1.1", text)
            code, text = s.rcpt("victim@gmail.com")
            self.assertEqual(code, 554)
            self.assertIn(b"5.7.1", text)

    def test_open_relay_refused_from_any_sender(self):
        # Unauthenticated relay to a domain that is not hosted here, even with a hosted sender.
        for sender in ("sales@inbound-co.com", "x@elsewhere.example", ""):
            with mailtest.mx(self.server) as s:
                with self.assertRaises(smtplib.SMTPRecipientsRefused):
                    s.sendmail(sender, ["someone@not-hosted.example"], b"Subject: relay\r\n\r\nx\r\n")
        self.assertEqual(mailtest.queue_rows(self.server), [])

    def test_null_sender_bounce_accepted(self):
        with mailtest.mx(self.server) as s:
            s.ehlo("sender.example")
            code, _ = s.docmd("MAIL", "FROM:<>")
            self.assertEqual(code, 250)
            self.assertEqual(s.rcpt("sales@inbound-co.com")[0], 250)
            code, _ = s.data(b"From: MAILER-DAEMON@sender.example\r\nSubject: bounce-1\r\n\r\nbounced\r\n")
            self.assertEqual(code, 250)
        self.assertTrue(any(b"bounce-1" in m for m in self.inbox()))

    def raw_session(self):
        sock = socket.create_connection(self.server.address("smtp_mx"), timeout=10)
        f = sock.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220"))
        return sock, f

    def reply(self, f):
        lines = []
        while True:
            line = f.readline()
            self.assertTrue(line, "connection closed")
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)

    def test_bad_input_gets_replies_and_server_keeps_serving(self):
        sock, f = self.raw_session()
        sock.sendall(b"EHLO x\r\n")
        self.assertEqual(self.reply(f)[0], 250)
        sock.sendall(b"FOO BAR\r\n")
        self.assertEqual(self.reply(f)[0], 500)
        sock.sendall(b"MAIL FROM:<" + b"a" * 600 + b"@x.example>\r\n")
        self.assertIn(self.reply(f)[0], (500, 501, 553))
        sock.sendall(b"RCPT TO:<sales@inbound-co.com>\r\n")
        self.assertEqual(self.reply(f)[0], 503)  # no MAIL yet
        sock.sendall(b"\x00\x01\x02\xff\r\n")
        self.assertIn(self.reply(f)[0], (500, 501))
        sock.sendall(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<sales@inbound-co.com>\r\nDATA\r\n")
        self.assertEqual(self.reply(f)[0], 250)
        self.assertEqual(self.reply(f)[0], 250)
        self.assertEqual(self.reply(f)[0], 354)
        # 8-bit header without SMTPUTF8, a bare LF and an overlong line.
        sock.sendall(b"Subject: caf\xc3\xa9 bad-8bit\r\n\r\nline\nbare\r\n" + b"y" * 2000 + b"\r\n.\r\n")
        code, _ = self.reply(f)
        self.assertIn(code, (250, 550, 554))
        sock.sendall(b"QUIT\r\n")
        self.assertEqual(self.reply(f)[0], 221)
        sock.close()
        # A missing terminator stores nothing.
        sock, f = self.raw_session()
        sock.sendall(b"EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<sales@inbound-co.com>\r\nDATA\r\n")
        for _ in range(3):
            self.reply(f)
        sock.sendall(b"Subject: never-finished\r\n\r\nhalf")
        sock.close()
        time.sleep(0.3)
        self.assertFalse(any(b"never-finished" in m for m in self.inbox()))
        with mailtest.mx(self.server) as s:  # and the server still serves
            s.sendmail("x@sender.example", ["sales@inbound-co.com"],
                       mailtest.simple_message("x@sender.example", "sales@inbound-co.com", "after-bad"))
        self.assertTrue(any(b"after-bad" in m for m in self.inbox()))

    def test_slowloris_does_not_block_others(self):
        slow = socket.create_connection(self.server.address("smtp_mx"), timeout=10)
        slow.recv(512)
        slow.sendall(b"EHL")  # and never finishes the line
        start = time.time()
        with mailtest.mx(self.server) as s:
            s.sendmail("quick@sender.example", ["sales@inbound-co.com"],
                       mailtest.simple_message("quick@sender.example", "sales@inbound-co.com", "quick"))
        self.assertLess(time.time() - start, 5)
        slow.close()


if __name__ == "__main__":
    unittest.main()

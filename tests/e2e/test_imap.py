"""IMAP with a real client (Python imaplib) against the real binary: STARTTLS on 143 and implicit
TLS on 993, LOGINDISABLED before TLS, LIST with SPECIAL-USE, SELECT, SEARCH, FETCH of envelope,
bodystructure and a partial body, STORE flags, EXPUNGE; mail submitted over SMTP by one hosted
mailbox is read over IMAP by the recipient, and the sender finds it in Sent."""
import email
import imaplib
import unittest

import mailtest
import mj

PASSWORD = "mailbox-password-1234"


def imap_starttls(server):
    host, port = server.address("imap")
    c = imaplib.IMAP4(host, port, timeout=10)
    c.starttls(ssl_context=mailtest.insecure_tls())
    return c


def imap_ssl(server):
    host, port = server.address("imaps")
    return imaplib.IMAP4_SSL(host, port, ssl_context=mailtest.insecure_tls(), timeout=10)


class ImapTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com", "other-mail.com"))
        cls.alice = cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.bob = cls.mail.mailbox("bob@other-mail.com", PASSWORD)
        with mailtest.submission(cls.server, "alice@acme-mail.com", PASSWORD) as s:
            for i in range(3):
                msg = mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com",
                                              f"imap-{i}", body=f"Body number {i}.\r\n" * 20)
                s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"], msg)

    def test_login_disabled_before_starttls(self):
        host, port = self.server.address("imap")
        c = imaplib.IMAP4(host, port, timeout=10)
        try:
            self.assertIn("LOGINDISABLED", c.capabilities)
            self.assertIn("STARTTLS", c.capabilities)
            with self.assertRaises(imaplib.IMAP4.error):
                c.login("bob@other-mail.com", PASSWORD)
        finally:
            c.shutdown()

    def test_starttls_list_select_fetch_search(self):
        c = imap_starttls(self.server)
        self.assertEqual(c.login("bob@other-mail.com", PASSWORD)[0], "OK")
        typ, folders = c.list()
        self.assertEqual(typ, "OK")
        text = b"\n".join(folders).decode()
        self.assertIn('"/" INBOX', text)
        self.assertIn("\\Sent", text)
        self.assertIn("\\Trash", text)
        typ, data = c.select("INBOX")
        self.assertEqual(typ, "OK")
        self.assertGreaterEqual(int(data[0]), 3)
        typ, data = c.search(None, "SUBJECT", '"imap-1"')
        self.assertEqual(typ, "OK")
        nums = data[0].split()
        self.assertEqual(len(nums), 1)
        n = nums[0].decode()
        typ, data = c.fetch(n, "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
        self.assertEqual(typ, "OK")
        meta = data[0] if isinstance(data[0], bytes) else data[0][0]
        self.assertIn(b"imap-1", meta)
        self.assertIn(b'("TEXT" "PLAIN"', meta.upper())
        self.assertNotIn(b"\\Seen", meta)
        typ, data = c.fetch(n, "(BODY.PEEK[TEXT]<0.16>)")
        self.assertEqual(data[0][1], b"Body number 1.\r\n")
        typ, data = c.fetch(n, "(BODY[])")
        msg = email.message_from_bytes(data[0][1])
        self.assertEqual(msg["Subject"], "imap-1")
        self.assertIn("DKIM-Signature", msg)
        typ, data = c.fetch(n, "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])  # a non-PEEK body fetch sets \Seen
        typ, data = c.uid("SEARCH", None, "UNSEEN")
        self.assertEqual(len(data[0].split()), int(c.select("INBOX")[1][0]) - 1)
        c.logout()

    def test_implicit_tls_store_expunge_and_sent_copy(self):
        a = imap_ssl(self.server)
        a.login("alice@acme-mail.com", PASSWORD)
        typ, data = a.status("Sent", "(MESSAGES UIDNEXT UIDVALIDITY)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"MESSAGES 3", data[0])
        a.select("Sent")
        typ, data = a.search(None, "SEEN")
        self.assertEqual(len(data[0].split()), 3)  # the Sent copy is stored \Seen
        typ, data = a.store("1", "+FLAGS", "(\\Deleted \\Flagged)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"\\Deleted", data[0])
        typ, data = a.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [b"1"])
        typ, data = a.select("Sent", readonly=True)
        self.assertEqual(int(data[0]), 2)
        a.logout()

    def test_create_append_fetch_rename_delete(self):
        c = imap_ssl(self.server)
        c.login("bob@other-mail.com", PASSWORD)
        self.assertEqual(c.create("Projects")[0], "OK")
        self.assertEqual(c.create("Projects")[0], "NO")  # [ALREADYEXISTS]
        message = b"Subject: appended\r\n\r\nhello from APPEND\r\n"
        typ, data = c.append("Projects", "(\\Seen \\Flagged)",
                              imaplib.Time2Internaldate(1764583200), message)
        self.assertEqual(typ, "OK")
        self.assertIn(b"[APPENDUID ", data[0])
        typ, data = c.append("Nope", None, None, message)
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])
        typ, data = c.list('""', "Proj*")
        self.assertIn(b'"/" Projects', data[0])
        c.select("Projects")
        typ, data = c.fetch("1", "(FLAGS INTERNALDATE BODY.PEEK[])")
        self.assertIn(b"\\Flagged", data[0][0])
        self.assertIn(b'INTERNALDATE "01-Dec-2025 10:00:00 +0000"', data[0][0])
        self.assertEqual(data[0][1], message)
        c.close()
        self.assertEqual(c.rename("Projects", "Work")[0], "OK")
        typ, data = c.status("Work", "(MESSAGES)")
        self.assertIn(b"MESSAGES 1", data[0])
        self.assertEqual(c.unsubscribe("Work")[0], "OK")
        self.assertEqual(c.delete("Work")[0], "OK")
        self.assertEqual(c.select("Work")[0], "NO")
        c.logout()

    def test_noop_reports_mail_delivered_over_smtp(self):
        c = imap_ssl(self.server)
        c.login("bob@other-mail.com", PASSWORD)
        before = int(c.select("INBOX")[1][0])
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            s.sendmail("alice@acme-mail.com", ["bob@other-mail.com"],
                       mailtest.simple_message("alice@acme-mail.com", "bob@other-mail.com", "imap-noop"))
        self.assertEqual(c.noop()[0], "OK")
        typ, data = c.response("EXISTS")
        self.assertEqual(int(data[-1]), before + 1)
        typ, data = c.fetch(str(before + 1), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"imap-noop", data[0][1])
        c.logout()

    def test_copy_and_move(self):
        c = imap_ssl(self.server)
        c.login("alice@acme-mail.com", PASSWORD)
        self.assertIn("MOVE", c.capabilities)
        c.create("Copies")
        c.select("INBOX")
        c.append("INBOX", "(\\Flagged)", None, b"Subject: to-copy\r\n\r\nx\r\n")
        c.append("INBOX", None, None, b"Subject: to-move\r\n\r\ny\r\n")
        c.noop()
        typ, data = c.uid("SEARCH", None, "SUBJECT", "to-copy")
        copy_uid = data[0].split()[-1].decode()
        typ, data = c.uid("COPY", copy_uid, "Copies")
        self.assertEqual(typ, "OK")  # (imaplib's uid() hides the tagged [COPYUID]: unit-tested)
        typ, data = c.uid("SEARCH", None, "SUBJECT", "to-move")
        move_uid = data[0].split()[-1].decode()
        typ, data = c.uid("MOVE", move_uid, "Archive")
        self.assertEqual(typ, "OK")
        typ, data = c.uid("SEARCH", None, "SUBJECT", "to-move")
        self.assertEqual(data[0], b"")  # gone from INBOX
        self.assertEqual(c.copy("1", "Nope")[0], "NO")
        c.select("Copies")
        typ, data = c.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"\\Flagged", data[0][0])
        self.assertIn(b"to-copy", data[0][1])
        self.assertIn(b"MESSAGES 1", c.status("Archive", "(MESSAGES)")[1][0])
        c.logout()

    def test_bad_credentials(self):
        c = imap_ssl(self.server)
        with self.assertRaises(imaplib.IMAP4.error):
            c.login("bob@other-mail.com", "wrong-password")
        c.logout()


if __name__ == "__main__":
    unittest.main()

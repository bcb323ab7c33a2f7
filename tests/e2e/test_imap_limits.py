"""IMAP connection cap per user ([imap] max_connections_per_user): with a cap of 2, a third
logged-in session of the same mailbox is refused with NO [LIMIT] (from any IP), another mailbox
still logs in, and the slot comes back when a session logs out."""
import imaplib
import time
import unittest

import mailtest
import mj

PASSWORD = "mailbox-password-1234"


def imap_ssl(server):
    host, port = server.address("imaps")
    return imaplib.IMAP4_SSL(host, port, ssl_context=mailtest.insecure_tls(), timeout=10)


class ImapUserCapTest(mj.ServerTestCase):
    server_env = {"MAILJUKE_IMAP_MAX_CONNECTIONS_PER_USER": "2"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com",))
        cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.mail.mailbox("bob@acme-mail.com", PASSWORD)

    def test_third_session_of_a_mailbox_is_refused(self):
        a1, a2 = imap_ssl(self.server), imap_ssl(self.server)
        a1.login("alice@acme-mail.com", PASSWORD)
        a2.login("alice@acme-mail.com", PASSWORD)
        a3 = imap_ssl(self.server)
        with self.assertRaises(imaplib.IMAP4.error) as e:
            a3.login("alice@acme-mail.com", PASSWORD)
        self.assertIn("[LIMIT]", str(e.exception))
        # The refused connection stays usable and another mailbox is not affected.
        self.assertEqual(a3.noop()[0], "OK")
        b = imap_ssl(self.server)
        self.assertEqual(b.login("bob@acme-mail.com", PASSWORD)[0], "OK")
        # A logout frees the slot (the server ends the session right after BYE).
        a1.logout()
        for _ in range(50):
            try:
                self.assertEqual(a3.login("alice@acme-mail.com", PASSWORD)[0], "OK")
                break
            except imaplib.IMAP4.error:
                time.sleep(0.1)
        else:
            self.fail("slot not released after LOGOUT")
        self.assertEqual(a2.select("INBOX")[0], "OK")
        for c in (a2, a3, b):
            c.logout()


if __name__ == "__main__":
    unittest.main()

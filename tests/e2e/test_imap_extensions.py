"""IMAP protocol extensions against the real binary over implicit TLS: IDLE (RFC 2177) sees mail
delivered through MailJuke's SMTP within a second, and flag changes and expunges made by another
connection; CONDSTORE (RFC 7162); ESEARCH (RFC 4731) and ENABLE IMAP4rev2; LIST-STATUS
(RFC 5819); QUOTA (RFC 9208). imaplib (Python 3.11) has no IDLE, so a small line client speaks
the protocol on a TLS socket."""
import imaplib
import smtplib
import socket
import ssl
import time
import unittest

import mailtest
import mj

PASSWORD = "mailbox-password-1234"


class Line:
    """A minimal IMAP client: send a tagged command, read lines (with literals) until the tag."""

    def __init__(self, server):
        host, port = server.address("imaps")
        raw = socket.create_connection((host, port), timeout=10)
        self.sock = mailtest.insecure_tls().wrap_socket(raw, server_hostname=host)
        self.f = self.sock.makefile("rb")
        self.n = 0
        self.readline()  # greeting

    def readline(self):
        line = self.f.readline()
        if not line:
            raise EOFError("connection closed")
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def cmd(self, text):
        self.n += 1
        tag = f"t{self.n}"
        self.send(f"{tag} {text}")
        lines = []
        while True:
            line = self.readline()
            lines.append(line)
            if line.startswith(tag + " "):
                return lines

    def close(self):
        try:
            self.cmd("LOGOUT")
        except (OSError, EOFError):
            pass
        self.sock.close()


class ImapExtensionsTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com", "other-mail.com"))
        cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.mail.mailbox("carol@other-mail.com", PASSWORD)
        cls.mail.mailbox("dave@other-mail.com", PASSWORD)

    def login(self, user):
        c = Line(self.server)
        self.assertTrue(c.cmd(f"LOGIN {user} {PASSWORD}")[-1].split()[1] == "OK")
        return c

    def send(self, to, subject):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            s.sendmail("alice@acme-mail.com", [to],
                       mailtest.simple_message("alice@acme-mail.com", to, subject))

    def wait_for(self, c, needle, within):
        """Reads untagged lines until one contains `needle`; fails after `within` seconds."""
        deadline = time.monotonic() + within
        seen = []
        while time.monotonic() < deadline:
            self.sock_timeout(c, max(0.01, deadline - time.monotonic()))
            try:
                line = c.readline()
            except (socket.timeout, TimeoutError):
                break
            seen.append(line)
            if needle in line:
                self.sock_timeout(c, 10)
                return line, seen
        self.fail(f"no {needle!r} within {within} s; got {seen}")

    @staticmethod
    def sock_timeout(c, t):
        c.sock.settimeout(t)

    def test_idle_sees_smtp_delivery_flags_and_expunge_within_a_second(self):
        self.send("carol@other-mail.com", "before-idle")
        c = self.login("carol@other-mail.com")
        self.assertIn("* CAPABILITY", "\n".join(c.cmd("CAPABILITY")))
        self.assertIn(" IDLE", "\n".join(c.cmd("CAPABILITY")))
        sel = c.cmd("SELECT INBOX")
        exists = int(next(l.split()[1] for l in sel if l.endswith(" EXISTS")))
        c.send("idle1 IDLE")
        self.assertTrue(c.readline().startswith("+"))
        # Mail through SMTP submission: the IDLE client hears of it within a second.
        start = time.monotonic()
        self.send("carol@other-mail.com", "during-idle")
        sent = time.monotonic()
        line, _ = self.wait_for(c, f"* {exists + 1} EXISTS", 1.0)
        latency = time.monotonic() - sent
        print(f"\nIDLE: EXISTS {latency * 1000:.0f} ms after SMTP 250 "
              f"({(time.monotonic() - start) * 1000:.0f} ms incl. submission)")
        # RFC 3501 §2.3.2: this session owns both as \Recent (the first SELECT claimed
        # "before-idle", "during-idle" arrived while it had INBOX selected).
        self.assertIn("* 1 RECENT", sel)
        self.wait_for(c, "* 2 RECENT", 1.0)
        # Another connection flags and expunges message 1.
        other = self.login("carol@other-mail.com")
        other.cmd("SELECT INBOX")
        self.assertIn("OK", other.cmd("STORE 1 +FLAGS.SILENT (\\Flagged \\Deleted)")[-1])
        self.wait_for(c, "* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))", 1.0)
        self.assertIn("OK", other.cmd("EXPUNGE")[-1])
        self.wait_for(c, "* 1 EXPUNGE", 1.0)
        other.close()
        c.sock.settimeout(10)
        c.send("DONE")
        self.assertEqual(c.readline(), "idle1 OK IDLE terminated")
        # The session goes on with the renumbered view.
        lines = c.cmd(f"FETCH {exists} (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn("during-idle", "\n".join(lines))
        c.close()

    def test_condstore_esearch_rev2_list_status(self):
        self.send("dave@other-mail.com", "cs-1")
        self.send("dave@other-mail.com", "cs-2")
        c = self.login("dave@other-mail.com")
        sel = c.cmd("SELECT INBOX (CONDSTORE)")
        hms = [l for l in sel if "HIGHESTMODSEQ" in l]
        self.assertTrue(hms, sel)
        highest = int(hms[0].split("HIGHESTMODSEQ ")[1].split("]")[0])
        out = c.cmd("FETCH 1:* (UID FLAGS MODSEQ)")
        self.assertEqual(len([l for l in out if " FETCH (" in l]), 2, out)
        out = c.cmd(f"STORE 1 (UNCHANGEDSINCE {highest}) +FLAGS (\\Seen)")
        self.assertIn("MODSEQ (", out[0])
        self.assertTrue(out[-1].split()[1] == "OK", out)
        # Message 1 now has a modseq above `highest`: a second conditional STORE fails.
        out = c.cmd(f"STORE 1 (UNCHANGEDSINCE {highest}) -FLAGS (\\Seen)")
        self.assertIn("[MODIFIED 1]", out[-1])
        out = c.cmd(f"FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})")
        self.assertEqual(len([l for l in out if " FETCH (" in l]), 1, out)
        out = c.cmd(f"SEARCH MODSEQ {highest + 1}")
        self.assertTrue(out[0].startswith("* SEARCH 1 (MODSEQ "), out)
        out = c.cmd("UID SEARCH RETURN (MIN MAX COUNT ALL) ALL")
        self.assertRegex(out[0], r'^\* ESEARCH \(TAG "t\d+"\) UID MIN \d+ MAX \d+ COUNT 2 ALL ')
        self.assertIn("ENABLED IMAP4rev2", "\n".join(c.cmd("ENABLE IMAP4rev2")))
        self.assertTrue(c.cmd("SEARCH UNSEEN")[0].startswith('* ESEARCH (TAG "'))
        out = c.cmd('LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN) SPECIAL-USE)')
        text = "\n".join(out)
        self.assertIn("* STATUS INBOX (MESSAGES 2 UNSEEN 1)", text)
        self.assertIn("\\Sent", text)
        self.assertIn("* STATUS Sent (MESSAGES 0 UNSEEN 0)", text)
        out = c.cmd("GETQUOTAROOT INBOX")
        self.assertEqual(out[0], '* QUOTAROOT INBOX ""')
        # No subscription: the trial plan's 1 GiB per mailbox ([billing] trial_storage_mib) caps
        # the operator's 5 GiB ([mail] mailbox_quota_mb); in KiB.
        self.assertRegex(out[1], r'^\* QUOTA "" \(STORAGE \d+ 1048576\)$')
        c.close()

    def test_imaplib_over_starttls_sees_new_capabilities(self):
        host, port = self.server.address("imap")
        c = imaplib.IMAP4(host, port, timeout=10)
        c.starttls(ssl_context=mailtest.insecure_tls())
        c.login("dave@other-mail.com", PASSWORD)
        for cap in ("IDLE", "CONDSTORE", "ESEARCH", "LIST-STATUS", "QUOTA", "IMAP4REV2"):
            self.assertIn(cap, c.capabilities)
        typ, data = c.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        c.logout()


class PlanQuotaTest(mj.ServerTestCase):
    """The mailbox quota comes from the workspace's plan (Pro: 20 GiB), capped by the operator."""
    server_env = {"MAILJUKE_MAIL_MAILBOX_QUOTA_MB": "8192"}

    def test_plan_storage_sets_the_imap_quota(self):
        mail = mailtest.MailSetup(self.server, domains=("plan-mail.com",))
        mail.mailbox("pat@plan-mail.com", PASSWORD)
        r = mail.owner.put(f"/api/v1/workspaces/{mail.ws}/subscription",
                           {"plan": "starter", "payment_method": "tok_visa"})
        self.assertIn(r.status, (200, 201), r.json)
        host, port = self.server.address("imaps")
        c = imaplib.IMAP4_SSL(host, port, ssl_context=mailtest.insecure_tls(), timeout=10)
        c.login("pat@plan-mail.com", PASSWORD)
        typ, data = c.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        # Starter's 5 GiB per mailbox, under the operator's 8 GiB cap; in KiB.
        self.assertIn(b"STORAGE 0 5242880", b" ".join(x for x in data[1] if x))
        c.logout()


class QuotaTest(mj.ServerTestCase):
    """[mail] mailbox_quota_mb = 1: APPEND beyond it is NO [OVERQUOTA], SMTP delivery 452 4.2.2."""
    server_env = {"MAILJUKE_MAIL_MAILBOX_QUOTA_MB": "1"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com", "other-mail.com"))
        cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.mail.mailbox("erin@other-mail.com", PASSWORD)
        cls.mail.mailbox("frank@other-mail.com", PASSWORD)
        cls.mail.mailbox("gina@other-mail.com", PASSWORD)

    def test_append_and_delivery_over_quota(self):
        c = Line(self.server)
        c.cmd(f"LOGIN erin@other-mail.com {PASSWORD}")
        self.assertRegex(c.cmd("GETQUOTAROOT INBOX")[1], r'^\* QUOTA "" \(STORAGE 0 1024\)$')
        body = ("Subject: big\r\n\r\n" + "x" * 998 + "\r\n") * 700  # ~0.7 MB
        c.send(f"a1 APPEND INBOX {{{len(body)}+}}")
        c.sock.sendall(body.encode() + b"\r\n")
        self.assertTrue(c.readline().startswith("a1 OK [APPENDUID"))
        c.send(f"a2 APPEND INBOX {{{len(body)}+}}")
        c.sock.sendall(body.encode() + b"\r\n")
        self.assertTrue(c.readline().startswith("a2 NO [OVERQUOTA]"))
        c.close()
        msg = mailtest.simple_message("alice@acme-mail.com", "erin@other-mail.com", "too-big",
                                      body="y" * 998 + "\r\n" * 1)
        msg = msg + (b"z" * 998 + b"\r\n") * 400
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            # smtplib declares SIZE=: the recipient that cannot take it is refused at RCPT.
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as e:
                s.sendmail("alice@acme-mail.com", ["erin@other-mail.com"], msg)
            code, text = e.exception.recipients["erin@other-mail.com"]
            self.assertEqual(code, 452)
            self.assertIn(b"4.2.2", text)
            # Without SIZE the end of DATA still checks (the whole message is deferred).
            self.assertEqual(s.mail("alice@acme-mail.com")[0], 250)
            self.assertEqual(s.rcpt("erin@other-mail.com")[0], 250)
            code, text = s.data(msg)  # smtplib.data returns the final reply
            self.assertEqual(code, 452)
            self.assertIn(b"4.2.2", text)

    def test_full_mailbox_refused_per_recipient(self):
        """RFC 5321 §4.5.3.1.10: 452 4.2.2 at RCPT for the mailbox that is full, the other
        recipient of the same message (hosted too) gets it; on the MX and on submission."""
        c = Line(self.server)
        c.cmd(f"LOGIN gina@other-mail.com {PASSWORD}")
        body = ("Subject: fill\r\n\r\n" + "x" * 998 + "\r\n") * 900  # ~0.9 of 1 MB
        c.send(f"a1 APPEND INBOX {{{len(body)}+}}")
        c.sock.sendall(body.encode() + b"\r\n")
        self.assertTrue(c.readline().startswith("a1 OK [APPENDUID"))
        c.close()
        msg = mailtest.simple_message("alice@acme-mail.com", "gina@other-mail.com, frank@other-mail.com",
                                      "shared", body="w" * 998 + "\r\n") + (b"v" * 998 + b"\r\n") * 200
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            refused = s.sendmail("alice@acme-mail.com",
                                 ["gina@other-mail.com", "frank@other-mail.com"], msg)
        self.assertEqual(list(refused), ["gina@other-mail.com"])
        self.assertEqual(refused["gina@other-mail.com"][0], 452)
        self.assertIn(b"4.2.2", refused["gina@other-mail.com"][1])
        inbound = mailtest.simple_message("someone@sender.example", "frank@other-mail.com",
                                          "inbound", body="u" * 998 + "\r\n")
        inbound += (b"t" * 998 + b"\r\n") * 200
        with mailtest.mx(self.server) as mx:
            refused = mx.sendmail("someone@sender.example",
                                  ["frank@other-mail.com", "gina@other-mail.com"], inbound)
        self.assertEqual(list(refused), ["gina@other-mail.com"])
        self.assertEqual(refused["gina@other-mail.com"][0], 452)
        # A small message still fits in gina's mailbox: only a message that would not is refused.
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            self.assertEqual(s.sendmail("alice@acme-mail.com", ["gina@other-mail.com"],
                                        mailtest.simple_message("alice@acme-mail.com",
                                                                "gina@other-mail.com", "small")), {})
        for who, want in (("frank", 2), ("gina", 2)):
            c = Line(self.server)
            c.cmd(f"LOGIN {who}@other-mail.com {PASSWORD}")
            count = 0
            for _ in range(50):
                lines = c.cmd("STATUS INBOX (MESSAGES)")
                count = int(lines[0].rsplit("(MESSAGES ", 1)[1].rstrip(")"))
                if count >= want:
                    break
                time.sleep(0.1)
            self.assertEqual(count, want, who)
            c.close()


if __name__ == "__main__":
    unittest.main()

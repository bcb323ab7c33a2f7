"""SEARCH with every RFC 3501 §6.4.4 key through Python imaplib over implicit TLS, each key with
a hit and a miss on a two-message folder: flags and keywords, \\Recent (RECENT/NEW/OLD, owned by
the first session that selected the folder; EXAMINE does not take it), internal dates, Date:
header dates (SENTBEFORE/SENTON/SENTSINCE, the day as written in the field's own zone), sizes,
header keys on RFC 2047-decoded text (CHARSET UTF-8), BODY/TEXT, UID and sequence sets, NOT/OR.
Also RENAME INBOX (RFC 3501 §6.3.5): the messages move, INBOX stays and is empty."""
import base64
import datetime
import imaplib
import time
import unittest

import mailtest
import mj

PASSWORD = "mailbox-password-1234"

# Message 1: encoded words in From and Subject, written on 1 Dec 2025 at 23:30 in UTC-5 (already
# 2 Dec in UTC: SENTON must say 1 Dec).
M1 = ("From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@remote.test>\r\n"
      "To: Alice <alice@acme-mail.com>\r\n"
      "Cc: carol@copy.test\r\n"
      "Bcc: hidden@blind.test\r\n"
      "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
      "Date: Mon, 1 Dec 2025 23:30:00 -0500\r\n"
      "Message-ID: <s1@remote.test>\r\n"
      "X-Tag: alpha\r\n"
      "\r\n"
      "the quick brown fox\r\n" + "padding line\r\n" * 200)
M2 = ("From: ann@plain.test\r\n"
      "To: dave@elsewhere.test\r\n"
      "Subject: Plain note\r\n"
      "Date: Wed, 10 Dec 2025 08:00:00 +0000\r\n"
      "Message-ID: <s2@plain.test>\r\n"
      "\r\n"
      "a lazy dog\r\n")


def imap_ssl(server):
    host, port = server.address("imaps")
    return imaplib.IMAP4_SSL(host, port, ssl_context=mailtest.insecure_tls(), timeout=10)


def internal(y, m, d):
    return imaplib.Time2Internaldate(datetime.datetime(y, m, d, 12, 0, tzinfo=datetime.timezone.utc))


class ImapSearchTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com",))
        cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.mail.mailbox("ren@acme-mail.com", PASSWORD)
        c = cls.login()
        c.create("Search")
        typ, data = c.append("Search", r"(\Seen \Answered \Flagged \Draft KeywordA)",
                             internal(2026, 1, 10), M1.encode())
        assert typ == "OK", data
        # A session selecting the folder now owns message 1 as \Recent; it logs out, so
        # message 2 (appended next) is recent for the next session only.
        c.select("Search")
        c.logout()
        c = cls.login()
        typ, data = c.append("Search", r"(\Deleted)", internal(2026, 1, 20), M2.encode())
        assert typ == "OK", data
        c.logout()

    @classmethod
    def login(cls, user="alice@acme-mail.com"):
        c = imap_ssl(cls.server)
        c.login(user, PASSWORD)
        return c

    def search(self, c, *keys, literal=None):
        """UID SEARCH → the message numbers (1, 2) by their position in the folder."""
        if literal is not None:
            c.literal = literal.encode()
            typ, data = c.uid("SEARCH", "CHARSET", "UTF-8", *keys)
        else:
            typ, data = c.uid("SEARCH", *keys)
        self.assertEqual(typ, "OK", (keys, data))
        found = [int(u) for u in data[0].split()]
        return sorted(self.pos[u] for u in found)

    def test_every_rfc3501_key_hits_and_misses(self):
        c = self.login()
        typ, data = c.select("Search")
        self.assertEqual(typ, "OK")
        self.assertEqual(c.untagged_responses.get("RECENT"), [b"1"])  # message 2 is ours
        typ, data = c.uid("SEARCH", "ALL")
        uids = [int(u) for u in data[0].split()]
        self.assertEqual(len(uids), 2)
        self.pos = {uids[0]: 1, uids[1]: 2}
        cases = [
            (("ALL",), [1, 2]), (("NOT", "ALL"), []),
            (("ANSWERED",), [1]), (("UNANSWERED",), [2]),
            (("DELETED",), [2]), (("UNDELETED",), [1]),
            (("DRAFT",), [1]), (("UNDRAFT",), [2]),
            (("FLAGGED",), [1]), (("UNFLAGGED",), [2]),
            (("SEEN",), [1]), (("UNSEEN",), [2]),
            (("KEYWORD", "KeywordA"), [1]), (("UNKEYWORD", "KeywordA"), [2]),
            (("RECENT",), [2]), (("OLD",), [1]), (("NEW",), [2]),
            (("BEFORE", "15-Jan-2026"), [1]), (("ON", "10-Jan-2026"), [1]),
            (("ON", "11-Jan-2026"), []), (("SINCE", "15-Jan-2026"), [2]),
            (("SENTBEFORE", "5-Dec-2025"), [1]), (("SENTON", "1-Dec-2025"), [1]),
            (("SENTON", "2-Dec-2025"), []), (("SENTSINCE", "5-Dec-2025"), [2]),
            (("LARGER", "1000"), [1]), (("SMALLER", "1000"), [2]),
            (("FROM", "joerg@remote"), [1]), (("FROM", "ann@plain"), [2]),
            (("TO", "alice"), [1]), (("TO", "dave"), [2]),
            (("CC", "carol"), [1]), (("CC", "nobody"), []),
            (("BCC", "hidden"), [1]), (("BCC", "nobody"), []),
            (("SUBJECT", "Plain"), [2]), (("SUBJECT", "absent"), []),
            (("HEADER", "X-Tag", "alpha"), [1]), (("HEADER", "X-Tag", "beta"), []),
            (("HEADER", "Message-ID", '""'), [1, 2]),
            (("BODY", "fox"), [1]), (("BODY", "joerg"), []),
            (("TEXT", "lazy"), [2]), (("TEXT", "joerg"), [1]),
            (("UID", str(uids[1])), [2]), (("UID", "999999"), []),
            (("2",), [2]), (("1",), [1]),
            (("NOT", "SEEN"), [2]), (("OR", "SEEN", "DELETED"), [1, 2]),
            (("OR", "DRAFT", "KEYWORD", "Missing"), [1]),
            (("(", "SEEN", "FLAGGED", ")"), [1]),
        ]
        for keys, want in cases:
            with self.subTest(keys=keys):
                if keys[0] == "(":
                    keys = ("(" + " ".join(keys[1:-1]) + ")",)
                self.assertEqual(self.search(c, *keys), want)
        # RFC 2047: header keys match the decoded text (search strings in UTF-8 literals).
        self.assertEqual(self.search(c, "SUBJECT", literal="Grüße aus Köln"), [1])
        self.assertEqual(self.search(c, "FROM", literal="Jörg Müller"), [1])
        self.assertEqual(self.search(c, "HEADER", "Subject", literal="köln"), [1])
        self.assertEqual(self.search(c, "TO", literal="Jörg"), [])
        # FETCH FLAGS shows \Recent on the message this session owns.
        typ, data = c.fetch("1:2", "(FLAGS)")
        self.assertNotIn(b"\\Recent", data[0])
        self.assertIn(b"\\Recent", data[1])
        # Unknown keys and charsets are refused with a reason, the session goes on.
        with self.assertRaises(imaplib.IMAP4.error):
            c.uid("SEARCH", "SENTON", "yesterday")
        typ, data = c._simple_command("SEARCH", "CHARSET", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertEqual(c.noop()[0], "OK")
        c.logout()

    def test_examine_does_not_take_recent(self):
        # Message 2 was claimed by the session above or is still unclaimed: either way, EXAMINE
        # twice shows the same RECENT count and a later SELECT session still agrees.
        a = self.login()
        a.select("Search", readonly=True)
        first = a.untagged_responses.get("RECENT")
        a.select("Search", readonly=True)
        self.assertEqual(a.untagged_responses.get("RECENT"), first)
        a.logout()

    def test_rename_inbox_moves_messages(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            for i in range(2):
                s.sendmail("alice@acme-mail.com", ["ren@acme-mail.com"],
                           mailtest.simple_message("alice@acme-mail.com", "ren@acme-mail.com",
                                                   f"rename-{i}"))
        c = self.login("ren@acme-mail.com")
        deadline = 50
        while int(c.select("INBOX")[1][0]) < 2 and deadline:
            deadline -= 1
            time.sleep(0.1)
        c.create("INBOX/Sub")
        c.unselect()
        typ, data = c.rename("INBOX", "Old-Inbox")
        self.assertEqual(typ, "OK", data)
        typ, data = c.select("INBOX")
        self.assertEqual(data, [b"0"])
        typ, data = c.select("Old-Inbox")
        self.assertEqual(data, [b"2"])
        typ, data = c.fetch("1:2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = b"".join(p[1] for p in data if isinstance(p, tuple))
        self.assertIn(b"rename-0", subjects)
        self.assertIn(b"rename-1", subjects)
        # INBOX's sub-folders stay where they are; a rename onto an existing name is refused.
        names = b" ".join(c.list()[1])
        self.assertIn(b"INBOX/Sub", names)
        self.assertEqual(c.rename("INBOX", "Old-Inbox")[0], "NO")
        # New mail still goes to INBOX.
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            s.sendmail("alice@acme-mail.com", ["ren@acme-mail.com"],
                       mailtest.simple_message("alice@acme-mail.com", "ren@acme-mail.com", "after"))
        for _ in range(50):
            if int(c.select("INBOX")[1][0]) == 1:
                break
            time.sleep(0.1)
        self.assertEqual(c.select("INBOX")[1], [b"1"])
        c.logout()

    def test_unicode_case_folding(self):
        """RFC 9051 §6.4.4: case-insensitive matching folds non-ASCII letters (Latin-1, Latin
        Extended-A, Greek incl. final sigma, Cyrillic) in encoded-word and 8-bit UTF-8 headers
        and in bodies; a different letter still misses."""
        c = self.login()
        c.create("Unicode")
        m1 = ("From: =?utf-8?q?=C3=84RGER_GmbH?= <info@aerger.test>\r\n"
              "Subject: =?utf-8?b?" + base64.b64encode("ΣΟΦΙΑ und Łódź".encode()).decode() + "?=\r\n"
              "\r\nДОБРЫЙ ДЕНЬ\r\n")
        m2 = ("From: plain@x.test\r\nSubject: σοφία ärger ŻÓŁW\r\nContent-Type: text/plain; "
              "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nплain\r\n")
        for m in (m1, m2):
            self.assertEqual(c.append("Unicode", None, None, m.encode())[0], "OK")
        c.select("Unicode")
        uids = [int(u) for u in c.uid("SEARCH", "ALL")[1][0].split()]
        self.pos = {uids[0]: 1, uids[1]: 2}
        self.assertEqual(self.search(c, "FROM", literal="ärger"), [1])
        self.assertEqual(self.search(c, "TEXT", literal="ÄRGER ŻÓŁW"), [2])
        self.assertEqual(self.search(c, "SUBJECT", literal="σοφια"), [1])
        self.assertEqual(self.search(c, "SUBJECT", literal="ΣΟΦΊΑ"), [2])
        self.assertEqual(self.search(c, "SUBJECT", literal="ŁÓDŹ"), [1])
        self.assertEqual(self.search(c, "SUBJECT", literal="żółw"), [2])
        self.assertEqual(self.search(c, "BODY", literal="добрый"), [1])
        self.assertEqual(self.search(c, "BODY", literal="ПЛ"), [2])
        self.assertEqual(self.search(c, "SUBJECT", literal="örger"), [])
        self.assertEqual(self.search(c, "BODY", literal="ДОБРАЯ"), [])
        c.logout()


if __name__ == "__main__":
    unittest.main()

"""IMAP with real third-party clients against the real binary: mbsync (isync) syncing a
1,000-message mailbox to a local Maildir and back over implicit TLS and STARTTLS (flag changes
and deletions in both directions, a second sync finding nothing to do), and curl's IMAP client
fetching a message by UID over imaps:// and over STARTTLS. Also: mail submitted by mailbox A to
mailbox B is read by B over IMAP with a DKIM signature that still verifies and an
Authentication-Results field; A finds it in Sent."""
import email
import imaplib
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import dkim
import dns.message
import dns.query

import imaptest
import mailtest
import mj

PASSWORD = "mailbox-password-1234"
USER = "bob@other-mail.com"
COUNT = 1000


def imap_ssl(server):
    host, port = server.address("imaps")
    return imaplib.IMAP4_SSL(host, port, ssl_context=mailtest.insecure_tls(), timeout=30)


def server_state(server, folder="INBOX"):
    """{uid: sorted system flags} of a folder, read over IMAP."""
    c = imap_ssl(server)
    try:
        c.login(USER, PASSWORD)
        c.select(folder, readonly=True)
        typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
        out = {}
        for line in data:
            if not line:
                continue
            m = re.search(rb"UID (\d+)", line)
            f = re.search(rb"FLAGS \(([^)]*)\)", line)
            out[int(m.group(1))] = tuple(sorted(f.group(1).decode().split()))
        return out
    finally:
        c.logout()


def maildir_files(path):
    """{file name without flags: (cur|new, flag letters, file name)} of a Maildir."""
    out = {}
    for sub in ("cur", "new"):
        d = os.path.join(path, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            base, _, flags = name.partition(":2,")
            out[base] = (sub, flags, name)
    return out


def counters(line):
    """mbsync's final line "C: 1/1  B: 1/1  F: +0/0 *0/0 #0/0  N: +0/0 *0/0 #0/0": messages
    added (+), flag updates (*) and expunges (#) done on the far (server) and near side."""
    m = re.search(r"F: \+(\d+)/\d+ \*(\d+)/\d+ #(\d+)/\d+\s+N: \+(\d+)/\d+ \*(\d+)/\d+ #(\d+)/\d+",
                  line)
    assert m, line
    n = [int(x) for x in m.groups()]
    return {"far": {"new": n[0], "flags": n[1], "gone": n[2]},
            "near": {"new": n[3], "flags": n[4], "gone": n[5]}}


NOTHING = {"far": {"new": 0, "flags": 0, "gone": 0}, "near": {"new": 0, "flags": 0, "gone": 0}}


@unittest.skipUnless(shutil.which("mbsync"), "mbsync (Debian isync) is not installed")
class MbsyncTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("other-mail.com",))
        cls.mail.mailbox(USER, PASSWORD)
        imaptest.fill(cls.server, USER, PASSWORD, COUNT)
        cls.tmp = tempfile.mkdtemp(prefix="mj-mbsync-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def config(self, name, tls_type):
        listener = "imaps" if tls_type == "IMAPS" else "imap"
        host, port = self.server.address(listener)
        maildir = os.path.join(self.tmp, name)
        os.makedirs(maildir, exist_ok=True)
        path = os.path.join(self.tmp, name + ".rc")
        with open(path, "w") as f:
            # The server's self-signed certificate is pinned as a "host" certificate (mbsync
            # trusts it exactly, whatever its name and validity).
            f.write(f"""IMAPAccount mj
Host {host}
Port {port}
User {USER}
Pass {PASSWORD}
SSLType {tls_type}
CertificateFile {os.path.join(self.server.data_dir, "tls", "cert.pem")}
Timeout 60

IMAPStore far
Account mj

MaildirStore near
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel c
Far :far:
Near :near:
Patterns INBOX
Create Near
Expunge Both
SyncState *
Sync All
""")
        return path, os.path.join(maildir, "INBOX")

    def mbsync(self, rc):
        """Runs a sync on a pseudo-terminal (mbsync prints its counters only to a terminal);
        returns the final counters line "Far: +a/b *c/d #e/f -g/h  Near: …"."""
        r = subprocess.run(["script", "-qec", f"mbsync -c {rc} -a", "/dev/null"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-3000:])
        return r.stdout.replace("\r", "\n").strip().splitlines()[-1]

    def test_sync_down_and_back_over_implicit_tls(self):
        rc, inbox = self.config("tls", "IMAPS")
        self.mbsync(rc)
        local = maildir_files(inbox)
        self.assertEqual(len(local), COUNT)
        before = server_state(self.server)
        self.assertEqual(len(before), COUNT)

        # A second sync in a row: nothing changes on either side.
        self.assertEqual(counters(self.mbsync(rc)), NOTHING)
        self.assertEqual(maildir_files(inbox), local)
        self.assertEqual(server_state(self.server), before)

        # Local changes: flag 10 messages, mark 5 read, delete 5.
        names = sorted(local)
        def set_flag(base, letter):
            sub, flags, name = local[base]
            os.rename(os.path.join(inbox, sub, name),
                      os.path.join(inbox, "cur", base + ":2," + "".join(sorted(flags + letter))))

        for base in names[:10]:
            set_flag(base, "F")
        for base in names[10:15]:
            set_flag(base, "S")
        for base in names[15:20]:
            sub, _, name = local[base]
            os.unlink(os.path.join(inbox, sub, name))
        self.assertEqual(counters(self.mbsync(rc))["far"], {"new": 0, "flags": 20, "gone": 0})
        after = server_state(self.server)
        self.assertEqual(len(after), COUNT - 5)
        self.assertEqual(sum("\\Flagged" in f for f in after.values()), 10)
        self.assertEqual(sum("\\Seen" in f for f in after.values()), 5)

        # Server changes: answer 3, delete 2 (EXPUNGE), append 1 new message.
        c = imap_ssl(self.server)
        c.login(USER, PASSWORD)
        c.select("INBOX")
        uids = sorted(after)
        c.uid("STORE", ",".join(map(str, uids[-3:])), "+FLAGS", "(\\Answered)")
        c.uid("STORE", ",".join(map(str, uids[:2])), "+FLAGS", "(\\Deleted)")
        c.expunge()
        c.append("INBOX", None, None, b"Subject: from the server\r\n\r\nnew on the server\r\n")
        c.logout()
        near = counters(self.mbsync(rc))["near"]
        self.assertEqual(near["new"], 1)
        self.assertEqual(near["flags"], 5)  # 3 \Answered, 2 gone (mbsync counts them as flags)
        local = maildir_files(inbox)
        self.assertEqual(len(local), COUNT - 5 - 2 + 1)
        self.assertEqual(sum("R" in f for _, f, _ in local.values()), 3)
        self.assertEqual(sum("F" in f for _, f, _ in local.values()), 10 - sum(
            "\\Flagged" in after[u] for u in uids[:2]))
        contents = []
        for sub, _, name in local.values():
            with open(os.path.join(inbox, sub, name), "rb") as f:
                contents.append(f.read())
        self.assertEqual(sum(b"new on the server" in c for c in contents), 1)

        # And once more: nothing to do.
        state, files = server_state(self.server), maildir_files(inbox)
        self.assertEqual(counters(self.mbsync(rc)), NOTHING)
        self.assertEqual(server_state(self.server), state)
        self.assertEqual(maildir_files(inbox), files)

    def test_download_over_starttls(self):
        rc, inbox = self.config("starttls", "STARTTLS")
        self.mbsync(rc)
        self.assertEqual(len(maildir_files(inbox)), len(server_state(self.server)))
        files = maildir_files(inbox)
        self.assertEqual(counters(self.mbsync(rc)), NOTHING)
        self.assertEqual(maildir_files(inbox), files)


@unittest.skipUnless(shutil.which("curl"), "curl is not installed")
class CurlTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("other-mail.com",))
        cls.mail.mailbox(USER, PASSWORD)
        imaptest.fill(cls.server, USER, PASSWORD, 5)

    def curl(self, url, *extra):
        r = subprocess.run(["curl", "-sS", "--max-time", "20", "-k", "--user",
                            f"{USER}:{PASSWORD}", *extra, url], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_fetch_by_uid_over_imaps(self):
        host, port = self.server.address("imaps")
        body = self.curl(f"imaps://{host}:{port}/INBOX;UID=3")
        self.assertEqual(body.replace(b"\r\n", b"\n"),
                         imaptest.generated_message(2, to=USER).replace(b"\r\n", b"\n"))

    def test_fetch_by_uid_over_starttls_and_list(self):
        host, port = self.server.address("imap")
        body = self.curl(f"imap://{host}:{port}/INBOX;UID=5", "--ssl-reqd")
        self.assertIn(b"Subject: load message 4", body)
        listing = self.curl(f"imap://{host}:{port}/", "--ssl-reqd")
        self.assertIn(b"INBOX", listing)
        self.assertIn(b"\\Sent", listing)

    def test_plaintext_login_is_refused(self):
        host, port = self.server.address("imap")
        r = subprocess.run(["curl", "-sS", "--max-time", "20", "--user", f"{USER}:{PASSWORD}",
                            f"imap://{host}:{port}/INBOX;UID=1"], capture_output=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)  # LOGINDISABLED before STARTTLS


class SubmitThenReadTest(mj.ServerTestCase):
    """A → B through MailJuke's submission port; B reads it over IMAP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail = mailtest.MailSetup(cls.server, domains=("acme-mail.com", "other-mail.com"))
        cls.mail.mailbox("alice@acme-mail.com", PASSWORD)
        cls.mail.mailbox(USER, PASSWORD)

    def dnsfunc(self, name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        host, port = self.server.address("dns")
        answer = dns.query.udp(dns.message.make_query(name, "TXT"), host, port=port,
                               timeout=2).answer
        return b"".join(b"".join(rr.strings) for rrset in answer for rr in rrset)

    def test_b_reads_signed_message_and_a_finds_it_in_sent(self):
        with mailtest.submission(self.server, "alice@acme-mail.com", PASSWORD) as s:
            s.sendmail("alice@acme-mail.com", [USER],
                       mailtest.simple_message("alice@acme-mail.com", USER, "a-to-b",
                                               body="Hello Bob.\r\n"))
        b = imap_ssl(self.server)
        b.login(USER, PASSWORD)
        b.select("INBOX")
        typ, data = b.uid("SEARCH", None, "SUBJECT", "a-to-b")
        uid = data[0].split()[-1].decode()
        typ, data = b.uid("FETCH", uid, "(BODY.PEEK[])")
        content = data[0][1]
        msg = email.message_from_bytes(content)
        self.assertIn("d=acme-mail.com", msg["DKIM-Signature"].replace(" ", ""))
        self.assertIn("Authentication-Results", msg)
        self.assertIn("smtp.auth=alice@acme-mail.com", msg["Authentication-Results"])
        # The signature still verifies over the bytes IMAP serves (key from MailJuke's DNS).
        self.assertTrue(dkim.verify(content, dnsfunc=self.dnsfunc), content[:2000])
        b.logout()
        a = imap_ssl(self.server)
        a.login("alice@acme-mail.com", PASSWORD)
        a.select("Sent", readonly=True)
        typ, data = a.uid("SEARCH", None, "SUBJECT", "a-to-b")
        self.assertEqual(len(data[0].split()), 1)
        a.logout()


if __name__ == "__main__":
    unittest.main()

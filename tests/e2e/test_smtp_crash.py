"""Durability: kill -9 the server during a burst of submissions, restart it, and every message
that got a 250 is stored exactly once (no acknowledged message lost, none duplicated)."""
import os
import signal
import smtplib
import threading
import time
import unittest

import mailtest
import mj

PASSWORD = "mailbox-password-1234"


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.server = mj.Server().start()
        self.mail = mailtest.MailSetup(self.server, domains=("crash-co.com",))
        self.mail.mailbox("sender@crash-co.com", PASSWORD, daily_limit=10000)
        self.mail.mailbox("inbox@crash-co.com", PASSWORD)

    def tearDown(self):
        self.server.cleanup()

    def sender(self, worker, acked, stop):
        n = 0
        try:
            with mailtest.submission(self.server, "sender@crash-co.com", PASSWORD) as s:
                while not stop.is_set():
                    subject = f"crash-{worker}-{n}"
                    msg = mailtest.simple_message("sender@crash-co.com", "inbox@crash-co.com", subject,
                                                  body="x" * 3000 + "\r\n")
                    s.sendmail("sender@crash-co.com", ["inbox@crash-co.com"], msg)
                    acked.append(subject)  # only after the 250
                    n += 1
        except (smtplib.SMTPException, OSError):
            pass  # the server died mid-transaction: that message was never acknowledged

    def test_kill_during_burst_loses_and_duplicates_nothing(self):
        acked, stop = [], threading.Event()
        threads = [threading.Thread(target=self.sender, args=(i, acked, stop)) for i in range(6)]
        for t in threads:
            t.start()
        deadline = time.time() + 20
        while len(acked) < 60 and time.time() < deadline:
            time.sleep(0.01)
        os.kill(self.server.proc.pid, signal.SIGKILL)
        self.server.proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=20)
        self.assertGreater(len(acked), 10, "the burst did not get going")
        self.server.start()
        stored = mailtest.stored_messages(self.server, "inbox@crash-co.com")
        subjects = []
        for m in stored:
            for line in m.split(b"\r\n"):
                if line.startswith(b"Subject: "):
                    subjects.append(line[9:].decode())
        for subject in acked:
            self.assertEqual(subjects.count(subject), 1, subject)
        self.assertEqual(len(subjects), len(set(subjects)), "a message was stored twice")
        sent = mailtest.stored_messages(self.server, "sender@crash-co.com", "Sent")
        self.assertGreaterEqual(len(sent), len(acked))
        # UIDs stay strictly ascending across the restart: a new message gets the next UID.
        with mailtest.submission(self.server, "sender@crash-co.com", PASSWORD) as s:
            s.sendmail("sender@crash-co.com", ["inbox@crash-co.com"],
                       mailtest.simple_message("sender@crash-co.com", "inbox@crash-co.com", "after-restart"))
        self.assertIn(b"after-restart", mailtest.stored_messages(self.server, "inbox@crash-co.com")[-1])


if __name__ == "__main__":
    unittest.main()

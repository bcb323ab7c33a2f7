"""Operators suspend and resume workspaces (writes refused and mail stopped while suspended,
reads and billing kept); pending invitations listed and revoked; mailbox search across pages;
per-day sending statistics for a mailbox and a workspace."""
import datetime
import smtplib
import time
import uuid

import mailtest
import mj


class WorkspaceAdminTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = f"adm-{uuid.uuid4().hex[:8]}.com"
        cls.setup = mailtest.MailSetup(cls.server, domains=(cls.domain,))
        cls.owner = cls.setup.owner
        cls.ws = cls.setup.ws
        cls.operator = mj.operator_client(cls.server)

    def test_only_operators_see_and_suspend_workspaces(self):
        self.assertEqual(self.owner.get("/api/v1/admin/workspaces").status, 403)
        self.assertEqual(self.owner.post(f"/api/v1/admin/workspaces/{self.ws}/suspend",
                                         {"reason": "x"}).status, 403)
        r = self.operator.get("/api/v1/admin/workspaces?q=MAIL%20co")
        self.assertEqual(r.status, 200, r)
        row = next(w for w in r.json["data"] if w["id"] == self.ws)
        self.assertEqual(row["status"], "active")
        self.assertEqual(row["domains"], 1)
        self.assertEqual(row["owners"], [self.owner.email])
        self.assertIsNone(row["last_decision"])
        r = self.operator.get("/api/v1/admin/workspaces?status=paused")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "status")

    def test_suspension_refuses_writes_and_stops_mail_until_resumed(self):
        box = self.setup.mailbox(f"sus-{uuid.uuid4().hex[:6]}@{self.domain}", password="Sus-pass-2026!x")
        op = self.operator
        r = op.post(f"/api/v1/admin/workspaces/{self.ws}/suspend", {})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "reason")
        r = op.post(f"/api/v1/admin/workspaces/{self.ws}/suspend", {"reason": "spam complaints"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "suspended")
        self.assertEqual(op.post(f"/api/v1/admin/workspaces/{self.ws}/suspend",
                                 {"reason": "again"}).status, 409)
        try:
            # Reads keep working; writes are refused with the reason.
            self.assertEqual(self.owner.get(f"/api/v1/workspaces/{self.ws}/mailboxes").status, 200)
            self.assertEqual(self.owner.get(f"/api/v1/workspaces/{self.ws}/subscription").status, 200)
            r = self.owner.post(f"/api/v1/workspaces/{self.ws}/mailboxes",
                                {"domain_id": self.setup.domain_ids[self.domain],
                                 "local_part": "blocked", "first_name": "B"})
            self.assertEqual(r.status, 403, r)
            self.assertIn("spam complaints", r.json["detail"])
            self.assertEqual(self.owner.patch(f"/api/v1/workspaces/{self.ws}", {"name": "X"}).status, 403)
            # Its mailboxes may not send.
            with self.assertRaises(smtplib.SMTPException):
                s = mailtest.submission(self.server, box["address"], "Sus-pass-2026!x")
                s.sendmail(box["address"], ["someone@example.net"],
                           mailtest.simple_message(box["address"], "someone@example.net"))
            audit = self.owner.get(f"/api/v1/workspaces/{self.ws}/audit-events?action=workspace.")
            self.assertIn("workspace.suspend", [e["action"] for e in audit.json["data"]])
            row = next(w for w in op.get("/api/v1/admin/workspaces?status=suspended").json["data"]
                       if w["id"] == self.ws)
            self.assertEqual(row["last_decision"]["reason"], "spam complaints")
        finally:
            r = op.post(f"/api/v1/admin/workspaces/{self.ws}/resume", {})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "active")
        r = self.owner.patch(f"/api/v1/workspaces/{self.ws}", {"name": "Mail Co"})
        self.assertEqual(r.status, 200, r)
        s = mailtest.submission(self.server, box["address"], "Sus-pass-2026!x")
        s.sendmail(box["address"], [box["address"]], mailtest.simple_message(box["address"], box["address"]))
        s.quit()
        self.assertEqual(op.post(f"/api/v1/admin/workspaces/{self.ws}/resume", {}).status, 409)
        self.assertEqual(op.post("/api/v1/admin/workspaces/ws_nope/suspend", {"reason": "x"}).status, 404)

    def test_pending_invitations_are_listed_and_revoked(self):
        email = f"inv-{uuid.uuid4().hex[:6]}@example.com"
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/members", {"email": email, "role": "viewer"})
        self.assertEqual(r.status, 201, r)
        inv = r.json["id"]
        pending = self.owner.get(f"/api/v1/workspaces/{self.ws}/invitations").json["data"]
        row = next(i for i in pending if i["id"] == inv)
        self.assertEqual((row["email"], row["role"], row["status"]), (email, "viewer", "pending"))
        self.assertEqual(row["invited_by"], self.owner.email)
        token = mj.token_from(mj.outbox(self.server, to=email, kind="invitation")[0], "Invitation token")
        self.assertEqual(self.owner.delete(f"/api/v1/workspaces/{self.ws}/invitations/{inv}").status, 204)
        self.assertEqual(self.owner.delete(f"/api/v1/workspaces/{self.ws}/invitations/{inv}").status, 404)
        pending = self.owner.get(f"/api/v1/workspaces/{self.ws}/invitations").json["data"]
        self.assertNotIn(inv, [i["id"] for i in pending])
        invitee = self.server.client()
        invitee.signup(email=email)
        self.assertEqual(invitee.post("/api/v1/invitations/accept", {"token": token}).status, 410)
        stranger = self.server.client()
        stranger.signup()
        self.assertEqual(stranger.get(f"/api/v1/workspaces/{self.ws}/invitations").status, 404)

    def test_mailbox_search_spans_pages_and_escapes_wildcards(self):
        tag = uuid.uuid4().hex[:6]
        for local in (f"find-{tag}-a", f"find-{tag}-b", f"other-{tag}"):
            self.setup.mailbox(f"{local}@{self.domain}")
        base = f"/api/v1/workspaces/{self.ws}/mailboxes"
        r = self.owner.get(f"{base}?q=FIND-{tag}&limit=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["data"]), 1)
        second = self.owner.get(f"{base}?q=find-{tag}&limit=1&cursor={r.json['next_cursor']}")
        got = {r.json["data"][0]["local_part"], second.json["data"][0]["local_part"]}
        self.assertEqual(got, {f"find-{tag}-a", f"find-{tag}-b"})
        self.assertEqual(self.owner.get(f"{base}?q=%25{tag}").json["data"], [])  # '%' is literal
        self.assertEqual(len(self.owner.get(f"{base}?q=Test%20Other-{tag}").json["data"]), 1)  # name
        self.assertEqual(self.owner.get(f"{base}?q=" + "x" * 321).status, 422)

    def test_daily_statistics_count_sent_and_received_mail(self):
        a = self.setup.mailbox(f"stat-a-{uuid.uuid4().hex[:6]}@{self.domain}", password="Stat-pass-2026!a")
        b = self.setup.mailbox(f"stat-b-{uuid.uuid4().hex[:6]}@{self.domain}")
        s = mailtest.submission(self.server, a["address"], "Stat-pass-2026!a")
        for _ in range(2):
            s.sendmail(a["address"], [b["address"]], mailtest.simple_message(a["address"], b["address"]))
        s.quit()
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        base = f"/api/v1/workspaces/{self.ws}"
        deadline = time.time() + 10
        while True:
            got = self.owner.get(f"{base}/mailboxes/{b['id']}/stats?days=7").json
            if got["data"][-1]["received"] >= 2 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(got["days"], 7)
        self.assertEqual(len(got["data"]), 7)
        self.assertEqual(got["data"][-1]["date"], today)
        self.assertEqual(got["data"][-1]["received"], 2)
        self.assertEqual(got["data"][0], {"date": got["data"][0]["date"], "sent": 0, "bounced": 0, "received": 0})
        sent = self.owner.get(f"{base}/mailboxes/{a['id']}/stats").json
        self.assertEqual(len(sent["data"]), 30)
        self.assertEqual(sent["totals"]["sent"], 2)
        whole = self.owner.get(f"{base}/mail-stats?days=1").json
        self.assertGreaterEqual(whole["totals"]["sent"], 2)
        self.assertGreaterEqual(whole["totals"]["received"], 2)
        for bad in ("0", "367", "x", ""):
            r = self.owner.get(f"{base}/mail-stats?days={bad}")
            self.assertEqual(r.status, 422, (bad, r))
            self.assertEqual(r.json["errors"][0]["field"], "days")
        stranger = self.server.client()
        stranger.signup()
        self.assertEqual(stranger.get(f"{base}/mailboxes/{a['id']}/stats").status, 404)
        sws = stranger.create_workspace("Other")
        self.assertEqual(stranger.get(f"/api/v1/workspaces/{sws}/mailboxes/{a['id']}/stats").status, 404)


if __name__ == "__main__":
    import unittest

    unittest.main()

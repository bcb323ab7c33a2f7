"""Privacy (issue 7) for whole workspaces: the owner erases a workspace through a privacy request
(re-authenticated, owner only, scheduled after the grace period, cancellable, members warned,
audited), the owner's export carries the mail as one mbox per mailbox and folder, and the
per-country legal retention setting is validated. Runs on SQLite and PostgreSQL."""
import http.client
import io
import json
import time
import unittest
import uuid
import zipfile

import mailtest
import mj


class WorkspaceErasureTest(mj.ServerTestCase):
    def fetch(self, client, path):
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in
                                                              client.cookies.items())})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    def test_owner_erases_the_whole_workspace_through_a_privacy_request(self):
        owner = self.server.client()
        owner.signup()
        ws = owner.create_workspace("Erase Co")
        admin = self.server.client()
        admin.signup()
        owner.post(f"/api/v1/workspaces/{ws}/members", {"email": admin.email, "role": "admin"})
        token = mj.token_from(mj.outbox(self.server, to=admin.email, kind="invitation")[0],
                              "Invitation token")
        self.assertEqual(admin.post("/api/v1/invitations/accept", {"token": token}).status, 200)
        stranger = self.server.client()
        stranger.signup()

        def ask(client, **extra):
            body = {"type": "erasure", "workspace_id": ws, "password": client.password}
            body.update(extra)
            return client.post("/api/v1/me/privacy/requests", body)

        self.assertEqual(ask(admin).status, 403)
        self.assertEqual(ask(stranger).status, 404)
        r = ask(owner, password="not the password!")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "password")
        r = owner.post("/api/v1/me/privacy/requests",
                       {"type": "access", "workspace_id": ws, "password": owner.password})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "workspace_id")

        r = ask(owner)
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["status"], "processing")
        self.assertEqual(r.json["outcome"]["workspace_id"], ws)
        self.assertTrue(r.json["outcome"]["delete_after"].endswith("Z"))
        prq = r.json["id"]
        self.assertEqual(ask(owner).status, 409)
        # The account stays signed in; members are warned; the workspace works until the date.
        self.assertEqual(owner.get("/api/v1/me").status, 200)
        warned = mj.outbox(self.server, to=admin.email, kind="workspace_deletion_warning")
        self.assertEqual(len(warned), 1)
        self.assertEqual(owner.get(f"/api/v1/workspaces/{ws}").status, 200)
        r = owner.get(f"/api/v1/me/privacy/requests/{prq}")
        self.assertEqual([h["action"] for h in r.json["history"]], ["received", "scheduled"])
        self.assertEqual(r.json["details"]["workspace_id"], ws)

        self.assertEqual(admin.post(f"/api/v1/me/privacy/requests/{prq}/cancel", {}).status, 404)
        r = owner.post(f"/api/v1/me/privacy/requests/{prq}/cancel", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "cancelled")
        self.assertEqual([h["action"] for h in r.json["history"]],
                         ["received", "scheduled", "cancelled"])
        self.assertEqual(owner.post(f"/api/v1/me/privacy/requests/{prq}/cancel", {}).status, 409)
        audit = owner.get(f"/api/v1/workspaces/{ws}/audit-events?action=workspace.")
        self.assertEqual(audit.status, 200, audit)
        actions = [e["action"] for e in audit.json["data"]]
        self.assertIn("workspace.erasure_requested", actions)
        self.assertIn("workspace.erasure_cancelled", actions)
        # Scheduled again: the operator's retention run does not delete it before the date.
        self.assertEqual(ask(owner).status, 202)
        op = mj.operator_client(self.server)
        self.assertEqual(op.post("/api/v1/admin/retention/run", {}).status, 200)
        self.assertEqual(owner.get(f"/api/v1/workspaces/{ws}").status, 200)

    def test_owner_export_carries_the_mail_as_mbox(self):
        domain = f"mbox-{uuid.uuid4().hex[:8]}.com"
        setup = mailtest.MailSetup(self.server, domains=(domain,))
        owner, ws = setup.owner, setup.ws
        box = setup.mailbox(f"anna@{domain}")
        s = mailtest.mx(self.server)
        s.sendmail("sender@example.net", [box["address"]],
                   mailtest.simple_message("sender@example.net", box["address"],
                                           subject="Quarterly", body="From the top.\r\nBye.\r\n"))
        s.quit()  # stored when DATA is accepted
        r = owner.post(f"/api/v1/workspaces/{ws}/exports")
        self.assertEqual(r.status, 202, r)
        wex = r.json["id"]
        for _ in range(100):
            r = owner.get(f"/api/v1/workspaces/{ws}/exports/{wex}")
            if r.json["status"] != "processing":
                break
            time.sleep(0.1)
        self.assertEqual(r.json["status"], "completed", r)
        status, data = self.fetch(owner, f"/api/v1/workspaces/{ws}/exports/{wex}/download")
        self.assertEqual(status, 200)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            inbox = f"mail/{box['address']}/INBOX.mbox"
            self.assertIn(inbox, names)
            mbox = z.read(inbox).decode()
            manifest = json.loads(z.read("manifest.json"))
        self.assertTrue(mbox.startswith("From MAILER-DAEMON "), mbox[:80])
        self.assertIn("Subject: Quarterly\n", mbox)
        self.assertIn("\n>From the top.\n", mbox)
        self.assertNotIn("\r\n", mbox)
        folders = {(f["mailbox"], f["folder"]): f for f in manifest["mail"]["folders"]}
        self.assertEqual(folders[(box["address"], "INBOX")]["messages"], 1)
        self.assertEqual(folders[(box["address"], "INBOX")]["file"], inbox)
        self.assertIn(inbox, [f["file"] for f in manifest["files"]])


class LegalRetentionConfigTest(unittest.TestCase):
    def test_per_country_legal_retention_is_validated(self):
        bad = mj.Server(env={"MAILJUKE_PRIVACY_LEGAL_RETENTION_BY_COUNTRY": "Germany=10"})
        try:
            with self.assertRaises(RuntimeError) as e:
                bad.start()
            self.assertIn("legal_retention_by_country", str(e.exception))
        finally:
            bad.stop()
            bad.cleanup()
        good = mj.Server(env={"MAILJUKE_PRIVACY_LEGAL_RETENTION_BY_COUNTRY": "DE:10,NL:7"})
        try:
            good.start()
            self.assertTrue(good.alive())
        finally:
            good.stop()
            good.cleanup()


if __name__ == "__main__":
    unittest.main()

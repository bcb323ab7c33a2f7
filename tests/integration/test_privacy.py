"""Privacy (issue 7): processing records and holdings generated from the data inventory,
policy versions, subprocessors, consents, data subject requests (signed in and without a login),
the operator queue, exports (ZIP checked with zipfile) and erasure. Runs on SQLite and
PostgreSQL."""
import io
import json
import re
import time
import unittest
import zipfile

import mj

PW = mj.STRONG_PASSWORD


def code_from(server, email):
    msgs = mj.outbox(server, to=email, kind="privacy_code")
    assert msgs, "no code e-mailed to " + email
    m = re.search(r"code:\s*(\d{6})", msgs[0]["text"])
    assert m, msgs[0]["text"]
    return m.group(1)


class LegalTest(mj.ServerTestCase):
    def test_processing_records_come_from_the_inventory(self):
        op = mj.operator_client(self.server)
        r = op.post("/api/v1/admin/subprocessors", {
            "vendor": "Hosting GmbH", "purpose": "infrastructure hosting",
            "data_categories": ["account", "device"], "location": "Germany (EU)",
            "transfer_safeguard": "none needed (EEA)"})
        self.assertEqual(r.status, 201, r)
        r = self.server.client().get("/api/v1/legal/processing-records")
        self.assertEqual(r.status, 200, r)
        records = r.json["records"]
        self.assertGreater(len(records), 5)
        tables = set()
        for rec in records:
            for key in ("purpose", "role", "legal_basis", "data_categories", "data_subjects",
                        "retention", "recipients", "security_measures"):
                self.assertIn(key, rec)
            self.assertIn(rec["legal_basis"], ("contract", "legitimate_interests", "consent",
                                               "legal_obligation"))
            tables.update(rec["tables"])
        self.assertTrue({"users", "sessions", "consent_events", "privacy_requests"} <= tables)
        with_account = [rec for rec in records if "account" in rec["data_categories"]]
        self.assertTrue(any(x["vendor"] == "Hosting GmbH" for rec in with_account
                            for x in rec["recipients"]))

    def test_subprocessors_are_operator_managed_and_public(self):
        op = mj.operator_client(self.server)
        r = op.post("/api/v1/admin/subprocessors", {
            "vendor": "Mail Relay Inc", "purpose": "sending account e-mails",
            "data_categories": ["contact"], "location": "United States",
            "transfer_safeguard": "EU Standard Contractual Clauses (2021/914)"})
        self.assertEqual(r.status, 201, r)
        spr = r.json["id"]
        bad = op.post("/api/v1/admin/subprocessors", {
            "vendor": "X", "purpose": "y", "data_categories": ["dna"], "location": "z",
            "transfer_safeguard": "w"})
        self.assertEqual(bad.status, 422)
        self.assertEqual(bad.json["errors"][0]["field"], "data_categories")
        r = op.patch(f"/api/v1/admin/subprocessors/{spr}", {"location": "Ireland (EU)"})
        self.assertEqual(r.json["location"], "Ireland (EU)")
        public = self.server.client().get("/api/v1/legal/subprocessors").json["data"]
        mine = [s for s in public if s["id"] == spr][0]
        self.assertEqual(mine["transfer_safeguard"], "EU Standard Contractual Clauses (2021/914)")
        user = self.server.client()
        user.signup()
        self.assertEqual(user.post("/api/v1/admin/subprocessors", {"vendor": "x"}).status, 403)
        self.assertEqual(op.delete(f"/api/v1/admin/subprocessors/{spr}").status, 204)
        public = self.server.client().get("/api/v1/legal/subprocessors").json["data"]
        self.assertNotIn(spr, [s["id"] for s in public])

    def test_policy_versions_current_history_and_material_change_banner(self):
        anon = self.server.client()
        r = anon.get("/api/v1/legal/privacy-policy")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["version"], "2026-04")
        self.assertEqual(r.json["effective_date"], "2026-04-01")
        self.assertIn("Privacy Policy", r.json["text"])
        self.assertIn("Your rights", r.json["text"])
        user = self.server.client()
        user.signup()
        self.assertTrue(user.get("/api/v1/me/privacy").json["policy"]["acknowledged"])
        op = mj.operator_client(self.server)
        r = op.post("/api/v1/admin/policy-versions", {
            "version": "2026-12", "text": "# Privacy Policy\n\nNew text.", "material": True})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(op.post("/api/v1/admin/policy-versions", {
            "version": "2026-12", "text": "again"}).status, 409)
        r = anon.get("/api/v1/legal/privacy-policy")
        self.assertEqual(r.json["version"], "2026-12")
        self.assertEqual([h["version"] for h in r.json["history"]][:2], ["2026-12", "2026-04"])
        old = anon.get("/api/v1/legal/privacy-policy/versions/2026-04")
        self.assertEqual(old.status, 200)
        self.assertIn("Privacy Policy", old.json["text"])
        self.assertTrue(mj.outbox(self.server, to=user.email, kind="policy_update"))
        me = user.get("/api/v1/me/privacy").json
        self.assertFalse(me["policy"]["acknowledged"])
        self.assertEqual(user.post("/api/v1/me/privacy/policy-acknowledgements", {"version": "2026-04"}).status, 422)
        self.assertEqual(user.post("/api/v1/me/privacy/policy-acknowledgements", {}).status, 200)
        self.assertTrue(user.get("/api/v1/me/privacy").json["policy"]["acknowledged"])


class ConsentTest(mj.ServerTestCase):
    def test_signup_with_every_optional_consent_refused_works(self):
        c = self.server.client()
        c.signup()
        me = c.get("/api/v1/me/privacy").json
        self.assertEqual(set(me["consents"]), {"analytics", "marketing_email", "preferences"})
        self.assertFalse(any(v["granted"] for v in me["consents"].values()))
        self.assertEqual(me["consent_history"], [])

    def test_consent_history_is_append_only_and_withdrawal_is_one_call(self):
        c = self.server.client()
        email = "consent-" + str(time.time_ns()) + "@example.com"
        r = c.post("/api/v1/auth/signup", {"email": email, "password": PW, "name": "C",
                                           "accept_terms": True, "business_use": True,
                                           "marketing_email": True})
        self.assertEqual(r.status, 201, r)
        me = c.get("/api/v1/me/privacy").json
        self.assertTrue(me["consents"]["marketing_email"]["granted"])
        self.assertEqual(me["consent_history"][0]["method"], "signup")
        r = c.put("/api/v1/me/consents", {"marketing_email": False, "analytics": True})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["consents"]["marketing_email"]["granted"])
        self.assertTrue(r.json["consents"]["analytics"]["granted"])
        hist = c.get("/api/v1/me/privacy").json["consent_history"]
        self.assertEqual(len(hist), 3)
        self.assertTrue(hist[1]["ip"] is None or hist[1]["ip"].endswith(("/24", "/48")))
        self.assertEqual(c.put("/api/v1/me/consents", {"tracking": True}).status, 422)
        self.assertEqual(c.put("/api/v1/me/consents", {"analytics": "yes"}).status, 422)

    def test_what_we_hold_and_why(self):
        c = self.server.client()
        c.signup()
        c.create_workspace("Held")
        held = {h["table"]: h for h in c.get("/api/v1/me/privacy").json["holdings"]}
        self.assertIn("users", held)
        self.assertIn("sessions", held)
        self.assertIn("memberships", held)
        for key in ("rows", "categories", "purpose", "legal_basis", "retention", "role"):
            self.assertIn(key, held["users"])
        self.assertEqual(held["users"]["role"], "controller")


class RequestsTest(mj.ServerTestCase):
    def request(self, c, body):
        body = dict(body)
        body.setdefault("password", PW)
        return c.post("/api/v1/me/privacy/requests", body)

    def wait_done(self, c, prq):
        deadline = time.time() + 30
        while time.time() < deadline:
            r = c.get(f"/api/v1/me/privacy/requests/{prq}")
            if r.json["status"] != "processing":
                return r
            time.sleep(0.1)
        self.fail("export did not finish")

    def test_wrong_password_is_refused(self):
        c = self.server.client()
        c.signup()
        r = self.request(c, {"type": "access", "password": "not the password!"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "password")
        self.assertEqual(self.request(c, {"type": "sell"}).status, 422)

    def test_access_export_zip_has_my_data_and_nobody_elses(self):
        alice = self.server.client()
        alice.signup()
        ws = alice.create_workspace("Export Co")
        bob = self.server.client()
        bob.signup()
        r = alice.post(f"/api/v1/workspaces/{ws}/members", {"email": bob.email, "role": "admin"})
        self.assertEqual(r.status, 201, r)
        token = mj.token_from(mj.outbox(self.server, to=bob.email, kind="invitation")[0], "Invitation token")
        self.assertEqual(bob.post("/api/v1/invitations/accept", {"token": token}).status, 200)
        r = self.request(alice, {"type": "portability"})
        self.assertEqual(r.status, 202, r)
        prq = r.json["id"]
        self.assertTrue(prq.startswith("prq_"))
        done = self.wait_done(alice, prq)
        self.assertEqual(done.json["status"], "completed", done)
        self.assertTrue(done.json["download_url"])
        self.assertIn("due_at", done.json)
        # Bob cannot see or fetch Alice's request.
        self.assertEqual(bob.get(f"/api/v1/me/privacy/requests/{prq}").status, 404)
        self.assertEqual(bob.get(done.json["download_url"]).status, 404)
        r = alice.get(done.json["download_url"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "application/zip")
        # The harness decodes bodies as text; fetch raw bytes instead.
        raw = self.raw_get(alice, done.json["download_url"])
        z = zipfile.ZipFile(io.BytesIO(raw))
        names = set(z.namelist())
        self.assertIn("manifest.json", names)
        self.assertIn("account.json", names)
        self.assertIn("csv/users.csv", names)
        manifest = json.loads(z.read("manifest.json"))
        for t in manifest["tables"]:
            for key in ("what", "why", "legal_basis", "retention", "recipients", "source"):
                self.assertIn(key, t)
        account = json.loads(z.read("account.json"))
        users = account["tables"]["users"]["rows"]
        self.assertEqual([u["email"] for u in users], [alice.email])
        everything = b"".join(z.read(n) for n in names).decode()
        self.assertIn(alice.email, everything)
        self.assertNotIn(bob.email, everything)
        self.assertNotIn("password_hash", everything)
        self.assertIn(ws, everything)  # her membership

    def raw_get(self, c, path):
        import http.client
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        return data

    def test_restriction_objection_and_rectification(self):
        c = self.server.client()
        c.signup()
        r = self.request(c, {"type": "objection"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["errors"][0]["field"], "purpose")
        r = self.request(c, {"type": "objection", "purpose": "marketing"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["status"], "completed")
        r = self.request(c, {"type": "restriction"})
        self.assertEqual(r.status, 202, r)
        flags = c.get("/api/v1/me/privacy").json["flags"]
        self.assertEqual(flags, {"restricted": True, "objects_to_product_analytics": False,
                                 "objects_to_marketing": True})
        r = self.request(c, {"type": "rectification", "name": "Corrected Name"})
        self.assertEqual(r.json["status"], "completed")
        self.assertEqual(c.get("/api/v1/me").json["name"], "Corrected Name")
        r = self.request(c, {"type": "rectification", "message": "my invoice address is wrong"})
        self.assertEqual(r.json["status"], "open")
        prq = r.json["id"]
        op = mj.operator_client(self.server)
        queue = op.get("/api/v1/admin/privacy-requests?limit=200").json["data"]
        item = [q for q in queue if q["id"] == prq][0]
        self.assertIn(item["days_left"], (28, 29, 30, 31))
        self.assertEqual(item["type"], "rectification")
        r = op.post(f"/api/v1/admin/privacy-requests/{prq}/complete", {"note": "fixed"})
        self.assertEqual(r.json["status"], "completed")
        opened = c.get("/api/v1/me/privacy").json["requests"]
        self.assertIn(prq, [x["id"] for x in opened])

    def test_erasure_revokes_everything_and_schedules_sole_workspaces(self):
        owner = self.server.client()
        owner.signup()
        ws = owner.create_workspace("Solo Co")
        other = self.server.client()
        other.signup()
        r = owner.post(f"/api/v1/workspaces/{ws}/members", {"email": other.email, "role": "viewer"})
        token = mj.token_from(mj.outbox(self.server, to=other.email, kind="invitation")[0], "Invitation token")
        self.assertEqual(other.post("/api/v1/invitations/accept", {"token": token}).status, 200)
        key = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "ci", "role": "member"}).json["key"]
        self.assertEqual(self.server.client(api_key=key).get(f"/api/v1/workspaces/{ws}").status, 200)
        r = self.request(owner, {"type": "erasure"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["status"], "completed")
        self.assertEqual([w["id"] for w in r.json["outcome"]["workspaces_scheduled"]], [ws])
        self.assertEqual(owner.get("/api/v1/me").status, 401)
        self.assertEqual(self.server.client().login(owner.email, PW).status, 401)
        self.assertEqual(self.server.client(api_key=key).get(f"/api/v1/workspaces/{ws}").status, 401)
        warn = mj.outbox(self.server, to=other.email, kind="workspace_deletion_warning")
        self.assertTrue(warn)
        # The workspace is still there for the other member during the grace period.
        self.assertEqual(other.get(f"/api/v1/workspaces/{ws}").status, 200)
        op = mj.operator_client(self.server)
        self.assertEqual(op.post(f"/api/v1/admin/workspace-deletions/{ws}/cancel").status, 204)
        self.assertEqual(op.post(f"/api/v1/admin/workspace-deletions/{ws}/cancel").status, 404)


class NoLoginTest(mj.ServerTestCase):
    def test_code_flow_never_reveals_accounts_and_voids_after_three_tries(self):
        known = self.server.client()
        known.signup()
        anon = self.server.client()
        a = anon.post("/api/v1/privacy/requests", {"email": known.email, "type": "access"})
        b = anon.post("/api/v1/privacy/requests", {"email": "nobody-here@example.com", "type": "access"})
        self.assertEqual((a.status, b.status), (202, 202))
        self.assertEqual(set(a.json), set(b.json))
        self.assertEqual(a.json["status"], b.json["status"])
        code = code_from(self.server, known.email)
        wrong = "000000" if code != "000000" else "111111"
        prq = a.json["id"]
        r1 = anon.post(f"/api/v1/privacy/requests/{prq}/verify", {"code": wrong})
        r2 = anon.post(f"/api/v1/privacy/requests/{prq}/verify", {"code": wrong})
        r3 = anon.post(f"/api/v1/privacy/requests/{prq}/verify", {"code": wrong})
        self.assertEqual((r1.status, r2.status, r3.status), (422, 422, 410))
        self.assertEqual(anon.post(f"/api/v1/privacy/requests/{prq}/verify", {"code": code}).status, 410)
        self.assertEqual(anon.post(f"/api/v1/privacy/requests/{prq}/verify", {"code": "12"}).status, 422)
        # The unknown address verifies the same way and lands in the operator queue.
        code_b = code_from(self.server, "nobody-here@example.com")
        r = anon.post(f"/api/v1/privacy/requests/{b.json['id']}/verify", {"code": code_b})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "open")
        op = mj.operator_client(self.server)
        item = op.get(f"/api/v1/admin/privacy-requests/{b.json['id']}").json
        self.assertEqual(item["requester"]["email"], "nobody-here@example.com")
        self.assertEqual([h["action"] for h in item["history"]], ["received", "verified"])
        # Extension with reasons (the requester is told), then refusal with complaint info.
        r = op.post(f"/api/v1/admin/privacy-requests/{b.json['id']}/extend", {"months": 2, "reason": "complex"})
        self.assertEqual(r.status, 200, r)
        self.assertGreater(r.json["days_left"], 80)
        self.assertEqual(op.post(f"/api/v1/admin/privacy-requests/{b.json['id']}/extend",
                                 {"months": 1, "reason": "more"}).status, 422)
        r = op.post(f"/api/v1/admin/privacy-requests/{b.json['id']}/refuse", {"reason": "we hold no data about you"})
        self.assertEqual(r.json["status"], "refused")
        mails = mj.outbox(self.server, to="nobody-here@example.com", kind="privacy_request")
        self.assertTrue(any("supervisory authority" in m["text"] for m in mails))
        self.assertTrue(any("new deadline" in m["text"] for m in mails))
        self.assertEqual([h["action"] for h in op.get(f"/api/v1/admin/privacy-requests/{b.json['id']}").json["history"]],
                         ["received", "verified", "extended", "refused"])
        self.assertEqual(known.get("/api/v1/admin/privacy-requests").status, 403)


if __name__ == "__main__":
    unittest.main()

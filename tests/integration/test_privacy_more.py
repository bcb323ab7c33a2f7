"""Privacy (issue 7), the remaining promises: the breach register with the 72-hour alert,
operator marketing sends with RFC 8058 one-click unsubscribe, analytics aggregates for
operators, and Sec-GPC as an opt-out. Runs on SQLite and PostgreSQL."""
import datetime
import http.client
import io
import json
import re
import time
import unittest
import urllib.parse
import zipfile

import mj


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class BreachRegisterTest(mj.ServerTestCase):
    def test_breach_register_history_and_72_hour_alert(self):
        op = mj.operator_client(self.server)
        now = utcnow()
        aware = now - datetime.timedelta(hours=75)
        body = {"description": "Support inbox export left on a public share",
                "detected_at": rfc3339(aware - datetime.timedelta(hours=2)),
                "aware_at": rfc3339(aware), "categories": ["contact", "support"],
                "people_affected": 42, "measures": "share removed, access logs reviewed"}
        bad = op.post("/api/v1/admin/breaches", dict(body, categories=["dna"]))
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(bad.json["errors"][0]["field"], "categories")
        bad = op.post("/api/v1/admin/breaches", dict(body, aware_at=rfc3339(aware - datetime.timedelta(hours=3))))
        self.assertEqual(bad.json["errors"][0]["field"], "aware_at")
        bad = op.post("/api/v1/admin/breaches", dict(body, people_affected=-1))
        self.assertEqual(bad.json["errors"][0]["field"], "people_affected")
        self.assertEqual(op.post("/api/v1/admin/breaches", {"description": "x"}).status, 422)

        r = op.post("/api/v1/admin/breaches", body)
        self.assertEqual(r.status, 201, r)
        brc = r.json["id"]
        self.assertTrue(brc.startswith("brc_"))
        self.assertEqual(r.json["status"], "open")
        self.assertTrue(r.json["overdue"])
        self.assertGreaterEqual(r.json["hours_past_deadline"], 2)
        self.assertEqual(r.json["notification_deadline"],
                         rfc3339(aware + datetime.timedelta(hours=72)))
        self.assertIsNone(r.json["alerted_at"])

        # The retention/job tick alerts the operators once.
        run = op.post("/api/v1/admin/retention/run")
        self.assertEqual(run.status, 200, run)
        self.assertEqual(run.json["breach_alerts"], 1)
        alerts = [m for m in mj.outbox(self.server, to=self.server.operator_email,
                                       kind="breach_alert") if brc in m["subject"]]
        self.assertEqual(len(alerts), 1)
        self.assertIn("72 hours", alerts[0]["subject"])
        self.assertEqual(op.post("/api/v1/admin/retention/run").json["breach_alerts"], 0)

        listed = op.get("/api/v1/admin/breaches").json
        self.assertIn(brc, [b["id"] for b in listed["data"]])
        self.assertIn("next_cursor", listed)

        r = op.patch(f"/api/v1/admin/breaches/{brc}",
                     {"authority_notified_at": rfc3339(now), "status": "contained"})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["overdue"])
        self.assertEqual(r.json["hours_past_deadline"], 0)
        # A wrong correction is refused and changes nothing.
        bad = op.patch(f"/api/v1/admin/breaches/{brc}",
                       {"subjects_notified_at": rfc3339(aware - datetime.timedelta(hours=1))})
        self.assertEqual(bad.status, 422)
        self.assertEqual(bad.json["errors"][0]["field"], "subjects_notified_at")
        self.assertEqual(op.patch(f"/api/v1/admin/breaches/{brc}", {"owner": "x"}).status, 422)
        got = op.get(f"/api/v1/admin/breaches/{brc}").json
        self.assertEqual([h["action"] for h in got["history"]], ["created", "alerted", "updated"])
        self.assertEqual(got["history"][2]["changes"]["status"], {"from": "open", "to": "contained"})
        self.assertEqual(got["authority_notified_at"], rfc3339(now))
        self.assertEqual(op.get("/api/v1/admin/breaches/brc_nope").status, 404)

        user = self.server.client()
        user.signup()
        self.assertEqual(user.get("/api/v1/admin/breaches").status, 403)
        self.assertEqual(user.post("/api/v1/admin/breaches", body).status, 403)


class MarketingTest(mj.ServerTestCase):
    def test_marketing_send_reaches_consenting_people_and_one_click_unsubscribes(self):
        yes = self.server.client()
        yes.signup()
        self.assertEqual(yes.put("/api/v1/me/consents", {"marketing_email": True}).status, 200)
        no = self.server.client()
        no.signup()
        objects = self.server.client()
        objects.signup()
        objects.put("/api/v1/me/consents", {"marketing_email": True})
        r = objects.post("/api/v1/me/privacy/requests", {"type": "objection", "purpose": "marketing",
                                                         "password": objects.password})
        self.assertEqual(r.status, 202, r)

        op = mj.operator_client(self.server)
        self.assertEqual(op.post("/api/v1/admin/marketing-sends", {"subject": "x"}).status, 422)
        r = op.post("/api/v1/admin/marketing-sends", {"subject": "Spring news", "text": "Hello!"})
        self.assertEqual(r.status, 201, r)
        self.assertGreaterEqual(r.json["recipients"], 1)
        self.assertEqual(mj.outbox(self.server, to=no.email, kind="marketing"), [])
        self.assertEqual(mj.outbox(self.server, to=objects.email, kind="marketing"), [])
        mine = mj.outbox(self.server, to=yes.email, kind="marketing")
        self.assertEqual(len(mine), 1)
        h = mine[0]["headers"]
        self.assertEqual(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        m = re.fullmatch(r"<https://[^/>]+(/api/v1/unsubscribe\?t=[^>]+)>", h["List-Unsubscribe"])
        self.assertTrue(m, h)
        path = m.group(1)
        self.assertIn(path, mine[0]["text"])
        sends = op.get("/api/v1/admin/marketing-sends").json["data"]
        self.assertEqual(sends[0]["subject"], "Spring news")

        # GET changes nothing; POST without the one-click body or with a bad token is refused.
        anon = self.server.client()
        self.assertTrue(anon.get(path).json["subscribed"])
        self.assertTrue(anon.get(path).json["subscribed"])
        form = {"content_type": "application/x-www-form-urlencoded"}
        r = anon.request("POST", path, raw=b"", **form)
        self.assertEqual(r.status, 422, r)
        tampered = path[:-1] + ("0" if path[-1] != "0" else "1")
        r = anon.request("POST", tampered, raw=b"List-Unsubscribe=One-Click", **form)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "t")
        # One click: no login, no CSRF token.
        r = anon.request("POST", path, raw=b"List-Unsubscribe=One-Click", **form)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["unsubscribed"])
        self.assertFalse(anon.get(path).json["subscribed"])
        me = yes.get("/api/v1/me/privacy").json
        self.assertFalse(me["consents"]["marketing_email"]["granted"])
        self.assertEqual(me["consent_history"][-1]["method"], "one_click_unsubscribe")
        # Even a new consent does not override the suppression list.
        yes.put("/api/v1/me/consents", {"marketing_email": True})
        r = op.post("/api/v1/admin/marketing-sends", {"subject": "More news", "text": "Hi"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(mj.outbox(self.server, to=yes.email, kind="marketing")), 1)
        self.assertEqual(no.post("/api/v1/admin/marketing-sends",
                                 {"subject": "x", "text": "y"}).status, 403)


class NoLoginExportTest(mj.ServerTestCase):
    def test_no_login_access_request_is_exported_and_the_link_emailed(self):
        known = self.server.client()
        known.signup()
        anon = self.server.client()
        a = anon.post("/api/v1/privacy/requests", {"email": known.email, "type": "access"})
        b = anon.post("/api/v1/privacy/requests", {"email": "no-account-here@example.com",
                                                   "type": "access"})
        self.assertEqual((a.status, b.status), (202, 202))

        def code(to):
            m = re.search(r"code:\s*(\d{6})",
                          mj.outbox(self.server, to=to, kind="privacy_code")[0]["text"])
            return m.group(1)

        ra = anon.post(f"/api/v1/privacy/requests/{a.json['id']}/verify", {"code": code(known.email)})
        rb = anon.post(f"/api/v1/privacy/requests/{b.json['id']}/verify",
                       {"code": code("no-account-here@example.com")})
        self.assertEqual((ra.status, rb.status), (200, 200))
        self.assertEqual(set(ra.json), set(rb.json))
        self.assertEqual(ra.json["status"], rb.json["status"])
        link = None
        for _ in range(100):
            mails = mj.outbox(self.server, to=known.email, kind="privacy_request")
            found = [re.search(r"https?://[^/\s]+(/api/v1/privacy/requests/\S+/download\?t=\S+)",
                               m["text"]) for m in mails]
            found = [f for f in found if f]
            if found:
                link = found[0].group(1)
                break
            time.sleep(0.1)
        self.assertTrue(link, "no export link e-mailed")
        self.assertEqual(mj.outbox(self.server, to="no-account-here@example.com",
                                   kind="privacy_request"), [])
        r = self.server.client().get(link)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "application/zip")
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        conn.request("GET", link)
        data = conn.getresponse().read()
        conn.close()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.assertIn("manifest.json", z.namelist())
            everything = b"".join(z.read(n) for n in z.namelist())
        self.assertIn(known.email.encode(), everything)
        self.assertNotIn(b"no-account-here@example.com", everything)
        bad = self.server.client().get(link[:-1] + ("0" if link[-1] != "0" else "1"))
        self.assertEqual(bad.status, 404)


class WorkspaceExportTest(mj.ServerTestCase):
    def fetch(self, client, path):
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in
                                                              client.cookies.items())})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    def test_dpa_acceptances_are_kept_per_version(self):
        owner = self.server.client()
        owner.signup()
        ws = owner.create_workspace("Dpa Co")
        r = owner.get(f"/api/v1/workspaces/{ws}")
        self.assertEqual(r.json["dpa"]["current_version"], "2026-04")
        self.assertFalse(r.json["dpa"]["up_to_date"])
        self.assertEqual(r.json["dpa"]["history"], [])
        bad = owner.patch(f"/api/v1/workspaces/{ws}", {"dpa_accepted_version": "1999-01"})
        self.assertEqual(bad.status, 422)
        self.assertEqual(bad.json["errors"][0]["field"], "dpa_accepted_version")
        r = owner.patch(f"/api/v1/workspaces/{ws}", {"dpa_accepted_version": "2026-04"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["dpa"]["up_to_date"])
        self.assertEqual(r.json["dpa"]["version"], "2026-04")
        owner.patch(f"/api/v1/workspaces/{ws}", {"dpa_accepted_version": "2026-04"})
        hist = owner.get(f"/api/v1/workspaces/{ws}").json["dpa"]["history"]
        self.assertEqual(len(hist), 2)
        me = owner.get("/api/v1/me").json
        self.assertEqual({h["accepted_by"] for h in hist}, {me.get("id", me.get("user", {}).get("id"))})

    def test_owner_exports_the_whole_workspace(self):
        owner = self.server.client()
        owner.signup()
        ws = owner.create_workspace("Export Co")
        owner.patch(f"/api/v1/workspaces/{ws}", {"dpa_accepted_version": "2026-04",
                                                 "settings": {"tz": "Europe/Berlin"}})
        admin = self.server.client()
        admin.signup()
        owner.post(f"/api/v1/workspaces/{ws}/members", {"email": admin.email, "role": "admin"})
        token = mj.token_from(mj.outbox(self.server, to=admin.email, kind="invitation")[0],
                              "Invitation token")
        self.assertEqual(admin.post("/api/v1/invitations/accept", {"token": token}).status, 200)
        stranger = self.server.client()
        stranger.signup()

        self.assertEqual(admin.post(f"/api/v1/workspaces/{ws}/exports").status, 403)
        self.assertEqual(stranger.post(f"/api/v1/workspaces/{ws}/exports").status, 404)
        r = owner.post(f"/api/v1/workspaces/{ws}/exports")
        self.assertEqual(r.status, 202, r)
        wex = r.json["id"]
        for _ in range(100):
            r = owner.get(f"/api/v1/workspaces/{ws}/exports/{wex}")
            if r.json["status"] != "processing":
                break
            time.sleep(0.1)
        self.assertEqual(r.json["status"], "completed", r)
        self.assertTrue(r.json["download_url"].endswith(f"/exports/{wex}/download"))
        self.assertEqual(admin.get(f"/api/v1/workspaces/{ws}/exports/{wex}").status, 403)
        self.assertEqual(stranger.get(f"/api/v1/workspaces/{ws}/exports/{wex}/download").status, 404)
        status, data = self.fetch(owner, f"/api/v1/workspaces/{ws}/exports/{wex}/download")
        self.assertEqual(status, 200)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            for f in ("manifest.json", "workspace.json", "domains.json", "dns_records.json",
                      "mailboxes.json", "members.json", "audit_log.json", "invoices.json",
                      "dpa_acceptances.json"):
                self.assertIn(f, names)
            manifest = json.loads(z.read("manifest.json"))
            self.assertEqual(manifest["workspace_id"], ws)
            members = json.loads(z.read("members.json"))
            self.assertEqual({m["email"] for m in members}, {owner.email, admin.email})
            self.assertEqual(set(members[0]), {"user_id", "email", "name", "role", "joined_at"})
            workspace = json.loads(z.read("workspace.json"))[0]
            self.assertEqual(workspace["settings"], {"tz": "Europe/Berlin"})
            everything = b"".join(z.read(n) for n in names)
        self.assertNotIn(stranger.email.encode(), everything)
        self.assertNotIn(b"password_hash", everything)
        self.assertNotIn(b"argon2", everything)


class AnalyticsAndGpcTest(mj.ServerTestCase):
    def test_analytics_aggregates_are_operator_only_and_validated(self):
        op = mj.operator_client(self.server)
        r = op.get("/api/v1/admin/analytics")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["min_group"], 5)
        self.assertIsInstance(r.json["data"], list)
        for row in r.json["data"]:
            self.assertTrue(row.get("suppressed") or row["workspaces"] >= 5 or row["people"] >= 5)
        bad = op.get("/api/v1/admin/analytics?from=2026-02-30")
        self.assertEqual(bad.status, 422)
        self.assertEqual(bad.json["errors"][0]["field"], "from")
        bad = op.get("/api/v1/admin/analytics?from=2026-03-02&to=2026-03-01")
        self.assertEqual(bad.json["errors"][0]["field"], "to")
        user = self.server.client()
        user.signup()
        self.assertEqual(user.get("/api/v1/admin/analytics").status, 403)

    def test_sec_gpc_counts_as_opt_out(self):
        c = self.server.client()
        c.signup()
        r = c.put("/api/v1/me/consents", {"analytics": True, "marketing_email": True})
        self.assertTrue(r.json["consents"]["analytics"]["granted"])
        gpc = {"headers": {"Sec-GPC": "1"}}
        r = c.put("/api/v1/me/consents", {"preferences": True}, **gpc)
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["consents"]["analytics"]["granted"])
        self.assertFalse(r.json["consents"]["marketing_email"]["granted"])
        self.assertTrue(r.json["consents"]["preferences"]["granted"])
        self.assertEqual(sorted(r.json["gpc"]["withdrawn"]), ["analytics", "marketing_email"])
        methods = [e["method"] for e in r.json["consent_history"] if e["purpose"] == "analytics"]
        self.assertEqual(methods[-1], "gpc")
        # An explicit choice in the same call is the person's own and stands.
        r = c.put("/api/v1/me/consents", {"analytics": True}, **gpc)
        self.assertTrue(r.json["consents"]["analytics"]["granted"])
        self.assertEqual(r.json["gpc"]["withdrawn"], [])
        # Without the header nothing is withdrawn.
        r = c.put("/api/v1/me/consents", {"preferences": False})
        self.assertTrue(r.json["consents"]["analytics"]["granted"])
        self.assertNotIn("gpc", r.json)


if __name__ == "__main__":
    unittest.main()

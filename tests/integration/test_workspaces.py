"""Workspaces, members, invitations, API keys, audit events, idempotency, rate-limit headers."""
import unittest

import mj


class WorkspacesTest(mj.ServerTestCase):
    def owner(self):
        c = self.server.client()
        c.signup()
        return c, c.create_workspace("Acme")

    def test_create_rename_settings_delete(self):
        c, ws = self.owner()
        r = c.get(f"/api/v1/workspaces/{ws}")
        self.assertEqual(r.json["role"], "owner")
        self.assertTrue(ws.startswith("ws_"))
        r = c.patch(f"/api/v1/workspaces/{ws}", {"name": "Acme 2", "data_region": "us", "settings": {"tz": "UTC"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["name"], r.json["data_region"], r.json["settings"]), ("Acme 2", "us", {"tz": "UTC"}))
        self.assertEqual(c.patch(f"/api/v1/workspaces/{ws}", {"data_region": "mars"}).status, 422)
        r = c.patch(f"/api/v1/workspaces/{ws}", {"dpa_accepted_version": "2026-04"})
        self.assertEqual(r.json["dpa"]["version"], "2026-04")
        listed = c.get("/api/v1/workspaces").json["data"]
        self.assertIn(ws, [w["id"] for w in listed])
        r = c.delete(f"/api/v1/workspaces/{ws}", {"confirm_name": "wrong"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["errors"][0]["field"], "confirm_name")
        self.assertEqual(c.delete(f"/api/v1/workspaces/{ws}", {"confirm_name": "Acme 2"}).status, 204)
        self.assertEqual(c.get(f"/api/v1/workspaces/{ws}").status, 404)

    def test_invitation_roles_and_last_owner(self):
        owner, ws = self.owner()
        invitee = self.server.client()
        invitee.signup()
        r = owner.post(f"/api/v1/workspaces/{ws}/members", {"email": invitee.email, "role": "admin"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(owner.post(f"/api/v1/workspaces/{ws}/members", {"email": invitee.email, "role": "god"}).status, 422)
        msg = mj.outbox(self.server, to=invitee.email, kind="invitation")[0]
        token = mj.token_from(msg, "Invitation token")
        r = invitee.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(invitee.post("/api/v1/invitations/accept", {"token": token}).status, 410)
        members = owner.get(f"/api/v1/workspaces/{ws}/members").json["data"]
        self.assertEqual(sorted(m["role"] for m in members), ["admin", "owner"])
        owner_mem = [m for m in members if m["role"] == "owner"][0]["id"]
        admin_mem = [m for m in members if m["role"] == "admin"][0]["id"]
        # The last owner cannot be demoted or leave.
        self.assertEqual(owner.patch(f"/api/v1/workspaces/{ws}/members/{owner_mem}", {"role": "admin"}).status, 409)
        self.assertEqual(owner.delete(f"/api/v1/workspaces/{ws}/members/{owner_mem}").status, 409)
        # An admin cannot make owners or demote the owner.
        self.assertEqual(invitee.patch(f"/api/v1/workspaces/{ws}/members/{admin_mem}", {"role": "owner"}).status, 403)
        self.assertEqual(invitee.patch(f"/api/v1/workspaces/{ws}/members/{owner_mem}", {"role": "viewer"}).status, 403)
        # Promote the admin to owner; now the first owner can leave.
        self.assertEqual(owner.patch(f"/api/v1/workspaces/{ws}/members/{admin_mem}", {"role": "owner"}).status, 200)
        self.assertEqual(owner.delete(f"/api/v1/workspaces/{ws}/members/{owner_mem}").status, 204)
        self.assertEqual(owner.get(f"/api/v1/workspaces/{ws}").status, 404)

    def test_api_keys_shown_once_scoped_and_revocable(self):
        owner, ws = self.owner()
        r = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "ci", "role": "viewer"})
        self.assertEqual(r.status, 201)
        key = r.json["key"]
        self.assertTrue(key.startswith("mj_"))
        listed = owner.get(f"/api/v1/workspaces/{ws}/api-keys").json["data"]
        self.assertNotIn("key", listed[0])
        api = self.server.client(api_key=key)
        self.assertEqual(api.get(f"/api/v1/workspaces/{ws}").status, 200)
        self.assertEqual(api.get(f"/api/v1/workspaces/{ws}").json["role"], "viewer")
        self.assertEqual(api.patch(f"/api/v1/workspaces/{ws}", {"name": "x"}).status, 403)
        self.assertIsNotNone(owner.get(f"/api/v1/workspaces/{ws}/api-keys").json["data"][0]["last_used_at"])
        # A key is bound to its workspace: another workspace is not found.
        other_owner, other_ws = self.owner()
        self.assertEqual(api.get(f"/api/v1/workspaces/{other_ws}").status, 404)
        # Person-only routes refuse keys.
        self.assertEqual(api.get("/api/v1/me").status, 401)
        kid = listed[0]["id"]
        self.assertEqual(owner.delete(f"/api/v1/workspaces/{ws}/api-keys/{kid}").status, 204)
        self.assertEqual(api.get(f"/api/v1/workspaces/{ws}").status, 401)
        self.assertEqual(self.server.client(api_key="mj_bogus").get(f"/api/v1/workspaces/{ws}").status, 401)

    def test_audit_events_record_changes_with_cursor_pagination(self):
        owner, ws = self.owner()
        for i in range(5):
            owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": f"k{i}", "role": "member"})
        r = owner.get(f"/api/v1/workspaces/{ws}/audit-events?limit=3")
        self.assertEqual(r.status, 200)
        page1 = r.json
        self.assertEqual(len(page1["data"]), 3)
        self.assertTrue(page1["next_cursor"])
        ev = page1["data"][0]
        self.assertEqual(ev["action"], "api_key.create")
        self.assertEqual(ev["actor"]["type"], "user")
        self.assertTrue(ev["ip"])
        self.assertTrue(ev["user_agent"])
        self.assertTrue(ev["created_at"].endswith("Z"))
        page2 = owner.get(f"/api/v1/workspaces/{ws}/audit-events?limit=3&cursor={page1['next_cursor']}").json
        ids1 = {e["id"] for e in page1["data"]}
        self.assertFalse(ids1 & {e["id"] for e in page2["data"]})
        all_actions = [e["action"] for e in page1["data"] + page2["data"]]
        self.assertIn("workspace.create", all_actions)
        filtered = owner.get(f"/api/v1/workspaces/{ws}/audit-events?action=workspace.").json["data"]
        self.assertTrue(all(e["action"].startswith("workspace.") for e in filtered))
        self.assertEqual(owner.get(f"/api/v1/workspaces/{ws}/audit-events?limit=0").status, 422)
        self.assertEqual(owner.get(f"/api/v1/workspaces/{ws}/audit-events?limit=201").status, 422)

    def test_idempotency_key_replays_and_rejects_other_body(self):
        owner, ws = self.owner()
        h = {"Idempotency-Key": "create-key-1"}
        a = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "once", "role": "viewer"}, headers=h)
        b = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "once", "role": "viewer"}, headers=h)
        self.assertEqual(a.status, 201)
        self.assertEqual(b.status, 201)
        self.assertEqual(a.json["id"], b.json["id"])
        self.assertEqual(b.headers.get("idempotent-replayed"), "true")
        self.assertEqual(len(owner.get(f"/api/v1/workspaces/{ws}/api-keys").json["data"]), 1)
        c = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "other", "role": "viewer"}, headers=h)
        self.assertEqual(c.status, 422)
        long = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "x", "role": "viewer"},
                          headers={"Idempotency-Key": "k" * 256})
        self.assertEqual(long.status, 422)

    def test_audit_list_for_an_api_key_is_never_stale(self):
        # Repeated reads with a key are answered from a page cache on the network thread; every
        # change must show at once, and the answer must be the one the database gives.
        owner, ws = self.owner()
        key = owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": "reader", "role": "admin"}).json["key"]
        api = self.server.client(api_key=key)
        url = f"/api/v1/workspaces/{ws}/audit-events?limit=5"
        for i in range(3):
            first = api.get(url)
            again = api.get(url)
            self.assertEqual(again.status, 200)
            self.assertEqual(first.json, again.json)
            self.assertNotEqual(first.headers["x-request-id"], again.headers["x-request-id"])
            self.assertIn("ratelimit-remaining", again.headers)
            self.assertEqual(again.headers["cache-control"], "no-store")
            self.assertEqual(again.json, owner.get(url).json)
            owner.post(f"/api/v1/workspaces/{ws}/api-keys", {"name": f"k{i}", "role": "viewer"})
            latest = api.get(url).json["data"][0]
            self.assertEqual(latest["action"], "api_key.create")
            self.assertEqual(latest["data"]["name"], f"k{i}")
        # Filters and cursors are part of the cached page's identity.
        self.assertEqual(api.get(url + "&action=workspace.").json["data"][-1]["action"], "workspace.create")
        # A revoked key is refused at once, cached page or not.
        kid = [k for k in owner.get(f"/api/v1/workspaces/{ws}/api-keys?limit=200").json["data"] if k["name"] == "reader"][0]["id"]
        self.assertEqual(owner.delete(f"/api/v1/workspaces/{ws}/api-keys/{kid}").status, 204)
        self.assertEqual(api.get(url).status, 401)

    def test_rate_limit_headers(self):
        owner, ws = self.owner()
        r = owner.get(f"/api/v1/workspaces/{ws}")
        for h in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            self.assertIn(h, r.headers)
        self.assertLess(int(r.headers["ratelimit-remaining"]), int(r.headers["ratelimit-limit"]))


class RateLimitTest(unittest.TestCase):
    def test_budget_exhausted_gives_429_with_retry_after(self):
        with mj.Server(env={"MAILJUKE_SECURITY_RATE_LIMIT_PER_MINUTE": "5"}) as s:
            c = s.client()
            c.signup()
            statuses = [c.get("/api/v1/me").status for _ in range(8)]
            self.assertIn(429, statuses)
            r = c.get("/api/v1/me")
            self.assertEqual(r.status, 429)
            self.assertIn("retry-after", r.headers)


if __name__ == "__main__":
    unittest.main()

"""Every workspace route × every role × own and foreign workspace → the expected status.

Expectations follow API.md's role descriptions, written here independently of the server's
permission table. A foreign workspace always answers 404 and never returns its data.
"""
import unittest

import mj

ROLES = ["owner", "admin", "member", "billing", "viewer"]
READ_ALL = set(ROLES)
MANAGERS = {"owner", "admin"}
NOT_BILLING = {"owner", "admin", "member", "viewer"}
WRITERS = {"owner", "admin", "member"}  # domains, mailboxes, exports, credentials
FAKE_MBX = "mbx_0000000000000000000000"


def routes(ws, target_mem, fake_key, dom="dom_x", mbx=FAKE_MBX):
    """(name, method, path, body, roles allowed, status when allowed)."""
    mb = f"/api/v1/workspaces/{ws}/mailboxes"
    return [
        ("workspace.get", "GET", f"/api/v1/workspaces/{ws}", None, READ_ALL, 200),
        ("workspace.patch", "PATCH", f"/api/v1/workspaces/{ws}", {"settings": {"x": 1}}, MANAGERS, 200),
        ("workspace.delete", "DELETE", f"/api/v1/workspaces/{ws}", {"confirm_name": "not-the-name"}, {"owner"}, 422),
        ("members.list", "GET", f"/api/v1/workspaces/{ws}/members", None, NOT_BILLING, 200),
        ("members.invite", "POST", f"/api/v1/workspaces/{ws}/members", {"email": "someone@example.com", "role": "viewer"}, MANAGERS, 201),
        ("members.patch", "PATCH", f"/api/v1/workspaces/{ws}/members/{target_mem}", {"role": "viewer"}, MANAGERS, 200),
        ("api_keys.list", "GET", f"/api/v1/workspaces/{ws}/api-keys", None, MANAGERS, 200),
        ("api_keys.create", "POST", f"/api/v1/workspaces/{ws}/api-keys", {"name": "k", "role": "viewer"}, MANAGERS, 201),
        ("api_keys.revoke", "DELETE", f"/api/v1/workspaces/{ws}/api-keys/{fake_key}", None, MANAGERS, 404),
        ("audit.list", "GET", f"/api/v1/workspaces/{ws}/audit-events", None, MANAGERS, 200),
        ("mailboxes.list", "GET", mb, None, NOT_BILLING, 200),
        ("mailboxes.get", "GET", f"{mb}/{mbx}", None, NOT_BILLING, 200),
        ("mailboxes.create", "POST", mb, {"domain_id": dom, "local_part": "bad..local"}, WRITERS, 422),
        ("mailboxes.bulk", "POST", f"{mb}/bulk", {"domain_ids": [dom], "people": [{"first_name": "A"}],
                                                  "per_domain": 1, "pattern": "no-such-pattern"}, WRITERS, 422),
        ("mailboxes.patch", "PATCH", f"{mb}/{mbx}", {"daily_limit": 40}, WRITERS, 200),
        ("mailboxes.delete", "DELETE", f"{mb}/{FAKE_MBX}", None, WRITERS, 404),
        ("mailboxes.password", "POST", f"{mb}/{FAKE_MBX}/password", {}, WRITERS, 404),
        ("mailboxes.credentials", "GET", f"{mb}/{mbx}/credentials", None, WRITERS, 200),
        ("mailboxes.export", "GET", f"{mb}/export?format=generic", None, WRITERS, 200),
    ]


class AuthorizationMatrixTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.owner = s.client()
        cls.owner.signup()
        cls.ws = cls.owner.create_workspace("Matrix Co")
        cls.people = {"owner": cls.owner}
        for role in ROLES[1:] + ["target"]:
            c = s.client()
            c.signup()
            r = cls.owner.post(f"/api/v1/workspaces/{cls.ws}/members",
                               {"email": c.email, "role": "viewer" if role == "target" else role})
            assert r.status == 201, r
            inv = mj.outbox(s, to=c.email, kind="invitation")[0]
            assert c.post("/api/v1/invitations/accept", {"token": mj.token_from(inv, "Invitation token")}).status == 200
            cls.people[role] = c
        members = cls.owner.get(f"/api/v1/workspaces/{cls.ws}/members").json["data"]
        cls.target_mem = [m["id"] for m in members if m["email"] == cls.people["target"].email][0]
        # A foreign workspace with its own data, and an API key per role in ours.
        cls.stranger = s.client()
        cls.stranger.signup()
        cls.foreign_ws = cls.stranger.create_workspace("Foreign Secret Name")
        # A domain and a mailbox in our workspace for the mailbox routes.
        r = cls.owner.post(f"/api/v1/workspaces/{cls.ws}/domains", {"name": "matrix-mail.com", "source": "purchase"})
        assert r.status == 201, r
        cls.dom = r.json["id"]
        r = cls.owner.post(f"/api/v1/workspaces/{cls.ws}/mailboxes", {"domain_id": cls.dom, "local_part": "matrix"})
        assert r.status == 201, r
        cls.mbx = r.json["id"]
        cls.keys = {}
        for role in ROLES:
            r = cls.owner.post(f"/api/v1/workspaces/{cls.ws}/api-keys", {"name": f"{role} key", "role": role})
            cls.keys[role] = s.client(api_key=r.json["key"])

    def check(self, principals):
        for role, client in principals.items():
            for name, method, path, body, allowed, ok_status in routes(self.ws, self.target_mem, "key_00000000000000000000000000", self.dom, self.mbx):
                r = client.request(method, path, body=body)
                expected = ok_status if role in allowed else 403
                self.assertEqual(r.status, expected, f"{role} {name}: {r}")
            for name, method, path, body, allowed, ok_status in routes(self.foreign_ws, self.target_mem, "key_00000000000000000000000000", self.dom, self.mbx):
                r = client.request(method, path, body=body)
                self.assertEqual(r.status, 404, f"{role} foreign {name}: {r}")
                self.assertNotIn("Foreign Secret Name", r.body)
                self.assertNotIn(self.stranger.email, r.body)

    def test_people_by_role(self):
        self.check({role: self.people[role] for role in ROLES})

    def test_api_keys_by_role(self):
        self.check(self.keys)

    def test_anonymous_is_401_everywhere(self):
        anon = self.server.client()
        for name, method, path, body, _, _ in routes(self.ws, self.target_mem, "key_x"):
            self.assertEqual(anon.request(method, path, body=body).status, 401, name)


if __name__ == "__main__":
    unittest.main()

"""Bad input on every route: malformed JSON, wrong types, unknown and missing fields, oversized
bodies, invalid UTF-8, wrong Content-Type, bad query strings → 4xx problem+json; the server
stays up and answers /healthz afterwards."""
import json
import unittest

import mj


class BadInputTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client()
        cls.owner.signup()
        cls.ws = cls.owner.create_workspace("Bad Input Co")
        doc = cls.server.client().get("/api/openapi.json").json
        cls.routes = []
        for path, ops in doc["paths"].items():
            concrete = path.replace("{ws}", cls.ws)
            for p in ("{mem}", "{key}", "{id}", "{dom}", "{mbx}", "{rec}", "{inv}", "{prq}", "{job}"):
                concrete = concrete.replace(p, p.strip("{}") + "_doesnotexist")
            for method in ops:
                cls.routes.append((method.upper(), concrete))

    def assertProblem(self, r, what):
        self.assertTrue(400 <= r.status < 500, f"{what}: {r}")
        if r.status != 429:
            self.assertEqual(r.headers.get("content-type"), "application/problem+json", f"{what}: {r}")
            self.assertIn("status", r.json, what)

    def bodies(self):
        return [
            ("malformed json", b'{"email": ', "application/json"),
            ("array body", b"[1,2,3]", "application/json"),
            ("wrong types", json.dumps({"email": 5, "password": [], "name": {}, "role": 1, "token": None,
                                        "accept_terms": "yes", "confirm_name": 3, "code": 1}).encode(), "application/json"),
            ("unknown field", b'{"definitely_not_a_field": 1}', "application/json"),
            ("invalid utf-8", b'{"name": "\xff\xfe"}', "application/json"),
            ("wrong content type", b"name=x", "application/x-www-form-urlencoded"),
            ("text plain", b'{"name":"x"}', "text/plain"),
            ("oversized", b'{"name":"' + b"a" * (1100 * 1024) + b'"}', "application/json"),
            ("nested deep", b"[" * 5000 + b"]" * 5000, "application/json"),
        ]

    def test_every_unsafe_route_rejects_bad_bodies(self):
        for method, path in self.routes:
            if method not in ("POST", "PUT", "PATCH", "DELETE"):
                continue
            for what, raw, ctype in self.bodies():
                r = self.owner.request(method, path, raw=raw, content_type=ctype)
                self.assertProblem(r, f"{method} {path} {what}")
        self.assertEqual(self.server.client().get("/healthz").status, 200)

    def test_missing_fields_are_named(self):
        r = self.owner.post("/api/v1/auth/login", {})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["errors"][0]["field"], "email")
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/api-keys", {"name": "x"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["errors"][0]["field"], "role")

    def test_every_get_route_rejects_bad_query(self):
        for method, path in self.routes:
            if method != "GET":
                continue
            for q in ("?limit=abc", "?limit=-1", "?cursor=%zz", "?limit=99999999999999999999"):
                r = self.owner.get(path + q)
                self.assertLess(r.status, 500, f"{path}{q}: {r}")
        self.assertEqual(self.server.client().get("/healthz").status, 200)

    def test_anonymous_bad_bodies_on_public_routes(self):
        anon = self.server.client()
        for path in ("/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/auth/password-reset",
                     "/api/v1/auth/verify-email", "/api/v1/auth/password-reset/confirm"):
            for what, raw, ctype in self.bodies():
                self.assertProblem(anon.request("POST", path, raw=raw, content_type=ctype), f"{path} {what}")
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    unittest.main()

"""The server core: CLI, config, listeners.json, health, metrics, OpenAPI, headers, limits, shutdown."""
import json
import os
import socket
import subprocess
import time
import unittest

import mj


class CliTest(unittest.TestCase):
    def run_cli(self, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([mj.BIN, *args], capture_output=True, text=True, env=e, timeout=60)

    def test_version_and_help(self):
        r = self.run_cli("version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"mailjuke \d+\.\d+\.\d+")
        for cmd in (["serve"], ["migrate"], ["admin"], ["config", "check"], ["version"]):
            h = self.run_cli(*cmd, "--help")
            self.assertEqual(h.returncode, 0, cmd)
            self.assertIn("Usage", h.stdout)

    def test_unknown_config_key_exits_2_naming_it(self):
        r = self.run_cli("config", "check", env={"MAILJUKE_HTTP_LISTN": "x"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("MAILJUKE_HTTP_LISTN", r.stderr)
        s = mj.Server(config_text="[http]\nlisten = \"127.0.0.1:0\"\nbogus = 1\n")
        r = self.run_cli("--config", s.config_path, "config", "check")
        self.assertEqual(r.returncode, 2)
        self.assertIn("http.bogus", r.stderr)
        r = self.run_cli("config", "check", env={"MAILJUKE_STORAGE_POOL_SIZE": "lots"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("storage.pool_size", r.stderr)
        s.cleanup()

    def test_bad_listener_names_the_setting(self):
        s = mj.Server(env={"MAILJUKE_SMTP_MX_LISTEN": "bogus"})
        with self.assertRaises(RuntimeError) as cm:
            s.start(timeout=20)
        self.assertIn("smtp.mx_listen", str(cm.exception))
        self.assertNotEqual(s.proc.returncode, 0)
        s.cleanup()

    def test_create_operator_and_reset_password(self):
        s = mj.Server()
        env = {k: v for k, v in s.env.items() if k.startswith("MAILJUKE_")}  # same storage as the server
        r = self.run_cli("admin", "create-operator", "--email", "ops@example.com", "--password", "short", env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("password", r.stderr)
        r = self.run_cli("admin", "create-operator", "--email", "ops@example.com", "--password", mj.STRONG_PASSWORD, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_cli("admin", "reset-password", "--email", "ops@example.com", "--password", "another-strong-pass", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        s.start()
        try:
            c = s.client()
            self.assertEqual(c.login("ops@example.com", "another-strong-pass").status, 200)
            # An operator already existed, so no first-start account was printed.
            self.assertIsNone(s.operator_email)
        finally:
            s.cleanup()


class ServerTest(mj.ServerTestCase):
    def test_first_start_prints_operator_and_writes_listeners(self):
        self.assertTrue(self.server.operator_email)
        self.assertGreaterEqual(len(self.server.operator_password), 20)
        with open(os.path.join(self.server.data_dir, "listeners.json")) as f:
            listeners = json.load(f)
        self.assertRegex(listeners["http"], r"^127\.0\.0\.1:\d+$")

    def test_health_ready_metrics(self):
        c = self.server.client()
        r = c.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(c.get("/readyz").json["database"], True)
        m = c.get("/metrics")
        self.assertEqual(m.status, 200)
        self.assertIn("mailjuke_http_requests_total", m.body)
        self.assertIn("mailjuke_http_request_duration_seconds_bucket", m.body)
        self.assertIn("mailjuke_http_open_connections", m.body)
        self.assertIn("mailjuke_db_pool_size", m.body)

    def test_every_response_has_request_id_and_security_headers(self):
        c = self.server.client()
        for path in ("/healthz", "/api/v1/me", "/api/v1/nope", "/"):
            r = c.get(path)
            self.assertTrue(r.headers.get("x-request-id"), path)
            self.assertEqual(r.headers.get("x-content-type-options"), "nosniff")
            csp = r.headers.get("content-security-policy", "")
            for d in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
                self.assertIn(d, csp)
            self.assertTrue(r.headers.get("referrer-policy"))
        r = c.get("/healthz", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(r.headers["x-request-id"], "abc-123")
        self.assertEqual(c.get("/api/v1/me").headers.get("cache-control"), "no-store")

    def test_errors_are_problem_json(self):
        c = self.server.client()
        r = c.get("/api/v1/me")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.headers["content-type"], "application/problem+json")
        for k in ("type", "title", "status", "detail", "errors"):
            self.assertIn(k, r.json)
        r = c.get("/api/v1/does-not-exist")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.headers["content-type"], "application/problem+json")
        r = c.request("PUT", "/healthz", body={})
        self.assertEqual(r.status, 405)

    def test_openapi_lists_every_route(self):
        c = self.server.client()
        doc = c.get("/api/openapi.json").json
        self.assertEqual(doc["openapi"], "3.1.0")
        expected = [
            ("post", "/api/v1/auth/signup"), ("post", "/api/v1/auth/login"), ("get", "/api/v1/me"),
            ("get", "/api/v1/workspaces/{ws}/audit-events"), ("post", "/api/v1/workspaces/{ws}/api-keys"),
            ("get", "/healthz"), ("get", "/metrics"),
        ]
        for method, path in expected:
            self.assertIn(method, doc["paths"].get(path, {}), path)
        # Every API route the server answers (not 404 "no such resource") is documented.
        for path, ops in doc["paths"].items():
            for method in ops:
                concrete = path.replace("{", "x").replace("}", "")
                r = c.request(method.upper(), concrete, body={} if method in ("post", "put", "patch") else None)
                self.assertNotEqual(r.status, 405, (method, path))

    def test_limits_header_and_body(self):
        c = self.server.client()
        r = c.get("/healthz", headers={"X-Big": "a" * 20000})
        self.assertEqual(r.status, 431)
        r = c.request("POST", "/api/v1/auth/login", raw=b"{" + b" " * (70 * 1024) + b"}")
        self.assertEqual(r.status, 413)
        self.assertEqual(r.headers["content-type"], "application/problem+json")
        self.assertEqual(c.get("/healthz").status, 200)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        s = socket.create_connection((self.server.host, self.server.port), timeout=10)
        req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req * 5)
        data = b""
        deadline = time.time() + 10
        while data.count(b"HTTP/1.1 200") < 5 and time.time() < deadline:
            data += s.recv(65536)
        s.close()
        self.assertEqual(data.count(b"HTTP/1.1 200"), 5)

    def test_garbage_request_gets_400_and_server_survives(self):
        s = socket.create_connection((self.server.host, self.server.port), timeout=10)
        s.sendall(b"\x00\x01\x02 NOT HTTP\r\n\r\n")
        data = s.recv(4096)
        s.close()
        self.assertIn(b"400", data.split(b"\r\n")[0])
        self.assertEqual(self.server.client().get("/healthz").status, 200)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_exits_zero_quickly_with_idle_connection_open(self):
        s = mj.Server().start()
        try:
            idle = socket.create_connection((s.host, s.port), timeout=5)
            idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            idle.recv(4096)
            t0 = time.time()
            code = s.stop(timeout=12)
            self.assertEqual(code, 0)
            self.assertLess(time.time() - t0, 10)
            idle.close()
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

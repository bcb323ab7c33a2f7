"""Bulk add as a job, verification against a resolver, DKIM rotation, forwarding, zone export."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import dns.zone

import mj
from dns_secondary import free_port


class DomainsMoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        port = free_port()
        cls.server = mj.Server(env={
            "MAILJUKE_DNS_LISTEN": f"127.0.0.1:{port}",
            "MAILJUKE_DELIVERY_RESOLVER": f"127.0.0.1:{port}",
        }).start()
        cls.dns = ("127.0.0.1", port)
        cls.owner = cls.server.client()
        cls.owner.signup()
        cls.ws = cls.owner.create_workspace("Bulk Co")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def add(self, name, source="purchase", **kw):
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains", dict(name=name, source=source, **kw))
        self.assertEqual(r.status, 201, r)
        return r.json

    def query(self, name, rdtype):
        q = dns.message.make_query(name, rdtype)
        return dns.query.udp(q, self.dns[0], port=self.dns[1], timeout=3)

    def wait_job(self, client, job_id, deadline=30):
        start = time.time()
        seen = []
        while True:
            r = client.get(f"/api/v1/jobs/{job_id}")
            self.assertEqual(r.status, 200, r)
            seen.append(r.json["progress"]["done"])
            if r.json["status"] in ("succeeded", "failed"):
                return r.json, seen
            if time.time() - start > deadline:
                self.fail(f"job did not finish: {r.json}")
            time.sleep(0.1)

    # 1. Bulk add
    def test_bulk_add_job(self):
        self.add("bulk-existing.com")
        names = ["bulk-one.com", "not a domain", "mytakenname.com", "bulk-two.net",
                 "bulk-one.com", "BULK-existing.com", "bulk-three.org"]
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains/bulk",
                            {"names": names, "source": "purchase"})
        self.assertEqual(r.status, 202, r)
        self.assertTrue(r.json["id"].startswith("job_"))
        self.assertIn(r.json["status"], ("queued", "running"))
        self.assertEqual(r.json["progress"]["total"], len(names))
        self.assertEqual(r.json["results_url"], f"/api/v1/jobs/{r.json['id']}")
        job, seen = self.wait_job(self.owner, r.json["id"])
        self.assertEqual(job["status"], "succeeded")
        self.assertEqual(job["progress"], {"done": len(names), "total": len(names)})
        self.assertEqual(seen[-1], len(names))
        self.assertEqual(seen, sorted(seen))
        rows = {row["row"]: row for row in job["results"]}
        self.assertEqual(sorted(rows), list(range(len(names))))
        ok = [i for i, row in rows.items() if row["ok"]]
        self.assertEqual(ok, [0, 3, 6])
        for i in ok:
            self.assertTrue(rows[i]["domain_id"].startswith("dom_"))
        self.assertEqual(rows[1]["error"]["field"], "name")
        for i in (2, 4, 5):
            self.assertFalse(rows[i]["ok"])
            self.assertIn("message", rows[i]["error"])
        listed = self.owner.get(f"/api/v1/workspaces/{self.ws}/domains?limit=200").json["data"]
        names_listed = {d["name"] for d in listed}
        self.assertTrue({"bulk-one.com", "bulk-two.net", "bulk-three.org"} <= names_listed)
        # Another person cannot see the job.
        other = self.server.client()
        other.signup()
        self.assertEqual(other.get(f"/api/v1/jobs/{job['id']}").status, 404)
        self.assertEqual(self.owner.get("/api/v1/jobs/job_nope").status, 404)

    def test_bulk_validation(self):
        url = f"/api/v1/workspaces/{self.ws}/domains/bulk"
        for body in ({"names": [], "source": "purchase"},
                     {"names": ["a.com"] * 501, "source": "purchase"},
                     {"names": "a.com", "source": "purchase"},
                     {"names": [1], "source": "purchase"}):
            r = self.owner.post(url, body)
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json["errors"][0]["field"], "names")
        self.assertEqual(self.owner.post(url, {"names": ["a.com"], "source": "x"}).json["errors"][0]["field"], "source")
        other = self.server.client()
        other.signup()
        self.assertEqual(other.post(url, {"names": ["a.com"], "source": "purchase"}).status, 404)

    # 2. Verify
    def wait_dns(self, name, rdtype, predicate, deadline=5.0):
        start = time.time()
        while True:
            r = self.query(name, rdtype)
            if predicate(r):
                return r
            if time.time() - start > deadline:
                self.fail(f"DNS for {name} {rdtype} did not change: {r}")
            time.sleep(0.05)

    def verify(self, dom_id):
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains/{dom_id}/verify")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_verify_purchased_domain(self):
        d = self.add("verify-bought.com")
        # A large TXT set at the apex makes the UDP answer truncated: the client retries on TCP.
        for i in range(3):
            r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dns-records",
                                {"name": "@", "type": "TXT", "value": f"site-verification-{i}=" + "x" * 200})
            self.assertEqual(r.status, 201, r)
        r = self.wait_dns("verify-bought.com", "TXT", lambda r: r.flags & dns.flags.TC)
        out = self.verify(d["id"])
        self.assertEqual(out["status"], "active", out["verification"])
        report = out["verification"]
        self.assertTrue(report["ok"])
        self.assertEqual(report["reasons"], [])
        by = {c["record"]: c for c in report["checks"]}
        self.assertEqual(set(by), {"ownership", "mx", "spf", "dkim", "dmarc"})
        for c in by.values():
            self.assertEqual(c["status"], "ok", c)
        self.assertEqual(by["dkim"]["selector"], "mj1")
        self.assertIn(by["mx"]["expected"], by["mx"]["seen"])
        # Stored: GET shows the same report.
        got = self.owner.get(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}").json
        self.assertEqual(got["verification"], report)

    def test_verify_external_domain_needs_challenge(self):
        d = self.add("verify-external.com", source="external")
        self.assertEqual(d["status"], "pending")
        self.wait_dns("verify-external.com", "MX", lambda r: len(r.answer) > 0)
        out = self.verify(d["id"])
        self.assertEqual(out["status"], "failed")
        by = {c["record"]: c for c in out["verification"]["checks"]}
        self.assertEqual(by["ownership"]["status"], "missing")
        self.assertEqual(by["ownership"]["seen"], [])
        self.assertTrue(any("ownership" in r for r in out["verification"]["reasons"]))
        token = d["ownership"]["txt_value"]
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dns-records",
                            {"name": "_mailjuke-challenge", "type": "TXT", "value": token})
        self.assertEqual(r.status, 201, r)
        self.wait_dns("_mailjuke-challenge.verify-external.com", "TXT", lambda r: len(r.answer) > 0)
        out = self.verify(d["id"])
        self.assertEqual(out["status"], "active", out["verification"])
        self.assertTrue(all(c["status"] == "ok" for c in out["verification"]["checks"]))
        # A wrong token is reported as wrong.
        e = self.add("verify-wrong.com", source="external")
        self.owner.post(f"/api/v1/workspaces/{self.ws}/domains/{e['id']}/dns-records",
                        {"name": "_mailjuke-challenge", "type": "TXT", "value": "mailjuke-verify=nope"})
        self.wait_dns("_mailjuke-challenge.verify-wrong.com", "TXT", lambda r: len(r.answer) > 0)
        out = self.verify(e["id"])
        by = {c["record"]: c for c in out["verification"]["checks"]}
        self.assertEqual(by["ownership"]["status"], "wrong")
        self.assertEqual(by["ownership"]["seen"], ["mailjuke-verify=nope"])
        # Another workspace cannot verify it.
        other = self.server.client()
        other.signup()
        self.assertEqual(other.post(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/verify").status, 404)

    # 3. DKIM rotation
    def rotate(self, client, ws, dom_id):
        r = client.post(f"/api/v1/workspaces/{ws}/domains/{dom_id}/dkim/rotate")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_dkim_rotation_keeps_old_selector_for_grace(self):
        d = self.add("rotate-keys.com")
        out = self.rotate(self.owner, self.ws, d["id"])
        keys = {k["selector"]: k for k in out["dkim"]}
        self.assertEqual(keys["mj2"]["status"], "active")
        self.assertEqual(keys["mj1"]["status"], "retiring")
        self.assertIsNotNone(keys["mj1"]["retire_after"])
        for sel in ("mj1", "mj2"):
            self.wait_dns(f"{sel}._domainkey.rotate-keys.com", "TXT", lambda r: len(r.answer) > 0)
        out = self.rotate(self.owner, self.ws, d["id"])
        self.assertEqual({k["selector"]: k["status"] for k in out["dkim"]},
                         {"mj1": "retiring", "mj2": "retiring", "mj3": "active"})
        # Verification checks the active selector.
        self.wait_dns("mj3._domainkey.rotate-keys.com", "TXT", lambda r: len(r.answer) > 0)
        by = {c["record"]: c for c in self.verify(d["id"])["verification"]["checks"]}
        self.assertEqual(by["dkim"]["selector"], "mj3")
        self.assertEqual(by["dkim"]["status"], "ok")
        other = self.server.client()
        other.signup()
        self.assertEqual(other.post(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dkim/rotate").status, 404)

    def test_dkim_retired_key_leaves_dns_after_grace(self):
        env = {"MAILJUKE_DNS_DKIM_GRACE_DAYS": "0",
               "MAILJUKE_DELIVERY_RESOLVER": f"127.0.0.1:{free_port()}"}  # nothing listens
        with mj.Server(env=env) as server:
            host, port = server.listeners["dns"].rsplit(":", 1)
            owner = server.client()
            owner.signup()
            ws = owner.create_workspace("Grace")
            d = owner.post(f"/api/v1/workspaces/{ws}/domains", {"name": "grace-zero.com", "source": "purchase"}).json
            self.rotate(owner, ws, d["id"])

            def answers(name):
                q = dns.message.make_query(name, "TXT")
                return len(dns.query.udp(q, host, port=int(port), timeout=3).answer)

            start = time.time()
            while not answers("mj2._domainkey.grace-zero.com") and time.time() - start < 5:
                time.sleep(0.05)
            while answers("mj1._domainkey.grace-zero.com") and time.time() - start < 8:
                time.sleep(0.1)
            self.assertEqual(answers("mj1._domainkey.grace-zero.com"), 0)
            self.assertEqual(answers("mj2._domainkey.grace-zero.com"), 1)
            keys = owner.get(f"/api/v1/workspaces/{ws}/domains/{d['id']}").json["dkim"]
            self.assertEqual([k["selector"] for k in keys], ["mj2"])
            # An unreachable resolver fails the checks quickly, with the reason; never a 5xx.
            start = time.time()
            r = owner.post(f"/api/v1/workspaces/{ws}/domains/{d['id']}/verify")
            self.assertLess(time.time() - start, 5)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["status"], "failed")
            by = {c["record"]: c for c in r.json["verification"]["checks"]}
            self.assertEqual(by["ownership"]["status"], "ok")  # purchased here
            self.assertEqual(by["mx"]["status"], "missing")
            self.assertIn("resolver", by["mx"]["error"])

    # 4. Forwarding
    def raw_get(self, host, target):
        with socket.create_connection((self.server.host, self.server.port), timeout=5) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode()
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        return status, headers

    def wait_status(self, host, target, status, deadline=5.0):
        start = time.time()
        while True:
            got = self.raw_get(host, target)
            if got[0] == status:
                return got
            if time.time() - start > deadline:
                self.fail(f"{host}{target}: still {got}")
            time.sleep(0.1)

    def test_forwarding_redirects_by_host(self):
        d = self.add("fwd-site.com", forward_url="https://example.org/landing/")
        status, h = self.wait_status("fwd-site.com", "/a/b?x=1&y=2", 301)
        self.assertEqual(h["location"], "https://example.org/landing/a/b?x=1&y=2")
        status, h = self.raw_get("WWW.Fwd-Site.com:8080", "/")
        self.assertEqual((status, h["location"]), (301, "https://example.org/landing/"))
        status, h = self.raw_get("fwd-site.com.", "/p")
        self.assertEqual((status, h["location"]), (301, "https://example.org/landing/p"))
        # Other hosts reach the API as before.
        self.assertNotEqual(self.raw_get("other-site.com", "/api/v1/domains/availability?name=a.com")[0], 301)
        self.assertNotEqual(self.raw_get("mail.fwd-site.com", "/")[0], 301)
        # Changing and removing forwarding takes effect without a restart.
        url = f"/api/v1/workspaces/{self.ws}/domains/{d['id']}"
        self.assertEqual(self.owner.patch(url, {"forward_url": "http://new.example/"}).status, 200)
        start = time.time()
        while self.raw_get("fwd-site.com", "/z")[1].get("location") != "http://new.example/z":
            self.assertLess(time.time() - start, 5)
            time.sleep(0.1)
        self.assertEqual(self.owner.patch(url, {"forward_url": None}).status, 200)
        self.assertNotEqual(self.wait_status("fwd-site.com", "/api/v1/domains/availability?name=a.com", 200)[0], 301)

    # 5. Zone export
    def check_zone_text(self, text, origin):
        zone = dns.zone.from_text(text, origin=origin, relativize=False)
        self.assertEqual(zone.origin.to_text(), origin + ".")
        self.assertIsNotNone(zone.get_rdataset(origin + ".", "SOA"))
        self.assertIsNotNone(zone.get_rdataset(origin + ".", "MX"))
        self.assertIsNotNone(zone.get_rdataset("mj1._domainkey." + origin + ".", "TXT"))
        self.assertIsNotNone(zone.get_rdataset("shop." + origin + ".", "A"))
        checker = shutil.which("nsd-checkzone")
        if checker:
            with tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False) as f:
                f.write(text)
            try:
                p = subprocess.run([checker, origin, f.name], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            finally:
                os.unlink(f.name)
        return zone

    def test_zone_export_api_and_cli(self):
        d = self.add("export-zone.com")
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dns-records",
                            {"name": "shop", "type": "A", "value": "192.0.2.7"})
        self.assertEqual(r.status, 201, r)
        r = self.owner.get(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/zone")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["content-type"].startswith("text/dns"))
        self.check_zone_text(r.body, "export-zone.com")
        other = self.server.client()
        other.signup()
        self.assertEqual(other.get(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/zone").status, 404)
        p = subprocess.run([mj.BIN, "zone", "export", "Export-Zone.com"], env=self.server.env,
                           cwd=self.server.dir, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check_zone_text(p.stdout, "export-zone.com")
        p = subprocess.run([mj.BIN, "zone", "export", "no-such-zone.com"], env=self.server.env,
                           cwd=self.server.dir, capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not found", p.stderr)


if __name__ == "__main__":
    unittest.main()

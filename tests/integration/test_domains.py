"""Domains API and the authoritative DNS served by the same binary (dnspython as the client)."""
import time
import unittest

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

import mj


class DomainsTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client()
        cls.owner.signup()
        cls.ws = cls.owner.create_workspace("Domains Co")
        host, port = cls.server.listeners["dns"].rsplit(":", 1)
        cls.dns = (host, int(port))

    def query(self, name, rdtype, tcp=False):
        q = dns.message.make_query(name, rdtype)
        send = dns.query.tcp if tcp else dns.query.udp
        return send(q, self.dns[0], port=self.dns[1], timeout=3)

    def wait_for(self, name, rdtype, predicate, deadline=2.0, tcp=False):
        """Polls DNS until predicate(response) holds; returns the elapsed seconds."""
        start = time.time()
        while True:
            r = self.query(name, rdtype, tcp=tcp)
            if predicate(r):
                return time.time() - start
            if time.time() - start > deadline:
                self.fail(f"DNS for {name} {rdtype} did not change in {deadline}s: {r}")
            time.sleep(0.05)

    def add(self, name, source="purchase", **kw):
        return self.owner.post(f"/api/v1/workspaces/{self.ws}/domains", dict(name=name, source=source, **kw))

    def test_availability_and_prices(self):
        c = self.server.client()
        r = c.get("/api/v1/domains/availability?name=acme-widgets.com")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json["available"])
        self.assertEqual(r.json["yearly_price"], {"amount": 1200, "currency": "usd"})
        self.assertEqual(c.get("/api/v1/domains/availability?name=acme.io").json["yearly_price"]["amount"], 3900)
        r = c.get("/api/v1/domains/availability?name=mytakenname.com")
        self.assertFalse(r.json["available"])
        r = c.get("/api/v1/domains/availability?name=co.uk")
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["errors"][0]["field"], "name")

    def test_validation_and_uniqueness(self):
        for bad in ("com", "192.0.2.1", "-x.com", "a" * 64 + ".com", "sub.example.com"):
            r = self.add(bad)
            self.assertEqual(r.status, 422, bad)
            self.assertEqual(r.json["errors"][0]["field"], "name")
        self.assertEqual(self.add("ok-domain.com", source="gift").json["errors"][0]["field"], "source")
        self.assertEqual(self.add("ok-domain.com", dmarc_policy="maybe").json["errors"][0]["field"], "dmarc_policy")
        self.assertEqual(self.add("ok-domain.com", forward_url="ftp://x").json["errors"][0]["field"], "forward_url")
        self.assertEqual(self.add("taken-name.com").status, 409)
        r = self.add("bücher-shop.com")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["name"], "xn--bcher-shop-9db.com")
        self.assertEqual(r.json["unicode_name"], "bücher-shop.com")
        self.assertEqual(self.add("BÜCHER-shop.com").status, 409)
        other = self.server.client()
        other.signup()
        ows = other.create_workspace("Other")
        r = other.post(f"/api/v1/workspaces/{ows}/domains", {"name": "bücher-shop.com", "source": "external"})
        self.assertEqual(r.status, 409)

    def test_purchase_generates_zone_served_by_dns(self):
        r = self.add("sendwell.com")
        self.assertEqual(r.status, 201, r)
        d = r.json
        self.assertEqual(d["status"], "active")
        self.assertEqual(d["price"], {"amount": 1200, "currency": "usd"})
        self.assertTrue(d["expires_at"])
        self.assertEqual(d["dkim"][0]["selector"], "mj1")
        recs = self.owner.get(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dns-records").json["data"]
        types = {(x["name"], x["type"]) for x in recs}
        for expected in [("@", "SOA"), ("@", "NS"), ("@", "MX"), ("@", "TXT"), ("mj1._domainkey", "TXT"),
                         ("_dmarc", "TXT"), ("track", "CNAME")]:
            self.assertIn(expected, types)
        self.assertTrue(all(x["managed"] for x in recs))
        self.wait_for("sendwell.com", "MX", lambda r: len(r.answer) == 1)
        mx = self.query("sendwell.com", "MX")
        self.assertTrue(mx.flags & dns.flags.AA)
        self.assertEqual(str(mx.answer[0][0].exchange), "mail.mailjuke.test.")
        spf = self.query("sendwell.com", "TXT").answer[0][0]
        self.assertEqual(b"".join(spf.strings), b"v=spf1 a:mail.mailjuke.test ~all")
        dkim = self.query("mj1._domainkey.sendwell.com", "TXT", tcp=True).answer[0][0]
        self.assertGreater(len(dkim.strings), 1)  # a 2048-bit key is split into 255-octet strings
        self.assertTrue(b"".join(dkim.strings).startswith(b"v=DKIM1; k=rsa; p=MIIBIjAN"))
        dmarc = self.query("_dmarc.sendwell.com", "TXT").answer[0][0]
        self.assertTrue(b"".join(dmarc.strings).startswith(b"v=DMARC1; p=none"))
        cname = self.query("track.sendwell.com", "CNAME").answer[0][0]
        self.assertEqual(str(cname.target), "track.mailjuke.test.")
        nx = self.query("nope.sendwell.com", "A")
        self.assertEqual(nx.rcode(), dns.rcode.NXDOMAIN)
        self.assertEqual(nx.authority[0].rdtype, dns.rdatatype.SOA)
        self.assertEqual(self.query("elsewhere.org", "A").rcode(), dns.rcode.REFUSED)

    def test_custom_records_validation_and_visibility_within_1s(self):
        d = self.add("customrecs.com").json
        base = f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dns-records"
        r = self.owner.post(base, {"name": "app", "type": "A", "ttl": 300, "value": "192.0.2.10"})
        self.assertEqual(r.status, 201, r)
        rec = r.json["id"]
        elapsed = self.wait_for("app.customrecs.com", "A", lambda r: len(r.answer) == 1, deadline=1.0)
        self.assertLess(elapsed, 1.0)
        serial1 = self.query("customrecs.com", "SOA").answer[0][0].serial
        r = self.owner.patch(f"{base}/{rec}", {"value": "192.0.2.11"})
        self.assertEqual(r.status, 200, r)
        self.wait_for("app.customrecs.com", "A", lambda r: r.answer and str(r.answer[0][0]) == "192.0.2.11")
        self.assertGreater(self.query("customrecs.com", "SOA").answer[0][0].serial, serial1)
        long_txt = "x" * 600
        self.assertEqual(self.owner.post(base, {"name": "long", "type": "TXT", "value": long_txt}).status, 201)
        self.wait_for("long.customrecs.com", "TXT", lambda r: r.flags & dns.flags.TC)
        self.wait_for("long.customrecs.com", "TXT", lambda r: len(r.answer) == 1, tcp=True)
        self.assertEqual(len(self.query("long.customrecs.com", "TXT", tcp=True).answer[0][0].strings), 3)
        bad = [
            ({"name": "@", "type": "CNAME", "value": "x.example.com."}, "name"),
            ({"name": "track", "type": "A", "value": "192.0.2.1"}, "name"),
            ({"name": "www", "type": "A", "value": "999.1.1.1"}, "value"),
            ({"name": "www", "type": "A", "ttl": 10, "value": "192.0.2.1"}, "ttl"),
            ({"name": "www", "type": "A", "ttl": 90000, "value": "192.0.2.1"}, "ttl"),
            ({"name": "www.other.com.", "type": "A", "value": "192.0.2.1"}, "name"),
            ({"name": "www", "type": "PTR", "value": "x."}, "type"),
            ({"name": "www", "type": "AAAA", "value": "not-ipv6"}, "value"),
            ({"name": "www", "type": "MX", "value": "ten mail.example.com."}, "value"),
            ({"type": "A", "value": "192.0.2.1"}, "name"),
        ]
        for body, field in bad:
            r = self.owner.post(base, body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(r.json["errors"][0]["field"], field, (body, r))
        # Managed records are read-only.
        self.assertEqual(self.owner.patch(f"{base}/managed:mx", {"value": "20 x.example.com."}).status, 409)
        self.assertEqual(self.owner.delete(f"{base}/managed:mx").status, 409)
        self.assertEqual(self.owner.delete(f"{base}/{rec}").status, 204)
        self.wait_for("app.customrecs.com", "A", lambda r: r.rcode() == dns.rcode.NXDOMAIN)

    def test_sub_delegation_referral(self):
        d = self.add("delegates.com").json
        base = f"/api/v1/workspaces/{self.ws}/domains/{d['id']}/dns-records"
        self.assertEqual(self.owner.post(base, {"name": "lab", "type": "NS", "value": "ns.lab.delegates.com."}).status, 201)
        self.assertEqual(self.owner.post(base, {"name": "ns.lab", "type": "A", "value": "192.0.2.53"}).status, 201)
        # Both records must be visible: the referral may show up before its glue is synced.
        self.wait_for(
            "host.lab.delegates.com",
            "A",
            lambda r: len(r.authority) > 0
            and r.authority[0].rdtype == dns.rdatatype.NS
            and any(rr.rdtype == dns.rdatatype.A for rr in r.additional),
        )
        r = self.query("host.lab.delegates.com", "A")
        self.assertFalse(r.flags & dns.flags.AA)
        self.assertEqual(r.authority[0].rdtype, dns.rdatatype.NS)
        self.assertTrue(any(rr.rdtype == dns.rdatatype.A for rr in r.additional))

    def test_dmarc_forwarding_and_delete(self):
        d = self.add("forwardme.com").json
        path = f"/api/v1/workspaces/{self.ws}/domains/{d['id']}"
        r = self.owner.patch(path, {"dmarc_policy": "reject", "forward_url": "https://example.org/landing"})
        self.assertEqual(r.status, 200, r)
        self.wait_for("_dmarc.forwardme.com", "TXT", lambda r: r.answer and b"p=reject" in b"".join(r.answer[0][0].strings))
        self.wait_for("www.forwardme.com", "A", lambda r: len(r.answer) == 1)
        self.assertEqual(self.owner.patch(path, {"dmarc_policy": "sometimes"}).status, 422)
        self.assertEqual(self.owner.delete(path).status, 204)
        self.wait_for("forwardme.com", "SOA", lambda r: r.rcode() == dns.rcode.REFUSED)
        self.assertEqual(self.owner.get(path).status, 404)

    def test_external_domain_shows_ownership_instructions(self):
        r = self.add("owned-elsewhere.com", source="external")
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json["status"], "pending")
        self.assertEqual(r.json["ownership"]["txt_name"], "_mailjuke-challenge.owned-elsewhere.com")
        self.assertTrue(r.json["ownership"]["txt_value"].startswith("mailjuke-verify="))
        self.assertIsNone(r.json["price"])

    def test_roles_and_foreign_workspace(self):
        viewer_key = self.owner.post(f"/api/v1/workspaces/{self.ws}/api-keys", {"name": "v", "role": "viewer"}).json["key"]
        v = self.server.client(api_key=viewer_key)
        self.assertEqual(v.get(f"/api/v1/workspaces/{self.ws}/domains").status, 200)
        self.assertEqual(v.post(f"/api/v1/workspaces/{self.ws}/domains", {"name": "viewer-buys.com", "source": "purchase"}).status, 403)
        stranger = self.server.client()
        stranger.signup()
        sws = stranger.create_workspace("S")
        d = self.add("private-zone.com").json
        self.assertEqual(stranger.get(f"/api/v1/workspaces/{sws}/domains/{d['id']}").status, 404)
        self.assertEqual(stranger.get(f"/api/v1/workspaces/{self.ws}/domains/{d['id']}").status, 404)


if __name__ == "__main__":
    unittest.main()

"""Billing, issue 6 continued: domain purchases paid from the wallet (single and bulk, 402 naming
the price, the balance and the top-up path, nothing created), the card-country and
disposable-e-mail fraud rules, credit notes (numbering, limits, wallet credit, HTML and PDF) and
the wallet's auto top-up."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

import mj


class BillingMoreTest(mj.ServerTestCase):
    server_env = {"MAILJUKE_BILLING_TRIAL_CREDIT": "0",
                  "MAILJUKE_BILLING_DISPOSABLE_EMAIL_DOMAINS": "burner.example,throwaway.example"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client()
        cls.owner.signup()

    def workspace(self):
        ws = self.owner.create_workspace("More " + uuid.uuid4().hex[:6])
        return ws, f"/api/v1/workspaces/{ws}"

    def top_up(self, base, amount, pm="tok_visa", key=None):
        return self.owner.post(base + "/wallet/top-ups", {"amount": amount, "payment_method": pm},
                               headers={"Idempotency-Key": key or uuid.uuid4().hex})

    def balance(self, base):
        r = self.owner.get(base + "/wallet")
        self.assertEqual(r.status, 200, r)
        return r.json["balance"]["amount"]

    def name(self, tld="com"):
        return f"shop-{uuid.uuid4().hex[:10]}.{tld}"

    def raw_get(self, path):
        import http.client
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in self.owner.cookies.items())
        conn.request("GET", path, headers={"Cookie": cookie})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        return data

    def pdf_text(self, path):
        self.assertTrue(shutil.which("pdftotext"), "pdftotext (poppler-utils) is required")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(self.raw_get(path))
            f.flush()
            return subprocess.run(["pdftotext", f.name, "-"], capture_output=True, check=True,
                                  timeout=30).stdout.decode()

    def test_domain_purchase_is_paid_from_the_wallet_or_refused(self):
        ws, base = self.workspace()
        name = self.name()
        r = self.owner.post(base + "/domains", {"name": name, "source": "purchase"})
        self.assertEqual(r.status, 402, r)
        self.assertIn("1200", r.json["detail"])
        self.assertIn("holds 0", r.json["detail"])
        self.assertIn(f"/api/v1/workspaces/{ws}/wallet/top-ups", r.json["detail"])
        self.assertEqual(r.json["errors"][0]["field"], "wallet")
        self.assertEqual(self.owner.get(base + "/domains").json["data"], [])
        self.assertEqual(self.owner.get(base + "/invoices").json["data"], [])
        # Connecting a domain one already owns costs nothing.
        r = self.owner.post(base + "/domains", {"name": self.name(), "source": "external"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.top_up(base, 2000).status, 201)
        r = self.owner.post(base + "/domains", {"name": name, "source": "purchase"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["invoice"]["paid_with"], "wallet")
        self.assertEqual(self.balance(base), 800)
        inv = self.owner.get(f"{base}/invoices/{r.json['invoice']['id']}").json
        self.assertEqual(inv["status"], "paid")
        self.assertEqual(inv["reason"], "domain_purchase")
        self.assertEqual(inv["total"], {"amount": 1200, "currency": "usd"})
        self.assertIn(name, inv["lines"][0]["description"])
        self.assertEqual(inv["number"], r.json["invoice"]["number"])
        entries = self.owner.get(base + "/wallet").json["data"]
        self.assertEqual(entries[0]["kind"], "charge")
        self.assertIn(name, entries[0]["memo"])
        self.assertEqual(entries[0]["amount"]["amount"], 1200)
        # A second .com does not fit in 800: refused, nothing changes.
        r = self.owner.post(base + "/domains", {"name": self.name(), "source": "purchase"})
        self.assertEqual(r.status, 402, r)
        self.assertIn("holds 800", r.json["detail"])
        self.assertEqual(self.balance(base), 800)
        self.assertEqual(len(self.owner.get(base + "/domains").json["data"]), 2)

    def test_bulk_purchase_fails_the_rows_beyond_the_balance(self):
        ws, base = self.workspace()
        self.assertEqual(self.top_up(base, 2500).status, 201)
        names = [self.name() for _ in range(3)]
        r = self.owner.post(base + "/domains/bulk", {"names": names, "source": "purchase"})
        self.assertEqual(r.status, 202, r)
        deadline = time.time() + 60
        while True:
            job = self.owner.get(r.json["results_url"]).json
            if job["status"] in ("succeeded", "failed") or time.time() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(job["status"], "succeeded", job)
        results = job["results"]
        ok = [x for x in results if x["ok"]]
        bad = [x for x in results if not x["ok"]]
        self.assertEqual(len(ok), 2, results)
        self.assertEqual(len(bad), 1, results)
        self.assertEqual(bad[0]["error"]["field"], "wallet")
        self.assertIn("top up", bad[0]["error"]["message"])
        self.assertEqual(self.balance(base), 100)

    def test_fraud_rules_card_country_and_disposable_email(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/billing-details",
                           {"legal_name": "Acme GmbH", "address": "Berlin", "country": "DE"})
        self.assertEqual(r.status, 200, r)
        held = self.top_up(base, 1000, "tok_us")
        self.assertEqual(held.status, 202, held)
        self.assertEqual(held.json["status"], "held")
        self.assertEqual(held.json["fraud_review"]["rules"], ["card_country_mismatch"])
        self.assertEqual(self.top_up(base, 1000, "tok_visa").json["fraud_review"]["rules"],
                         ["card_country_mismatch"])  # tok_visa is a US card
        ok = self.top_up(base, 1000, "tok_de")
        self.assertEqual(ok.status, 201, ok)
        for email in ("billing@mailinator.com", "billing@mail.burner.example"):
            r = self.owner.put(base + "/billing-details",
                               {"legal_name": "Acme GmbH", "address": "Berlin", "country": "DE",
                                "email": email})
            self.assertEqual(r.status, 200, r)
            held = self.top_up(base, 1000, "tok_de")
            self.assertEqual(held.status, 202, held)
            self.assertEqual(held.json["fraud_review"]["rules"], ["disposable_email"], email)
        self.assertEqual(self.balance(base), 1000)
        # Operators see the rules in the queue.
        op = mj.operator_client(self.server)
        reviews = op.get("/api/v1/admin/fraud-reviews?status=open&limit=200").json["data"]
        mine = [x for x in reviews if x["workspace_id"] == ws]
        self.assertEqual(sorted(x["rules"][0] for x in mine),
                         ["card_country_mismatch", "card_country_mismatch", "disposable_email",
                          "disposable_email"])

    def test_credit_notes_numbering_limits_wallet_and_documents(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/subscription", {"plan": "starter", "payment_method": "tok_visa"})
        self.assertEqual(r.status, 200, r)
        inv = r.json["invoice"]
        url = f"{base}/invoices/{inv['id']}/credit-notes"
        self.assertEqual(self.owner.post(url, {"amount": 100, "reason": "x"}).status, 422)
        key = uuid.uuid4().hex
        first = self.owner.post(url, {"amount": 1000, "reason": "goodwill"},
                                headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        year = time.gmtime().tm_year
        number = first.json["number"]
        self.assertRegex(number, rf"^MJCN-{year}-\d{{6}}$")
        self.assertEqual(first.json["settlement"], "wallet")
        self.assertEqual(first.json["invoice_number"], inv["number"])
        self.assertEqual(first.json["total"], {"amount": 1000, "currency": "usd"})
        again = self.owner.post(url, {"amount": 1000, "reason": "goodwill"},
                                headers={"Idempotency-Key": key})
        self.assertEqual(again.status, 201)
        self.assertEqual(again.json["id"], first.json["id"])
        self.assertEqual(self.balance(base), 1000)  # credited once
        over = self.owner.post(url, {"amount": 2901, "reason": "too much"},
                               headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(over.status, 422, over)
        self.assertEqual(over.json["errors"][0]["field"], "amount")
        self.assertIn("2900", over.json["errors"][0]["message"])
        for bad in ({"reason": ""}, {"amount": 5, "lines": [], "reason": "r"},
                    {"lines": [{"description": "a"}], "reason": "r"},
                    {"lines": [{"description": "a", "amount": -5}], "reason": "r"},
                    {"amount": 5, "reason": "r", "extra": 1}):
            r = self.owner.post(url, bad, headers={"Idempotency-Key": uuid.uuid4().hex})
            self.assertEqual(r.status, 422, (bad, r))
        rest = self.owner.post(url, {"lines": [{"description": "Outage credit", "amount": 2900}],
                                     "reason": "outage"},
                               headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(rest.status, 201, rest)
        n1, n2 = int(number[-6:]), int(rest.json["number"][-6:])
        self.assertEqual(n2, n1 + 1)  # gapless: the refused attempts used no number
        self.assertEqual(self.balance(base), 3900)
        done = self.owner.post(url, {"reason": "again"}, headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(done.status, 409, done)
        full = self.owner.get(f"{base}/invoices/{inv['id']}").json
        self.assertEqual(full["amount_credited"]["amount"], 3900)
        self.assertEqual([c["number"] for c in full["credit_notes"]], [number, rest.json["number"]])
        listed = self.owner.get(base + "/credit-notes").json["data"]
        self.assertEqual([c["number"] for c in listed], [rest.json["number"], number])
        self.assertEqual(len(self.owner.get(url).json["data"]), 2)
        one = self.owner.get(f"{base}/credit-notes/{first.json['id']}").json
        self.assertEqual(one["lines"][0]["amount"]["amount"], 1000)
        html = self.owner.request("GET", f"{base}/credit-notes/{first.json['id']}.html")
        self.assertEqual(html.status, 200)
        self.assertIn("Credit note " + number, html.body)
        self.assertIn(inv["number"], html.body)
        text = self.pdf_text(f"{base}/credit-notes/{first.json['id']}.pdf")
        self.assertIn("Credit note " + number, text)
        self.assertIn("Credits invoice " + inv["number"], text)
        self.assertIn("$10.00", text)
        # Roles and tenants.
        viewer = self.owner.post(base + "/api-keys", {"name": "v", "role": "viewer"}).json["key"]
        v = self.server.client(api_key=viewer)
        self.assertEqual(v.get(base + "/credit-notes").status, 200)
        self.assertEqual(v.post(url, {"amount": 1, "reason": "r"},
                                headers={"Idempotency-Key": uuid.uuid4().hex}).status, 403)
        _, other = self.workspace()
        self.assertEqual(self.owner.get(f"{other}/credit-notes/{first.json['id']}").status, 404)
        self.assertEqual(self.owner.post(f"{other}/invoices/{inv['id']}/credit-notes",
                                         {"amount": 1, "reason": "r"},
                                         headers={"Idempotency-Key": uuid.uuid4().hex}).status, 404)

    def test_auto_top_up_after_a_charge_below_the_threshold(self):
        ws, base = self.workspace()
        url = base + "/wallet/auto-top-up"
        self.assertEqual(self.owner.get(base + "/wallet").json["auto_top_up"]["enabled"], False)
        for bad in ({"enabled": True, "threshold": 1000, "amount": 10, "payment_method": "tok_visa"},
                    {"enabled": True, "threshold": -1, "amount": 2000, "payment_method": "tok_visa"},
                    {"enabled": True, "threshold": 1000, "amount": 2000},
                    {"enabled": "yes", "threshold": 1000, "amount": 2000, "payment_method": "tok_visa"}):
            self.assertEqual(self.owner.put(url, bad).status, 422, bad)
        viewer = self.owner.post(base + "/api-keys", {"name": "v", "role": "viewer"}).json["key"]
        self.assertEqual(self.server.client(api_key=viewer).put(
            url, {"enabled": True, "threshold": 1000, "amount": 2000,
                  "payment_method": "tok_visa"}).status, 403)
        self.assertEqual(self.top_up(base, 1500).status, 201)
        r = self.owner.put(url, {"enabled": True, "threshold": 1000, "amount": 2000,
                                 "payment_method": "tok_visa"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["threshold"], {"amount": 1000, "currency": "usd"})
        r = self.owner.post(base + "/domains", {"name": self.name(), "source": "purchase"})
        self.assertEqual(r.status, 201, r)  # 1500 - 1200 = 300 < 1000
        deadline = time.time() + 15
        while time.time() < deadline and self.balance(base) != 2300:
            time.sleep(0.2)
        self.assertEqual(self.balance(base), 2300)
        time.sleep(1.5)
        self.assertEqual(self.balance(base), 2300)  # once per trigger
        w = self.owner.get(base + "/wallet").json
        self.assertEqual(w["auto_top_up"]["enabled"], True)
        self.assertEqual(w["auto_top_up"]["consecutive_failures"], 0)
        self.assertTrue(w["auto_top_up"]["last_payment_id"].startswith("pay_"))
        self.assertEqual(w["data"][0]["kind"], "top_up")


if __name__ == "__main__":
    unittest.main()

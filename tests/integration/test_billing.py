"""Billing API against the real binary: plan catalog, subscriptions with proration preview,
invoices (JSON, HTML, PDF checked with pdftotext), billing details with reverse charge, wallet
top-ups with Idempotency-Key, fraud review, roles, quotas, and the Stripe webhook signature."""
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import mj

WEBHOOK_SECRET = "whsec_test_" + uuid.uuid4().hex


def stripe_header(body, secret=WEBHOOK_SECRET, t=None, extra=()):
    t = int(time.time()) if t is None else t
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return ",".join([f"t={t}"] + [f"v1={v}" for v in extra] + [f"v1={sig}"])


class BillingTest(mj.ServerTestCase):
    server_env = {"MAILJUKE_BILLING_TRIAL_MAILBOXES": "2",
                  "MAILJUKE_BILLING_TRIAL_CREDIT": "0",
                  "MAILJUKE_BILLING_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                  "MAILJUKE_BILLING_SELLER_NAME": "MailJuke GmbH",
                  "MAILJUKE_BILLING_SELLER_COUNTRY": "DE"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client()
        cls.owner.signup()

    def workspace(self):
        ws = self.owner.create_workspace("Billing " + uuid.uuid4().hex[:6])
        return ws, f"/api/v1/workspaces/{ws}"

    def top_up(self, base, amount, pm="tok_visa", key=None, client=None):
        return (client or self.owner).post(base + "/wallet/top-ups",
                                           {"amount": amount, "payment_method": pm},
                                           headers={"Idempotency-Key": key or uuid.uuid4().hex})

    def test_plans_are_public(self):
        r = self.server.client().get("/api/v1/plans")
        self.assertEqual(r.status, 200, r)
        plans = {p["id"]: p for p in r.json["data"]}
        self.assertEqual(plans["starter"]["mailboxes"], 10)
        self.assertEqual(plans["starter"]["prices"]["month"], {"amount": 3900, "currency": "usd"})
        self.assertEqual(plans["growth"]["prices"]["year"]["amount"], 99000)
        self.assertEqual(plans["pro"]["mailboxes"], 100)
        self.assertGreater(plans["pro"]["storage_bytes_per_mailbox"], 0)
        self.assertIn("com", [d["tld"] for d in r.json["domain_prices"]])
        self.assertEqual(r.json["trial"]["mailboxes"], 2)

    def test_subscribe_preview_upgrade_invoices_and_pdf(self):
        ws, base = self.workspace()
        r = self.owner.get(base + "/subscription")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "none")
        r = self.owner.put(base + "/subscription?preview=true", {"plan": "starter"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["total"], {"amount": 3900, "currency": "usd"})
        self.assertEqual(self.owner.get(base + "/subscription").json["status"], "none")
        # No money and no card: 402.
        r = self.owner.put(base + "/subscription", {"plan": "starter"})
        self.assertEqual(r.status, 402, r)
        r = self.owner.put(base + "/subscription", {"plan": "starter", "payment_method": "tok_visa"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "active")
        self.assertEqual(r.json["invoice"]["status"], "paid")
        number = r.json["invoice"]["number"]
        self.assertRegex(number, r"^MJ-\d{4}-\d{6}$")
        # Upgrade preview: a proration credit and charge, summing to the total.
        r = self.owner.put(base + "/subscription?preview=true", {"plan": "growth"})
        self.assertEqual(r.status, 200, r)
        lines = r.json["lines"]
        self.assertTrue(all(l["proration"] for l in lines))
        self.assertEqual(sum(l["amount"]["amount"] for l in lines), r.json["total"]["amount"])
        self.assertLess(lines[0]["amount"]["amount"], 0)
        r = self.owner.put(base + "/subscription", {"plan": "growth"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["plan_id"], "growth")
        self.assertEqual(r.json["limits"]["mailboxes"], 30)
        # Invoices: list, one, HTML, PDF.
        r = self.owner.get(base + "/invoices")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["data"]), 2)
        self.assertIsNone(r.json["next_cursor"])
        inv = [i for i in r.json["data"] if i["number"] == number][0]
        one = self.owner.get(f"{base}/invoices/{inv['id']}")
        self.assertEqual(one.status, 200, one)
        self.assertEqual(one.json["lines"][0]["amount"]["amount"], 3900)
        html = self.owner.get(f"{base}/invoices/{inv['id']}.html")
        self.assertEqual(html.status, 200)
        self.assertIn("text/html", html.headers["content-type"])
        self.assertIn(number, html.body)
        pdf = self.owner.request("GET", f"{base}/invoices/{inv['id']}.pdf")
        self.assertEqual(pdf.status, 200)
        self.assertEqual(pdf.headers["content-type"], "application/pdf")
        self.assertTrue(shutil.which("pdftotext"), "pdftotext (poppler-utils) is required")
        raw = self.raw_get(f"{base}/invoices/{inv['id']}.pdf")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(raw)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, check=True,
                                  timeout=30).stdout.decode()
        self.assertIn(number, text)
        self.assertIn("$39.00", text)
        self.assertIn("Total", text)
        self.assertIn("MailJuke GmbH", text)
        # Another workspace's invoice is not found.
        _, other = self.workspace()
        self.assertEqual(self.owner.get(f"{other}/invoices/{inv['id']}").status, 404)
        # Cancel at period end, then resume.
        r = self.owner.delete(base + "/subscription")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["cancel_at_period_end"])
        r = self.owner.put(base + "/subscription", {"plan": "growth"})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["cancel_at_period_end"])
        self.assertEqual(len(self.owner.get(base + "/invoices").json["data"]), 2)

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

    def test_billing_details_and_reverse_charge(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/billing-details",
                           {"legal_name": "Acme SAS", "address": "1 rue de Rivoli, Paris",
                            "country": "fr", "vat_id": "FR 12 345678901"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["country"], "FR")
        self.assertEqual(r.json["vat_id"], "FR12345678901")
        self.assertTrue(r.json["reverse_charge"])
        bad = self.owner.put(base + "/billing-details",
                             {"legal_name": "A", "address": "B", "country": "FR", "vat_id": "nope"})
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(bad.json["errors"][0]["field"], "vat_id")
        r = self.owner.put(base + "/subscription", {"plan": "starter", "payment_method": "tok_visa"})
        self.assertEqual(r.status, 200, r)
        inv = r.json["invoice"]
        self.assertTrue(inv["reverse_charge"])
        self.assertIn("Reverse charge", inv["reverse_charge_note"])
        self.assertEqual(inv["buyer"]["name"], "Acme SAS")
        self.assertEqual(inv["seller"]["name"], "MailJuke GmbH")

    def test_wallet_top_ups_idempotency_and_statement(self):
        ws, base = self.workspace()
        r = self.owner.post(base + "/wallet/top-ups", {"amount": 1000, "payment_method": "tok_visa"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "Idempotency-Key")
        key = uuid.uuid4().hex
        first = self.top_up(base, 2500, key=key)
        self.assertEqual(first.status, 201, first)
        self.assertEqual(first.json["wallet_balance"], {"amount": 2500, "currency": "usd"})
        again = self.top_up(base, 2500, key=key)
        self.assertEqual(again.status, 201)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(again.json["id"], first.json["id"])
        other = self.top_up(base, 2600, key=key)
        self.assertEqual(other.status, 422, other)
        declined = self.top_up(base, 1000, "tok_chargeDeclined")
        self.assertEqual(declined.status, 402, declined)
        three = self.top_up(base, 1000, "tok_3ds_required")
        self.assertEqual(three.status, 202, three)
        self.assertEqual(three.json["next_action"]["type"], "confirm")
        r = self.owner.post(three.json["next_action"]["confirm_url"], {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "succeeded")
        w = self.owner.get(base + "/wallet?limit=1")
        self.assertEqual(w.status, 200, w)
        self.assertEqual(w.json["balance"]["amount"], 3500)
        self.assertEqual(len(w.json["data"]), 1)
        self.assertEqual(w.json["data"][0]["direction"], "credit")
        self.assertIsNotNone(w.json["next_cursor"])
        w2 = self.owner.get(base + "/wallet?limit=1&cursor=" + w.json["next_cursor"])
        self.assertEqual(w2.json["data"][0]["amount"]["amount"], 2500)
        # Fraud: held for review, approved by an operator.
        held = self.top_up(base, 1000, "tok_fraud")
        self.assertEqual(held.status, 202, held)
        self.assertEqual(held.json["status"], "held")
        op = mj.operator_client(self.server)
        q = op.get("/api/v1/admin/fraud-reviews?status=open")
        self.assertEqual(q.status, 200, q)
        review = [x for x in q.json["data"] if x["payment_id"] == held.json["id"]][0]
        self.assertEqual(self.owner.post(f"/api/v1/admin/fraud-reviews/{review['id']}/approve",
                                         {}).status, 403)
        r = op.post(f"/api/v1/admin/fraud-reviews/{review['id']}/approve", {"note": "ok"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["payment_status"], "succeeded")
        self.assertEqual(self.owner.get(base + "/wallet").json["balance"]["amount"], 4500)

    def test_roles(self):
        ws, base = self.workspace()
        keys = {}
        for role in ("billing", "viewer", "member"):
            r = self.owner.post(base + "/api-keys", {"name": role, "role": role})
            self.assertEqual(r.status, 201, r)
            keys[role] = self.server.client(api_key=r.json["key"])
        r = keys["billing"].put(base + "/subscription", {"plan": "starter", "payment_method": "tok_visa"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(keys["viewer"].get(base + "/subscription").status, 200)
        self.assertEqual(keys["viewer"].get(base + "/invoices").status, 200)
        self.assertEqual(keys["viewer"].delete(base + "/subscription").status, 403)
        self.assertEqual(keys["viewer"].put(base + "/billing-details",
                                            {"legal_name": "x", "address": "y", "country": "DE"}).status, 403)
        self.assertEqual(keys["member"].get(base + "/wallet").status, 403)
        self.assertEqual(self.top_up(base, 1000, client=keys["viewer"]).status, 403)
        # The saved card: billing saves (the subscription's card already is), viewer reads only.
        card = keys["viewer"].get(base + "/billing/payment-method")
        self.assertEqual(card.status, 200, card)
        self.assertTrue(card.json["customer"].startswith("cus_sbx_"))
        self.assertTrue(card.json["payment_method"].startswith("pm_sbx.tok_visa."))
        self.assertEqual(keys["viewer"].put(base + "/billing/payment-method",
                                            {"payment_method": "tok_de"}).status, 403)
        self.assertEqual(keys["member"].get(base + "/billing/payment-method").status, 403)
        r = keys["billing"].put(base + "/billing/payment-method", {"payment_method": "tok_de"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["country"], r.json["customer"]), ("DE", card.json["customer"]))
        sub = self.owner.get(base + "/subscription").json
        self.assertEqual(sub["payment_method"], r.json["payment_method"])  # renewals use it
        r = keys["billing"].put(base + "/billing/payment-method", {"payment_method": "tok_bogus"})
        self.assertEqual(r.status, 402, r)
        self.assertEqual(r.json["errors"][0]["field"], "payment_method")
        r = keys["billing"].put(base + "/billing/payment-method", {"payment_method": 5})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "payment_method")

    def test_mailbox_quota_names_the_limit(self):
        ws, base = self.workspace()
        name = f"quota-{uuid.uuid4().hex[:10]}.com"
        self.assertEqual(self.top_up(base, 1200).status, 201)  # the domain is paid from the wallet
        r = self.owner.post(base + "/domains", {"name": name, "source": "purchase"})
        self.assertEqual(r.status, 201, r)
        dom = r.json["id"]
        for i in range(2):
            r = self.owner.post(base + "/mailboxes", {"domain_id": dom, "local_part": f"u{i}"})
            self.assertEqual(r.status, 201, r)
        r = self.owner.post(base + "/mailboxes", {"domain_id": dom, "local_part": "u2"})
        self.assertEqual(r.status, 402, r)
        self.assertIn("upgrade to starter", r.json["detail"])
        self.assertEqual(r.json["errors"][0]["field"], "mailboxes")
        r = self.owner.put(base + "/subscription", {"plan": "starter", "payment_method": "tok_visa"})
        self.assertEqual(r.status, 200, r)
        r = self.owner.post(base + "/mailboxes", {"domain_id": dom, "local_part": "u2"})
        self.assertEqual(r.status, 201, r)

    def test_stripe_webhook_signature(self):
        anon = self.server.client()
        path = "/api/v1/billing/webhooks/stripe"
        body = json.dumps({"id": "evt_" + uuid.uuid4().hex, "type": "payment_intent.succeeded",
                           "data": {"object": {"id": "pi_unknown"}}}).encode()
        ok = anon.request("POST", path, raw=body, headers={"Stripe-Signature": stripe_header(body)})
        self.assertEqual(ok.status, 200, ok)
        self.assertFalse(ok.json["duplicate"])
        dup = anon.request("POST", path, raw=body, headers={"Stripe-Signature": stripe_header(body)})
        self.assertEqual(dup.status, 200, dup)
        self.assertTrue(dup.json["duplicate"])
        multi = anon.request("POST", path, raw=body,
                             headers={"Stripe-Signature": stripe_header(body, extra=["0" * 64])})
        self.assertEqual(multi.status, 200, multi)
        cases = [(body + b" ", stripe_header(body)),  # tampered body
                 (body.replace(b"pi_unknown", b"pi_other"), stripe_header(body)),
                 (body, stripe_header(body, secret="whsec_wrong")),
                 (body, stripe_header(body, t=int(time.time()) - 600)),  # stale
                 (body, "garbage")]
        for raw, header in cases:
            r = anon.request("POST", path, raw=raw, headers={"Stripe-Signature": header})
            self.assertEqual(r.status, 401, (header, r))
        self.assertEqual(anon.request("POST", path, raw=body).status, 401)


class ConcurrentTopUpTest(mj.ServerTestCase):
    server_env = {"MAILJUKE_BILLING_TRIAL_CREDIT": "0"}

    def test_parallel_top_ups_with_one_key_charge_once(self):
        owner = self.server.client()
        owner.signup()
        ws = owner.create_workspace("Concurrent")
        base = f"/api/v1/workspaces/{ws}"
        key = uuid.uuid4().hex
        results = []

        def go():
            r = owner.post(base + "/wallet/top-ups", {"amount": 1000, "payment_method": "tok_visa"},
                           headers={"Idempotency-Key": key})
            results.append(r.status)

        threads = [threading.Thread(target=go) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIn(201, results)
        self.assertTrue(all(s in (201, 409) for s in results), results)
        self.assertEqual(owner.get(base + "/wallet").json["balance"]["amount"], 1000)


if __name__ == "__main__":
    unittest.main()

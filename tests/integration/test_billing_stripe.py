"""The stripe payment provider against a fake Stripe: a Python HTTPS server on 127.0.0.1 with a
certificate from a throw-away CA (the test passes the CA file; verification stays on). It
records every request and answers like Stripe: PaymentIntents (succeeded, 3-D Secure, declines,
5xx, timeouts), retrieval after authentication, Refunds, Customers and SetupIntents. It enforces
Stripe's rule for off-session charges: `off_session=true` needs `customer` and a payment method
attached to that customer (by a SetupIntent or a succeeded PaymentIntent with
`setup_future_usage=off_session`), else 400 invalid_request_error. Also operator refunds,
unused-credit refunds and charge.refunded webhooks for our own refunds, and the saved-card flow
(renewals and auto top-ups charged off-session)."""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

import mj

WEBHOOK_SECRET = "whsec_test_" + uuid.uuid4().hex
SECRET_KEY = "sk_test_" + uuid.uuid4().hex


def stripe_header(body, secret=WEBHOOK_SECRET):
    t = int(time.time())
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={sig}"


def make_ca(directory, name):
    """A CA and a server certificate for 127.0.0.1 signed by it; returns (ca, cert, key)."""
    ca_key, ca = os.path.join(directory, name + "-ca.key"), os.path.join(directory, name + "-ca.pem")
    key, csr = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".csr")
    cert, ext = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".ext")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", f"/CN={name} test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
        "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", ext)
    return ca, cert, key


class FakeStripe:
    """Answers like Stripe's API; every request is kept in `requests`."""

    def __init__(self, cert, key):
        self.requests = []
        self.intents = {}      # id -> intent
        self.by_key = {}       # Idempotency-Key -> (status, body): replayed like Stripe does
        self.attempts = {}     # Idempotency-Key -> count
        self.customers = {}    # id -> customer
        self.attached = set()  # (customer, payment_method) usable off-session
        self.setups = {}       # id -> SetupIntent
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n).decode() if n else ""
                form = dict(urllib.parse.parse_qsl(raw))
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    fake.requests.append({"method": self.command, "path": self.path, "form": form,
                                          "key": key, "auth": self.headers.get("Authorization")})
                status, obj, delay = fake.respond(self.command, self.path, form, key,
                                                  self.headers.get("Authorization"))
                if delay:
                    time.sleep(delay)
                try:
                    self.answer(status, obj)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass

            do_GET = do_POST = handle_any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, method, path, form, key, auth):
        if auth != "Bearer " + SECRET_KEY:
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}, 0
        with self.lock:
            if key and key in self.by_key:
                return (*self.by_key[key], 0)
            if key:
                self.attempts[key] = self.attempts.get(key, 0) + 1
            attempt = self.attempts.get(key, 0)
        if method == "POST" and path == "/v1/customers":
            cus = {"id": "cus_" + uuid.uuid4().hex[:14], "object": "customer",
                   "name": form.get("name"), "email": form.get("email"),
                   "metadata": {"workspace_id": form.get("metadata[workspace_id]")}}
            with self.lock:
                self.customers[cus["id"]] = cus
                self.by_key[key] = (200, cus)
            return 200, cus, 0
        if method == "POST" and path == "/v1/setup_intents":
            return (*self.setup_intent(form, key), 0)
        if method == "GET" and path.startswith("/v1/setup_intents/"):
            seti = self.setups.get(path.split("?", 1)[0].rsplit("/", 1)[1])
            if not seti:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}, 0
            with self.lock:
                if seti["status"] == "requires_action":  # the customer confirmed meanwhile
                    seti["status"] = "succeeded"
                    self.attached.add((seti["customer"], seti["payment_method"]["id"]))
            return 200, seti, 0
        if method == "POST" and path == "/v1/payment_intents":
            pm = form.get("payment_method")
            customer = form.get("customer")
            if form.get("off_session") == "true":
                with self.lock:
                    attached = (customer, pm) in self.attached
                if not customer or not attached:
                    out = (400, {"error": {
                        "type": "invalid_request_error", "param": "payment_method",
                        "message": "The provided PaymentMethod was previously used with a "
                                   "PaymentIntent without Customer attachment or was detached "
                                   "from a Customer. It may not be used again. To use a "
                                   "PaymentMethod multiple times, you must attach it to a "
                                   "Customer first."}})
                    with self.lock:
                        self.by_key[key] = out
                    return (*out, 0)
                if pm == "pm_auth_required":
                    intent = {"id": "pi_" + uuid.uuid4().hex[:16], "object": "payment_intent",
                              "status": "requires_payment_method", "customer": customer}
                    out = (402, {"error": {"type": "card_error", "code": "authentication_required",
                                           "decline_code": "authentication_required",
                                           "message": "This payment requires authentication.",
                                           "payment_intent": intent}})
                    with self.lock:
                        self.by_key[key] = out
                    return (*out, 0)
            if pm == "pm_down":
                return 503, {"error": {"type": "api_error"}}, 0
            if pm == "pm_slow":
                return 200, {"id": "pi_slow", "status": "succeeded"}, 3
            if pm == "pm_flaky" and attempt < 3:
                return 500, {"error": {"type": "api_error", "message": "try again"}}, 0
            intent = {"id": "pi_" + uuid.uuid4().hex[:16], "object": "payment_intent",
                      "amount": int(form["amount"]), "currency": form["currency"],
                      "metadata": {"mailjuke_payment": form.get("metadata[mailjuke_payment]")}}
            if pm == "pm_declined":
                intent["status"] = "requires_payment_method"
                out = (402, {"error": {"type": "card_error", "code": "card_declined",
                                       "decline_code": "insufficient_funds",
                                       "message": "Your card has insufficient funds.",
                                       "payment_intent": intent}})
            else:
                intent["status"] = {"pm_3ds": "requires_action",
                                    "pm_processing": "processing"}.get(pm, "succeeded")
                intent["payment_method"] = pm
                intent["customer"] = customer
                if form.get("setup_future_usage"):
                    intent["setup_future_usage"] = form["setup_future_usage"]
                if (intent["status"] == "succeeded" and customer
                        and form.get("setup_future_usage") == "off_session"):
                    with self.lock:
                        self.attached.add((customer, pm))
                out = (200, intent)
            with self.lock:
                self.intents[intent["id"]] = intent
                self.by_key[key] = out
            return (*out, 0)
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(path.rsplit("/", 1)[1])
            if not intent:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}, 0
            if intent["status"] == "requires_action":
                intent["status"] = "succeeded"  # the customer passed 3-D Secure meanwhile
                if intent.get("customer") and intent.get("setup_future_usage") == "off_session":
                    with self.lock:
                        self.attached.add((intent["customer"], intent["payment_method"]))
            return 200, intent, 0
        if method == "GET" and path.startswith("/v1/payment_methods/"):
            pm = path.rsplit("/", 1)[1]
            if pm == "pm_lookup_fails":
                return 500, {"error": {"type": "api_error"}}, 0
            country = {"pm_de": "DE", "pm_gb": "GB"}.get(pm, "US")
            return 200, {"id": pm, "object": "payment_method", "type": "card",
                         "card": {"brand": "visa", "country": country, "last4": "4242"}}, 0
        if method == "POST" and path == "/v1/refunds":
            out = (200, {"id": "re_" + uuid.uuid4().hex[:16], "object": "refund",
                         "amount": int(form["amount"]), "payment_intent": form["payment_intent"],
                         "status": "succeeded",
                         "metadata": {"mailjuke_refund": form.get("metadata[mailjuke_refund]"),
                                      "mailjuke_payment": form.get("metadata[mailjuke_payment]")}})
            with self.lock:
                self.by_key[key] = out
            return (*out, 0)
        return 404, {"error": {"type": "invalid_request_error", "message": "unknown path"}}, 0

    def setup_intent(self, form, key):
        customer, pm = form.get("customer"), form.get("payment_method")
        if customer not in self.customers:
            return 400, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                   "param": "customer", "message": "No such customer"}}
        seti = {"id": "seti_" + uuid.uuid4().hex[:14], "object": "setup_intent",
                "customer": customer, "usage": form.get("usage"),
                "payment_method": {"id": pm, "object": "payment_method",
                                   "card": {"brand": "visa", "last4": "4242",
                                            "country": {"pm_de": "de"}.get(pm, "us")}}}
        if pm == "pm_setup_declined":
            seti["status"] = "requires_payment_method"
            out = (402, {"error": {"type": "card_error", "code": "card_declined",
                                   "decline_code": "do_not_honor", "setup_intent": seti}})
        else:
            seti["status"] = "requires_action" if pm == "pm_setup_3ds" else "succeeded"
            out = (200, seti)
        with self.lock:
            self.setups[seti["id"]] = seti
            if seti["status"] == "succeeded":
                self.attached.add((customer, pm))
            self.by_key[key] = out
        return out

    def gets(self, path):
        with self.lock:
            return [r for r in self.requests if r["method"] == "GET" and r["path"] == path]

    def posts(self, path):
        with self.lock:
            return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]


class StripeProviderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fake-stripe-")
        ca, cert, key = make_ca(cls.tmp, "stripe")
        cls.fake = FakeStripe(cert, key)
        cls.server = mj.Server(env={
            "MAILJUKE_BILLING_PROVIDER": "stripe",
            "MAILJUKE_BILLING_TRIAL_CREDIT": "0",  # wallets start empty, as customers' do
            "MAILJUKE_BILLING_STRIPE_SECRET_KEY": SECRET_KEY,
            "MAILJUKE_BILLING_STRIPE_API_BASE": f"https://127.0.0.1:{cls.fake.port}",
            "MAILJUKE_BILLING_STRIPE_CA_FILE": ca,
            "MAILJUKE_BILLING_STRIPE_TIMEOUT_MS": "1000",
            "MAILJUKE_BILLING_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }).start()
        cls.owner = cls.server.client()
        cls.owner.signup()
        cls.operator = mj.operator_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.fake.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def workspace(self):
        ws = self.owner.create_workspace("Stripe " + uuid.uuid4().hex[:6])
        return ws, f"/api/v1/workspaces/{ws}"

    def top_up(self, base, amount, pm="pm_card_visa"):
        return self.owner.post(base + "/wallet/top-ups", {"amount": amount, "payment_method": pm},
                               headers={"Idempotency-Key": uuid.uuid4().hex})

    def balance(self, base):
        return self.owner.get(base + "/wallet").json["balance"]["amount"]

    def webhook(self, event):
        body = json.dumps(event).encode()
        return self.server.client().request("POST", "/api/v1/billing/webhooks/stripe", raw=body,
                                            headers={"Stripe-Signature": stripe_header(body)})

    def intent_request(self, pay):
        return [r for r in self.fake.posts("/v1/payment_intents")
                if r["form"].get("metadata[mailjuke_payment]") == pay]

    def test_top_up_creates_a_confirmed_payment_intent_and_the_webhook_credits_once(self):
        ws, base = self.workspace()
        r = self.top_up(base, 1500)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["status"], "succeeded")
        pay = r.json["id"]
        [req] = self.intent_request(pay)
        self.assertEqual(req["auth"], "Bearer " + SECRET_KEY)
        self.assertEqual(req["key"], pay)
        self.assertEqual(req["form"]["amount"], "1500")
        self.assertEqual(req["form"]["currency"], "usd")
        self.assertEqual(req["form"]["payment_method"], "pm_card_visa")
        self.assertEqual(req["form"]["confirm"], "true")
        self.assertEqual(req["form"]["metadata[workspace]"], ws)
        self.assertEqual(self.balance(base), 1500)
        intent = next(i for i in self.fake.intents.values()
                      if i["metadata"]["mailjuke_payment"] == pay)
        for _ in range(2):  # the event, then a second event for the same intent
            w = self.webhook({"id": "evt_" + uuid.uuid4().hex, "type": "payment_intent.succeeded",
                              "created": int(time.time()), "data": {"object": intent}})
            self.assertEqual(w.status, 200, w)
            self.assertTrue(w.json["applied"])
        self.assertEqual(self.balance(base), 1500)
        entries = self.owner.get(base + "/wallet").json["data"]
        self.assertEqual([e["kind"] for e in entries], ["top_up"])

    def test_a_decline_carries_stripes_decline_code(self):
        _, base = self.workspace()
        r = self.top_up(base, 1500, "pm_declined")
        self.assertEqual(r.status, 402, r)
        self.assertEqual(r.json["errors"][0]["field"], "payment_method")
        self.assertIn("insufficient_funds", r.json["errors"][0]["message"])
        self.assertEqual(self.balance(base), 0)

    def test_three_d_secure_then_confirm(self):
        _, base = self.workspace()
        r = self.top_up(base, 2500, "pm_3ds")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["status"], "requires_action")
        self.assertEqual(self.balance(base), 0)
        c = self.owner.post(r.json["next_action"]["confirm_url"], {})
        self.assertEqual(c.status, 200, c)
        self.assertEqual(c.json["status"], "succeeded")
        self.assertEqual(self.balance(base), 2500)

    def test_server_errors_are_retried_with_the_same_idempotency_key(self):
        _, base = self.workspace()
        r = self.top_up(base, 1000, "pm_flaky")
        self.assertEqual(r.status, 201, r)
        reqs = self.intent_request(r.json["id"])
        self.assertEqual(len(reqs), 3)
        self.assertEqual({q["key"] for q in reqs}, {r.json["id"]})
        self.assertEqual(self.balance(base), 1000)

    def test_an_unreachable_stripe_is_a_clear_503_and_credits_nothing(self):
        _, base = self.workspace()
        r = self.top_up(base, 1000, "pm_down")
        self.assertEqual(r.status, 503, r)
        self.assertIn("did not answer", r.json["detail"])
        started = time.monotonic()
        r = self.top_up(base, 1000, "pm_slow")
        elapsed = time.monotonic() - started
        self.assertEqual(r.status, 503, r)
        self.assertLess(elapsed, 8, "three 1 s attempts plus back-off")
        self.assertEqual(self.balance(base), 0)

    def test_operator_refund_and_its_webhook_subtract_once(self):
        ws, base = self.workspace()
        pay = self.top_up(base, 3000).json["id"]
        listed = self.operator.get(f"/api/v1/admin/payments?workspace={ws}")
        self.assertEqual(listed.status, 200, listed)
        [row] = [p for p in listed.json["data"] if p["id"] == pay]
        self.assertEqual(row["refundable"]["amount"], 3000)
        path = f"/api/v1/admin/payments/{pay}/refund"
        r = self.operator.post(path, {"amount": 1000, "reason": "duplicate"})
        self.assertEqual(r.status, 422, r)  # no Idempotency-Key
        key = uuid.uuid4().hex
        r = self.operator.post(path, {"amount": 1000, "reason": "duplicate"},
                               headers={"Idempotency-Key": key})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["status"], "succeeded")
        self.assertEqual(r.json["wallet_balance"]["amount"], 2000)
        again = self.operator.post(path, {"amount": 1000, "reason": "duplicate"},
                                   headers={"Idempotency-Key": key})
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.json["id"], r.json["id"])  # replayed, not refunded twice
        refunds = [q for q in self.fake.posts("/v1/refunds") if q["form"]["metadata[mailjuke_payment]"] == pay]
        self.assertEqual(len(refunds), 1)
        self.assertEqual(refunds[0]["form"]["amount"], "1000")
        self.assertEqual(refunds[0]["key"], r.json["id"])
        intent = refunds[0]["form"]["payment_intent"]
        w = self.webhook({"id": "evt_" + uuid.uuid4().hex, "type": "charge.refunded",
                          "data": {"object": {"id": "ch_1", "payment_intent": intent,
                                              "amount_refunded": 1000}}})
        self.assertEqual(w.status, 200, w)
        self.assertEqual(self.balance(base), 2000)  # our refund is not subtracted again
        too_much = self.operator.post(path, {"amount": 2500, "reason": "x"},
                                      headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(too_much.status, 409, too_much)
        self.assertIn("refundable now: 2000 usd", too_much.json["detail"])
        self.assertEqual(too_much.json["errors"][0]["field"], "amount")
        events = self.owner.get(f"{base}/audit-events?action=payment.refund")
        self.assertEqual(events.status, 200, events)
        self.assertEqual(len(events.json["data"]), 1, events)
        self.assertIn(self.owner.post(path, {"reason": "x"},
                                      headers={"Idempotency-Key": uuid.uuid4().hex}).status,
                      (403, 404))

    def test_card_country_comes_from_the_payment_method_and_a_failed_lookup_does_not_block(self):
        ws, base = self.workspace()
        d = self.owner.put(base + "/billing-details",
                           {"legal_name": "Acme", "address": "1 Main St", "country": "US"})
        self.assertEqual(d.status, 200, d)
        ok = self.top_up(base, 1000, "pm_us_card")
        self.assertEqual(ok.status, 201, ok)
        self.assertEqual(len(self.fake.gets("/v1/payment_methods/pm_us_card")), 1)
        held = self.top_up(base, 1000, "pm_de")
        self.assertEqual(held.status, 202, held)
        self.assertEqual(held.json["status"], "held")
        self.assertEqual(held.json["fraud_review"]["rules"], ["card_country_mismatch"])
        self.assertEqual(self.intent_request(held.json["id"]), [])  # not charged
        down = self.top_up(base, 1000, "pm_lookup_fails")
        self.assertEqual(down.status, 201, down)  # the rule is silent, the charge goes on
        self.assertEqual(len(self.fake.gets("/v1/payment_methods/pm_lookup_fails")), 1)  # no retry
        self.assertEqual(self.balance(base), 2000)

    def test_a_processing_payment_is_shown_as_processing_until_the_webhook(self):
        ws, base = self.workspace()
        r = self.top_up(base, 1200, "pm_processing")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["status"], "processing")
        self.assertIsNone(r.json["next_action"])
        pay = r.json["id"]
        listed = self.operator.get(f"/api/v1/admin/payments?workspace={ws}")
        self.assertEqual([p["status"] for p in listed.json["data"] if p["id"] == pay],
                         ["processing"])
        self.assertEqual(self.balance(base), 0)
        intent = dict(next(i for i in self.fake.intents.values()
                           if i["metadata"]["mailjuke_payment"] == pay), status="succeeded")
        w = self.webhook({"id": "evt_" + uuid.uuid4().hex, "type": "payment_intent.succeeded",
                          "created": int(time.time()), "data": {"object": intent}})
        self.assertEqual(w.status, 200, w)
        self.assertEqual(self.balance(base), 1200)
        listed = self.operator.get(f"/api/v1/admin/payments?workspace={ws}")
        self.assertEqual([p["status"] for p in listed.json["data"] if p["id"] == pay],
                         ["succeeded"])

    def test_a_refund_that_fails_at_stripe_goes_back_to_the_wallet(self):
        ws, base = self.workspace()
        pay = self.top_up(base, 2000).json["id"]
        r = self.operator.post(f"/api/v1/admin/payments/{pay}/refund",
                               {"amount": 2000, "reason": "asked"},
                               headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.balance(base), 0)
        refund = dict(next(q for q in self.fake.by_key.values()
                           if q[1].get("metadata", {}).get("mailjuke_refund") == r.json["id"])[1],
                      status="failed", failure_reason="expired_or_canceled_card")
        event = {"id": "evt_" + uuid.uuid4().hex, "type": "charge.refund.updated",
                 "data": {"object": refund}}
        for duplicate in (False, True):
            w = self.webhook(event)
            self.assertEqual(w.status, 200, w)
            self.assertEqual(w.json["duplicate"], duplicate)
        self.assertEqual(self.balance(base), 2000)
        listed = self.operator.get(f"/api/v1/admin/payments?workspace={ws}")
        [row] = [p for p in listed.json["data"] if p["id"] == pay]
        self.assertEqual(row["refundable"]["amount"], 2000)
        events = self.owner.get(f"{base}/audit-events?action=payment.refund_failed")
        self.assertEqual(len(events.json["data"]), 1, events)

    def test_unused_credit_goes_back_to_the_cards(self):
        _, base = self.workspace()
        first = self.top_up(base, 1000).json["id"]
        time.sleep(1.1)
        second = self.top_up(base, 2000).json["id"]
        r = self.owner.post(base + "/wallet/refunds", {})
        self.assertEqual(r.status, 422, r)  # Idempotency-Key required
        r = self.owner.post(base + "/wallet/refunds", {"amount": 2500},
                            headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["refunded"]["amount"], 2500)
        self.assertEqual([x["payment_id"] for x in r.json["refunds"]], [second, first])
        self.assertEqual([x["amount"]["amount"] for x in r.json["refunds"]], [2000, 500])
        self.assertEqual(r.json["wallet_balance"]["amount"], 500)
        r = self.owner.post(base + "/wallet/refunds", {"amount": 600},
                            headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(r.status, 409, r)
        r = self.owner.post(base + "/wallet/refunds", {},
                            headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.balance(base), 0)
        r = self.owner.post(base + "/wallet/refunds", {},
                            headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(r.status, 409, r)
        self.assertIn("nothing to refund", r.json["detail"])

    def test_downgrade_credit_is_not_paid_out(self):
        _, base = self.workspace()
        r = self.owner.put(base + "/subscription", {"plan": "growth", "payment_method": "pm_card_visa"})
        self.assertEqual(r.status, 200, r)
        r = self.owner.put(base + "/subscription", {"plan": "starter"})
        self.assertEqual(r.status, 200, r)
        credit = self.balance(base)
        self.assertGreater(credit, 0)
        r = self.owner.post(base + "/wallet/refunds", {},
                            headers={"Idempotency-Key": uuid.uuid4().hex})
        self.assertEqual(r.status, 409, r)
        self.assertIn("came from credits", r.json["detail"])
        self.assertIn("not paid out in cash", r.json["detail"])
        self.assertEqual(self.balance(base), credit)

    # --- Saved cards: the customer, SetupIntents, off-session renewals and auto top-ups ---

    def sql(self, statement, *args):
        """Runs SQL on the server's database (SQLite, or PostgreSQL through psql)."""
        url = self.server.env.get("MAILJUKE_STORAGE_URL", "")
        if not url.startswith("postgres"):
            with sqlite3.connect(os.path.join(self.server.data_dir, "mailjuke.db"),
                                 timeout=10) as conn:
                return conn.execute(statement, args).fetchall()
        if not shutil.which("psql"):
            self.skipTest("psql is needed to move the renewal date in PostgreSQL")
        quoted = iter(str(a) if isinstance(a, int) else "'" + str(a).replace("'", "''") + "'"
                      for a in args)
        text = "".join(next(quoted) if ch == "?" else ch for ch in statement)
        out = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-c", text],
                             check=True, capture_output=True, text=True).stdout
        cell = lambda v: int(v) if v.lstrip("-").isdigit() else v
        return [tuple(cell(v) for v in line.split("\t")) for line in out.splitlines() if line]

    def renew_now(self, ws):
        """Moves the period end into the past (a fake clock for the real server) and waits for
        the renewal job (every ~15 s) to renew or fail it."""
        before = self.sql("SELECT current_period_end FROM subscriptions WHERE workspace_id = ?",
                          ws)[0][0]
        self.sql("UPDATE subscriptions SET current_period_end = ?, notice_sent_for = ? WHERE "
                 "workspace_id = ?", int(time.time()) - 5, int(time.time()) - 5, ws)
        deadline = time.time() + 40
        while time.time() < deadline:
            rows = self.sql("SELECT COUNT(*) FROM invoices WHERE workspace_id = ? AND reason = "
                            "'subscription_cycle'", ws)
            # Done when the invoice is paid or the subscription fell past due (the payment row
            # is written before either, in its own transaction).
            if rows[0][0] and self.sql("SELECT COUNT(*) FROM payments p JOIN invoices i ON "
                                       "i.id = p.invoice_id WHERE i.workspace_id = ? AND "
                                       "i.reason = 'subscription_cycle'", ws)[0][0] and (
                    self.sql("SELECT COUNT(*) FROM invoices WHERE workspace_id = ? AND reason = "
                             "'subscription_cycle' AND status = 'paid'", ws)[0][0]
                    or self.sql("SELECT COUNT(*) FROM subscriptions WHERE workspace_id = ? AND "
                                "status <> 'active'", ws)[0][0]):
                return
            time.sleep(0.5)
        self.fail(f"no renewal within 40 s (period end was {before})")

    def subscription_when(self, base, status, timeout=15):
        # The renewal records its payment, then moves the subscription in a later transaction.
        deadline = time.time() + timeout
        while True:
            sub = self.owner.get(base + "/subscription").json
            if sub["status"] == status or time.time() > deadline:
                return sub
            time.sleep(0.2)

    def customer_of(self, ws):
        return [c for c in self.fake.customers.values() if c["metadata"]["workspace_id"] == ws]

    def test_subscribe_saves_the_card_on_one_customer_and_the_renewal_charges_off_session(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/billing-details", {"legal_name": "Saved Card Ltd",
                                                      "address": "1 Main St, Springfield",
                                                      "country": "US",
                                                      "email": "billing@saved.example"})
        self.assertEqual(r.status, 200, r)
        r = self.owner.put(base + "/subscription", {"plan": "starter",
                                                    "payment_method": "pm_card_visa"})
        self.assertEqual(r.status, 200, r)
        [cus] = self.customer_of(ws)
        self.assertEqual(cus["name"], "Saved Card Ltd")
        self.assertEqual(cus["email"], "billing@saved.example")
        [create] = [q for q in self.fake.posts("/v1/customers")
                    if q["form"].get("metadata[workspace_id]") == ws]
        self.assertEqual(create["key"], "mj-customer-" + ws)
        [first] = [q for q in self.fake.posts("/v1/payment_intents")
                   if q["form"].get("customer") == cus["id"]]
        self.assertEqual(first["form"]["setup_future_usage"], "off_session")
        self.assertNotIn("off_session", first["form"])
        self.assertIn((cus["id"], "pm_card_visa"), self.fake.attached)
        card = self.owner.get(base + "/billing/payment-method").json
        self.assertEqual(card["customer"], cus["id"])
        self.assertEqual(card["payment_method"], "pm_card_visa")
        # A second save (auto top-up with the same card) reuses the customer.
        r = self.owner.put(base + "/wallet/auto-top-up", {"enabled": True, "threshold": 1000,
                                                          "amount": 2000,
                                                          "payment_method": "pm_card_visa"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(self.customer_of(ws)), 1)
        self.renew_now(ws)
        renewal = [q for q in self.fake.posts("/v1/payment_intents")
                   if q["form"].get("customer") == cus["id"]][-1]
        self.assertEqual(renewal["form"]["off_session"], "true")
        self.assertEqual(renewal["form"]["confirm"], "true")
        self.assertEqual(renewal["form"]["payment_method"], "pm_card_visa")
        sub = self.owner.get(base + "/subscription").json
        self.assertEqual(sub["status"], "active", sub)
        [inv] = self.sql("SELECT status FROM invoices WHERE workspace_id = ? AND reason = "
                         "'subscription_cycle'", ws)
        self.assertEqual(inv[0], "paid")

    def test_a_new_card_that_needed_3d_secure_is_saved_when_its_payment_succeeds(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/subscription", {"plan": "starter", "payment_method": "pm_3ds"})
        self.assertEqual(r.status, 402, r)
        self.assertIsNone(self.owner.get(base + "/billing/payment-method").json["payment_method"])
        [cus] = self.customer_of(ws)
        [req] = [q for q in self.fake.posts("/v1/payment_intents")
                 if q["form"].get("customer") == cus["id"]]
        self.assertEqual(req["form"]["setup_future_usage"], "off_session")
        intent = next(i for i in self.fake.intents.values()
                      if i["metadata"]["mailjuke_payment"] == req["form"]["metadata[mailjuke_payment]"])
        # The customer passes 3-D Secure in Stripe's page; Stripe attaches the card and says so.
        intent["status"] = "succeeded"
        self.fake.attached.add((cus["id"], "pm_3ds"))
        w = self.webhook({"id": "evt_" + uuid.uuid4().hex, "type": "payment_intent.succeeded",
                          "created": int(time.time()), "data": {"object": intent}})
        self.assertEqual(w.status, 200, w)
        self.assertTrue(w.json["applied"])
        card = self.owner.get(base + "/billing/payment-method").json
        self.assertEqual(card["payment_method"], "pm_3ds")
        self.assertEqual(card["customer"], cus["id"])
        self.assertEqual(self.balance(base), 3900)  # the payment went to the wallet
        # A second delivery of the event changes nothing (the payment is settled already).
        w = self.webhook({"id": "evt_" + uuid.uuid4().hex, "type": "payment_intent.succeeded",
                          "created": int(time.time()), "data": {"object": intent}})
        self.assertEqual(w.status, 200, w)
        self.assertEqual(self.balance(base), 3900)

    def test_a_card_never_attached_is_refused_off_session(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/subscription", {"plan": "starter",
                                                    "payment_method": "pm_card_visa"})
        self.assertEqual(r.status, 200, r)
        # The saved card is replaced behind Stripe's back by one that was never attached.
        self.sql("UPDATE billing_customers SET payment_method = 'pm_never_attached' WHERE "
                 "workspace_id = ?", ws)
        self.sql("UPDATE subscriptions SET payment_method = 'pm_never_attached' WHERE "
                 "workspace_id = ?", ws)
        self.renew_now(ws)
        refused = [q for q in self.fake.posts("/v1/payment_intents")
                   if q["form"].get("payment_method") == "pm_never_attached"]
        self.assertEqual(len(refused), 1)  # a 400 is not retried
        self.assertEqual(refused[0]["form"]["off_session"], "true")
        self.assertEqual(self.subscription_when(base, "past_due")["status"], "past_due")
        [(code,)] = self.sql("SELECT p.failure_code FROM payments p JOIN invoices i ON i.id = "
                             "p.invoice_id WHERE i.workspace_id = ? AND i.reason = "
                             "'subscription_cycle'", ws)
        self.assertEqual(code, "invalid_request")

    def test_authentication_required_off_session_goes_past_due_with_a_clear_notice(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/subscription", {"plan": "starter",
                                                    "payment_method": "pm_card_visa"})
        self.assertEqual(r.status, 200, r)
        r = self.owner.put(base + "/billing/payment-method", {"payment_method": "pm_auth_required"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "saved")
        self.assertEqual((r.json["brand"], r.json["last4"], r.json["country"]),
                         ("visa", "4242", "US"))
        self.renew_now(ws)
        sub = self.subscription_when(base, "past_due")
        self.assertEqual(sub["status"], "past_due")
        self.assertEqual(sub["payment_method"], "pm_auth_required")
        notices = [m for m in mj.outbox(self.server, kind="billing_payment_failed")
                   if "authentication_required" in m["text"]]
        self.assertTrue(notices)
        self.assertIn("asks the cardholder to confirm", notices[0]["text"])
        self.assertIn("PUT …/subscription", notices[0]["text"])

    def test_replacing_the_card_with_a_setup_intent_confirm_and_decline(self):
        ws, base = self.workspace()
        r = self.owner.put(base + "/billing/payment-method", {"payment_method": "pm_setup_3ds"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["status"], "requires_action")
        self.assertTrue(r.json["pending"]["next_action"]["confirm_url"].endswith(
            "/billing/payment-method/confirm"))
        [cus] = self.customer_of(ws)
        [setup] = [q for q in self.fake.posts("/v1/setup_intents")
                   if q["form"]["customer"] == cus["id"]]
        self.assertEqual(setup["form"]["usage"], "off_session")
        self.assertEqual(setup["form"]["confirm"], "true")
        self.assertEqual(setup["form"]["payment_method"], "pm_setup_3ds")
        r = self.owner.post(base + "/billing/payment-method/confirm", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["payment_method"], "pm_setup_3ds")
        r = self.owner.post(base + "/billing/payment-method/confirm", {})
        self.assertEqual(r.status, 409, r)
        r = self.owner.put(base + "/billing/payment-method", {"payment_method": "pm_setup_declined"})
        self.assertEqual(r.status, 402, r)
        self.assertEqual(r.json["errors"][0]["field"], "payment_method")
        self.assertIn("do_not_honor", r.json["detail"])
        self.assertEqual(self.owner.get(base + "/billing/payment-method").json["payment_method"],
                         "pm_setup_3ds")
        r = self.owner.put(base + "/billing/payment-method", {})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["errors"][0]["field"], "payment_method")
        self.assertEqual(len(self.customer_of(ws)), 1)

    def test_auto_top_up_charges_the_saved_card_off_session(self):
        ws, base = self.workspace()
        self.assertEqual(self.top_up(base, 5000).status, 201)
        r = self.owner.put(base + "/wallet/auto-top-up", {"enabled": True, "threshold": 2000,
                                                          "amount": 3000,
                                                          "payment_method": "pm_card_visa"})
        self.assertEqual(r.status, 200, r)
        [cus] = self.customer_of(ws)
        self.assertIn((cus["id"], "pm_card_visa"), self.fake.attached)
        r = self.owner.put(base + "/subscription", {"plan": "starter"})  # paid from the wallet
        self.assertEqual(r.status, 200, r)
        deadline = time.time() + 15
        while time.time() < deadline and self.balance(base) < 1100 + 3000:
            time.sleep(0.25)
        self.assertEqual(self.balance(base), 1100 + 3000)
        auto = [q for q in self.fake.posts("/v1/payment_intents")
                if q["form"].get("customer") == cus["id"]]
        self.assertEqual(len(auto), 1)
        self.assertEqual(auto[0]["form"]["off_session"], "true")
        self.assertEqual(auto[0]["form"]["amount"], "3000")



class StripeCertificateTest(unittest.TestCase):
    """A Stripe whose certificate is not signed by the configured CA is never talked to."""

    def test_an_untrusted_certificate_is_refused(self):
        tmp = tempfile.mkdtemp(prefix="fake-stripe-")
        try:
            _, cert, key = make_ca(tmp, "impostor")
            trusted_ca, _, _ = make_ca(tmp, "real")
            fake = FakeStripe(cert, key)
            try:
                with mj.Server(env={
                    "MAILJUKE_BILLING_PROVIDER": "stripe",
                    "MAILJUKE_BILLING_TRIAL_CREDIT": "0",
                    "MAILJUKE_BILLING_STRIPE_SECRET_KEY": SECRET_KEY,
                    "MAILJUKE_BILLING_STRIPE_API_BASE": f"https://127.0.0.1:{fake.port}",
                    "MAILJUKE_BILLING_STRIPE_CA_FILE": trusted_ca,
                    "MAILJUKE_BILLING_STRIPE_TIMEOUT_MS": "1000",
                }) as server:
                    owner = server.client()
                    owner.signup()
                    ws = owner.create_workspace("Impostor")
                    r = owner.post(f"/api/v1/workspaces/{ws}/wallet/top-ups",
                                   {"amount": 1000, "payment_method": "pm_card_visa"},
                                   headers={"Idempotency-Key": uuid.uuid4().hex})
                    self.assertEqual(r.status, 503, r)
                    self.assertIn("TLS handshake", r.json["detail"])
                    self.assertEqual(fake.requests, [])
                    self.assertEqual(
                        owner.get(f"/api/v1/workspaces/{ws}/wallet").json["balance"]["amount"], 0)
            finally:
                fake.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

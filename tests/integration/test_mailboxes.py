"""Mailboxes API against the real binary: CRUD, validation, conflicts, tenancy, credentials,
bulk creation as a job (1,000 mailboxes in under a minute) and sequencer CSV exports."""
import csv
import io
import time
import unittest
import uuid

import mj

INSTANTLY_11 = ("Email,First Name,Last Name,IMAP Username,IMAP Password,IMAP Host,IMAP Port,"
                "SMTP Username,SMTP Password,SMTP Host,SMTP Port")
INSTANTLY_15 = INSTANTLY_11 + ",Daily Limit,Warmup Enabled,Warmup Limit,Warmup Increment"
INSTANTLY_21 = INSTANTLY_15 + (",Tracking Domain,Warmup Filter Tag,Warmup On Weekdays,Warmup Open Rate,"
                               "Warmup Spam Protection Rate,Warmup Mark As Important Rate")
SMARTLEAD = ("from_name,from_email,user_name,password,smtp_host,smtp_port,imap_host,imap_port,"
             "max_email_per_day,custom_tracking_url,warmup_enabled,total_warmup_per_day,daily_rampup,"
             "reply_rate_percentage,bcc,signature,different_reply_to_address,imap_user_name,imap_password")
GENERIC = ("from_name,from_email,smtp_host,smtp_port,smtp_username,smtp_password,imap_host,imap_port,"
           "imap_username,imap_password")

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "José", "Zoë", "Søren", "Łukasz", "Amélie", "Björn", "Chloé", "Jürgen", "Noor",
         "Mei"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller", "Davis", "Müller",
        "O'Brien"]


def unique_domain(prefix="mbx"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}.com"


class MailboxesTest(mj.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.client()
        cls.owner.signup()
        cls.ws = cls.owner.create_workspace("Mailboxes Co")
        cls.base = f"/api/v1/workspaces/{cls.ws}/mailboxes"
        cls.dom, cls.dom_name = cls.buy()

    @classmethod
    def buy(cls, client=None, ws=None, source="purchase"):
        name = unique_domain()
        r = (client or cls.owner).post(f"/api/v1/workspaces/{ws or cls.ws}/domains",
                                       {"name": name, "source": source})
        assert r.status == 201, r
        return r.json["id"], name

    def create(self, local, domain=None, **kw):
        body = {"domain_id": domain or self.dom, "local_part": local, "first_name": "John",
                "last_name": "Doe"}
        body.update(kw)
        return self.owner.post(self.base, body)

    def assertField(self, r, field, status=422):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["errors"][0]["field"], field, r)

    def test_create_get_list_update_suspend_reset_delete(self):
        r = self.create("John.Doe", daily_limit=40, signature="--\nJohn")
        self.assertEqual(r.status, 201, r)
        m = r.json
        self.assertTrue(m["id"].startswith("mbx_"))
        self.assertEqual(m["address"], f"john.doe@{self.dom_name}")
        self.assertEqual(m["display_name"], "John Doe")
        self.assertEqual(m["status"], "active")
        self.assertEqual(m["daily_limit"], 40)
        self.assertGreaterEqual(len(m["password"]), 20)
        self.assertEqual(m["smtp"]["security"], "STARTTLS")
        self.assertEqual(m["smtp"]["username"], m["address"])
        self.assertEqual(m["imap"]["security"], "SSL/TLS")
        self.assertEqual(m["smtp"]["host"], m["imap"]["host"])
        first_password = m["password"]

        got = self.owner.get(f"{self.base}/{m['id']}")
        self.assertEqual(got.status, 200, got)
        self.assertNotIn("password", got.json)
        self.assertNotIn(first_password, got.body)
        for k in ("sent_today", "bounced_today", "received_today"):
            self.assertEqual(got.json[k], 0)

        # Default daily limit and a customer-chosen password.
        r2 = self.create("jane", password="my own long password")
        self.assertEqual(r2.status, 201, r2)
        self.assertEqual(r2.json["daily_limit"], 50)
        self.assertEqual(r2.json["password"], "my own long password")

        page = self.owner.get(f"{self.base}?domain_id={self.dom}&limit=1")
        self.assertEqual(page.status, 200, page)
        self.assertEqual(len(page.json["data"]), 1)
        self.assertIsNotNone(page.json["next_cursor"])
        rest = self.owner.get(f"{self.base}?domain_id={self.dom}&limit=200&cursor={page.json['next_cursor']}")
        ids = [x["id"] for x in page.json["data"] + rest.json["data"]]
        self.assertIn(m["id"], ids)
        self.assertIn(r2.json["id"], ids)

        up = self.owner.patch(f"{self.base}/{m['id']}", {"first_name": "Johnny", "daily_limit": 25,
                                                          "forward_to": "Boss@Example.org",
                                                          "signature": None, "status": "suspended"})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(up.json["display_name"], "Johnny Doe")
        self.assertEqual(up.json["daily_limit"], 25)
        self.assertEqual(up.json["forward_to"], "boss@example.org")
        self.assertIsNone(up.json["signature"])
        self.assertEqual(up.json["status"], "suspended")
        suspended = self.owner.get(f"{self.base}?status=suspended&limit=200").json["data"]
        self.assertEqual([x["id"] for x in suspended], [m["id"]])
        self.assertField(self.owner.get(f"{self.base}?status=gone"), "status")
        self.assertEqual(self.owner.patch(f"{self.base}/{m['id']}", {"status": "active"}).json["status"], "active")

        reset = self.owner.post(f"{self.base}/{m['id']}/password", {})
        self.assertEqual(reset.status, 200, reset)
        self.assertGreaterEqual(len(reset.json["password"]), 20)
        self.assertNotEqual(reset.json["password"], first_password)
        cred = self.owner.get(f"{self.base}/{m['id']}/credentials")
        self.assertEqual(cred.status, 200, cred)
        self.assertEqual(cred.json["password"], reset.json["password"])
        self.assertEqual(cred.json["username"], m["address"])

        events = self.owner.get(f"/api/v1/workspaces/{self.ws}/audit-events?limit=200").json["data"]
        actions = {e["action"] for e in events}
        for a in ("mailbox.create", "mailbox.update", "mailbox.password_reset", "mailbox.credentials_read"):
            self.assertIn(a, actions)

        self.assertEqual(self.owner.delete(f"{self.base}/{m['id']}").status, 204)
        self.assertEqual(self.owner.get(f"{self.base}/{m['id']}").status, 404)
        self.assertEqual(self.owner.delete(f"{self.base}/{m['id']}").status, 404)
        # The address is free again.
        self.assertEqual(self.create("john.doe").status, 201)

    def test_validation_errors_name_the_field(self):
        for bad in ("", ".dot", "dot.", "two..dots", "with space", "ümlaut", "a@b", "x" * 65, 'qu"ote'):
            self.assertField(self.create(bad), "local_part")
        self.assertField(self.create("okname", password="short"), "password")
        self.assertField(self.create("okname", password="-starts-with-minus"), "password")
        self.assertField(self.create("okname", daily_limit=0), "daily_limit")
        self.assertField(self.create("okname", daily_limit=100000), "daily_limit")
        self.assertField(self.create("okname", daily_limit="10"), "daily_limit")
        self.assertField(self.create("okname", forward_to="not-an-address"), "forward_to")
        self.assertField(self.create("okname", forward_to=f"okname@{self.dom_name}"), "forward_to")
        self.assertField(self.create("okname", first_name="Evil\r\nBcc: x@y.z"), "first_name")
        self.assertField(self.create("okname", nickname="x"), "nickname")
        self.assertField(self.owner.post(self.base, {"local_part": "x"}), "domain_id")
        r = self.create("okname")
        self.assertEqual(r.status, 201, r)
        self.assertField(self.owner.patch(f"{self.base}/{r.json['id']}", {"status": "deleted"}), "status")
        self.assertField(self.owner.patch(f"{self.base}/{r.json['id']}", {"daily_limit": -1}), "daily_limit")
        self.assertField(self.owner.patch(f"{self.base}/{r.json['id']}", {"local_part": "y"}), "local_part")

    def test_duplicates_conflict_case_insensitively(self):
        self.assertEqual(self.create("dup.me").status, 201)
        r = self.create("DUP.Me")
        self.assertEqual(r.status, 409, r)
        self.assertIn("already exists", r.json["detail"])

    def test_domain_must_be_own_and_active(self):
        pending, _ = self.buy(source="external")
        r = self.create("someone", domain=pending)
        self.assertEqual(r.status, 409, r)
        self.assertIn("pending", r.json["detail"])
        self.assertEqual(self.create("someone", domain="dom_doesnotexist").status, 404)
        stranger = self.server.client()
        stranger.signup()
        sws = stranger.create_workspace("Stranger Co")
        sdom, _ = self.buy(client=stranger, ws=sws)
        self.assertEqual(self.create("someone", domain=sdom).status, 404)
        theirs = stranger.post(f"/api/v1/workspaces/{sws}/mailboxes",
                               {"domain_id": sdom, "local_part": "secret"})
        self.assertEqual(theirs.status, 201, theirs)
        mbx = theirs.json["id"]
        # Another workspace's mailbox is "not found" through ours, whatever the method.
        for method, path in (("GET", f"{self.base}/{mbx}"), ("PATCH", f"{self.base}/{mbx}"),
                             ("DELETE", f"{self.base}/{mbx}"), ("POST", f"{self.base}/{mbx}/password"),
                             ("GET", f"{self.base}/{mbx}/credentials")):
            r = self.owner.request(method, path, body={} if method in ("PATCH", "POST") else None)
            self.assertEqual(r.status, 404, f"{method} {path}: {r}")
        r = self.owner.get(f"{self.base}/export?format=generic&domain_id={sdom}")
        self.assertEqual(r.status, 404, r)

    def test_viewer_reads_but_never_credentials(self):
        r = self.create("viewed")
        self.assertEqual(r.status, 201, r)
        mbx = r.json["id"]
        keys = {}
        for role in ("viewer", "member", "billing"):
            k = self.owner.post(f"/api/v1/workspaces/{self.ws}/api-keys", {"name": role, "role": role})
            self.assertEqual(k.status, 201, k)
            keys[role] = self.server.client(api_key=k.json["key"])
        viewer, member, billing = keys["viewer"], keys["member"], keys["billing"]
        self.assertEqual(viewer.get(f"{self.base}/{mbx}").status, 200)
        self.assertEqual(viewer.get(f"{self.base}/{mbx}/credentials").status, 403)
        self.assertEqual(viewer.get(f"{self.base}/export?format=instantly").status, 403)
        self.assertEqual(viewer.post(f"{self.base}/{mbx}/password", {}).status, 403)
        self.assertEqual(viewer.patch(f"{self.base}/{mbx}", {"daily_limit": 10}).status, 403)
        self.assertEqual(member.get(f"{self.base}/{mbx}/credentials").status, 200)
        self.assertEqual(member.get(f"{self.base}/export?format=generic").status, 200)
        self.assertEqual(billing.get(f"{self.base}/{mbx}").status, 403)
        self.assertEqual(billing.get(self.base).status, 403)

    def test_routes_are_in_the_openapi_document(self):
        paths = self.server.client().get("/api/openapi.json").json["paths"]
        base = "/api/v1/workspaces/{ws}/mailboxes"
        for p in (base, base + "/bulk", base + "/export", base + "/{mbx}", base + "/{mbx}/password",
                  base + "/{mbx}/credentials"):
            self.assertIn(p, paths)

    def test_domain_delete_conflicts_while_mailboxes_exist(self):
        dom, _ = self.buy()
        r = self.create("keeper", domain=dom)
        self.assertEqual(r.status, 201, r)
        d = self.owner.delete(f"/api/v1/workspaces/{self.ws}/domains/{dom}")
        self.assertEqual(d.status, 409, d)
        self.assertIn("mailbox", d.json["detail"])
        self.assertEqual(self.owner.delete(f"{self.base}/{r.json['id']}").status, 204)
        self.assertEqual(self.owner.delete(f"/api/v1/workspaces/{self.ws}/domains/{dom}").status, 204)

    def test_exports_are_byte_exact(self):
        dom, name = self.buy()
        a = self.create("ann", domain=dom, first_name='Ann, "Annie"', last_name="Lee",
                        signature="Best,\nAnn")
        b = self.create("bob", domain=dom, first_name="Bob", last_name="Ray", daily_limit=33)
        self.assertEqual(a.status, 201, a)
        self.assertEqual(b.status, 201, b)
        passwords = {a.json["address"]: a.json["password"], b.json["address"]: b.json["password"]}

        def export(query):
            r = self.owner.get(f"{self.base}/export?{query}&domain_id={dom}")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.headers["content-type"].startswith("text/csv"), r.headers)
            self.assertIn("attachment", r.headers.get("content-disposition", ""))
            return r.body

        for query, header in (("format=instantly&columns=11", INSTANTLY_11),
                              ("format=instantly&columns=15", INSTANTLY_15),
                              ("format=instantly", INSTANTLY_15),
                              ("format=instantly&columns=21", INSTANTLY_21),
                              ("format=smartlead", SMARTLEAD), ("format=generic", GENERIC)):
            body = export(query)
            self.assertTrue(body.startswith(header + "\r\n"), f"{query}: {body[:200]!r}")
            self.assertTrue(body.endswith("\r\n"))
            rows = list(csv.reader(io.StringIO(body, newline="")))
            self.assertEqual(len(rows), 3, query)
            cols = rows[0]
            self.assertEqual(len(set(len(r) for r in rows)), 1, query)
            for row in rows[1:]:
                rec = dict(zip(cols, row))
                email = rec.get("Email") or rec.get("from_email")
                self.assertIn(email, passwords)
                pw = rec.get("SMTP Password") or rec.get("password") or rec.get("smtp_password")
                self.assertEqual(pw, passwords[email], query)
        # RFC 4180: the comma and quotes in the name are quoted and doubled.
        body = export("format=instantly&columns=11")
        self.assertIn('"Ann, ""Annie"""', body)
        rows = list(csv.DictReader(io.StringIO(body, newline="")))
        self.assertEqual(rows[0]["First Name"], 'Ann, "Annie"')
        self.assertEqual(rows[0]["SMTP Port"], str(a.json["smtp"]["port"]))
        self.assertEqual(rows[0]["IMAP Port"], str(a.json["imap"]["port"]))
        smart = list(csv.DictReader(io.StringIO(export("format=smartlead"), newline="")))
        self.assertEqual(smart[0]["signature"], "Best,\nAnn")
        self.assertEqual(smart[1]["max_email_per_day"], "33")
        self.assertEqual(smart[1]["from_name"], "Bob Ray")
        self.assertField(self.owner.get(f"{self.base}/export?format=lemlist"), "format")
        self.assertField(self.owner.get(f"{self.base}/export"), "format")
        self.assertField(self.owner.get(f"{self.base}/export?format=instantly&columns=12"), "columns")
        events = self.owner.get(f"/api/v1/workspaces/{self.ws}/audit-events?limit=200").json["data"]
        self.assertIn("mailbox.export", {e["action"] for e in events})

    def test_bulk_validation(self):
        ok = {"domain_ids": [self.dom], "people": [{"first_name": "A", "last_name": "B"}],
              "per_domain": 1, "pattern": "first.last"}
        bulk = f"{self.base}/bulk"
        self.assertField(self.owner.post(bulk, dict(ok, pattern="last.first")), "pattern")
        self.assertField(self.owner.post(bulk, dict(ok, domain_ids=[])), "domain_ids")
        self.assertField(self.owner.post(bulk, dict(ok, people=[])), "people")
        self.assertField(self.owner.post(bulk, dict(ok, people=[{"first_name": 5}])), "people[0].first_name")
        self.assertField(self.owner.post(bulk, dict(ok, people=[{"first_name": "李"}])), "people[0].first_name")
        self.assertField(self.owner.post(bulk, dict(ok, per_domain=0)), "per_domain")
        self.assertField(self.owner.post(bulk, dict(ok, per_domain=2001)), "per_domain")
        self.assertEqual(self.owner.post(bulk, dict(ok, domain_ids=["dom_doesnotexist"])).status, 404)

    def test_bulk_thousand_mailboxes_under_a_minute(self):
        domains = [self.buy() for _ in range(4)]
        people = [{"first_name": f, "last_name": l} for l in LAST for f in FIRST][:120]
        # One address taken in advance: the plan skips it deterministically.
        taken = self.create("james.smith", domain=domains[0][0])
        self.assertEqual(taken.status, 201, taken)
        start = time.time()
        r = self.owner.post(f"{self.base}/bulk", {"domain_ids": [d for d, _ in domains], "people": people,
                                                  "per_domain": 250, "pattern": "first.last"})
        self.assertEqual(r.status, 202, r)
        job = r.json
        self.assertEqual(job["progress"]["total"], 1000)
        self.assertTrue(job["id"].startswith("job_"))
        while True:
            j = self.owner.get(job["results_url"])
            self.assertEqual(j.status, 200, j)
            if j.json["status"] in ("succeeded", "failed"):
                break
            self.assertLess(time.time() - start, 60, j.json["progress"])
            time.sleep(0.5)
        elapsed = time.time() - start
        print(f"\nbulk: 1000 mailboxes in {elapsed:.1f} s")
        self.assertLess(elapsed, 60)
        self.assertEqual(j.json["status"], "succeeded", j.json["results"][:3])
        results = j.json["results"]
        self.assertEqual(len(results), 1000)
        self.assertEqual(j.json["progress"]["done"], 1000)
        self.assertTrue(all(x["ok"] for x in results), [x for x in results if not x["ok"]][:3])
        addresses = [x["address"] for x in results]
        self.assertEqual(len(set(addresses)), 1000)
        first_domain = {x["address"].split("@")[0] for x in results if x["domain_id"] == domains[0][0]}
        self.assertNotIn("james.smith", first_domain)
        self.assertIn("james.smith2", first_domain)
        self.assertIn("mary.smith", first_domain)
        self.assertIn("jose.garcia", first_domain)
        self.assertIn("lukasz.garcia", first_domain)
        second = {x["address"].split("@")[0] for x in results if x["domain_id"] == domains[1][0]}
        self.assertIn("james.smith", second)
        self.assertNotIn("password", j.body)
        # Every created mailbox is listed and has credentials.
        seen, cursor = 0, None
        while True:
            q = f"{self.base}?limit=200&domain_id={domains[2][0]}" + (f"&cursor={cursor}" if cursor else "")
            page = self.owner.get(q).json
            seen += len(page["data"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, 250)
        mbx = results[-1]["mailbox_id"]
        self.assertEqual(self.owner.get(f"{self.base}/{mbx}/credentials").status, 200)
        export = self.owner.get(f"{self.base}/export?format=instantly&domain_id={domains[3][0]}")
        self.assertEqual(export.body.count("\r\n"), 251)


if __name__ == "__main__":
    unittest.main()

"""Operator API for the outbound mail queue: list with filters, retry, delete, operator only."""
import unittest

import mj


class MailQueueApiTest(mj.ServerTestCase):
    def test_operator_lists_an_empty_queue_with_filters(self):
        c = mj.operator_client(self.server)
        r = c.get("/api/v1/admin/mail-queue")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["data"], [])
        self.assertIsNone(r.json["next_cursor"])
        r = c.get("/api/v1/admin/mail-queue?status=queued&domain=example.com&limit=10")
        self.assertEqual(r.status, 200, r)
        r = c.get("/api/v1/admin/mail-queue?status=bogus")
        self.assertEqual(r.status, 422, r)

    def test_unknown_entries_are_404(self):
        c = mj.operator_client(self.server)
        self.assertEqual(c.post("/api/v1/admin/mail-queue/q_nothing/retry").status, 404)
        self.assertEqual(c.delete("/api/v1/admin/mail-queue/q_nothing").status, 404)

    def test_customers_cannot_see_the_queue(self):
        c = self.server.client()
        c.signup()
        r = c.get("/api/v1/admin/mail-queue")
        self.assertIn(r.status, (403, 404), r)
        anonymous = self.server.client()
        self.assertEqual(anonymous.get("/api/v1/admin/mail-queue").status, 401)


if __name__ == "__main__":
    unittest.main()

"""The site and dashboard files: content types, ETags, SPA fallback, the npm libraries under
/vendor/ (only the ones the pages import) and the strict CSP the pages are written for."""
import os
import unittest

import mj

WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../web")


class WebStaticTest(mj.ServerTestCase):
    def test_index_and_spa_fallback(self):
        c = self.server.client()
        r = c.get("/")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        self.assertIn('<script type="module" src="/js/main.js">', r.body)
        csp = r.headers["content-security-policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        # Client-side routes (no dot) fall back to the app; files with a dot are 404 when missing.
        for path in ("/pricing", "/w/ws_x/domains", "/w/ws_x/mailboxes/mbx_y", "/app/account"):
            self.assertEqual(c.get(path).body, r.body, path)
        self.assertEqual(c.get("/js/missing.js").status, 404)

    def test_modules_have_js_type_and_etag(self):
        c = self.server.client()
        r = c.get("/js/main.js")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/javascript"))
        etag = r.headers["etag"]
        again = c.get("/js/main.js", headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(c.get("/site.css").headers["content-type"], "text/css; charset=utf-8")

    @unittest.skipUnless(os.path.isdir(os.path.join(WEB, "node_modules", "htm")),
                         "web/node_modules missing (scripts/install-deps.sh runs npm ci)")
    def test_vendor_libraries(self):
        c = self.server.client()
        r = c.get("/vendor/htm/preact/standalone.module.js")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["content-type"].startswith("text/javascript"))
        self.assertIn("export", r.body)
        self.assertEqual(c.get("/vendor/uplot/dist/uPlot.esm.js").status, 200)
        self.assertEqual(c.get("/vendor/uplot/dist/uPlot.min.css").headers["content-type"],
                         "text/css; charset=utf-8")
        # Only the packages the pages import; never the rest of node_modules or outside it.
        self.assertEqual(c.get("/vendor/.package-lock.json").status, 404)
        self.assertEqual(c.get("/vendor/htm/package.json").status, 200)
        self.assertEqual(c.get("/vendor/other/index.js").status, 404)
        self.assertEqual(c.get("/vendor/htm/../../package.json").status, 404)

    def test_no_inline_script_or_style_in_pages(self):
        for root, _, files in os.walk(WEB):
            if "node_modules" in root:
                continue
            for name in files:
                if name.endswith(".html"):
                    with open(os.path.join(root, name)) as f:
                        text = f.read()
                    self.assertNotRegex(text, r"<script(?![^>]*\bsrc=)[^>]*>", name)
                    self.assertNotIn("style=", text, name)
                if name.endswith(".js"):
                    with open(os.path.join(root, name)) as f:
                        self.assertNotIn(" style=", f.read(), name)


if __name__ == "__main__":
    unittest.main()

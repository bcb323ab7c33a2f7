"""docs/privacy.md maps every numbered section of the privacy policy to features and tests: this
fails when a section has no row, a row names no test, or a named test does not exist."""
import os
import re
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def all_sources():
    text = ""
    for base in ("src", "tests"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
            for name in files:
                if name.endswith(("_test.cpp", ".py")):
                    with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                        text += f.read()
    return text


class PrivacyDocsTest(unittest.TestCase):
    def test_every_policy_section_maps_to_existing_tests(self):
        policy = read("src/core/privacy/policy_seed.cpp")
        sections = sorted({int(n) for n in re.findall(r"^(\d+)\. ", policy, re.M)})
        self.assertEqual(sections, list(range(1, 13)))
        doc = read("docs/privacy.md")
        rows = {}
        for line in doc.splitlines():
            m = re.match(r"\|\s*(\d+)\s*\|(.*)\|\s*$", line)
            if m:
                rows[int(m.group(1))] = m.group(2).split("|")[-1]
        sources = all_sources()
        for s in sections:
            self.assertIn(s, rows, f"policy §{s} has no row in docs/privacy.md")
            tests = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", rows[s])
            self.assertTrue(tests, f"policy §{s} names no test")
            for t in tests:
                found = re.search(r"def " + t + r"\(", sources) or re.search(r", " + t + r"\)", sources)
                self.assertTrue(found, f"policy §{s}: test {t} does not exist")


if __name__ == "__main__":
    unittest.main()

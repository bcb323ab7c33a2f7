// Shared by the browser journeys: launches Chromium, fails on console errors and failed
// requests, saves a screenshot per step, checks visible keyboard focus, reads the outbox.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

export const BASE = process.env.MJ_URL;
// Screenshots of one script's steps: <MJ_OUT>/<script name>/, emptied at the start of a run.
const OUT = path.join(process.env.MJ_OUT || "/tmp/mailjuke-browser", path.basename(process.argv[1], ".mjs"));
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.MJ_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

// A page that records every console error and failed request (the suite fails on any).
export async function watchedPage(browser, { width = 1280, height = 800, name = "page", acceptDownloads = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads, baseURL: BASE });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    const expected = /status of (\d+)/.exec(m.text());
    if (expected && page.__expected.has(Number(expected[1]))) return;
    if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A navigation away aborts in-flight polls; that is not a failure of the page.
    const f = r.failure();
    if (f && /ERR_ABORTED/.test(f.errorText)) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${f ? f.errorText : ""}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !page.__expected?.has(r.status())) problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  page.__expected = new Set();
  page.__name = name;
  return { context, page, problems };
}

let shot = 0;
export async function step(page, label, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } finally {
    const file = path.join(OUT, `${page.__name}-${String(++shot).padStart(2, "0")}-${label.replace(/[^a-z0-9]+/gi, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  }
  console.log(`ok  ${page.__name}: ${label} (${Date.now() - t0} ms)`);
}

export function check(cond, message) {
  if (!cond) throw new Error("check failed: " + message);
}

// Tab to the first few focusable elements: each must get a visible focus indicator.
export async function checkFocusVisible(page, presses = 4) {
  await page.locator("body").click({ position: { x: 1, y: 1 } }).catch(() => {});
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
      return { tag: el.tagName, text: (el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 30), outline, shadow: s.boxShadow !== "none" };
    });
    check(info, "Tab moves focus to an element");
    check(info.outline || info.shadow, `focus is visible on <${info.tag}> "${info.text}"`);
  }
}

// The page must not scroll sideways (works at the given width).
export async function checkNoHorizontalScroll(page) {
  const [over, culprit] = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const clipped = (e) => { for (let p = e.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== "visible") return true; return false; };
    const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > w + 1 && !clipped(e));
    const leaf = wide.filter((e) => !wide.some((o) => o !== e && e.contains(o)))[0];
    return [document.documentElement.scrollWidth - w, leaf ? leaf.outerHTML.slice(0, 120) : ""];
  });
  check(over <= 1, `no horizontal scrolling at ${page.viewportSize().width}px on ${page.url()} (overflow ${over}px: ${culprit})`);
}

// Every visible form control has an accessible name.
export async function checkLabels(page) {
  const missing = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      .map((el) => el.outerHTML.slice(0, 80))
  );
  check(missing.length === 0, "every control is labelled: " + missing.join(", "));
}

// Reads the newest outbox message to `to` through the operator API (as tests/testutil/mj.py).
export async function outboxToken(to, kind, label) {
  const login = await fetch(BASE + "/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: process.env.MJ_OPERATOR_EMAIL, password: process.env.MJ_OPERATOR_PASSWORD }),
  });
  check(login.ok, "operator login " + login.status);
  const cookie = login.headers.get("set-cookie").split(";")[0];
  for (let i = 0; i < 50; i++) {
    const r = await fetch(`${BASE}/api/v1/admin/outbox?limit=200&to=${encodeURIComponent(to)}`, { headers: { Cookie: cookie } });
    const items = (await r.json()).data.filter((m) => !kind || m.kind === kind);
    if (items.length) {
      const m = items[0].text.match(new RegExp(label + ":\\s*(\\S+)"));
      check(m, `the ${kind} message holds "${label}"`);
      return m[1];
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no ${kind} message to ${to}`);
}

export function finish(problems) {
  if (problems.length) {
    console.log("PROBLEMS:\n" + problems.join("\n"));
    process.exit(1);
  }
  console.log("all checks passed");
}

// axe-core (npm) on the current page: no serious or critical violation. Injected through
// page.evaluate (the DevTools protocol), so the page's CSP stays as strict as it is.
const AXE = fs.readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
export async function checkA11y(page) {
  const found = await page.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  }, AXE);
  check(found.length === 0, `accessibility on ${page.url()}: ${found.join("; ")}`);
}

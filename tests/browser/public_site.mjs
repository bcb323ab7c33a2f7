// Public site at 1280 px and 390 px: every page renders without console errors, is keyboard
// navigable with visible focus, labels its controls and does not scroll sideways; the cookie
// banner offers accept / reject / choose equally and nothing optional is set before a choice.
import { launch, watchedPage, step, check, checkFocusVisible, checkNoHorizontalScroll, checkLabels, checkA11y, finish } from "./harness.mjs";

const PAGES = [["/", "Domains and mailboxes"], ["/pricing", "Pricing"], ["/privacy", "Privacy policy"], ["/terms", "Terms"],
  ["/subprocessors", "Subprocessors"], ["/contact", "Contact"], ["/signup", "Create your account"], ["/login", "Sign in"], ["/reset-password", "Reset your password"],
  ["/invitations/accept?token=example", "Join a workspace"]];

const browser = await launch();
const all = [];
try {
  for (const width of [1280, 390]) {
    const { context, page, problems } = await watchedPage(browser, { width, height: 844, name: `public-${width}` });
    all.push(problems);
    await step(page, "home and cookie banner", async () => {
      await page.goto("/");
      await page.getByRole("region", { name: "Cookie choices" }).waitFor();
      const buttons = page.locator(".cookie-actions .btn");
      check((await buttons.count()) === 3, "three cookie buttons");
      const boxes = await buttons.evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height), getComputedStyle(e).backgroundColor]; }));
      check(boxes.every((b) => b[0] === boxes[0][0] && b[1] === boxes[0][1] && b[2] === boxes[0][2]), "accept / reject / choose equally prominent: " + JSON.stringify(boxes));
      const cookies = await context.cookies();
      check(cookies.length === 0, "no cookie before a choice: " + JSON.stringify(cookies));
      await checkA11y(page);
    });
    await step(page, "choose: analytics only", async () => {
      await page.getByRole("button", { name: "Choose" }).click();
      await page.getByLabel("Analytics").check();
      await page.getByRole("button", { name: "Save my choice" }).click();
      await page.getByRole("region", { name: "Cookie choices" }).waitFor({ state: "detached" });
      const c = (await context.cookies()).find((x) => x.name === "mj_consent");
      check(c && decodeURIComponent(c.value) === "analytics:1,preferences:0", "choice stored: " + (c && c.value));
    });
    await step(page, "change from the footer: reject all", async () => {
      await page.getByRole("button", { name: "Cookie settings" }).click();
      await page.getByRole("button", { name: "Reject all" }).click();
      const c = (await context.cookies()).find((x) => x.name === "mj_consent");
      check(decodeURIComponent(c.value) === "analytics:0,preferences:0", "rejected: " + c.value);
      check((await context.cookies()).length === 1, "only the consent record itself");
    });
    if (width === 1280)
      await step(page, "Global Privacy Control counts as an opt-out", async () => {
        const gpc = await browser.newContext({ baseURL: process.env.MJ_URL });
        await gpc.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
        const p = await gpc.newPage();
        await p.goto("/");
        await p.getByTestId("gpc-note").waitFor();
        await p.getByRole("button", { name: "Accept all" }).click();
        const c = (await gpc.cookies()).find((x) => x.name === "mj_consent");
        check(c && decodeURIComponent(c.value) === "analytics:0,preferences:1", "GPC keeps analytics off: " + (c && c.value));
        await gpc.close();
      });
    for (const [url, heading] of PAGES) {
      await step(page, `page ${url}`, async () => {
        await page.goto(url);
        await page.locator("h1").first().waitFor();
        const h1 = await page.locator("h1").first().textContent();
        check(h1.includes(heading), `${url} heading "${h1}"`);
        await page.waitForFunction(() => !document.querySelector(".loading"), null, { timeout: 10000 });
        await checkLabels(page);
        if (width === 1280) await checkA11y(page);
        await checkNoHorizontalScroll(page);
        await checkFocusVisible(page, 3);
      });
    }
    await step(page, "pricing calculator", async () => {
      await page.goto("/pricing");
      await page.getByTestId("calc-total").waitFor();
      const before = await page.getByTestId("calc-total").textContent();
      await page.getByLabel("Months").fill("12");
      await page.getByLabel("Domains").fill("5");
      const after = await page.getByTestId("calc-total").textContent();
      check(before !== after && /\$/.test(after), `total recomputed: ${before} -> ${after}`);
    });
    await step(page, "signup errors next to the field", async () => {
      await page.goto("/signup");
      await page.getByLabel("Work e-mail").fill("not-an-address");
      await page.getByLabel("Your name").fill("X");
      await page.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await page.getByLabel(/I accept the/).check();
      await page.getByLabel(/I will use MailJuke for my business/).check();
      check(!(await page.getByLabel(/product news/).isChecked()), "marketing consent starts unticked");
      page.__expected.add(422);
      await page.getByRole("button", { name: "Create account" }).click();
      const err = page.locator('input[name="email"] ~ .field-error');
      await err.waitFor();
      check(/e-mail/.test(await err.textContent()), "the e-mail field shows the API's message");
      page.__expected.delete(422);
    });
    await context.close();
  }
} finally {
  await browser.close();
}
finish(all.flat());

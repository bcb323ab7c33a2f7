// The customer journey in Chromium against a real server: sign up, verify the e-mail (link from
// the outbox), create a workspace, top up the wallet, buy two domains, bulk-create 6 mailboxes (progress to 100 %),
// copy the SMTP settings, export the Instantly CSV, invite a member, create an API key, the same
// dashboard at 390 px after signing in, 2FA with QR and the TOTP login step; billing and privacy
// steps when the server has those APIs.
import crypto from "node:crypto";
import fs from "node:fs";
import { BASE, launch, watchedPage, step, check, checkFocusVisible, checkNoHorizontalScroll, checkLabels, checkA11y, outboxToken, finish } from "./harness.mjs";

const email = `journey-${crypto.randomBytes(4).toString("hex")}@example.com`;
const password = "correct-horse-battery-staple";
const tag = crypto.randomBytes(3).toString("hex");
const domains = [`acme-${tag}-one.com`, `acme-${tag}-two.net`];
const paths = (await (await fetch(BASE + "/api/openapi.json")).json()).paths;
const has = (p) => !!paths["/api/v1/" + p];

function totp(secret, offset = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const h = crypto.createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

async function settle(page) {
  await page.waitForFunction(() => !document.querySelector(".loading"), null, { timeout: 15000 });
}

const browser = await launch();
const all = [];
let wsPath = "";
try {
  const { context, page, problems } = await watchedPage(browser, { width: 1280, height: 900, name: "journey" });
  all.push(problems);
  await step(page, "cookie choice then sign up", async () => {
    await page.goto("/");
    await page.getByRole("button", { name: "Reject all" }).click();
    await page.getByRole("link", { name: "Sign up" }).click();
    await page.getByLabel("Your name").fill("Journey Tester");
    await page.getByLabel("Work e-mail").fill(email);
    await page.getByLabel("Company (optional)").fill("Acme Outbound");
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel(/I accept the/).check();
    await page.getByLabel(/I will use MailJuke for my business/).check();
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Verify your e-mail" }).waitFor();
  });
  await step(page, "verify e-mail from the outbox link", async () => {
    const token = await outboxToken(email, "verify_email", "Verification token");
    await page.goto(`/verify-email?token=${encodeURIComponent(token)}`);
    await page.getByText("Your e-mail address is verified.").waitFor();
    await page.getByRole("link", { name: "Go to the dashboard" }).click();
  });
  await step(page, "create a workspace", async () => {
    await page.getByRole("heading", { name: "Workspaces" }).waitFor();
    await page.getByLabel("Workspace name").fill("Acme Outbound");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "Acme Outbound" }).waitFor();
    wsPath = new URL(page.url()).pathname;
    check(/^\/w\/ws_/.test(wsPath), "on the workspace page: " + wsPath);
    await checkFocusVisible(page, 3);
  });
  // Domains are paid from the wallet: top it up first ($60 covers .com + .net + the bulk .org).
  if (has("workspaces/{ws}/wallet")) {
    await step(page, "billing: top up the wallet", async () => {
      await page.goto(wsPath + "/billing");
      await page.getByLabel("Top-up amount (USD)").fill("60");
      await page.getByRole("button", { name: "Top up" }).click();
      await page.getByRole("status").filter({ hasText: "Top-up succeeded." }).waitFor();
      await settle(page);
    });
  }
  if (has("workspaces/{ws}/billing/payment-method")) {
    await step(page, "billing: replace the card saved for renewals and auto top-ups", async () => {
      await page.goto(wsPath + "/billing");
      const form = page.getByRole("form", { name: "Replace saved card" });
      await form.getByLabel("New card").selectOption("tok_de");
      await form.getByRole("button", { name: "Replace card" }).click();
      await page.getByRole("status").filter({ hasText: "Card saved for automatic payments." }).waitFor();
      await page.reload();
      const shown = page.getByTestId("saved-card");
      await shown.filter({ hasText: "ending 4242 (DE)" }).waitFor();
      check(true, "the saved card is shown with its last digits and country");
    });
  }
  if (has("workspaces/{ws}/wallet/auto-top-up")) {
    await step(page, "billing: auto top-up settings with the API's errors at the field", async () => {
      await page.goto(wsPath + "/billing");
      const form = page.getByRole("form", { name: "Automatic top-up" });
      await form.getByLabel("Top up by (USD)").fill("1");  // below the minimum top-up
      page.__expected.add(422);
      await form.getByRole("button", { name: "Save automatic top-up" }).click();
      const err = form.locator(".field-error").filter({ hasText: /must be between/ });
      await err.waitFor();
      page.__expected.delete(422);
      const input = form.getByLabel("Top up by (USD)");
      const describedBy = (await input.getAttribute("aria-describedby")) || "";
      check((await input.getAttribute("aria-invalid")) === "true" &&
        describedBy.split(" ").includes(await err.getAttribute("id")), "the amount error is shown at the amount field");
      await form.getByLabel("Top up by (USD)").fill("25");
      await form.getByLabel("When the balance falls below (USD)").fill("5");
      await form.getByLabel("Top up automatically").check();
      await form.getByRole("button", { name: "Save automatic top-up" }).click();
      await form.getByText("Automatic top-up saved.").waitFor();
      await page.reload();
      const again = page.getByRole("form", { name: "Automatic top-up" });
      check(await again.getByLabel("Top up automatically").isChecked(), "auto top-up is saved as on");
      check((await again.getByLabel("Top up by (USD)").inputValue()) === "25", "the saved amount is shown");
    });
  }
  for (const [i, name] of domains.entries()) {
    await step(page, `search and buy domain ${i + 1}`, async () => {
      await page.goto(wsPath + "/domains");
      await page.getByLabel("Domain name").fill(name);
      await page.getByRole("button", { name: "Check availability" }).click();
      await page.getByText("is available for").waitFor();
      // The price against the balance before confirming.
      await page.getByTestId("wallet-cover").filter({ hasText: "enough" }).waitFor();
      await page.getByRole("button", { name: "Buy " + name }).click();
      await page.getByText("Bought").waitFor();
      await page.getByRole("link", { name, exact: true }).first().waitFor();
    });
  }
  await step(page, "domain purchase the wallet does not cover says so before buying", async () => {
    await page.goto(wsPath + "/domains");
    await page.getByLabel("Domain name").fill(`acme-${tag}-big.io`);  // $39 against $34 left
    await page.getByRole("button", { name: "Check availability" }).click();
    const cover = page.getByTestId("wallet-cover");
    await cover.filter({ hasText: "does not cover it" }).waitFor();
    check(await cover.getByRole("link", { name: /Top up at least \$5\.00/ }).isVisible(), "names the top-up needed");
    await page.goto(wsPath + "/domains");
  });
  await step(page, "domain page: DNS table with copy buttons, DMARC", async () => {
    await page.getByRole("link", { name: domains[0], exact: true }).first().click();
    await page.getByRole("heading", { name: "DNS records" }).waitFor();
    await settle(page);
    check((await page.locator("table.dns tbody tr").count()) >= 5, "managed records listed");
    await page.getByLabel("DMARC policy").selectOption("quarantine");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.").waitFor();
    await checkLabels(page);
  });
  await step(page, "bulk-create 6 mailboxes with progress to 100 %", async () => {
    await page.goto(wsPath + "/mailboxes");
    await page.getByRole("button", { name: "Create mailboxes" }).click();
    await page.getByLabel(/People/).fill("John Smith\nMary Jones\nJosé García");
    await page.getByRole("button", { name: "Next: domains" }).click();
    await page.getByLabel("All domains").check();
    await page.getByLabel("Mailboxes per domain").fill("3");
    await page.getByRole("button", { name: "Next: preview" }).click();
    const preview = page.getByTestId("preview").locator("li");
    check((await preview.count()) === 6, "preview shows 6 addresses");
    check((await preview.first().textContent()).startsWith("john.smith@"), "pattern first.last");
    await page.getByRole("button", { name: "Create 6 mailboxes" }).click();
    await page.locator(".progress .pct", { hasText: "100 %" }).waitFor({ timeout: 60000 });
    await page.getByText("6 succeeded, 0 failed.").waitFor({ timeout: 30000 });
    await page.getByRole("button", { name: "Close" }).click();
    await page.getByTestId("mailbox-table").waitFor();
    check((await page.getByTestId("mailbox-table").locator("tbody tr").count()) === 6, "6 rows in the table");
  });
  await step(page, "export the Instantly CSV", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Instantly" }).click()]);
    check(download.suggestedFilename() === "mailboxes-instantly.csv", "file name " + download.suggestedFilename());
    const text = fs.readFileSync(await download.path(), "utf8");
    const lines = text.trim().split(/\r?\n/);
    check(lines[0].startsWith("Email,First Name,Last Name"), "Instantly header");
    check(lines.length === 7, "6 mailboxes exported, got " + (lines.length - 1));
  });
  await step(page, "mailbox page: copy all SMTP settings", async () => {
    await page.getByTestId("mailbox-table").locator("tbody a").first().click();
    await page.getByRole("heading", { name: "Connection settings" }).waitFor();
    await page.getByRole("button", { name: "Copy all settings" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    check(/SMTP host: \S+/.test(clip) && /SMTP port: \d+/.test(clip) && /SMTP password: \S{20,}/.test(clip), "clipboard has the SMTP settings: " + clip.slice(0, 120));
  });
  await step(page, "bulk add domains: live progress and per-row results", async () => {
    await page.goto(wsPath + "/domains");
    await page.getByRole("tab", { name: "Bulk add" }).click();
    await page.getByLabel(/Domain names/).fill(`bulk-${tag}.org\nnot a domain`);
    await page.getByRole("button", { name: "Add 2 domains" }).click();
    await page.locator(".progress .pct", { hasText: "100 %" }).waitFor({ timeout: 60000 });
    await page.getByText("1 succeeded, 1 failed.").waitFor({ timeout: 30000 });
    check((await page.locator("tr.row-failed").count()) === 1, "the bad row is marked failed");
    await page.getByRole("link", { name: `bulk-${tag}.org`, exact: true }).waitFor();
  });
  await step(page, "connect an external domain: records and verify", async () => {
    await page.getByRole("tab", { name: "Connect a domain you own" }).click();
    await page.getByRole("textbox", { name: "Domain you own" }).fill(`own-${tag}.com`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await page.getByRole("heading", { name: `Connect own-${tag}.com` }).waitFor();
    check((await page.getByText(`_mailjuke-challenge.own-${tag}.com`).count()) === 1, "the TXT record name is shown");
    await page.getByRole("button", { name: "Verify now" }).click();
    await page.getByText(/^Checked /).waitFor();
    check((await page.locator("#ver-h ~ .table-wrap tbody tr").count()) >= 1, "per-record status rows");
  });
  await step(page, "invite a member", async () => {
    await page.goto(wsPath + "/members");
    await page.getByLabel("E-mail", { exact: true }).fill(`teammate-${tag}@example.com`);
    await page.getByLabel("Role", { exact: true }).selectOption("member");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByText(`teammate-${tag}@example.com as member`).waitFor();
    await page.reload();  // the pending list comes from the server, not from this page's memory
    await page.getByTestId("invitations").getByText(`teammate-${tag}@example.com as member`).waitFor();
  });
  await step(page, "API key shown once", async () => {
    await page.goto(wsPath + "/api-keys");
    await page.getByLabel("Name", { exact: true }).fill("sequencer");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByTestId("new-key").textContent();
    check(key.startsWith("mj_"), "key shown");
    await page.getByRole("button", { name: "I have stored it" }).click();
    check(!(await page.content()).includes(key), "the key is gone once dismissed");
  });
  await step(page, "activity log with a filter", async () => {
    await page.goto(wsPath + "/activity");
    await settle(page);
    await page.getByLabel("Action").fill("api_key.create");
    await page.getByRole("button", { name: "Filter" }).click();
    // The unfiltered list already shows the event on top; wait for the filtered reload.
    const onlyKeyEvents = () => {
      const rows = [...document.querySelectorAll("tbody tr")];
      return rows.length > 0 && rows.every((r) => r.textContent.includes("api_key.create"));
    };
    await page.waitForFunction(onlyKeyEvents, null, { timeout: 15000 });
    check((await page.locator("tbody tr").count()) === 1, "one api_key.create event");
  });
  await step(page, "owner accepts the DPA", async () => {
    await page.goto(wsPath + "/settings");
    await page.getByRole("button", { name: "Accept the DPA" }).click();
    await page.getByText(/^Accepted \(version/).waitFor();
  });
  if (has("workspaces/{ws}/exports")) {
    await step(page, "owner exports the whole workspace", async () => {
      await page.getByRole("button", { name: "Export workspace data" }).click();
      const link = page.getByRole("link", { name: "Download the export" });
      await link.waitFor();
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      const head = fs.readFileSync(await download.path()).subarray(0, 2).toString();
      check(head === "PK", "the workspace export is a ZIP");
    });
  }
  if (has("me/privacy/requests/{prq}/cancel")) {
    await step(page, "owner schedules the erasure of the workspace, then cancels it", async () => {
      await page.goto(wsPath + "/settings");
      await settle(page);
      const zone = page.getByTestId("workspace-erasure");
      await zone.getByRole("button", { name: "Erase workspace data…" }).click();
      // (A wrong password would be a 422, which the harness counts as a console error.)
      await zone.getByLabel("Your password").fill(password);
      await zone.getByLabel(/I understand/).check();
      await zone.getByRole("button", { name: "Schedule the erasure" }).click();
      const note = zone.getByTestId("erasure-scheduled");
      await note.waitFor();
      check(/scheduled for deletion on \S*\d/.test(await note.innerText()), "the deletion date is shown");
      await page.reload();
      await settle(page);
      await zone.getByTestId("erasure-scheduled").waitFor();
      await zone.getByRole("button", { name: "Cancel the deletion" }).click();
      await zone.getByRole("button", { name: "Erase workspace data…" }).waitFor();
      check((await zone.getByTestId("erasure-scheduled").count()) === 0, "the cancelled deletion is gone");
    });
  }
  if (has("workspaces/{ws}/subscription")) {
    await step(page, "billing: subscribe to a plan after the preview", async () => {
      await page.goto(wsPath + "/billing");
      await settle(page);
      await page.getByRole("form", { name: "Change plan" }).getByLabel("Plan").selectOption("starter");
      await page.getByRole("button", { name: "Preview the change" }).click();
      await page.getByRole("button", { name: "Confirm the change" }).click();
      await page.getByText("Your plan is changed.").waitFor();
    });
  }
  if (has("workspaces/{ws}/invoices")) {
    await step(page, "billing: download an invoice PDF", async () => {
      await page.goto(wsPath + "/billing");
      await settle(page);
      const pdf = page.getByRole("link", { name: "PDF" }).first();
      await pdf.waitFor();
      const [download] = await Promise.all([page.waitForEvent("download"), pdf.click()]);
      const head = fs.readFileSync(await download.path()).subarray(0, 5).toString();
      check(head === "%PDF-", "the invoice is a PDF");
    });
  }
  if (has("workspaces/{ws}/credit-notes")) {
    await step(page, "billing: credit notes listed with their PDF", async () => {
      // A credit note for part of the subscription invoice, issued through the API like a
      // billing member would (the dashboard lists them).
      const number = await page.evaluate(async (ws) => {
        const { get, post, idempotencyKey } = await import("/js/api.js");
        const invs = await get(`workspaces/${ws}/invoices?limit=10`);
        const inv = invs.data.find((i) => i.status === "paid" && i.total.amount > 0);
        const cn = await post(`workspaces/${ws}/invoices/${inv.id}/credit-notes`, { amount: 500, reason: "journey goodwill" }, { "Idempotency-Key": idempotencyKey() });
        return cn.number;
      }, wsPath.split("/")[2]);
      await page.goto(wsPath + "/billing");
      const section = page.getByRole("region", { name: "Credit notes" });
      await section.getByText(number).waitFor();
      check(await section.getByText("journey goodwill").isVisible(), "the reason is listed");
      const pdf = section.getByRole("link", { name: `Credit note ${number} PDF` });
      const [download] = await Promise.all([page.waitForEvent("download"), pdf.click()]);
      const head = fs.readFileSync(await download.path()).subarray(0, 5).toString();
      check(head === "%PDF-", "the credit note is a PDF");
    });
  }

  await step(page, "dashboard pages: axe, focus, labels", async () => {
    for (const sub of [wsPath, wsPath + "/domains", wsPath + "/mailboxes", wsPath + "/members", wsPath + "/api-keys",
      wsPath + "/activity", wsPath + "/settings", wsPath + "/billing", "/app/account", "/app/privacy", "/app/workspaces"]) {
      await page.goto(sub);
      await page.locator("h1").first().waitFor();
      await settle(page);
      await checkLabels(page);
      await checkA11y(page);
    }
    await page.goto(wsPath + "/domains");
    await settle(page);
    await page.getByRole("link", { name: domains[1], exact: true }).click();
    await page.getByRole("heading", { name: "DNS records" }).waitFor();
    await settle(page);
    await checkA11y(page);
    await checkFocusVisible(page, 6);
  });

  // The same dashboard at 390 px in a second browser: sign in through the login form.
  const mobile = await watchedPage(browser, { width: 390, height: 844, name: "mobile" });
  all.push(mobile.problems);
  await step(mobile.page, "sign in at 390 px", async () => {
    const p = mobile.page;
    await p.goto("/login");
    await p.getByRole("button", { name: "Accept all" }).click();
    await p.getByLabel("E-mail").fill(email);
    await p.getByLabel("Password").fill(password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByRole("heading", { name: "Acme Outbound" }).waitFor();
  });
  for (const sub of ["", "/domains", "/mailboxes", "/members", "/api-keys", "/activity", "/settings"]) {
    await step(mobile.page, `390 px ${sub || "overview"}`, async () => {
      await mobile.page.goto(wsPath + sub);
      await mobile.page.locator("h1").first().waitFor();
      await settle(mobile.page);
      await checkNoHorizontalScroll(mobile.page);
      await checkLabels(mobile.page);
    });
  }
  await step(mobile.page, "390 px menu", async () => {
    const p = mobile.page;
    await p.getByRole("button", { name: "Menu" }).click();
    await p.getByRole("link", { name: "Account and security" }).click();
    await p.getByRole("heading", { name: "Account and security" }).waitFor();
    await settle(p);
    await checkNoHorizontalScroll(p);
  });
  await mobile.context.close();

  let secret = null;
  let recovery = [];
  await step(page, "2FA: QR code, recovery codes, sessions", async () => {
    await page.goto("/app/account");
    await settle(page);
    check((await page.locator("tbody tr").count()) >= 1, "sessions listed");
    await page.getByRole("button", { name: "Set up 2FA" }).click();
    const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
    await qr.waitFor();
    check((await qr.evaluate((img) => img.complete && img.naturalWidth)) > 0, "the QR image renders");
    const text = await page.locator("text=Or enter this key by hand").locator("code").textContent();
    secret = text.trim();
    await page.getByLabel("6-digit code from the app").fill(totp(secret));
    await page.getByRole("button", { name: "Turn on 2FA" }).click();
    await page.getByTestId("recovery-codes").waitFor();
    recovery = (await page.getByTestId("recovery-codes").locator("li").allTextContents()).map((c) => c.trim());
    check(recovery.length === 10, "10 recovery codes");
    await page.getByRole("button", { name: "I have saved them" }).click();
  });
  await step(page, "sign out, sign in with the TOTP step", async () => {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill(password);
    page.__expected.add(401);
    await page.getByRole("button", { name: "Sign in" }).click();
    const code = page.getByLabel(/Code from your authenticator app/);
    await code.waitFor();
    page.__expected.delete(401);
    await code.fill(totp(secret, 1));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { name: "Acme Outbound" }).waitFor();
  });
  if (has("me/privacy")) {
    await step(page, "privacy centre: export my data and download it", async () => {
      await page.goto("/app/privacy");
      await settle(page);
      await page.getByRole("button", { name: "Download my data…" }).click();
      await page.getByLabel("Your password").fill(password);
      await page.getByLabel("2FA code").fill(recovery[0]);  // TOTP steps are single use
      await page.getByRole("button", { name: "Send request" }).click();
      const link = page.getByTestId("privacy-request").getByRole("link", { name: "Download my data" });
      await link.waitFor({ timeout: 60000 });
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      check(fs.statSync(await download.path()).size > 0, "the export downloads");
    });
  }
  if (has("me/privacy/requests")) {
    await step(page, "privacy centre: delete my account", async () => {
      await page.goto("/app/privacy");
      await settle(page);
      await page.getByRole("button", { name: "Delete my account…" }).click();
      await page.getByText("This cannot be undone.").waitFor();
      await page.getByLabel("Your password").fill(password);
      await page.getByLabel("2FA code").fill(recovery[1]);
      await page.getByLabel(/I understand/).check();
      await page.getByRole("button", { name: "Delete my account", exact: true }).click();
      await page.getByRole("heading", { name: /Domains and mailboxes/ }).waitFor();
    });
  }
  await context.close();

  // The operator console, for an operator account.
  const op = await watchedPage(browser, { width: 1280, height: 900, name: "operator" });
  all.push(op.problems);
  await step(op.page, "operator console", async () => {
    const p = op.page;
    await p.goto("/login?next=/app/operator");
    await p.getByRole("button", { name: "Reject all" }).click();
    await p.getByLabel("E-mail").fill(process.env.MJ_OPERATOR_EMAIL);
    await p.getByLabel("Password").fill(process.env.MJ_OPERATOR_PASSWORD);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByRole("heading", { name: "Operator console" }).waitFor();
    // Suspend the journey's workspace with a reason, then resume it.
    const wsId = wsPath.split("/")[2];
    await p.getByRole("tab", { name: "Workspaces" }).click();
    await p.getByLabel("Search by name or id").fill(wsId);
    const row = p.locator("tr", { hasText: "Acme Outbound" });
    await row.getByRole("button", { name: "Suspend" }).click();
    await p.getByRole("dialog").getByLabel(/Reason/).fill("journey check");
    await p.getByRole("dialog").getByRole("button", { name: "Suspend" }).click();
    await row.getByText("suspended", { exact: true }).waitFor();
    check(await row.getByText(/journey check/).isVisible(), "the reason is shown");
    await row.getByRole("button", { name: "Resume" }).click();
    await p.getByRole("dialog").getByRole("button", { name: "Resume" }).click();
    await row.getByText("active", { exact: true }).waitFor();
    if (has("admin/breaches")) {
      // Record a breach; its 72-hour deadline has passed, so it is shown as overdue.
      await p.getByRole("tab", { name: "Breaches" }).click();
      await p.getByRole("button", { name: "Record a breach…" }).click();
      const dlg = p.getByRole("dialog");
      await dlg.getByLabel("What happened").fill("journey: a lost laptop");
      await dlg.getByLabel("Detected at").fill("2026-01-05T08:00");
      await dlg.getByLabel("Aware since").fill("2026-01-05T09:00");
      await dlg.getByRole("button", { name: "Record" }).click();
      const breach = p.locator("tr", { hasText: "journey: a lost laptop" });
      await breach.waitFor();
      check((await breach.getAttribute("class")).includes("row-failed"), "an overdue breach is marked");
    }
    await p.getByRole("tab", { name: "Mail queue" }).click();
    await settle(p);
    await p.getByRole("tab", { name: "Outbox" }).click();
    await settle(p);
    // The journey's account was erased above, and its own e-mails with it (outbox.to_address is
    // a subject link); the invitation it sent to someone else stays.
    check(await p.getByText("invitation", { exact: true }).first().isVisible(), "the outbox lists the invitation e-mail");
    await checkA11y(p);
  });
  await op.context.close();
} finally {
  await browser.close();
}
finish(all.flat());

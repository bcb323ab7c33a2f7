// Public site: home, pricing with calculator, legal pages, contact + privacy request.
import { html, useState, useEffect } from "../lib.js";
import { get, post, getIf, apiHas } from "../api.js";
import { Field, Select, FormError, useSubmit, Loaded, useLoad, Notice, cents, money, day } from "../ui.js";

export function Home() {
  const deleted = new URLSearchParams(location.search).get("account") === "deleted";
  return html`${deleted && html`<${Notice} kind="success">Your account deletion request is received: you are signed out, and we e-mail you when it is done.<//>`}
    <section class="hero">
      <h1>Domains and mailboxes ready for outbound e-mail, in minutes</h1>
      <p class="lead">MailJuke buys or connects your domains, publishes correct MX, SPF, DKIM and
        DMARC records from its own nameservers, and hosts the mailboxes your sequencer sends from.
        Export them to Instantly or Smartlead in one click. For business use only.</p>
      <p><a class="btn primary" href="/signup">Create an account</a>
        <a class="btn" href="/pricing">See pricing</a></p>
    </section>
    <section class="features" aria-label="What MailJuke does">
      <div><h2>Domains</h2><p>Search and buy, or connect a domain you own. DNS is ours and
        correct from the first minute; we check delegation and every record for you.</p></div>
      <div><h2>Mailboxes</h2><p>Create hundreds at once from a list of names, with SMTP and IMAP
        credentials ready for your sending tool and per-mailbox daily limits.</p></div>
      <div><h2>Honest billing</h2><p>Mailboxes × months plus domains. No setup fees, no hidden
        add-ons, prorated to the second when you change plan.</p></div>
      <div><h2>Privacy built in</h2><p>Download or delete your data yourself, see every consent
        you gave, and read exactly which subprocessors we use.</p></div>
    </section>
    <section><h2>Developers</h2><p>Everything in the dashboard is in the
      <a href="/api/openapi.json">HTTP API (OpenAPI 3.1)</a>, with API keys per workspace.</p></section>`;
}

const TLDS = ["com", "net", "org", "io", "co", "dev"];
// Shown when the plan catalog (GET /api/v1/plans) is not on this server.
const FALLBACK_PLANS = [
  { id: "starter", name: "Starter", mailboxes: 10, prices: { month: { amount: 3900, currency: "usd" } } },
  { id: "growth", name: "Growth", mailboxes: 50, prices: { month: { amount: 14900, currency: "usd" } } },
  { id: "scale", name: "Scale", mailboxes: 200, prices: { month: { amount: 49900, currency: "usd" } } },
];

export function Pricing() {
  const [cat, setCat] = useState(undefined);
  const [tld, setTld] = useState({});
  useEffect(() => {
    getIf("plans").then(
      (p) => {
        setCat(p && p.data ? { live: true, plans: p.data } : { live: false, plans: FALLBACK_PLANS });
        if (p && p.domain_prices && p.domain_prices.length)
          setTld(Object.fromEntries(p.domain_prices.map((d) => [d.tld.replace(/^\./, ""), d.yearly])));
        else
          Promise.all(TLDS.map((t) => get(`domains/availability?name=example-pricing.${t}`).then((a) => [t, a.yearly_price], () => [t, null])))
            .then((pairs) => setTld(Object.fromEntries(pairs.filter((x) => x[1]))));
      },
      () => setCat({ live: false, plans: FALLBACK_PLANS })
    );
  }, []);
  return html`<h1>Pricing</h1>
    <p class="lead">A plan is a number of mailboxes per month; domains are billed per year. No setup fees, no hidden add-ons.</p>
    ${cat === undefined
      ? html`<p class="loading" role="status">Loading prices…</p>`
      : html`${!cat.live && html`<${Notice}>The live plan catalog is not available right now; these are the standard prices.<//>`}
        <div class="cards">
          ${cat.plans.map((p) => html`<div class="card plan">
            <h2>${p.name}</h2>
            <p class="price">${money(p.prices.month)} <span>/ month</span></p>
            ${p.prices.year && html`<p class="hint">or ${money(p.prices.year)} / year</p>`}
            <ul><li>${p.mailboxes} mailboxes</li>
              ${p.storage_bytes_per_mailbox && html`<li>${Math.round(p.storage_bytes_per_mailbox / 1e9)} GB storage per mailbox</li>`}
              <li>DNS, SPF, DKIM and DMARC included</li></ul>
          </div>`)}
        </div>
        <${Calculator} plans=${cat.plans} tld=${tld} />`}
    <h2>Domain prices (per year)</h2>
    ${Object.keys(tld).length === 0
      ? html`<p class="loading" role="status">Loading domain prices…</p>`
      : html`<div class="table-wrap"><table class="table narrow-table"><caption class="sr-only">Yearly domain prices by TLD</caption>
          <thead><tr><th scope="col">TLD</th><th scope="col">Per year</th></tr></thead>
          <tbody>${Object.entries(tld).map(([t, p]) => html`<tr><td>.${t}</td><td>${money(p)}</td></tr>`)}</tbody>
        </table></div>`}`;
}

// Mailboxes × months + domains = total: the smallest plan that holds the mailboxes.
function Calculator({ plans, tld }) {
  const [mailboxes, setMailboxes] = useState("10");
  const [months, setMonths] = useState("3");
  const [domains, setDomains] = useState("3");
  const [t, setT] = useState("com");
  const n = (s) => Math.max(0, Math.floor(Number(s) || 0));
  const sorted = [...plans].sort((a, b) => a.mailboxes - b.mailboxes);
  const plan = sorted.find((p) => p.mailboxes >= n(mailboxes));
  const currency = plan ? plan.prices.month.currency : "usd";
  const years = Math.max(1, Math.ceil(n(months) / 12));
  const mailboxTotal = plan ? plan.prices.month.amount * n(months) : 0;
  const domainTotal = (tld[t] ? tld[t].amount : 0) * n(domains) * years;
  return html`<section class="card calculator" aria-labelledby="calc-h">
    <h2 id="calc-h">Calculator</h2>
    <div class="grid4">
      <${Field} label="Mailboxes" name="mailboxes" type="number" min="0" value=${mailboxes} onInput=${setMailboxes} />
      <${Field} label="Months" name="months" type="number" min="1" value=${months} onInput=${setMonths} />
      <${Field} label="Domains" name="domains" type="number" min="0" value=${domains} onInput=${setDomains} />
      <${Select} label="Domain TLD" name="tld" value=${t} onChange=${setT}
        options=${Object.keys(tld).length ? Object.keys(tld).map((x) => [x, "." + x]) : [["com", ".com"]]} />
    </div>
    ${plan
      ? html`<p class="total" aria-live="polite">
          ${plan.name} (${plan.mailboxes} mailboxes) ${money(plan.prices.month)} × ${n(months)} months = ${cents(mailboxTotal, currency)},
          plus ${n(domains)} domains × ${years} year${years > 1 ? "s" : ""} = ${cents(domainTotal, currency)}.
          Total <strong data-testid="calc-total">${cents(mailboxTotal + domainTotal, currency)}</strong></p>`
      : html`<p class="total" aria-live="polite">More than ${sorted.length ? sorted[sorted.length - 1].mailboxes : 0} mailboxes: <a href="/contact">talk to us</a>.</p>`}
  </section>`;
}

const FALLBACK_PRIVACY = `MailJuke ("we") provides domains, DNS and mailboxes for business e-mail. We process the
account data you give us (name, e-mail, company, billing details), the data your workspace stores
(domains, mailboxes and their messages) and technical logs (IP address, browser, times) to run the
service, bill for it, keep it secure and meet legal obligations. We do not sell personal data. You
can see, download, correct and delete your data from the privacy centre in the dashboard, or send a
privacy request from the contact page without an account. Optional cookies are only set with your
consent, which you can change from "Cookie settings" at the bottom of every page.`;

export function PrivacyPolicy() {
  const [doc, err] = useLoad(() => getIf("legal/privacy-policy"), []);
  const [old, setOld] = useState(null);
  const [oldErr, setOldErr] = useState(null);
  const show = (h) => get(h.url).then(setOld, setOldErr);
  const paragraphs = (t) => String(t || "").split(/\n{2,}/).map((p) => html`<p>${p}</p>`);
  return html`<h1>Privacy policy</h1>
    <${Loaded} data=${doc} error=${err} what="Loading the policy">
      ${(d) => {
        if (!d) return html`<div class="prose"><p>${FALLBACK_PRIVACY}</p></div>`;
        const shown = old || d;
        return html`<p class="meta">Version ${shown.version} · last updated <time datetime=${shown.effective_at}>${shown.last_updated || day(shown.effective_at)}</time></p>
          ${old && html`<${Notice}>You are reading an earlier version. <button type="button" class="link" onClick=${() => setOld(null)}>Back to the current version</button><//>`}
          <${FormError} error=${oldErr} />
          <div class="prose">${paragraphs(shown.text)}</div>
          ${(d.history || []).length > 1 &&
          html`<h2>All versions</h2><ul>${d.history.map((h) => html`<li><button type="button" class="link" onClick=${() => show(h)}>Version ${h.version}</button>
            (effective ${h.effective_date || day(h.effective_at)}${h.material ? ", material change" : ""})</li>`)}</ul>`}`;
      }}
    <//>`;
}

export function Terms() {
  return html`<h1>Terms of service</h1><div class="prose">
    <p>MailJuke is for business use only. By creating an account you confirm you act for a business.</p>
    <p>You may send only lawful e-mail: you must honour unsubscribe requests, identify yourself,
      and not send to addresses obtained without a lawful basis. We suspend workspaces that cause
      abuse complaints, spam-trap hits or high bounce rates.</p>
    <p>Prices are those shown on the pricing page at the time of purchase. Plan changes are
      prorated to the second; domains are billed per year and renew automatically unless you
      turn auto-renew off. Wallet top-ups are used for purchases and are refundable on request
      within 14 days when unused.</p>
    <p>We keep the service running with reasonable care and publish our subprocessors. Personal
      data is handled as the privacy policy describes; workspace owners can accept our data
      processing agreement (DPA) in the dashboard.</p>
    <p>You can close your account at any time from the privacy centre.</p>
  </div>`;
}

export function Subprocessors() {
  const [d, err] = useLoad(() => getIf("legal/subprocessors"), []);
  return html`<h1>Subprocessors</h1>
    <p>The companies that process personal data on our behalf, what for, and where.</p>
    <${Loaded} data=${d} error=${err} what="Loading subprocessors">
      ${(x) => {
        const rows = x ? x.data || x.subprocessors || x : [
          { vendor: "Hosting provider (EU)", purpose: "servers, storage and backups", location: "European Union" },
          { vendor: "Stripe", purpose: "card payments", location: "United States / European Union" },
          { vendor: "Domain registrar", purpose: "domain registration (registrant data)", location: "varies by TLD" },
        ];
        return html`${!x && html`<${Notice}>The live list is not available right now; this is the standard list.<//>`}
          <div class="table-wrap"><table class="table"><thead><tr><th scope="col">Vendor</th><th scope="col">Purpose</th><th scope="col">Location</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr><td>${r.vendor || r.name}</td><td>${r.purpose}</td><td>${r.location || r.country}${r.transfer_safeguard ? html`<div class="hint">${r.transfer_safeguard}</div>` : ""}</td></tr>`)}</tbody></table></div>`;
      }}
    <//>`;
}

const REQUEST_TYPES = [
  ["access", "A copy of my data (access)"],
  ["portability", "My data in a portable format"],
  ["rectification", "Correct my data"],
  ["erasure", "Delete my data"],
  ["restriction", "Restrict processing"],
  ["objection", "Object to processing"],
];

export function Contact() {
  return html`<h1>Contact</h1>
    <div class="two">
      <section><h2>Talk to us</h2>
        <p>Sales and support: <a href="mailto:support@mailjuke.test">support@mailjuke.test</a></p>
        <p>Abuse reports: <a href="mailto:abuse@mailjuke.test">abuse@mailjuke.test</a></p>
        <p>Privacy: <a href="mailto:privacy@mailjuke.test">privacy@mailjuke.test</a></p>
      </section>
      <${PrivacyRequestForm} />
    </div>`;
}

// A privacy request without an account: e-mail, type and details, then a 6-digit code by e-mail.
function PrivacyRequestForm() {
  const [email, setEmail] = useState("");
  const [type, setType] = useState("access");
  const [details, setDetails] = useState("");
  const [req, setReq] = useState(null);
  const [code, setCode] = useState("");
  const [done, setDone] = useState(null);
  const [available] = useLoad(() => apiHas("POST", "privacy/requests"), []);
  const send = useSubmit(async () => {
    const body = { email, type };
    if (details.trim()) body.message = details.trim();
    const r = await post("privacy/requests", body);
    setReq(r);
  });
  const verify = useSubmit(async () => {
    const r = await post(`privacy/requests/${req.id}/verify`, { code });
    setDone(r || {});
  });
  return html`<section aria-labelledby="prq-h"><h2 id="prq-h">Privacy request</h2>
    <p>For people without an account (or who cannot sign in). We e-mail you a 6-digit code to
      confirm the address is yours; we answer within one month.</p>
    ${available === false
      ? html`<${Notice}>The online form is not available on this server; please e-mail <a href="mailto:privacy@mailjuke.test">privacy@mailjuke.test</a>.<//>`
      : done
      ? html`<${Notice} kind="success">Confirmed. Your request is ${done.status || "open"}${done.due_at ? `; we will answer by ${day(done.due_at)}` : ""}.<//>`
      : !req
      ? html`<form onSubmit=${send.run} novalidate>
          <${Field} label="Your e-mail" name="email" type="email" autocomplete="email" value=${email} onInput=${setEmail} error=${send.fieldError("email")} required />
          <${Select} label="What would you like?" name="type" value=${type} onChange=${setType} options=${REQUEST_TYPES} error=${send.fieldError("type")} />
          <${Field} label="Details (optional)" name="details" type="textarea" value=${details} onInput=${setDetails} error=${send.fieldError("message")} />
          <${FormError} error=${send.error} fields=${["email", "type", "message"]} />
          <button class="btn primary" disabled=${send.busy}>${send.busy ? "Sending…" : "Send me a code"}</button>
        </form>`
      : html`<form onSubmit=${verify.run} novalidate>
          <${Notice}>We sent a code to ${email}. It is valid for 10 minutes.<//>
          <${Field} label="6-digit code" name="code" inputmode="numeric" autocomplete="one-time-code" value=${code} onInput=${setCode} error=${verify.fieldError("code")} />
          <${FormError} error=${verify.error} fields=${["code"]} />
          <button class="btn primary" disabled=${verify.busy}>Confirm request</button>
        </form>`}
  </section>`;
}

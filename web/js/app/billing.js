// Billing (API.md §Billing): plan and usage, plan change with proration preview, the card saved
// for renewals and auto top-ups, wallet and ledger, top-up (Idempotency-Key), auto top-up settings, invoices and credit notes with PDF
// links, billing details.
import { html, useState } from "../lib.js";
import { get, put, post, del, apiHas, getIf, idempotencyKey } from "../api.js";
import { Field, Select, Check, FormError, useSubmit, useLoad, Loaded, Empty, Notice, Badge, money, cents, when, day } from "../ui.js";

export function Billing({ ws }) {
  const [has, err] = useLoad(() => apiHas("GET", "workspaces/{ws}/subscription"), []);
  return html`<h1>Billing</h1>
    <${Loaded} data=${has} error=${err}>
      ${(h) => !h
        ? html`<${Empty}>Billing is not enabled on this server yet.<//>`
        : html`<${Subscription} ws=${ws} /><${SavedCard} ws=${ws} /><${Wallet} ws=${ws} /><${Invoices} ws=${ws} /><${CreditNotes} ws=${ws} /><${Details} ws=${ws} />`}
    <//>`;
}

function Usage({ usage, limits }) {
  if (!usage) return null;
  return html`<ul class="usage">${Object.entries(usage).map(([k, v]) => {
    const used = typeof v === "object" ? v.used ?? v.count : v;
    const quota = typeof v === "object" ? v.quota ?? v.limit : limits && limits[k];
    return html`<li><span>${k.replace(/_/g, " ")}: ${used}${quota != null ? ` of ${quota}` : ""}</span>
      ${quota ? html`<progress max=${quota} value=${Math.min(used, quota)} aria-label=${k + " used"}></progress>` : ""}</li>`;
  })}</ul>`;
}

function Subscription({ ws }) {
  const [sub, err, reload] = useLoad(() => get(`workspaces/${ws}/subscription`).catch((e) => (e.status === 404 ? null : Promise.reject(e))), [ws]);
  const [plans] = useLoad(() => getIf("plans"), []);
  const [plan, setPlan] = useState("");
  const [interval, setBillInterval] = useState("month");
  const [preview, setPreview] = useState(null);
  const [done, setDone] = useState(false);
  const body = () => ({ plan, interval, payment_method: "tok_visa" });
  const pv = useSubmit(async () => {
    setDone(false);
    setPreview(await put(`workspaces/${ws}/subscription?preview=true`, body()));
  });
  const change = useSubmit(async () => {
    await put(`workspaces/${ws}/subscription`, body());
    setPreview(null);
    setDone(true);
    reload();
  });
  const cancel = useSubmit(async () => {
    if (!confirm("Cancel at the end of the current period?")) return;
    await del(`workspaces/${ws}/subscription`);
    reload();
  });
  const lines = preview && ((preview.proration && preview.proration.lines) || preview.lines || (preview.invoice && preview.invoice.lines) || []);
  const total = preview && ((preview.proration && preview.proration.total) || preview.total || (preview.invoice && preview.invoice.total));
  return html`<section class="card" aria-labelledby="sub-h"><h2 id="sub-h">Plan</h2>
    <${Loaded} data=${sub} error=${err}>
      ${(s) => !s
        ? html`<p>No subscription yet: pick a plan below.</p>`
        : html`<p><strong>${(s.plan && s.plan.name) || s.plan_id}</strong> (${s.interval}) <${Badge}>${s.status}<//>
            ${s.cancel_at_period_end ? " — cancels at period end" : ""}</p>
          <p class="hint">Current period ${day(s.current_period_start)} – ${day(s.current_period_end)}${s.price ? ` · ${money(s.price)} per ${s.interval}` : ""}</p>
          <${Usage} usage=${s.usage} limits=${s.limits} />
          ${!s.cancel_at_period_end && s.status !== "canceled" && html`<button type="button" class="btn small" onClick=${cancel.run}>Cancel at period end</button>`}
          <${FormError} error=${cancel.error} />`}
    <//>
    ${plans && plans.data &&
    html`<form class="inline-form" onSubmit=${pv.run} novalidate aria-label="Change plan">
      <${Select} label="Plan" name="plan" value=${plan} onChange=${(v) => { setPlan(v); setPreview(null); }} error=${pv.fieldError("plan")}
        options=${[["", "Choose a plan…"], ...plans.data.map((p) => [p.id, `${p.name} — ${p.mailboxes} mailboxes, ${money(p.prices.month)}/month`])]} />
      <${Select} label="Billed" name="interval" value=${interval} onChange=${(v) => { setBillInterval(v); setPreview(null); }} options=${[["month", "Monthly"], ["year", "Yearly"]]} error=${pv.fieldError("interval")} />
      <button class="btn" disabled=${!plan || pv.busy}>Preview the change</button>
    </form>`}
    <${FormError} error=${pv.error} fields=${["plan", "interval"]} />
    ${preview &&
    html`<div class="preview-box" aria-live="polite"><h3>What this costs now</h3>
      ${lines.length > 0 && html`<div class="table-wrap"><table class="table compact"><tbody>${lines.map((l) => html`<tr><td>${l.description}</td><td class="num">${money(l.amount || l.total)}</td></tr>`)}</tbody></table></div>`}
      <p>Due now: <strong data-testid="proration-total">${total && typeof total === "object" ? money(total) : total != null ? cents(total) : "—"}</strong>
        ${preview.pays_with ? ` — paid with ${preview.pays_with}` : ""}</p>
      <button type="button" class="btn primary" onClick=${change.run} disabled=${change.busy}>Confirm the change</button>
      <${FormError} error=${change.error} fields=${[]} /></div>`}
    ${done && html`<${Notice} kind="success">Your plan is changed.<//>`}
  </section>`;
}

function Wallet({ ws }) {
  const [w, err, reload] = useLoad(() => get(`workspaces/${ws}/wallet`), [ws]);
  const [amount, setAmount] = useState("50");
  const [method, setMethod] = useState("tok_visa");
  const [result, setResult] = useState(null);
  const [key, setKey] = useState(idempotencyKey);
  const s = useSubmit(async () => {
    setResult(null);
    const r = await post(`workspaces/${ws}/wallet/top-ups`, { amount: Math.round(Number(amount) * 100), payment_method: method }, { "Idempotency-Key": key });
    setResult(r);
    setKey(idempotencyKey());
    reload();
  });
  return html`<section class="card" aria-labelledby="wal-h"><h2 id="wal-h">Wallet</h2>
    <${Loaded} data=${w} error=${err}>
      ${(x) => html`<p class="balance">Balance: <strong data-testid="wallet-balance">${money(x.balance)}</strong></p>
        ${(x.data || []).length === 0
          ? html`<${Empty}>No wallet entries yet.<//>`
          : html`<div class="table-wrap"><table class="table compact"><caption>Ledger</caption><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Amount</th></tr></thead>
            <tbody>${x.data.map((e) => html`<tr><td>${when(e.created_at)}</td><td>${e.memo || e.kind || e.type}</td>
              <td class="num">${e.direction === "debit" ? "−" : "+"}${money(e.amount)}</td></tr>`)}</tbody></table></div>`}`}
    <//>
    <form class="inline-form" onSubmit=${s.run} novalidate aria-label="Top up">
      <${Field} label="Top-up amount (USD)" name="amount" type="number" min="1" step="1" value=${amount} onInput=${setAmount} error=${s.fieldError("amount")} />
      <${Select} label="Card" name="payment_method" value=${method} onChange=${setMethod} error=${s.fieldError("payment_method")}
        options=${[["tok_visa", "Visa ending 4242 (test)"], ["tok_chargeDeclined", "Declined card (test)"], ["tok_3ds_required", "Card needing 3-D Secure (test)"]]} />
      <button class="btn primary" disabled=${s.busy}>${s.busy ? "Paying…" : "Top up"}</button>
    </form>
    <${FormError} error=${s.error} fields=${["amount", "payment_method"]} />
    ${w && html`<${AutoTopUp} ws=${ws} a=${w.auto_top_up || {}} onSaved=${reload} />`}
    ${result && html`<${Notice} kind=${result.status === "succeeded" || (result.top_up && result.top_up.status === "succeeded") ? "success" : "info"}>
      Top-up ${(result.top_up && result.top_up.status) || result.status}.
      ${result.next_action && result.next_action.confirm_url && html` <a href=${result.next_action.confirm_url}>Confirm with your bank</a>`}
      ${result.review && " It is held for a short review."}<//>`}
  </section>`;
}

function Invoices({ ws }) {
  const [list, err] = useLoad(() => get(`workspaces/${ws}/invoices?limit=50`), [ws]);
  return html`<section class="card" aria-labelledby="invs-h"><h2 id="invs-h">Invoices</h2>
    <${Loaded} data=${list} error=${err}>
      ${(l) => l.data.length === 0
        ? html`<${Empty}>No invoices yet.<//>`
        : html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Number</th><th scope="col">Date</th><th scope="col">Total</th><th scope="col">Status</th><th scope="col">Download</th></tr></thead>
          <tbody>${l.data.map((i) => html`<tr><td>${i.number || i.id}</td><td>${day(i.finalized_at || i.created_at)}</td><td class="num">${money(i.total)}</td><td><${Badge}>${i.status}<//></td>
            <td><a href=${i.pdf_url || `/api/v1/workspaces/${ws}/invoices/${i.id}.pdf`} download>PDF</a>
              ${i.html_url && html` · <a href=${i.html_url} target="_blank" rel="noopener">View</a>`}</td></tr>`)}</tbody></table></div>`}
    <//>
  </section>`;
}

// The card renewals and automatic top-ups charge while nobody is at the keyboard (off-session).
function SavedCard({ ws }) {
  const [card, err, reload] = useLoad(() => get(`workspaces/${ws}/billing/payment-method`).catch((e) => (e.status === 404 ? null : Promise.reject(e))), [ws]);
  const [method, setMethod] = useState("tok_visa");
  const [msg, setMsg] = useState("");
  const s = useSubmit(async () => {
    setMsg("");
    const r = await put(`workspaces/${ws}/billing/payment-method`, { payment_method: method });
    setMsg(r.status === "saved" ? "Card saved for automatic payments." : "The bank asks you to confirm this card.");
    reload();
  });
  const c = useSubmit(async () => {
    setMsg("");
    const r = await post(`workspaces/${ws}/billing/payment-method/confirm`, {});
    setMsg(r.status === "saved" ? "Card confirmed and saved." : "Still waiting for the confirmation.");
    reload();
  });
  if (card === null) return null;  // not on this server
  const label = (x) => [x.brand ? x.brand[0].toUpperCase() + x.brand.slice(1) : "Card", x.last4 && `ending ${x.last4}`, x.country && `(${x.country})`].filter(Boolean).join(" ");
  return html`<section class="card" aria-labelledby="card-h"><h2 id="card-h">Saved card</h2>
    <p class="hint">Renewals and automatic top-ups charge this card without you being there.</p>
    <${Loaded} data=${card} error=${err}>
      ${(x) => html`<p data-testid="saved-card">${x.payment_method ? html`<strong>${label(x)}</strong>${x.saved_at ? ` · saved ${day(x.saved_at)}` : ""}` : "No card saved yet."}</p>
        ${x.pending && html`<${Notice} kind="warn">A new card waits for your confirmation.
          <button class="btn" type="button" onClick=${c.run} disabled=${c.busy}>Confirm card</button><//>`}`}
    <//>
    <form class="inline-form" onSubmit=${s.run} novalidate aria-label="Replace saved card">
      <${Select} label="New card" name="saved_payment_method" value=${method} onChange=${setMethod} error=${s.fieldError("payment_method")}
        options=${[["tok_visa", "Visa ending 4242 (test)"], ["tok_de", "German Visa (test)"], ["tok_3ds_required", "3-D Secure card (test)"], ["tok_authenticationRequired", "Card always asking the cardholder (test)"], ["tok_chargeDeclined", "Card whose charges decline (test)"]]} />
      <button class="btn" disabled=${s.busy}>Replace card</button>
    </form>
    <${FormError} error=${s.error || c.error} fields=${["payment_method"]} />
    ${msg && html`<p class="good" role="status">${msg}</p>`}
  </section>`;
}

// Minor units (or a money object) → the dollars shown in an input.
const dollars = (m) => (m == null ? "" : String((typeof m === "object" ? m.amount : m) / 100));

function AutoTopUp({ ws, a, onSaved }) {
  const [f, setF] = useState({ enabled: !!a.enabled, threshold: dollars(a.threshold) || "10", amount: dollars(a.amount) || "50", payment_method: a.payment_method ? "" : "tok_visa" });
  const [saved, setSaved] = useState(false);
  const set = (k) => (v) => { setSaved(false); setF({ ...f, [k]: v }); };
  // No checks here: the API's validation errors are shown at their fields.
  const toMinor = (v) => (String(v).trim() === "" || isNaN(Number(v)) ? null : Math.round(Number(v) * 100));
  const s = useSubmit(async () => {
    setSaved(false);
    const body = { enabled: f.enabled, threshold: toMinor(f.threshold), amount: toMinor(f.amount) };
    if (f.payment_method) body.payment_method = f.payment_method;  // "" keeps the saved card
    await put(`workspaces/${ws}/wallet/auto-top-up`, body);
    setSaved(true);
    onSaved();
  });
  return html`<form onSubmit=${s.run} novalidate aria-labelledby="atu-h" class="auto-top-up">
    <h3 id="atu-h">Automatic top-up</h3>
    <p class="hint">When a charge leaves the balance below the threshold, the saved card is charged once for the amount (without you being there).</p>
    ${a.disabled_reason && html`<${Notice} kind="warn">Automatic top-up was switched off: ${a.disabled_reason}<//>`}
    <${Check} label="Top up automatically" name="enabled" checked=${f.enabled} onChange=${set("enabled")} error=${s.fieldError("enabled")} />
    <div class="grid2">
      <${Field} label="When the balance falls below (USD)" name="threshold" type="number" min="0" step="1" value=${f.threshold} onInput=${set("threshold")} error=${s.fieldError("threshold")} />
      <${Field} label="Top up by (USD)" name="auto_amount" type="number" min="1" step="1" value=${f.amount} onInput=${set("amount")} error=${s.fieldError("amount")} />
    </div>
    <${Select} label="Card for automatic top-ups" name="auto_payment_method" value=${f.payment_method} onChange=${set("payment_method")} error=${s.fieldError("payment_method")}
      options=${[...(a.payment_method ? [["", "The saved card"]] : []), ["tok_visa", "Visa ending 4242 (test)"], ["tok_chargeDeclined", "Declined card (test)"]]} />
    <${FormError} error=${s.error} fields=${["enabled", "threshold", "amount", "payment_method"]} />
    <button class="btn" disabled=${s.busy}>Save automatic top-up</button>${saved && html`<span class="good" role="status"> Automatic top-up saved.</span>`}
  </form>`;
}

function CreditNotes({ ws }) {
  const [list, err] = useLoad(() => get(`workspaces/${ws}/credit-notes?limit=50`).catch((e) => (e.status === 404 ? null : Promise.reject(e))), [ws]);
  if (list === null) return null;  // not on this server
  return html`<section class="card" aria-labelledby="cns-h"><h2 id="cns-h">Credit notes</h2>
    <${Loaded} data=${list} error=${err}>
      ${(l) => l.data.length === 0
        ? html`<${Empty}>No credit notes. A credit note corrects an invoice; credited money goes to the wallet.<//>`
        : html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Number</th><th scope="col">Credits invoice</th><th scope="col">Date</th><th scope="col">Amount</th><th scope="col">Reason</th><th scope="col">Download</th></tr></thead>
          <tbody>${l.data.map((c) => html`<tr><td>${c.number}</td><td>${c.invoice_number || c.invoice_id}</td><td>${day(c.created_at)}</td><td class="num">${money(c.total)}</td><td>${c.reason}</td>
            <td><a href=${c.pdf_url || `/api/v1/workspaces/${ws}/credit-notes/${c.id}.pdf`} download aria-label=${"Credit note " + c.number + " PDF"}>PDF</a>
              ${c.html_url && html` · <a href=${c.html_url} target="_blank" rel="noopener" aria-label=${"View credit note " + c.number}>View</a>`}</td></tr>`)}</tbody></table></div>`}
    <//>
  </section>`;
}

function Details({ ws }) {
  const [d, err] = useLoad(() => get(`workspaces/${ws}/billing-details`).catch((e) => (e.status === 404 ? {} : Promise.reject(e))), [ws]);
  return html`<section class="card" aria-labelledby="bd-h"><h2 id="bd-h">Billing details</h2>
    <${Loaded} data=${d} error=${err}>${(x) => html`<${DetailsForm} ws=${ws} d=${x} />`}<//></section>`;
}

function DetailsForm({ ws, d }) {
  const [f, setF] = useState({ legal_name: d.legal_name || "", email: d.email || "", address: d.address || "", country: d.country || "", vat_id: d.vat_id || "" });
  const [saved, setSaved] = useState(false);
  const set = (k) => (v) => setF({ ...f, [k]: v });
  const s = useSubmit(async () => {
    setSaved(false);
    await put(`workspaces/${ws}/billing-details`, f);
    setSaved(true);
  });
  return html`<form onSubmit=${s.run} novalidate><div class="grid2">
      <${Field} label="Legal name" name="legal_name" value=${f.legal_name} onInput=${set("legal_name")} error=${s.fieldError("legal_name")} />
      <${Field} label="Invoice e-mail" name="email" type="email" value=${f.email} onInput=${set("email")} error=${s.fieldError("email")} />
      <${Field} label="Country (2 letters)" name="country" value=${f.country} onInput=${set("country")} maxlength="2" error=${s.fieldError("country")} />
      <${Field} label="VAT ID" name="vat_id" value=${f.vat_id} onInput=${set("vat_id")} error=${s.fieldError("vat_id")} hint=${d.vat_id_set && d.vat_id_looks_valid === false ? "This VAT ID does not look valid." : ""} /></div>
    <${Field} label="Address" name="address" type="textarea" rows="3" value=${f.address} onInput=${set("address")} error=${s.fieldError("address")} />
    <${FormError} error=${s.error} fields=${Object.keys(f)} />
    <button class="btn primary" disabled=${s.busy}>Save</button>${saved && html`<span class="good" role="status"> Saved.</span>`}
  </form>`;
}

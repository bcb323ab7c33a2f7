// Domains: search and buy, bulk add with live progress, connect external, DNS, DMARC, DKIM.
import { html, useState } from "../lib.js";
import { get, post, patch, del, pollJob } from "../api.js";
import { navigate } from "../router.js";
import { Field, Select, Check, FormError, useSubmit, useLoad, Loaded, Empty, CopyButton, Progress, Notice, Badge, money, when, day } from "../ui.js";

export function Domains({ ws }) {
  const [list, err, reload] = useLoad(() => get(`workspaces/${ws}/domains?limit=200`), [ws]);
  const [tab, setTab] = useState("buy");
  const tabs = [["buy", "Search and buy"], ["bulk", "Bulk add"], ["connect", "Connect a domain you own"]];
  return html`<h1>Domains</h1>
    <div class="tabs" role="tablist" aria-label="Add domains">
      ${tabs.map(([k, label]) => html`<button type="button" role="tab" id=${"tab-" + k} aria-selected=${tab === k ? "true" : "false"}
        aria-controls=${"panel-" + k} class=${"tab" + (tab === k ? " active" : "")} onClick=${() => setTab(k)}>${label}</button>`)}
    </div>
    <div class="card" role="tabpanel" id=${"panel-" + tab} aria-labelledby=${"tab-" + tab}>
      ${tab === "buy" && html`<${SearchBuy} ws=${ws} onDone=${reload} />`}
      ${tab === "bulk" && html`<${BulkAdd} ws=${ws} onDone=${reload} />`}
      ${tab === "connect" && html`<${Connect} ws=${ws} />`}
    </div>
    <h2>Your domains</h2>
    <${Loaded} data=${list} error=${err} what="Loading domains">
      ${(l) => l.data.length === 0
        ? html`<${Empty}>No domains yet. Buy one above or connect one you own.<//>`
        : html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Domain</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">DMARC</th><th scope="col">Expires</th></tr></thead>
          <tbody>${l.data.map((d) => html`<tr><td><a href=${`/w/${ws}/domains/${d.id}`}>${d.unicode_name || d.name}</a></td>
            <td><${Badge}>${d.status}<//></td><td>${d.source}</td><td>${d.dmarc_policy}</td><td>${day(d.expires_at)}</td></tr>`)}</tbody></table></div>`}
    <//>`;
}

function SearchBuy({ ws, onDone }) {
  const [name, setName] = useState("");
  const [result, setResult] = useState(null);
  const [bought, setBought] = useState(null);
  const [wallet, setWallet] = useState(null);
  const search = useSubmit(async () => {
    setBought(null);
    setResult(null);
    setWallet(null);
    const r = await get(`domains/availability?name=${encodeURIComponent(name.trim())}`);
    // The balance next to the price (members without billing access do not see it).
    if (r.available) setWallet(await get(`workspaces/${ws}/wallet?limit=1`).catch(() => null));
    setResult(r);
  });
  const buy = useSubmit(async () => {
    const d = await post(`workspaces/${ws}/domains`, { name: result.name, source: "purchase" });
    setBought(d);
    setResult(null);
    onDone();
  });
  return html`<form onSubmit=${search.run} novalidate class="inline-form">
      <${Field} label="Domain name" name="name" value=${name} onInput=${setName} placeholder="acme-mail.com" error=${search.fieldError("name")} />
      <button class="btn primary" disabled=${search.busy || !name.trim()}>${search.busy ? "Searching…" : "Check availability"}</button>
    </form>
    <${FormError} error=${search.error} fields=${["name"]} />
    ${result &&
    html`<div class=${"result " + (result.available ? "ok" : "bad")} role="status">
      <strong>${result.unicode_name || result.name}</strong>
      ${result.available
        ? html` is available for <strong>${money(result.yearly_price)}</strong> per year, paid from the wallet.
          <${WalletCover} ws=${ws} price=${result.yearly_price} wallet=${wallet} />
          <button type="button" class="btn primary small" onClick=${buy.run} disabled=${buy.busy}>${buy.busy ? "Buying…" : "Buy " + result.name}</button>`
        : html` is not available${result.reason ? ` (${result.reason})` : ""}.`}
    </div>`}
    <${FormError} error=${buy.error} fields=${[]} />
    ${bought && html`<${Notice} kind="success">Bought <a href=${`/w/${ws}/domains/${bought.id}`}>${bought.name}</a>; its DNS is live on our nameservers.${bought.invoice ? ` Paid from the wallet (invoice ${bought.invoice.number}).` : ""}<//>`}`;
}

// Before buying: the wallet's balance against the price, and what happens when it falls short
// (the purchase is refused and nothing is registered or charged).
function WalletCover({ ws, price, wallet }) {
  if (!wallet || !wallet.balance || !price) return null;
  const bal = wallet.balance.amount, cost = typeof price === "object" ? price.amount : price;
  const cur = wallet.balance.currency;
  return bal >= cost
    ? html`<p data-testid="wallet-cover">Your wallet holds <strong>${money(wallet.balance)}</strong>: enough. After buying it holds ${money({ amount: bal - cost, currency: cur })}. Renewal next year is paid from the wallet too (you get e-mails 30 and 7 days before).</p>`
    : html`<p data-testid="wallet-cover" class="bad">Your wallet holds <strong>${money(wallet.balance)}</strong>, which does not cover it: buying is refused and nothing is registered or charged.
        <a href=${`/w/${ws}/billing`}>Top up at least ${money({ amount: cost - bal, currency: cur })}</a> first.</p>`;
}

// Shared by bulk domains and bulk mailboxes: a job's progress bar and per-row results.
export function JobView({ job, describe }) {
  if (!job) return null;
  const rows = job.results || [];
  const failed = rows.filter((r) => r.ok === false || r.error);
  return html`<div class="job" aria-live="polite">
    <${Progress} done=${job.progress ? job.progress.done : 0} total=${job.progress ? job.progress.total : 0} label=${`Job ${job.status}`} />
    ${(job.status === "succeeded" || job.status === "failed") &&
    html`<p>${rows.length - failed.length} succeeded, ${failed.length} failed.</p>`}
    ${rows.length > 0 &&
    html`<div class="table-wrap"><table class="table compact"><caption class="sr-only">Per-row results</caption>
      <thead><tr><th scope="col">Row</th><th scope="col">Item</th><th scope="col">Result</th></tr></thead>
      <tbody>${rows.map((r, i) => html`<tr class=${r.ok === false || r.error ? "row-failed" : ""}>
        <td>${(r.row ?? i) + 1}</td><td>${describe(r)}</td>
        <td>${r.ok === false || r.error ? html`<span class="bad">Failed: ${r.error ? (r.error.field ? r.error.field + ": " : "") + (r.error.message || r.error) : "error"}</span>` : html`<span class="good">OK</span>`}</td></tr>`)}</tbody>
    </table></div>`}
  </div>`;
}

function BulkAdd({ ws, onDone }) {
  const [text, setText] = useState("");
  const [source, setSource] = useState("purchase");
  const [job, setJob] = useState(null);
  const names = text.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
  const s = useSubmit(async () => {
    const j = await post(`workspaces/${ws}/domains/bulk`, { names, source });
    setJob(j);
    await pollJob(j.id, setJob);
    onDone();
  });
  return html`<form onSubmit=${s.run} novalidate>
      <${Field} label="Domain names (one per line)" name="names" type="textarea" rows="6" value=${text} onInput=${setText}
        hint=${`${names.length} name${names.length === 1 ? "" : "s"}`} error=${s.fieldError("names")} />
      <${Select} label="How" name="source" value=${source} onChange=${setSource} options=${[["purchase", "Buy them"], ["external", "Connect ones I own"]]} error=${s.fieldError("source")} />
      <${FormError} error=${s.error} fields=${["names", "source"]} />
      <button class="btn primary" disabled=${s.busy || names.length === 0}>${s.busy ? "Working…" : `Add ${names.length} domain${names.length === 1 ? "" : "s"}`}</button>
    </form>
    <${JobView} job=${job} describe=${(r) => r.name || names[r.row] || ""} />`;
}

function Connect({ ws }) {
  const [name, setName] = useState("");
  const s = useSubmit(async () => {
    const d = await post(`workspaces/${ws}/domains`, { name: name.trim(), source: "external" });
    navigate(`/w/${ws}/domains/${d.id}`);
  });
  return html`<form onSubmit=${s.run} novalidate class="inline-form">
    <${Field} label="Domain you own" name="name" value=${name} onInput=${setName} placeholder="example.com" error=${s.fieldError("name")} />
    <button class="btn primary" disabled=${s.busy || !name.trim()}>Connect</button>
    <${FormError} error=${s.error} fields=${["name"]} />
    <p class="hint">Next we show the exact records to create at your registrar, and a button to check them.</p>
  </form>`;
}

export function DomainPage({ ws, dom }) {
  const [d, err, reload] = useLoad(() => get(`workspaces/${ws}/domains/${dom}`), [ws, dom]);
  return html`<p><a href=${`/w/${ws}/domains`}>← Domains</a></p>
    <${Loaded} data=${d} error=${err} what="Loading the domain">${(x) => html`<${DomainDetail} ws=${ws} d=${x} reload=${reload} />`}<//>`;
}

function DomainDetail({ ws, d, reload }) {
  const base = `workspaces/${ws}/domains/${d.id}`;
  const [check, setCheck] = useState(d.verification);
  const verify = useSubmit(async () => {
    const r = await post(`${base}/verify`);
    setCheck(r.verification);
    reload();
  });
  const rotate = useSubmit(async () => {
    await post(`${base}/dkim/rotate`);
    reload();
  });
  const remove = useSubmit(async () => {
    if (!confirm(`Delete ${d.name}? Its DNS stops answering and its mailboxes are deleted.`)) return;
    await del(base);
    navigate(`/w/${ws}/domains`);
  });
  return html`<h1>${d.unicode_name || d.name} <${Badge}>${d.status}<//></h1>
    <dl class="facts"><dt>Source</dt><dd>${d.source}</dd><dt>Expires</dt><dd>${day(d.expires_at)}</dd>
      <dt>Nameservers</dt><dd>${(d.nameservers || []).join(", ")}</dd><dt>Zone serial</dt><dd>${d.zone_serial}</dd></dl>
    ${d.ownership &&
    html`<section class="card" aria-labelledby="own-h"><h2 id="own-h">Connect ${d.name}</h2>
      <p>At your registrar, either point the domain's nameservers to ours:</p>
      <ul class="plain">${d.ownership.or_delegate_to.map((ns) => html`<li><code>${ns}</code> <${CopyButton} text=${ns} what=${ns} /></li>`)}</ul>
      <p>or keep your DNS and create this TXT record to prove ownership (then also the records in the DNS table below):</p>
      <div class="table-wrap"><table class="table"><thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
        <tbody><tr><td>TXT</td><td><code>${d.ownership.txt_name}</code> <${CopyButton} text=${d.ownership.txt_name} what="record name" /></td>
          <td><code>${d.ownership.txt_value}</code> <${CopyButton} text=${d.ownership.txt_value} what="record value" /></td></tr></tbody></table></div>
    </section>`}
    <section class="card" aria-labelledby="ver-h"><h2 id="ver-h">Verification</h2>
      <button type="button" class="btn primary" onClick=${verify.run} disabled=${verify.busy}>${verify.busy ? "Checking…" : "Verify now"}</button>
      <${FormError} error=${verify.error} />
      ${check
        ? html`<p class="hint">Checked ${when(check.checked_at)}</p>
          <div class="table-wrap"><table class="table"><thead><tr><th scope="col">Record</th><th scope="col">Status</th><th scope="col">Expected</th><th scope="col">Seen</th></tr></thead>
          <tbody>${check.checks.map((c) => html`<tr><td>${c.record}</td><td><${Badge}>${c.status}<//>${c.error ? html`<div class="hint">${c.error}</div>` : ""}</td>
            <td><code>${c.expected}</code></td><td>${(c.seen || []).join(", ") || "—"}</td></tr>`)}</tbody></table></div>`
        : html`<p class="hint">Not checked yet.</p>`}
    </section>
    <${DnsRecords} ws=${ws} d=${d} />
    <${MailSettings} ws=${ws} d=${d} reload=${reload} />
    <section class="card" aria-labelledby="dkim-h"><h2 id="dkim-h">DKIM keys</h2>
      <div class="table-wrap"><table class="table"><thead><tr><th scope="col">Selector</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Retires</th></tr></thead>
        <tbody>${(d.dkim || []).map((k) => html`<tr><td><code>${k.selector}</code></td><td><${Badge}>${k.status}<//></td><td>${when(k.created_at)}</td><td>${when(k.retire_after)}</td></tr>`)}</tbody></table></div>
      <p class="hint">Rotating publishes a new key; the old one stays published for a grace period so mail in flight still verifies.</p>
      <button type="button" class="btn" onClick=${rotate.run} disabled=${rotate.busy}>Rotate DKIM key</button>
      <${FormError} error=${rotate.error} />
    </section>
    <section class="card danger-zone"><h2>Delete domain</h2><${FormError} error=${remove.error} />
      <button type="button" class="btn danger" onClick=${remove.run} disabled=${remove.busy}>Delete ${d.name}</button></section>`;
}

function MailSettings({ ws, d, reload }) {
  const [dmarc, setDmarc] = useState(d.dmarc_policy || "none");
  const [forward, setForward] = useState(d.forward_url || "");
  const [autorenew, setAutorenew] = useState(!!d.autorenew);
  const [saved, setSaved] = useState(false);
  const s = useSubmit(async () => {
    setSaved(false);
    const body = { dmarc_policy: dmarc, forward_url: forward.trim() || null };
    if (d.source === "purchase") body.autorenew = autorenew;
    await patch(`workspaces/${ws}/domains/${d.id}`, body);
    setSaved(true);
    reload();
  });
  return html`<form class="card" onSubmit=${s.run} novalidate aria-labelledby="set-h">
    <h2 id="set-h">DMARC and forwarding</h2>
    <${Select} label="DMARC policy" name="dmarc_policy" value=${dmarc} onChange=${setDmarc} error=${s.fieldError("dmarc_policy")}
      options=${[["none", "none — monitor only"], ["quarantine", "quarantine — spam folder"], ["reject", "reject"]]} />
    <${Field} label="Forward visitors of the website to (URL)" name="forward_url" type="url" value=${forward} onInput=${setForward}
      placeholder="https://www.yourcompany.com" error=${s.fieldError("forward_url")} hint="Visitors of http://${d.name} and www are redirected here." />
    ${d.source === "purchase" && html`<${Check} label="Renew automatically every year" name="autorenew" checked=${autorenew} onChange=${setAutorenew} error=${s.fieldError("autorenew")} />`}
    <${FormError} error=${s.error} fields=${["dmarc_policy", "forward_url", "autorenew"]} />
    <button class="btn primary" disabled=${s.busy}>Save</button>
    ${saved && html`<span class="good" role="status"> Saved.</span>`}
  </form>`;
}

const TYPES = ["A", "AAAA", "CNAME", "TXT", "MX", "CAA", "SRV"];

function DnsRecords({ ws, d }) {
  const base = `workspaces/${ws}/domains/${d.id}/dns-records`;
  const [list, err, reload] = useLoad(() => get(base), [d.id]);
  const [f, setF] = useState({ name: "", type: "TXT", ttl: "3600", value: "" });
  const [rowError, setRowError] = useState(null);
  const add = useSubmit(async () => {
    await post(base, { name: f.name || "@", type: f.type, ttl: Number(f.ttl) || 3600, value: f.value });
    setF({ ...f, name: "", value: "" });
    reload();
  });
  const remove = async (r) => {
    try {
      await del(`${base}/${r.id}`);
      reload();
    } catch (e) {
      setRowError(e);
    }
  };
  const fqdn = (n) => (n === "@" ? d.name : `${n}.${d.name}`);
  return html`<section class="card" aria-labelledby="dns-h"><h2 id="dns-h">DNS records</h2>
    <${Loaded} data=${list} error=${err}>
      ${(l) => html`<div class="table-wrap"><table class="table dns"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">TTL</th><th scope="col">Value</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${l.data.map((r) => html`<tr>
          <td><code>${r.name}</code> <${CopyButton} text=${fqdn(r.name)} what=${"name of " + r.type + " " + r.name} /></td>
          <td>${r.type}${r.managed ? html` <span class="hint">managed</span>` : ""}</td><td>${r.ttl}</td>
          <td class="value"><code>${r.value}</code> <${CopyButton} text=${r.value} what=${"value of " + r.type + " " + r.name} /></td>
          <td>${!r.managed && html`<button type="button" class="btn small danger" onClick=${() => remove(r)}>Delete</button>`}</td></tr>`)}</tbody></table></div>`}
    <//>
    <${FormError} error=${rowError} />
    <form class="inline-form" onSubmit=${add.run} novalidate aria-label="Add a custom record">
      <${Field} label="Name" name="name" value=${f.name} onInput=${(v) => setF({ ...f, name: v })} placeholder="@" error=${add.fieldError("name")} />
      <${Select} label="Type" name="type" value=${f.type} onChange=${(v) => setF({ ...f, type: v })} options=${TYPES} error=${add.fieldError("type")} />
      <${Field} label="TTL" name="ttl" type="number" value=${f.ttl} onInput=${(v) => setF({ ...f, ttl: v })} error=${add.fieldError("ttl")} />
      <${Field} label="Value" name="value" value=${f.value} onInput=${(v) => setF({ ...f, value: v })} error=${add.fieldError("value")} />
      <button class="btn">Add record</button>
      <${FormError} error=${add.error} fields=${["name", "type", "ttl", "value"]} />
    </form>
  </section>`;
}

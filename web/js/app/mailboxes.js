// Mailboxes: bulk-create wizard, table with search/filters/pagination/bulk actions, exports,
// and the mailbox page (SMTP/IMAP settings, copy-all, password reset, limits, charts).
import { html, useState, useEffect } from "../lib.js";
import { DailyChart } from "./chart.js";
import { get, post, patch, del, pollJob } from "../api.js";
import { Field, Select, Check, FormError, useSubmit, useLoad, Loaded, Empty, CopyButton, Notice, Badge, when } from "../ui.js";
import { JobView } from "./domains.js";

export const PATTERNS = [
  ["first.last", "first.last (john.smith)"],
  ["first", "first (john)"],
  ["firstlast", "firstlast (johnsmith)"],
  ["flast", "flast (jsmith)"],
  ["f.last", "f.last (j.smith)"],
  ["first_l", "first_l (john_s)"],
];

const ascii = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");
export function localPart(pattern, first, last) {
  const f = ascii(first), l = ascii(last || "");
  switch (pattern) {
    case "first": return f;
    case "firstlast": return f + l;
    case "flast": return f.slice(0, 1) + l;
    case "f.last": return l ? `${f.slice(0, 1)}.${l}` : f;
    case "first_l": return l ? `${f}_${l.slice(0, 1)}` : f;
    default: return l ? `${f}.${l}` : f;
  }
}

export function parsePeople(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const parts = l.split(/[\s,]+/).filter(Boolean);
    return { first_name: parts[0], last_name: parts.slice(1).join(" ") };
  });
}

function Wizard({ ws, onDone, onClose }) {
  const [step, setStep] = useState(1);
  const [names, setNames] = useState("");
  const [chosen, setChosen] = useState({});
  const [perDomain, setPerDomain] = useState("3");
  const [pattern, setPattern] = useState("first.last");
  const [job, setJob] = useState(null);
  const [domains, derr] = useLoad(() => get(`workspaces/${ws}/domains?limit=200`), [ws]);
  const people = parsePeople(names);
  const active = domains ? domains.data.filter((d) => d.status === "active") : [];
  const picked = active.filter((d) => chosen[d.id]);
  const per = Math.max(0, Math.floor(Number(perDomain) || 0));
  const preview = [];
  picked.forEach((d) => {
    for (let i = 0; i < per && people.length; i++) {
      const p = people[i % people.length];
      preview.push(`${localPart(pattern, p.first_name, p.last_name)}@${d.name}`);
    }
  });
  const s = useSubmit(async () => {
    const j = await post(`workspaces/${ws}/mailboxes/bulk`, { domain_ids: picked.map((d) => d.id), people, per_domain: per, pattern });
    setJob(j);
    setStep(4);
    await pollJob(j.id, setJob);
    onDone();
  });
  const fields = ["domain_ids", "people", "per_domain", "pattern"];
  return html`<section class="card wizard" aria-labelledby="wiz-h">
    <div class="modal-head"><h2 id="wiz-h">Create mailboxes — step ${step} of 4</h2>
      <button type="button" class="btn small" onClick=${onClose}>Close</button></div>
    <ol class="steps"><li aria-current=${step === 1 ? "step" : undefined}>Names</li><li aria-current=${step === 2 ? "step" : undefined}>Domains</li>
      <li aria-current=${step === 3 ? "step" : undefined}>Preview</li><li aria-current=${step === 4 ? "step" : undefined}>Create</li></ol>
    ${step === 1 && html`
      <${Field} label="People (one per line: first name, then last name)" name="people" type="textarea" rows="8" value=${names}
        onInput=${setNames} placeholder=${"John Smith\nMary Jones"} hint=${`${people.length} people`} error=${s.fieldError("people")} />
      <button type="button" class="btn primary" disabled=${!people.length} onClick=${() => setStep(2)}>Next: domains</button>`}
    ${step === 2 && html`
      <${Loaded} data=${domains} error=${derr}>
        ${() => active.length === 0
          ? html`<${Empty}>No active domain yet: buy or connect (and verify) one first.<//>`
          : html`<fieldset><legend>Domains</legend>
            <${Check} label="All domains" name="all" checked=${picked.length === active.length}
              onChange=${(v) => setChosen(v ? Object.fromEntries(active.map((d) => [d.id, true])) : {})} />
            ${active.map((d) => html`<${Check} label=${d.name} name=${"dom-" + d.id} checked=${!!chosen[d.id]} onChange=${(v) => setChosen({ ...chosen, [d.id]: v })} />`)}
          </fieldset>`}
      <//>
      <${Field} label="Mailboxes per domain" name="per_domain" type="number" min="1" value=${perDomain} onInput=${setPerDomain} error=${s.fieldError("per_domain")} />
      <${Select} label="Address pattern" name="pattern" value=${pattern} onChange=${setPattern} options=${PATTERNS} error=${s.fieldError("pattern")} />
      <div class="row"><button type="button" class="btn" onClick=${() => setStep(1)}>Back</button>
        <button type="button" class="btn primary" disabled=${!picked.length || per < 1} onClick=${() => setStep(3)}>Next: preview</button></div>`}
    ${step === 3 && html`
      <p><strong>${preview.length}</strong> mailboxes on ${picked.length} domain${picked.length === 1 ? "" : "s"}. Addresses already taken get a number added.</p>
      <ul class="preview" data-testid="preview">${preview.slice(0, 200).map((a) => html`<li><code>${a}</code></li>`)}</ul>
      ${preview.length > 200 && html`<p class="hint">…and ${preview.length - 200} more.</p>`}
      <${FormError} error=${s.error} fields=${[]} />
      <div class="row"><button type="button" class="btn" onClick=${() => setStep(2)}>Back</button>
        <button type="button" class="btn primary" onClick=${s.run} disabled=${s.busy}>Create ${preview.length} mailboxes</button></div>`}
    ${step === 4 && html`<${JobView} job=${job} describe=${(r) => r.address || ""} />
      <${FormError} error=${s.error} fields=${[]} />`}
  </section>`;
}

export function Mailboxes({ ws }) {
  const [filters, setFilters] = useState({ domain_id: "", status: "", q: "" });
  const [cursors, setCursors] = useState([null]);
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState({});
  const [wizard, setWizard] = useState(false);
  const [bulkError, setBulkError] = useState(null);
  const [bulkBusy, setBulkBusy] = useState(false);
  const cursor = cursors[cursors.length - 1];
  const [domains] = useLoad(() => get(`workspaces/${ws}/domains?limit=200`), [ws]);
  const [page, err, reload] = useLoad(() => {
    const q = new URLSearchParams({ limit: "50" });
    if (filters.domain_id) q.set("domain_id", filters.domain_id);
    if (filters.status) q.set("status", filters.status);
    if (filters.q) q.set("q", filters.q);
    if (cursor) q.set("cursor", cursor);
    return get(`workspaces/${ws}/mailboxes?${q}`);
  }, [ws, filters, cursor]);
  useEffect(() => setSelected({}), [page]);
  // The server searches every page; typing waits a moment before asking it.
  useEffect(() => {
    const t = setTimeout(() => {
      if (search.trim() !== filters.q) {
        setFilters({ ...filters, q: search.trim() });
        setCursors([null]);
      }
    }, 250);
    return () => clearTimeout(t);
  }, [search]);
  const rows = page ? page.data : [];
  const ids = Object.keys(selected).filter((k) => selected[k]);
  const bulk = async (what) => {
    if (what === "delete" && !confirm(`Delete ${ids.length} mailboxes and all their mail?`)) return;
    setBulkBusy(true);
    setBulkError(null);
    try {
      for (const id of ids) {
        if (what === "delete") await del(`workspaces/${ws}/mailboxes/${id}`);
        else await patch(`workspaces/${ws}/mailboxes/${id}`, { status: what });
      }
    } catch (e) {
      setBulkError(e);
    }
    setBulkBusy(false);
    reload();
  };
  const setFilter = (k) => (v) => {
    setFilters({ ...filters, [k]: v });
    setCursors([null]);
  };
  const exportUrl = (format) => {
    const q = new URLSearchParams({ format });
    if (filters.domain_id) q.set("domain_id", filters.domain_id);
    return `/api/v1/workspaces/${ws}/mailboxes/export?${q}`;
  };
  return html`<h1>Mailboxes</h1>
    <div class="row toolbar">
      <button type="button" class="btn primary" onClick=${() => setWizard(true)} aria-expanded=${wizard ? "true" : "false"}>Create mailboxes</button>
      <span class="exports">Export CSV for:
        <a class="btn small" href=${exportUrl("instantly")} download>Instantly</a>
        <a class="btn small" href=${exportUrl("smartlead")} download>Smartlead</a>
        <a class="btn small" href=${exportUrl("generic")} download>Generic</a></span>
    </div>
    ${wizard && html`<${Wizard} ws=${ws} onDone=${reload} onClose=${() => setWizard(false)} />`}
    <div class="filters">
      <${Field} label="Search" name="search" type="search" value=${search} onInput=${setSearch} placeholder="address or name" />
      <${Select} label="Domain" name="domain_id" value=${filters.domain_id} onChange=${setFilter("domain_id")}
        options=${[["", "All domains"], ...((domains && domains.data) || []).map((d) => [d.id, d.name])]} />
      <${Select} label="Status" name="status" value=${filters.status} onChange=${setFilter("status")}
        options=${[["", "Any status"], ["active", "Active"], ["suspended", "Suspended"]]} />
    </div>
    ${ids.length > 0 && html`<div class="row bulkbar" role="region" aria-label="Bulk actions">
      <span>${ids.length} selected</span>
      <button type="button" class="btn small" disabled=${bulkBusy} onClick=${() => bulk("suspended")}>Suspend</button>
      <button type="button" class="btn small" disabled=${bulkBusy} onClick=${() => bulk("active")}>Activate</button>
      <button type="button" class="btn small danger" disabled=${bulkBusy} onClick=${() => bulk("delete")}>Delete</button></div>`}
    <${FormError} error=${bulkError} />
    <${Loaded} data=${page} error=${err} what="Loading mailboxes">
      ${(p) => p.data.length === 0 && cursors.length === 1
        ? html`<${Empty}>No mailboxes${filters.domain_id || filters.status || filters.q ? " match these filters" : " yet — create them in bulk from a list of names"}.<//>`
        : html`<div class="table-wrap"><table class="table" data-testid="mailbox-table"><caption class="sr-only">Mailboxes</caption>
          <thead><tr><th scope="col"><input type="checkbox" aria-label="Select all on this page" checked=${rows.length > 0 && ids.length === rows.length}
            onChange=${(e) => setSelected(e.target.checked ? Object.fromEntries(rows.map((m) => [m.id, true])) : {})} /></th>
            <th scope="col">Address</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Daily limit</th><th scope="col">Sent today</th><th scope="col">Bounced today</th></tr></thead>
          <tbody>${rows.map((m) => html`<tr>
            <td><input type="checkbox" aria-label=${"Select " + m.address} checked=${!!selected[m.id]} onChange=${(e) => setSelected({ ...selected, [m.id]: e.target.checked })} /></td>
            <td><a href=${`/w/${ws}/mailboxes/${m.id}`}>${m.address}</a></td><td>${m.display_name}</td><td><${Badge}>${m.status}<//></td>
            <td>${m.daily_limit || "no limit"}</td><td>${m.sent_today}</td><td>${m.bounced_today}</td></tr>`)}</tbody></table></div>
          <nav class="row pager" aria-label="Pages">
            <button type="button" class="btn small" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
            <span>Page ${cursors.length}</span>
            <button type="button" class="btn small" disabled=${!p.next_cursor} onClick=${() => setCursors([...cursors, p.next_cursor])}>Next</button>
          </nav>`}
    <//>`;
}

function settingsText(m, password) {
  const pw = password || "(use Show password)";
  return [
    `Email: ${m.address}`, `Name: ${m.display_name}`,
    `SMTP host: ${m.smtp.host}`, `SMTP port: ${m.smtp.port}`, `SMTP security: ${m.smtp.security}`, `SMTP username: ${m.smtp.username}`, `SMTP password: ${pw}`,
    `IMAP host: ${m.imap.host}`, `IMAP port: ${m.imap.port}`, `IMAP security: ${m.imap.security}`, `IMAP username: ${m.imap.username}`, `IMAP password: ${pw}`,
  ].join("\n");
}

export function MailboxPage({ ws, mbx }) {
  const [m, err, reload] = useLoad(() => get(`workspaces/${ws}/mailboxes/${mbx}`), [ws, mbx]);
  return html`<p><a href=${`/w/${ws}/mailboxes`}>← Mailboxes</a></p>
    <${Loaded} data=${m} error=${err} what="Loading the mailbox">${(x) => html`<${MailboxDetail} ws=${ws} m=${x} reload=${reload} />`}<//>`;
}

function MailboxDetail({ ws, m, reload }) {
  const base = `workspaces/${ws}/mailboxes/${m.id}`;
  const [password, setPassword] = useState(null);
  const [copied, setCopied] = useState(false);
  const reveal = useSubmit(async () => setPassword((await get(`${base}/credentials`)).password));
  const reset = useSubmit(async () => {
    if (!confirm("Set a new password? Sending tools using the old one stop working.")) return;
    setPassword((await post(`${base}/password`)).password);
  });
  const copyAll = useSubmit(async () => {
    let pw = password;
    if (!pw) {
      pw = (await get(`${base}/credentials`)).password;
      setPassword(pw);
    }
    await navigator.clipboard.writeText(settingsText(m, pw));
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  });
  const row = (label, v) => html`<tr><th scope="row">${label}</th><td><code>${v}</code></td><td><${CopyButton} text=${String(v)} what=${label} /></td></tr>`;
  return html`<h1>${m.address} <${Badge}>${m.status}<//></h1>
    <section class="card" aria-labelledby="conn-h"><h2 id="conn-h">Connection settings</h2>
      <div class="two">
        <div class="table-wrap"><table class="table kv"><caption>SMTP (sending)</caption><tbody>
          ${row("SMTP host", m.smtp.host)}${row("SMTP port", m.smtp.port)}${row("SMTP security", m.smtp.security)}${row("SMTP username", m.smtp.username)}</tbody></table></div>
        <div class="table-wrap"><table class="table kv"><caption>IMAP (reading)</caption><tbody>
          ${row("IMAP host", m.imap.host)}${row("IMAP port", m.imap.port)}${row("IMAP security", m.imap.security)}${row("IMAP username", m.imap.username)}</tbody></table></div>
      </div>
      <p>Password: ${password
        ? html`<code data-testid="password">${password}</code> <${CopyButton} text=${password} what="password" />`
        : html`<button type="button" class="btn small" onClick=${reveal.run} disabled=${reveal.busy}>Show password</button>`}</p>
      <div class="row">
        <button type="button" class="btn primary" onClick=${copyAll.run} disabled=${copyAll.busy}>${copied ? "Copied" : "Copy all settings"}</button>
        <button type="button" class="btn" onClick=${reset.run} disabled=${reset.busy}>Reset password</button>
      </div>
      <${FormError} error=${reveal.error || reset.error || copyAll.error} />
    </section>
    <${Stats} ws=${ws} m=${m} />
    <${Limits} ws=${ws} m=${m} reload=${reload} />`;
}

function Limits({ ws, m, reload }) {
  const [f, setF] = useState({ first_name: m.first_name, last_name: m.last_name, daily_limit: String(m.daily_limit ?? ""),
    forward_to: m.forward_to || "", signature: m.signature || "", status: m.status });
  const [saved, setSaved] = useState(false);
  const set = (k) => (v) => setF({ ...f, [k]: v });
  const s = useSubmit(async () => {
    setSaved(false);
    await patch(`workspaces/${ws}/mailboxes/${m.id}`, { first_name: f.first_name, last_name: f.last_name,
      daily_limit: Number(f.daily_limit) || 0, forward_to: f.forward_to.trim() || null, signature: f.signature || null, status: f.status });
    setSaved(true);
    reload();
  });
  return html`<form class="card" onSubmit=${s.run} novalidate aria-labelledby="lim-h"><h2 id="lim-h">Name, limits and forwarding</h2>
    <div class="grid2">
      <${Field} label="First name" name="first_name" value=${f.first_name} onInput=${set("first_name")} error=${s.fieldError("first_name")} />
      <${Field} label="Last name" name="last_name" value=${f.last_name} onInput=${set("last_name")} error=${s.fieldError("last_name")} />
      <${Field} label="Daily sending limit (0 = none)" name="daily_limit" type="number" min="0" value=${f.daily_limit} onInput=${set("daily_limit")} error=${s.fieldError("daily_limit")} />
      <${Select} label="Status" name="status" value=${f.status} onChange=${set("status")} options=${[["active", "Active"], ["suspended", "Suspended"]]} error=${s.fieldError("status")} />
      <${Field} label="Forward incoming mail to" name="forward_to" type="email" value=${f.forward_to} onInput=${set("forward_to")} error=${s.fieldError("forward_to")} />
    </div>
    <${Field} label="Signature" name="signature" type="textarea" rows="3" value=${f.signature} onInput=${set("signature")} error=${s.fieldError("signature")} />
    <${FormError} error=${s.error} fields=${Object.keys(f)} />
    <button class="btn primary" disabled=${s.busy}>Save</button>${saved && html`<span class="good" role="status"> Saved.</span>`}
  </form>`;
}

// Per-day sending and bounces (uPlot) under today's counters.
function Stats({ ws, m }) {
  const [daily] = useLoad(() => get(`workspaces/${ws}/mailboxes/${m.id}/stats?days=30`), [m.id]);
  return html`<section class="card" aria-labelledby="stats-h"><h2 id="stats-h">Sending</h2>
    <div class="stats"><div class="stat"><span class="num">${m.sent_today}</span> sent today</div>
      <div class="stat"><span class="num">${m.bounced_today}</span> bounced today</div>
      <div class="stat"><span class="num">${m.received_today}</span> received today</div></div>
    ${daily && html`<${DailyChart} rows=${daily.data} />`}
  </section>`;
}

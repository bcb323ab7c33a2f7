// Privacy centre (API.md §Privacy): consents with history, download my data, restrict/object,
// delete my account with the consequences spelled out; the DPA lives in workspace settings.
import { html, useState, useEffect } from "../lib.js";
import { get, put, post, apiHas } from "../api.js";
import { navigate } from "../router.js";
import { signedOut } from "../session.js";
import { Field, Select, Check, FormError, useSubmit, useLoad, Loaded, Empty, Notice, Badge, when, day } from "../ui.js";

export function PrivacyCentre({ me }) {
  const [has, err] = useLoad(() => apiHas("GET", "me/privacy"), []);
  return html`<h1>Privacy centre</h1>
    <p>What we hold about you, the choices you made, and your rights. Workspace owners accept the data processing agreement in each workspace's <em>Settings</em>.</p>
    <${Loaded} data=${has} error=${err}>
      ${(h) => !h
        ? html`<${Empty}>The privacy centre is not enabled on this server yet. Send requests from the <a href="/contact">contact page</a>.<//>`
        : html`<${Centre} me=${me} />`}
    <//>`;
}

const CONSENTS = [
  ["analytics", "Product analytics cookies"],
  ["preferences", "Preference cookies"],
  ["marketing_email", "Product news by e-mail"],
];

function Centre({ me }) {
  const [p, err, reload] = useLoad(() => get("me/privacy"), []);
  return html`<${Loaded} data=${p} error=${err}>
    ${(x) => html`<${Consents} p=${x} reload=${reload} />
      <${Requests} p=${x} me=${me} reload=${reload} />
      ${x.holdings && html`<section class="card" aria-labelledby="hold-h"><h2 id="hold-h">What we hold and why</h2>
        ${Array.isArray(x.holdings)
          ? html`<div class="table-wrap"><table class="table compact"><thead><tr><th scope="col">Data</th><th scope="col">Why</th><th scope="col">Kept</th></tr></thead>
            <tbody>${x.holdings.map((h) => html`<tr><td>${h.table || h.category || h.name}${h.rows != null ? ` (${h.rows} rows)` : ""}${Array.isArray(h.categories) && h.categories.length ? html`<div class="hint">${h.categories.join(", ")}</div>` : ""}</td>
              <td>${h.purpose || ""}${h.legal_basis ? html`<div class="hint">${h.legal_basis}</div>` : ""}</td><td>${h.retention || ""}</td></tr>`)}</tbody></table></div>`
          : html`<ul>${Object.entries(x.holdings).map(([k, v]) => html`<li>${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}</li>`)}</ul>`}
      </section>`}`}
  <//>`;
}

function Consents({ p, reload }) {
  const state = p.consents || {};
  const [c, setC] = useState(Object.fromEntries(CONSENTS.map(([k]) => [k, !!(typeof state[k] === "object" ? state[k].granted : state[k])])));
  const s = useSubmit(async () => {
    await put("me/consents", c);
    reload();
  });
  const history = p.consent_history || [];
  return html`<section class="card" aria-labelledby="con-h"><h2 id="con-h">Your consents</h2>
    <form onSubmit=${s.run} novalidate>
      ${CONSENTS.map(([k, label]) => html`<${Check} label=${label} name=${k} checked=${c[k]} onChange=${(v) => setC({ ...c, [k]: v })} error=${s.fieldError(k)} />`)}
      <${FormError} error=${s.error} fields=${CONSENTS.map(([k]) => k)} />
      <button class="btn primary" disabled=${s.busy}>Save consents</button>
    </form>
    <h3>History</h3>
    ${history.length === 0 ? html`<p class="hint">No changes recorded yet.</p>`
      : html`<div class="table-wrap"><table class="table compact"><thead><tr><th scope="col">When</th><th scope="col">Purpose</th><th scope="col">Choice</th></tr></thead>
        <tbody>${history.map((h) => html`<tr><td>${when(h.at || h.created_at)}</td><td>${h.purpose}</td><td>${h.granted === undefined ? h.action || h.status : h.granted ? "given" : "withdrawn"}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}

function Requests({ p, me, reload }) {
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [type, setType] = useState(null);
  const [latest, setLatest] = useState(null);
  const [sure, setSure] = useState(false);
  const [purpose, setPurpose] = useState("product_analytics");
  const s = useSubmit(async () => {
    const body = { type, password };
    if (me.totp_enabled) body.totp_code = totp;
    if (type === "objection") body.purpose = purpose;
    const r = await post("me/privacy/requests", body);
    setLatest(r);
    setPassword("");
    setTotp("");
    if (type === "erasure") {
      // The account is deleted (or scheduled for deletion): this browser signs out.
      signedOut();
      navigate("/?account=deleted");
      return;
    }
    reload();
  });
  useEffect(() => {
    if (!latest || latest.download_url || ["completed", "refused", "failed"].includes(latest.status)) return;
    const t = setTimeout(() => get(`me/privacy/requests/${latest.id}`).then(setLatest, () => {}), 1000);
    return () => clearTimeout(t);
  }, [latest]);
  const actions = [
    ["access", "Download my data", "A ZIP of everything we hold about you, ready in a few minutes."],
    ["restriction", "Restrict processing", "We keep your data but stop using it except to store it and to meet legal duties."],
    ["objection", "Object to processing", "Stop processing based on our legitimate interests (analytics, product e-mail)."],
    ["erasure", "Delete my account", null],
  ];
  return html`<section class="card" aria-labelledby="req-h"><h2 id="req-h">Your rights</h2>
    <div class="rights">${actions.map(([t, label, text]) => html`<div class="right">
      <h3>${label}</h3>
      ${t === "erasure"
        ? html`<p>Deleting your account <strong>signs you out everywhere</strong>, removes your profile, sessions, 2FA and API keys you created,
            and removes you from every workspace. Workspaces where you are the <strong>only owner are deleted</strong> with their domains' DNS,
            mailboxes and all messages. Invoices and payment records are kept for the period tax law requires (usually 10 years), then deleted.
            This cannot be undone.</p>`
        : html`<p>${text}</p>`}
      <button type="button" class=${"btn" + (t === "erasure" ? " danger" : "")} aria-expanded=${type === t ? "true" : "false"}
        onClick=${() => { setType(type === t ? null : t); setSure(false); }}>${label}…</button>
      ${type === t && html`<form onSubmit=${s.run} novalidate class="confirm">
        ${t === "objection" && html`<${Select} label="Object to" name="purpose" value=${purpose} onChange=${setPurpose} error=${s.fieldError("purpose")}
          options=${[["product_analytics", "Product analytics"], ["marketing", "Marketing"]]} />`}
        <p>Confirm it is you:</p>
        <${Field} label="Your password" name="password" type="password" autocomplete="current-password" value=${password} onInput=${setPassword} error=${s.fieldError("password")} />
        ${me.totp_enabled && html`<${Field} label="2FA code (or a recovery code)" name="totp_code" autocomplete="one-time-code" value=${totp} onInput=${setTotp} error=${s.fieldError("totp_code")} />`}
        ${t === "erasure" && html`<${Check} label="I understand my account and the workspaces I alone own will be deleted" name="sure" checked=${sure} onChange=${setSure} />`}
        <${FormError} error=${s.error} fields=${["password", "totp_code", "type", "purpose"]} />
        <button class=${"btn " + (t === "erasure" ? "danger" : "primary")} disabled=${s.busy || !password || (t === "erasure" && !sure)}>${t === "erasure" ? "Delete my account" : "Send request"}</button>
      </form>`}
    </div>`)}</div>
    ${latest && html`<div class="alert info" role="status" data-testid="privacy-request">
      Request ${latest.id}: <${Badge}>${latest.status}<//>${latest.due_at ? ` · due ${day(latest.due_at)}` : ""}
      ${latest.progress && latest.progress.total ? ` · ${latest.progress.done}/${latest.progress.total}` : ""}
      ${latest.download_url && html` <a class="btn small" href=${latest.download_url} download>Download my data</a>`}</div>`}
    <h3>Your requests</h3>
    ${(p.requests || []).length === 0 ? html`<p class="hint">None yet.</p>`
      : html`<div class="table-wrap"><table class="table compact"><thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Received</th><th scope="col">Due</th></tr></thead>
        <tbody>${p.requests.map((r) => html`<tr><td>${r.type}</td><td><${Badge}>${r.status}<//></td><td>${when(r.received_at)}</td><td>${day(r.due_at)}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}

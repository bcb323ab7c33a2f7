// Operator console (operators only): workspaces, privacy queue, policy versions,
// subprocessors, fraud reviews, mail queue, outbox — each shown when the server has its API.
// Every decision that needs words (suspension reasons, refusals, extensions, new versions) goes
// through one dialog whose fields are described by the section.
import { html, useState } from "../lib.js";
import { get, post, patch, del, apiHas } from "../api.js";
import { Field, Check, FormError, useLoad, useSubmit, Loaded, Empty, Badge, Modal, money, when, day } from "../ui.js";

const SECTIONS = [
  ["workspaces", "Workspaces", "admin/workspaces"],
  ["privacy", "Privacy requests", "admin/privacy-requests"],
  ["breaches", "Breaches", "admin/breaches"],
  ["policy", "Policy versions", "admin/policy-versions"],
  ["subprocessors", "Subprocessors", "admin/subprocessors"],
  ["fraud", "Fraud reviews", "admin/fraud-reviews"],
  ["queue", "Mail queue", "admin/mail-queue"],
  ["outbox", "Outbox", "admin/outbox"],
];

export function Operator({ me }) {
  const [avail, err] = useLoad(async () => {
    const out = [];
    for (const s of SECTIONS) if (await apiHas("GET", s[2])) out.push(s);
    return out;
  }, []);
  const [tab, setTab] = useState(null);
  if (!me.is_operator) return html`<h1>Operator console</h1><p>This page is for platform operators.</p>`;
  return html`<h1>Operator console</h1>
    <${Loaded} data=${avail} error=${err}>
      ${(list) => {
        const cur = tab || (list[0] && list[0][0]);
        const s = list.find((x) => x[0] === cur);
        return html`<div class="tabs" role="tablist" aria-label="Operator sections">
            ${list.map(([k, label]) => html`<button type="button" role="tab" aria-selected=${cur === k ? "true" : "false"} class=${"tab" + (cur === k ? " active" : "")} onClick=${() => setTab(k)}>${label}</button>`)}
          </div>
          <div class="card" role="tabpanel">${s ? html`<${Section} key=${s[0]} kind=${s[0]} path=${s[2]} />` : html`<${Empty}>No operator APIs on this server.<//>`}</div>`;
      }}
    <//>`;
}

// A form in a dialog: `fields` are [{name, label, type?: text|textarea|number|date|checkbox,
// list?: comma-separated → array, optional?}]; empty optional fields are left out of the body.
function ActionDialog({ action, onDone, onClose }) {
  const { title, intro, fields = [], submit, danger, path } = action;
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((f) => [f.name, f.type === "checkbox" ? false : ""])));
  const set = (k) => (v) => setValues({ ...values, [k]: v });
  const s = useSubmit(async () => {
    const body = {};
    for (const f of fields) {
      let v = values[f.name];
      if (f.type === "checkbox") body[f.name] = v;
      else if (typeof v === "string" && v.trim() !== "") {
        v = v.trim();
        if (f.type === "number") v = Number(v);
        else if (f.type === "date") v = new Date(v + "T00:00:00Z").toISOString().replace(".000", "");
        else if (f.type === "datetime-local") v = new Date(v).toISOString().replace(/\.\d{3}Z$/, "Z");
        else if (f.list) v = v.split(",").map((x) => x.trim()).filter(Boolean);
        body[f.name] = v;
      } else if (!f.optional && f.type !== "number") body[f.name] = "";
    }
    await (action.method === "DELETE" ? del(path) : action.method === "PATCH" ? patch(path, body) : post(path, body));
    onDone();
  });
  return html`<${Modal} title=${title} onClose=${onClose}>
    <form onSubmit=${s.run} novalidate>
      ${intro && html`<p>${intro}</p>`}
      ${fields.map((f) => f.type === "checkbox"
        ? html`<${Check} label=${f.label} name=${f.name} checked=${values[f.name]} onChange=${set(f.name)} error=${s.fieldError(f.name)} />`
        : html`<${Field} label=${f.label} name=${f.name} type=${f.type || "text"} rows=${f.type === "textarea" ? 8 : undefined}
            value=${values[f.name]} onInput=${set(f.name)} error=${s.fieldError(f.name)} />`)}
      <${FormError} error=${s.error} fields=${fields.map((f) => f.name)} />
      <button class=${"btn " + (danger ? "danger" : "primary")} disabled=${s.busy}>${submit}</button>
    </form>
  <//>`;
}

const reasonField = (label = "Reason") => ({ name: "reason", label });

// Row actions per section: [label, action description] where the action opens the dialog, or
// runs at once when it has no fields and no confirmation.
function rowActions(kind, r) {
  const out = [];
  if (kind === "workspaces" && r.status === "active")
    out.push(["Suspend", { title: `Suspend ${r.name}`, danger: true, submit: "Suspend", path: `admin/workspaces/${r.id}/suspend`,
      intro: "Its mail stops and changes are refused; the customer can still read, export, pay and make privacy requests.",
      fields: [reasonField("Reason (shown to the customer)")] }]);
  if (kind === "workspaces" && r.status === "suspended")
    out.push(["Resume", { title: `Resume ${r.name}`, submit: "Resume", path: `admin/workspaces/${r.id}/resume`,
      intro: "Mail and changes work again at once.", fields: [{ ...reasonField("Note (optional)"), optional: true }] }]);
  if (kind === "privacy" && !["completed", "refused", "canceled", "void"].includes(r.status)) {
    out.push(["Extend", { title: "Extend the deadline", submit: "Extend", path: `admin/privacy-requests/${r.id}/extend`,
      intro: "Up to 2 more months in all (GDPR Art. 12(3)); the requester is told why.",
      fields: [{ name: "months", label: "Months (1 or 2)", type: "number", optional: true }, reasonField()] }]);
    out.push(["Refuse", { title: "Refuse the request", danger: true, submit: "Refuse", path: `admin/privacy-requests/${r.id}/refuse`,
      intro: "The requester is told the reasons and how to complain to a supervisory authority.", fields: [reasonField()] }]);
    out.push(["Complete", { title: "Mark as done", submit: "Complete", path: `admin/privacy-requests/${r.id}/complete`,
      fields: [{ name: "note", label: "Note (optional)", optional: true }] }]);
  }
  if (kind === "breaches" && !r.authority_notified_at)
    out.push(["Authority notified", { title: "Record the notification", submit: "Save", method: "PATCH", path: `admin/breaches/${r.id}`,
      fields: [{ name: "authority_notified_at", label: "Notified at", type: "datetime-local" }] }]);
  if (kind === "subprocessors")
    out.push(["Remove", { title: `Remove ${r.vendor}`, danger: true, submit: "Remove", method: "DELETE", path: `admin/subprocessors/${r.id}`,
      intro: "It disappears from the public subprocessor list at once." }]);
  if (kind === "fraud" && r.status === "open") {
    out.push(["Approve", { title: "Approve the payment", submit: "Approve", path: `admin/fraud-reviews/${r.id}/approve`,
      intro: "The card is charged and the wallet credited.", fields: [{ name: "note", label: "Note (optional)", optional: true }] }]);
    out.push(["Deny", { title: "Deny the payment", danger: true, submit: "Deny", path: `admin/fraud-reviews/${r.id}/deny`,
      intro: "Nothing is charged; the account stays open (a person decided, GDPR Art. 22).", fields: [{ name: "note", label: "Note (optional)", optional: true }] }]);
  }
  if (kind === "queue") {
    out.push(["Retry", { path: `admin/mail-queue/${r.id}/retry` }]);
    out.push(["Delete", { title: "Delete this message from the queue", danger: true, submit: "Delete", method: "DELETE", path: `admin/mail-queue/${r.id}` }]);
  }
  return out;
}

// "New …" actions above a section's table.
const CREATE = {
  policy: ["Publish a version", { title: "Publish a privacy policy version", submit: "Publish", path: "admin/policy-versions",
    intro: "A material change e-mails every active user and shows a banner until they acknowledge it.",
    fields: [{ name: "version", label: "Version" }, { name: "effective_at", label: "Effective from", type: "date", optional: true },
      { name: "material", label: "Material change", type: "checkbox" }, { name: "text", label: "Text (Markdown)", type: "textarea" }] }],
  subprocessors: ["Add a subprocessor", { title: "Add a subprocessor", submit: "Add", path: "admin/subprocessors",
    fields: [{ name: "vendor", label: "Vendor" }, { name: "purpose", label: "Purpose" },
      { name: "data_categories", label: "Data categories (comma-separated)", list: true, optional: true },
      { name: "location", label: "Location" }, { name: "transfer_safeguard", label: "Transfer safeguard", optional: true }] }],
  breaches: ["Record a breach", { title: "Record a personal data breach", submit: "Record", path: "admin/breaches",
    intro: "The authority must be notified within 72 hours of becoming aware (GDPR Art. 33).",
    fields: [{ name: "description", label: "What happened", type: "textarea" }, { name: "detected_at", label: "Detected at", type: "datetime-local" },
      { name: "aware_at", label: "Aware since", type: "datetime-local", optional: true },
      { name: "categories", label: "Data categories (comma-separated, e.g. contact, account)", list: true, optional: true },
      { name: "people_affected", label: "People affected (approx.)", type: "number", optional: true },
      { name: "measures", label: "Measures taken", type: "textarea", optional: true }] }],
};

const COLUMNS = {
  workspaces: [["name", "Name"], ["status", "Status"], ["owners", "Owners"], ["domains", "Domains"], ["mailboxes", "Mailboxes"], ["last_decision", "Last decision"], ["created_at", "Created"]],
  privacy: [["type", "Type"], ["email", "Who"], ["status", "Status"], ["due_at", "Due"], ["days_left", "Days left"]],
  breaches: [["description", "What"], ["status", "Status"], ["aware_at", "Aware"], ["authority_notified_at", "Authority notified"], ["hours_past_deadline", "Hours past the deadline"]],
  policy: [["version", "Version"], ["effective_at", "Effective"], ["material", "Material"]],
  subprocessors: [["vendor", "Vendor"], ["purpose", "Purpose"], ["location", "Location"], ["transfer_safeguard", "Safeguard"]],
  fraud: [["workspace_id", "Workspace"], ["amount", "Amount"], ["rules", "Rules"], ["status", "Status"], ["created_at", "Created"]],
  queue: [["sender", "From"], ["recipient", "To"], ["status", "Status"], ["attempts", "Attempts"], ["next_attempt_at", "Next try"], ["last_error", "Last error"]],
  outbox: [["kind", "Kind"], ["to", "To"], ["subject", "Subject"], ["status", "Status"], ["created_at", "Created"], ["sent_at", "Sent"], ["last_error", "Last error"]],
};

function cell(r, k) {
  const v = r[k];
  if (v == null) return "—";
  if (k.endsWith("_at")) return k === "due_at" ? day(v) : when(v);
  if (k === "status") return html`<${Badge}>${v}<//>`;
  if (k === "amount") return money(v);
  if (k === "last_decision") return `${v.action}: ${v.reason} (${when(v.at)})`;
  if (Array.isArray(v)) return v.join(", ") || "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function Section({ kind, path }) {
  const [q, setQ] = useState("");
  const query = kind === "workspaces" && q.trim() ? `&q=${encodeURIComponent(q.trim())}` : "";
  const [list, err, reload] = useLoad(() => get(`${path}?limit=100${query}`), [path, query]);
  const [actionError, setActionError] = useState(null);
  const [dialog, setDialog] = useState(null);
  const start = async (action) => {
    setActionError(null);
    if (action.title) return setDialog(action);
    try {
      await post(action.path);
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const cols = COLUMNS[kind];
  const create = CREATE[kind];
  return html`${kind === "workspaces" &&
    html`<div class="inline-form"><${Field} label="Search by name or id" name="q" type="search" value=${q} onInput=${setQ} /></div>`}
    ${create && html`<p><button type="button" class="btn primary" onClick=${() => start(create[1])}>${create[0]}…</button></p>`}
    <${FormError} error=${actionError} />
    ${dialog && html`<${ActionDialog} action=${dialog} onClose=${() => setDialog(null)} onDone=${() => { setDialog(null); reload(); }} />`}
    <${Loaded} data=${list} error=${err}>
      ${(l) => (l.data || []).length === 0
        ? html`<${Empty}>Nothing here.<//>`
        : html`<div class="table-wrap"><table class="table compact"><thead><tr>${cols.map(([, h]) => html`<th scope="col">${h}</th>`)}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${l.data.map((r) => html`<tr class=${r.overdue ? "row-failed" : ""}>${cols.map(([k]) => html`<td>${cell(r, k)}</td>`)}
            <td>${rowActions(kind, r).map(([label, a]) => html`<button type="button" class=${"btn small" + (a.danger ? " danger" : "")} onClick=${() => start(a)}>${label}</button> `)}</td></tr>`)}</tbody></table></div>`}
    <//>`;
}

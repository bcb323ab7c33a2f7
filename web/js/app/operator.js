// Operator console (operators only): workspaces, privacy queue, policy versions,
// subprocessors, fraud reviews, mail queue, outbox — each shown when the server has its API.
import { html, useState } from "../lib.js";
import { get, post, del, apiHas } from "../api.js";
import { FormError, useLoad, Loaded, Empty, Badge, when, day } from "../ui.js";

const SECTIONS = [
  ["workspaces", "Workspaces", "admin/workspaces"],
  ["privacy", "Privacy requests", "admin/privacy-requests"],
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

function Section({ kind, path }) {
  const [list, err, reload] = useLoad(() => get(`${path}?limit=100`), [path]);
  const [actionError, setActionError] = useState(null);
  const act = async (fn) => {
    setActionError(null);
    try {
      await fn();
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const rowActions = (r) => {
    if (kind === "workspaces")
      return r.status === "suspended"
        ? html`<button type="button" class="btn small" onClick=${() => act(() => post(`admin/workspaces/${r.id}/resume`))}>Resume</button>`
        : html`<button type="button" class="btn small danger" onClick=${() => act(() => post(`admin/workspaces/${r.id}/suspend`, { reason: prompt("Reason for suspension?") || "operator decision" }))}>Suspend</button>`;
    if (kind === "queue")
      return html`<button type="button" class="btn small" onClick=${() => act(() => post(`admin/mail-queue/${r.id}/retry`))}>Retry</button>
        <button type="button" class="btn small danger" onClick=${() => act(() => del(`admin/mail-queue/${r.id}`))}>Delete</button>`;
    if (kind === "fraud" && r.status === "pending")
      return html`<button type="button" class="btn small" onClick=${() => act(() => post(`admin/fraud-reviews/${r.id}/approve`))}>Approve</button>
        <button type="button" class="btn small danger" onClick=${() => act(() => post(`admin/fraud-reviews/${r.id}/reject`))}>Reject</button>`;
    return null;
  };
  const cols = {
    workspaces: [["name", "Name"], ["status", "Status"], ["created_at", "Created"]],
    privacy: [["type", "Type"], ["email", "Who"], ["status", "Status"], ["due_at", "Due"], ["days_left", "Days left"]],
    policy: [["version", "Version"], ["effective_at", "Effective"], ["material", "Material"]],
    subprocessors: [["vendor", "Vendor"], ["purpose", "Purpose"], ["location", "Location"]],
    fraud: [["workspace_id", "Workspace"], ["status", "Status"], ["reason", "Reason"], ["created_at", "Created"]],
    queue: [["sender", "From"], ["recipient", "To"], ["status", "Status"], ["attempts", "Attempts"], ["next_attempt_at", "Next try"], ["last_error", "Last error"]],
    outbox: [["kind", "Kind"], ["to", "To"], ["subject", "Subject"], ["status", "Status"], ["created_at", "Created"]],
  }[kind];
  const cell = (r, k) => {
    const v = r[k];
    if (v == null) return "—";
    if (k.endsWith("_at")) return k === "due_at" ? day(v) : when(v);
    if (k === "status") return html`<${Badge}>${v}<//>`;
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  };
  return html`<${FormError} error=${actionError} />
    <${Loaded} data=${list} error=${err}>
      ${(l) => (l.data || []).length === 0
        ? html`<${Empty}>Nothing here.<//>`
        : html`<div class="table-wrap"><table class="table compact"><thead><tr>${cols.map(([, h]) => html`<th scope="col">${h}</th>`)}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${l.data.map((r) => html`<tr class=${r.overdue ? "row-failed" : ""}>${cols.map(([k]) => html`<td>${cell(r, k)}</td>`)}<td>${rowActions(r)}</td></tr>`)}</tbody></table></div>`}
    <//>`;
}

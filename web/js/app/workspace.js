// Workspaces: list/create, overview, members and invitations, API keys, activity, settings.
import { html, useState, useEffect } from "../lib.js";
import { get, post, patch, del, apiHas } from "../api.js";
import { navigate } from "../router.js";
import { DailyChart } from "./chart.js";
import { refreshMe, lastWorkspace } from "../session.js";
import { Field, Select, Check, FormError, useSubmit, useLoad, Loaded, Empty, CopyButton, Notice, Badge, when, day, Modal } from "../ui.js";

export const ROLES = ["owner", "admin", "member", "billing", "viewer"];

export function Home({ me }) {
  useEffect(() => {
    const list = me.workspaces || [];
    const last = lastWorkspace.get();
    const pick = list.find((w) => w.id === last) || list[0];
    navigate(pick ? `/w/${pick.id}` : "/app/workspaces", true);
  }, []);
  return null;
}

function CreateWorkspace() {
  const [name, setName] = useState("");
  const [region, setRegion] = useState("eu");
  const s = useSubmit(async () => {
    const w = await post("workspaces", { name, data_region: region });
    await refreshMe();
    lastWorkspace.set(w.id);
    navigate(`/w/${w.id}`);
  });
  return html`<form class="card" onSubmit=${s.run} novalidate aria-labelledby="new-ws-h">
    <h2 id="new-ws-h">New workspace</h2>
    <p class="hint">A workspace holds domains, mailboxes, members and billing — one per client or brand.</p>
    <${Field} label="Workspace name" name="name" value=${name} onInput=${setName} error=${s.fieldError("name")} required />
    <${Select} label="Data region" name="data_region" value=${region} onChange=${setRegion} options=${[["eu", "European Union"], ["us", "United States"]]} error=${s.fieldError("data_region")} />
    <${FormError} error=${s.error} fields=${["name", "data_region"]} />
    <button class="btn primary" disabled=${s.busy}>Create workspace</button>
  </form>`;
}

export function Workspaces({ me }) {
  const list = me.workspaces || [];
  return html`<h1>Workspaces</h1>
    ${list.length === 0
      ? html`<${Empty}>You have no workspace yet. Create one to add domains and mailboxes.<//>`
      : html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Name</th><th scope="col">Your role</th><th scope="col">Status</th></tr></thead>
        <tbody>${list.map((w) => html`<tr><td><a href=${`/w/${w.id}`}>${w.name}</a></td><td>${w.role}</td><td><${Badge}>${w.status || "active"}<//></td></tr>`)}</tbody></table></div>`}
    <${CreateWorkspace} />`;
}

export function Overview({ ws }) {
  const [data, err] = useLoad(async () => {
    const [w, d, m, stats] = await Promise.all([get(`workspaces/${ws}`), get(`workspaces/${ws}/domains?limit=200`),
      get(`workspaces/${ws}/mailboxes?limit=200`), get(`workspaces/${ws}/mail-stats?days=30`)]);
    return { w, domains: d.data, mailboxes: m.data, moreMailboxes: !!m.next_cursor, stats };
  }, [ws]);
  return html`<${Loaded} data=${data} error=${err}>
    ${(x) => html`<h1>${x.w.name}</h1>
      <div class="stats">
        <div class="stat"><span class="num">${x.domains.length}</span> domains</div>
        <div class="stat"><span class="num">${x.mailboxes.length}${x.moreMailboxes ? "+" : ""}</span> mailboxes</div>
        <div class="stat"><span class="num">${x.domains.filter((d) => d.status !== "active").length}</span> domains need attention</div>
      </div>
      ${x.domains.length === 0
        ? html`<${Empty}><p>Start by adding a domain: buy a new one or connect one you own.</p><a class="btn primary" href=${`/w/${ws}/domains`}>Add a domain</a><//>`
        : x.mailboxes.length === 0
        ? html`<${Empty}><p>Your domains are ready. Create mailboxes in bulk from a list of names.</p><a class="btn primary" href=${`/w/${ws}/mailboxes`}>Create mailboxes</a><//>`
        : html`<p><a class="btn" href=${`/w/${ws}/domains`}>Domains</a> <a class="btn" href=${`/w/${ws}/mailboxes`}>Mailboxes</a></p>
          <section class="card" aria-labelledby="ws-stats-h"><h2 id="ws-stats-h">Sending across all mailboxes</h2>
            <div class="stats"><div class="stat"><span class="num">${x.stats.totals.sent}</span> sent</div>
              <div class="stat"><span class="num">${x.stats.totals.bounced}</span> bounced</div>
              <div class="stat"><span class="num">${x.stats.totals.received}</span> received</div></div>
            <${DailyChart} rows=${x.stats.data} /></section>`}`}
  <//>`;
}

export function Members({ ws, me }) {
  const [list, err, reload] = useLoad(() => get(`workspaces/${ws}/members?limit=200`), [ws]);
  const [invites, ierr, reloadInvites] = useLoad(() => get(`workspaces/${ws}/invitations?limit=200`), [ws]);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const [rowError, setRowError] = useState(null);
  const invite = useSubmit(async () => {
    await post(`workspaces/${ws}/members`, { email, role });
    reloadInvites();
    setEmail("");
  });
  const change = async (m, r) => {
    setRowError(null);
    try {
      await patch(`workspaces/${ws}/members/${m.id}`, { role: r });
      reload();
    } catch (e) {
      setRowError(e);
    }
  };
  const revoke = async (i) => {
    setRowError(null);
    try {
      await del(`workspaces/${ws}/invitations/${i.id}`);
      reloadInvites();
    } catch (e) {
      setRowError(e);
    }
  };
  const remove = async (m) => {
    if (!confirm(`Remove ${m.email} from this workspace?`)) return;
    setRowError(null);
    try {
      await del(`workspaces/${ws}/members/${m.id}`);
      if (m.user_id === me.id) {
        await refreshMe();
        navigate("/app");
      } else reload();
    } catch (e) {
      setRowError(e);
    }
  };
  return html`<h1>Members</h1>
    <form class="card inline-form" onSubmit=${invite.run} novalidate aria-labelledby="inv-h">
      <h2 id="inv-h">Invite someone</h2>
      <${Field} label="E-mail" name="email" type="email" value=${email} onInput=${setEmail} error=${invite.fieldError("email")} />
      <${Select} label="Role" name="role" value=${role} onChange=${setRole} options=${ROLES} error=${invite.fieldError("role")} />
      <button class="btn primary" disabled=${invite.busy}>Send invitation</button>
      <${FormError} error=${invite.error} fields=${["email", "role"]} />
    </form>
    <${Loaded} data=${invites} error=${ierr} what="Loading invitations">
      ${(l) => l.data.length > 0 &&
        html`<h2>Pending invitations</h2><ul class="plain" data-testid="invitations">${l.data.map((i) => html`<li>${i.email} as ${i.role} — <${Badge}>${i.status}<//>, expires ${when(i.expires_at)}
          <button type="button" class="btn small" onClick=${() => revoke(i)}>Revoke<span class="sr-only"> the invitation of ${i.email}</span></button></li>`)}</ul>`}
    <//>
    <${FormError} error=${rowError} />
    <${Loaded} data=${list} error=${err}>
      ${(l) => html`<div class="table-wrap"><table class="table"><caption class="sr-only">Members</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${l.data.map((m) => html`<tr>
          <td>${m.name}</td><td>${m.email}</td>
          <td><select aria-label=${"Role of " + m.email} value=${m.role} onChange=${(e) => change(m, e.target.value)}>
            ${ROLES.map((r) => html`<option value=${r} selected=${r === m.role}>${r}</option>`)}</select></td>
          <td>${when(m.created_at)}</td>
          <td><button type="button" class="btn small danger" onClick=${() => remove(m)}>${m.user_id === me.id ? "Leave" : "Remove"}</button></td>
        </tr>`)}</tbody></table></div>
        <p class="hint">Roles: owner (everything), admin (all but billing ownership and deleting the workspace), member (domains, mailboxes, exports), billing (billing only), viewer (read-only, no credentials).</p>`}
    <//>`;
}

export function ApiKeys({ ws }) {
  const [list, err, reload] = useLoad(() => get(`workspaces/${ws}/api-keys?limit=200`), [ws]);
  const [name, setName] = useState("");
  const [role, setRole] = useState("member");
  const [created, setCreated] = useState(null);
  const [rowError, setRowError] = useState(null);
  const s = useSubmit(async () => {
    const k = await post(`workspaces/${ws}/api-keys`, { name, role });
    setCreated(k);
    setName("");
    reload();
  });
  const revoke = async (k) => {
    if (!confirm(`Revoke the key "${k.name}"? Programs using it stop working at once.`)) return;
    try {
      await del(`workspaces/${ws}/api-keys/${k.id}`);
      reload();
    } catch (e) {
      setRowError(e);
    }
  };
  return html`<h1>API keys</h1>
    <p>Keys act for this workspace with the role you give them: <code>Authorization: Bearer mj_…</code>. See the <a href="/api/openapi.json">API reference</a>.</p>
    <form class="card inline-form" onSubmit=${s.run} novalidate aria-labelledby="key-h">
      <h2 id="key-h">New key</h2>
      <${Field} label="Name" name="name" value=${name} onInput=${setName} error=${s.fieldError("name")} />
      <${Select} label="Role" name="role" value=${role} onChange=${setRole} options=${ROLES.filter((r) => r !== "owner")} error=${s.fieldError("role")} />
      <button class="btn primary" disabled=${s.busy}>Create key</button>
      <${FormError} error=${s.error} fields=${["name", "role"]} />
    </form>
    ${created &&
    html`<div class="alert success" role="status"><p><strong>Copy this key now — it is shown only once.</strong></p>
      <p class="secret"><code data-testid="new-key">${created.key}</code> <${CopyButton} text=${created.key} what="API key" /></p>
      <button type="button" class="btn small" onClick=${() => setCreated(null)}>I have stored it</button></div>`}
    <${FormError} error=${rowError} />
    <${Loaded} data=${list} error=${err}>
      ${(l) => l.data.length === 0
        ? html`<${Empty}>No API keys yet.<//>`
        : html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${l.data.map((k) => html`<tr><td>${k.name}</td><td><code>${k.prefix}…</code></td><td>${k.role}</td><td>${when(k.created_at)}</td><td>${when(k.last_used_at)}</td>
            <td>${k.revoked_at ? html`<${Badge} kind="revoked">revoked<//>` : html`<button type="button" class="btn small danger" onClick=${() => revoke(k)}>Revoke</button>`}</td></tr>`)}</tbody></table></div>`}
    <//>`;
}

export function Activity({ ws }) {
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [applied, setApplied] = useState({ action: "", actor: "" });
  const [pages, setPages] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [err, setErr] = useState(null);
  const [loading, setLoading] = useState(true);
  const load = async (cur, reset) => {
    setLoading(true);
    setErr(null);
    try {
      const q = new URLSearchParams({ limit: "50" });
      if (applied.action) q.set("action", applied.action);
      if (applied.actor) q.set("actor", applied.actor);
      if (cur) q.set("cursor", cur);
      const r = await get(`workspaces/${ws}/audit-events?${q}`);
      setPages(reset ? r.data : [...pages, ...r.data]);
      setCursor(r.next_cursor);
    } catch (e) {
      setErr(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load(null, true);
  }, [ws, applied]);
  return html`<h1>Activity</h1>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setApplied({ action: action.trim(), actor: actor.trim() }); }}>
      <${Field} label="Action" name="action" value=${action} onInput=${setAction} placeholder="e.g. mailbox.create" />
      <${Field} label="Actor id" name="actor" value=${actor} onInput=${setActor} placeholder="usr_… or key_…" />
      <button class="btn">Filter</button>
    </form>
    <${FormError} error=${err} fields=${[]} />
    ${!loading && pages.length === 0 && html`<${Empty}>No activity matches.<//>`}
    ${pages.length > 0 &&
    html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">From</th></tr></thead>
      <tbody>${pages.map((e) => html`<tr><td>${when(e.created_at)}</td><td><code>${e.action}</code></td>
        <td><button type="button" class="link" title="Filter by this actor" onClick=${() => { setActor(e.actor.id); setApplied({ action: applied.action, actor: e.actor.id }); }}>${e.actor.type} ${e.actor.id}</button></td>
        <td>${e.target ? `${e.target.type} ${e.target.id || ""}` : "—"}</td><td>${e.ip || "—"}</td></tr>`)}</tbody></table></div>`}
    ${loading && html`<p class="loading" role="status">Loading…</p>`}
    ${cursor && !loading && html`<button type="button" class="btn" onClick=${() => load(cursor, false)}>Load more</button>`}`;
}

export function Settings({ ws, me }) {
  const [w, err, reload] = useLoad(() => get(`workspaces/${ws}`), [ws]);
  return html`<h1>Workspace settings</h1><${Loaded} data=${w} error=${err}>${(x) => html`<${SettingsForm} w=${x} reload=${reload} me=${me} />`}<//>`;
}

function SettingsForm({ w, reload, me }) {
  const [name, setName] = useState(w.name);
  const [confirmName, setConfirmName] = useState("");
  const [deleting, setDeleting] = useState(false);
  const s = useSubmit(async () => {
    await patch(`workspaces/${w.id}`, { name });
    await refreshMe();
    reload();
  });
  const dpa = useSubmit(async () => {
    await patch(`workspaces/${w.id}`, { dpa_accepted_version: (w.dpa && w.dpa.current_version) || "2026-01" });
    reload();
  });
  const d = useSubmit(async () => {
    await del(`workspaces/${w.id}`, { confirm_name: confirmName });
    await refreshMe();
    navigate("/app/workspaces");
  });
  return html`<form class="card" onSubmit=${s.run} novalidate>
      <h2>General</h2>
      <${Field} label="Name" name="name" value=${name} onInput=${setName} error=${s.fieldError("name")} />
      <p>Data region: <strong>${w.data_region}</strong></p>
      <${FormError} error=${s.error} fields=${["name"]} />
      <button class="btn primary" disabled=${s.busy}>Save</button>
    </form>
    <section class="card" aria-labelledby="dpa-h"><h2 id="dpa-h">Data processing agreement</h2>
      ${w.dpa && w.dpa.accepted_at && w.dpa.up_to_date !== false
        ? html`<p>Accepted (version ${w.dpa.version}) on ${when(w.dpa.accepted_at)}.</p>`
        : w.role === "owner"
        ? html`<p>As the owner you can accept our DPA (Art. 28 GDPR) for this workspace${w.dpa && w.dpa.current_version ? html` (version <strong>${w.dpa.current_version}</strong>)` : ""}. It covers the personal data in your mailboxes and contacts.</p>
          ${w.dpa && w.dpa.accepted_at && html`<p>You accepted version ${w.dpa.version} on ${when(w.dpa.accepted_at)}; a new version is in force.</p>`}
          <${FormError} error=${dpa.error} /><button type="button" class="btn" onClick=${dpa.run} disabled=${dpa.busy}>Accept the DPA</button>`
        : html`<p>Not accepted yet; only the workspace owner can accept it.</p>`}
    </section>
    ${w.role === "owner" && html`<${WorkspaceExport} ws=${w.id} />`}
    ${(w.role === "owner" || w.scheduled_deletion) && html`<${WorkspaceErasure} w=${w} me=${me} reload=${reload} />`}
    ${w.role === "owner" &&
    html`<section class="card danger-zone" aria-labelledby="del-h"><h2 id="del-h">Delete this workspace</h2>
      <p>Deletes its domains' DNS, every mailbox and message, API keys and members' access. Invoices are kept as the law requires.</p>
      ${!deleting
        ? html`<button type="button" class="btn danger" onClick=${() => setDeleting(true)}>Delete workspace…</button>`
        : html`<form onSubmit=${d.run} novalidate>
          <${Field} label=${`Type "${w.name}" to confirm`} name="confirm_name" value=${confirmName} onInput=${setConfirmName} error=${d.fieldError("confirm_name")} />
          <${FormError} error=${d.error} fields=${["confirm_name"]} />
          <button class="btn danger" disabled=${d.busy || confirmName !== w.name}>Delete for good</button></form>`}
    </section>`}`;
}

// The owner takes the whole workspace's data (policy §2: the organisation is the controller):
// a ZIP built in the background, downloadable for 5 days.
function WorkspaceExport({ ws }) {
  const [available] = useLoad(() => apiHas("POST", "workspaces/{ws}/exports"), []);
  const [exp, setExp] = useState(null);
  const s = useSubmit(async () => {
    let e = await post(`workspaces/${ws}/exports`);
    setExp(e);
    while (e.status === "processing") {
      await new Promise((r) => setTimeout(r, 500));
      e = await get(`workspaces/${ws}/exports/${e.id}`);
      setExp(e);
    }
  });
  if (!available) return null;
  return html`<section class="card" aria-labelledby="wex-h"><h2 id="wex-h">Export this workspace</h2>
    <p>Domains, DNS records, mailboxes (without passwords), members, settings, the activity log and invoices, as JSON in a ZIP file.</p>
    <${FormError} error=${s.error} />
    ${exp && exp.status === "processing" && html`<p role="status">Preparing the export…</p>`}
    ${exp && exp.status === "failed" && html`<p class="field-error" role="alert">The export failed: ${exp.error}</p>`}
    ${exp && exp.status === "completed"
      ? html`<p role="status">Ready until ${when(exp.expires_at)}: <a class="btn primary" href=${exp.download_url} download>Download the export</a></p>`
      : html`<button type="button" class="btn" onClick=${s.run} disabled=${s.busy}>Export workspace data</button>`}
  </section>`;
}

// The owner erases the whole workspace's data (policy §2, Art. 28(3)(g)): a privacy request
// re-authenticated with the password (and 2FA); the workspace keeps working until the scheduled
// date and the requester can cancel until then. Every member is e-mailed.
function WorkspaceErasure({ w, me, reload }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [sure, setSure] = useState(false);
  const pending = w.scheduled_deletion;
  const s = useSubmit(async () => {
    const body = { type: "erasure", workspace_id: w.id, password };
    if (me && me.totp_enabled) body.totp_code = totp;
    await post("me/privacy/requests", body);
    setPassword("");
    setTotp("");
    setSure(false);
    setOpen(false);
    reload();
  });
  const c = useSubmit(async () => {
    await post(`me/privacy/requests/${pending.request_id}/cancel`, {});
    reload();
  });
  return html`<section class="card danger-zone" aria-labelledby="erase-h" data-testid="workspace-erasure"><h2 id="erase-h">Erase all of this workspace's data</h2>
    ${pending
      ? html`<div class="alert warn" role="status" data-testid="erasure-scheduled">
          <p><strong>This workspace is scheduled for deletion on <time datetime=${pending.delete_after}>${day(pending.delete_after)}</time>.</strong>
            On that day its domains, DNS, mailboxes, every message, members, API keys and activity log are deleted for good.
            Until then everything keeps working; every member has been told by e-mail.</p>
          ${pending.cancellable
            ? html`<${FormError} error=${c.error} />
              <button type="button" class="btn" onClick=${c.run} disabled=${c.busy}>Cancel the deletion</button>`
            : html`<p class="hint">Only the owner who asked for it can cancel it.</p>`}
        </div>`
      : html`<p>As the workspace's organisation you control its data. Erasing it schedules the deletion of its domains and their DNS,
          every mailbox and message, members, API keys and the activity log after a grace period (the date is shown here once
          scheduled); every member is e-mailed now and a week before. You can cancel until that day. Invoices and bookkeeping records are kept, restricted,
          for the period tax law requires, then deleted. Export anything you want to keep first.</p>
        ${!open
          ? html`<button type="button" class="btn danger" aria-expanded="false" onClick=${() => setOpen(true)}>Erase workspace data…</button>`
          : html`<form onSubmit=${s.run} novalidate class="confirm">
            <p>Confirm it is you:</p>
            <${Field} label="Your password" name="password" type="password" autocomplete="current-password" value=${password} onInput=${setPassword} error=${s.fieldError("password")} />
            ${me && me.totp_enabled && html`<${Field} label="2FA code (or a recovery code)" name="totp_code" autocomplete="one-time-code" value=${totp} onInput=${setTotp} error=${s.fieldError("totp_code")} />`}
            <${Check} label=${`I understand "${w.name}" and all its mail will be deleted after the grace period`} name="sure" checked=${sure} onChange=${setSure} />
            <${FormError} error=${s.error} fields=${["password", "totp_code", "workspace_id"]} />
            <button class="btn danger" disabled=${s.busy || !password || !sure}>Schedule the erasure</button>
            <button type="button" class="btn" onClick=${() => { setOpen(false); s.setError(null); }}>Keep the workspace</button>
          </form>`}`}
  </section>`;
}

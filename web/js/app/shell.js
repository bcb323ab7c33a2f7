// Dashboard shell: sidebar with workspace switcher, and the dashboard's routes.
import { html, useState, useEffect } from "../lib.js";
import { post, getIf } from "../api.js";
import { useLoad } from "../ui.js";
import { match, navigate } from "../router.js";
import { refreshMe, signedOut, lastWorkspace } from "../session.js";
import * as ws from "./workspace.js";
import * as domains from "./domains.js";
import * as mailboxes from "./mailboxes.js";
import { Account } from "./account.js";
import { Billing } from "./billing.js";
import { PrivacyCentre } from "./privacy.js";
import { Operator } from "./operator.js";

export const appRoutes = [
  ["/app", ws.Home],
  ["/app/workspaces", ws.Workspaces],
  ["/app/account", Account],
  ["/app/privacy", PrivacyCentre],
  ["/app/operator", Operator],
  ["/w/:ws", ws.Overview],
  ["/w/:ws/domains", domains.Domains],
  ["/w/:ws/domains/:dom", domains.DomainPage],
  ["/w/:ws/mailboxes", mailboxes.Mailboxes],
  ["/w/:ws/mailboxes/:mbx", mailboxes.MailboxPage],
  ["/w/:ws/members", ws.Members],
  ["/w/:ws/api-keys", ws.ApiKeys],
  ["/w/:ws/activity", ws.Activity],
  ["/w/:ws/billing", Billing],
  ["/w/:ws/settings", ws.Settings],
];

function Switcher({ me, current }) {
  const list = me.workspaces || [];
  const onChange = (v) => {
    if (v === "__new") navigate("/app/workspaces");
    else {
      lastWorkspace.set(v);
      navigate(`/w/${v}`);
    }
  };
  return html`<div class="field switcher">
    <label for="ws-switch">Workspace</label>
    <select id="ws-switch" value=${current || ""} onChange=${(e) => onChange(e.target.value)}>
      ${!current && html`<option value="">Choose…</option>`}
      ${list.map((w) => html`<option value=${w.id} selected=${w.id === current}>${w.name}</option>`)}
      <option value="__new">+ New workspace</option>
    </select>
  </div>`;
}

function NavLink({ href, path, children }) {
  const active = path === href || (href.split("/").length > 3 && path.startsWith(href + "/"));
  return html`<a href=${href} aria-current=${active ? "page" : undefined}>${children}</a>`;
}

export function AppShell({ path, me }) {
  const [menu, setMenu] = useState(false);
  let page = null;
  for (const [pattern, C] of appRoutes) {
    const params = match(pattern, path);
    if (params) {
      page = html`<${C} ...${params} me=${me} key=${pattern + (params.ws || "")} />`;
      break;
    }
  }
  const m = path.match(/^\/w\/([^/]+)/);
  const current = m ? m[1] : null;
  useEffect(() => {
    if (current) lastWorkspace.set(current);
    setMenu(false);
  }, [path]);
  const wsInfo = (me.workspaces || []).find((w) => w.id === current);
  // A changed privacy policy (material change) is shown until acknowledged.
  const [privacy, , reloadPrivacy] = useLoad(() => getIf("me/privacy"), [me.id]);
  const policy = privacy && privacy.policy;
  const acknowledge = async () => {
    try {
      await post("me/privacy/policy-acknowledgements");
    } catch {}
    reloadPrivacy();
  };
  const logout = async () => {
    try {
      await post("auth/logout");
    } catch {}
    signedOut();
    navigate("/login");
  };
  return html`<div class="app">
    <a class="skip" href="#main">Skip to content</a>
    <header class="app-header">
      <a class="brand" href="/app">MailJuke</a>
      <button type="button" class="btn small menu-toggle" aria-expanded=${menu ? "true" : "false"}
        aria-controls="app-nav" onClick=${() => setMenu(!menu)}>Menu</button>
      <span class="who">${me.name} <span class="hint">${me.email}</span></span>
      <button type="button" class="btn small" onClick=${logout}>Sign out</button>
    </header>
    <nav id="app-nav" class=${"sidebar" + (menu ? " open" : "")} aria-label="Dashboard">
      <${Switcher} me=${me} current=${current} />
      ${current &&
      html`<ul>
        <li><${NavLink} path=${path} href=${`/w/${current}`}>Overview<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/domains`}>Domains<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/mailboxes`}>Mailboxes<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/members`}>Members<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/api-keys`}>API keys<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/activity`}>Activity<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/billing`}>Billing<//></li>
        <li><${NavLink} path=${path} href=${`/w/${current}/settings`}>Settings<//></li>
      </ul>`}
      <ul>
        <li><${NavLink} path=${path} href="/app/workspaces">All workspaces<//></li>
        <li><${NavLink} path=${path} href="/app/account">Account and security<//></li>
        <li><${NavLink} path=${path} href="/app/privacy">Privacy centre<//></li>
        ${me.is_operator && html`<li><${NavLink} path=${path} href="/app/operator">Operator console<//></li>`}
      </ul>
    </nav>
    <main id="main" class="app-main" tabindex="-1">
      ${!me.email_verified &&
      html`<div class="alert warn" role="status">Please verify your e-mail address: we sent you a link. Buying domains needs a verified address.</div>`}
      ${policy && policy.acknowledged === false &&
      html`<div class="alert info" role="status">Our privacy policy changed (version ${policy.current_version}).
        <a href="/privacy">Read what changed</a> <button type="button" class="btn small" onClick=${acknowledge}>I have read it</button></div>`}
      ${wsInfo && wsInfo.status && wsInfo.status !== "active" &&
      html`<div class="alert warn" role="status">This workspace is ${wsInfo.status}.</div>`}
      ${page}
    </main>
  </div>`;
}

export { refreshMe };

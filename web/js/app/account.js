// Account and security: profile, e-mail change, 2FA (QR + recovery codes), sessions.
import { html, useState } from "../lib.js";
import { get, post, patch, del } from "../api.js";
import { refreshMe } from "../session.js";
import { Field, FormError, useSubmit, useLoad, Loaded, CopyButton, Notice, when } from "../ui.js";

export function Account({ me }) {
  return html`<h1>Account and security</h1>
    <${Profile} me=${me} />
    <${TwoFactor} me=${me} />
    <${Sessions} />`;
}

function Profile({ me }) {
  const [name, setName] = useState(me.name || "");
  const [company, setCompany] = useState(me.company || "");
  const [email, setEmail] = useState(me.email);
  const [current, setCurrent] = useState("");
  const [saved, setSaved] = useState(false);
  const s = useSubmit(async () => {
    setSaved(false);
    const body = { name, company: company || null };
    if (email !== me.email) {
      body.email = email;
      body.current_password = current;
    }
    await patch("me", body);
    await refreshMe();
    setSaved(true);
  });
  return html`<form class="card" onSubmit=${s.run} novalidate aria-labelledby="prof-h"><h2 id="prof-h">Profile</h2>
    <${Field} label="Name" name="name" value=${name} onInput=${setName} error=${s.fieldError("name")} />
    <${Field} label="Company" name="company" value=${company} onInput=${setCompany} error=${s.fieldError("company")} />
    <${Field} label="E-mail" name="email" type="email" value=${email} onInput=${setEmail} error=${s.fieldError("email")}
      hint=${me.pending_email ? `Waiting for confirmation of ${me.pending_email}` : "Changing it sends a confirmation link to the new address."} />
    ${email !== me.email && html`<${Field} label="Current password" name="current_password" type="password" autocomplete="current-password" value=${current} onInput=${setCurrent} error=${s.fieldError("current_password")} />`}
    <${FormError} error=${s.error} fields=${["name", "company", "email", "current_password"]} />
    <button class="btn primary" disabled=${s.busy}>Save</button>${saved && html`<span class="good" role="status"> Saved.</span>`}
  </form>`;
}

function TwoFactor({ me }) {
  const [enrol, setEnrol] = useState(null);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState(null);
  const [off, setOff] = useState("");
  const start = useSubmit(async () => setEnrol(await post("auth/totp")));
  const confirmIt = useSubmit(async () => {
    const r = await post("auth/totp/confirm", { code: code.trim() });
    setCodes(r.recovery_codes);
    setEnrol(null);
    await refreshMe();
  });
  const disable = useSubmit(async () => {
    const body = /^\d{6}$/.test(off.trim()) ? { code: off.trim() } : { password: off };
    await del("auth/totp", body);
    setOff("");
    await refreshMe();
  });
  const secret = enrol ? new URL(enrol.otpauth_uri.replace("otpauth://", "https://")).searchParams.get("secret") : "";
  return html`<section class="card" aria-labelledby="tfa-h"><h2 id="tfa-h">Two-factor authentication</h2>
    ${codes &&
    html`<div class="alert success" role="status"><p><strong>2FA is on. Save these recovery codes now</strong> — each works once, and they are not shown again.</p>
      <ul class="codes" data-testid="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
      <${CopyButton} text=${codes.join("\n")} label="Copy codes" /> <button type="button" class="btn small" onClick=${() => setCodes(null)}>I have saved them</button></div>`}
    ${me.totp_enabled && !codes &&
    html`<p>2FA is <strong>on</strong>. To turn it off, enter a current code or your password.</p>
      <form class="inline-form" onSubmit=${disable.run} novalidate>
        <${Field} label="Code or password" name="code" type="password" value=${off} onInput=${setOff} error=${disable.fieldError("code") || disable.fieldError("password")} />
        <button class="btn danger" disabled=${disable.busy || !off}>Turn off 2FA</button>
        <${FormError} error=${disable.error} fields=${["code", "password"]} /></form>`}
    ${!me.totp_enabled && !enrol &&
    html`<p>Protect your account with an authenticator app (TOTP).</p>
      <button type="button" class="btn primary" onClick=${start.run} disabled=${start.busy}>Set up 2FA</button><${FormError} error=${start.error} />`}
    ${enrol &&
    html`<div class="two"><div><p>Scan this QR code with your authenticator app:</p>
        <img class="qr" alt="QR code for your authenticator app" src=${"data:image/svg+xml;charset=utf-8," + encodeURIComponent(enrol.qr_svg)} />
        <p class="hint">Or enter this key by hand: <code>${secret}</code> <${CopyButton} text=${secret} what="setup key" /></p></div>
      <form onSubmit=${confirmIt.run} novalidate>
        <${Field} label="6-digit code from the app" name="code" inputmode="numeric" autocomplete="one-time-code" value=${code} onInput=${setCode} error=${confirmIt.fieldError("code")} />
        <${FormError} error=${confirmIt.error} fields=${["code"]} />
        <button class="btn primary" disabled=${confirmIt.busy}>Turn on 2FA</button></form></div>`}
  </section>`;
}

function Sessions() {
  const [list, err, reload] = useLoad(() => get("me/sessions"), []);
  const [rowError, setRowError] = useState(null);
  const revoke = async (s) => {
    try {
      await del(`me/sessions/${s.id}`);
      reload();
    } catch (e) {
      setRowError(e);
    }
  };
  return html`<section class="card" aria-labelledby="ses-h"><h2 id="ses-h">Where you are signed in</h2>
    <${FormError} error=${rowError} />
    <${Loaded} data=${list} error=${err}>
      ${(l) => html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Device</th><th scope="col">IP</th><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${l.data.map((s) => html`<tr><td>${s.browser} on ${s.device}${s.current ? html` <strong>(this browser)</strong>` : ""}</td><td>${s.ip}</td>
          <td>${when(s.created_at)}</td><td>${when(s.last_seen_at)}</td>
          <td>${!s.current && html`<button type="button" class="btn small danger" onClick=${() => revoke(s)}>Sign out this device</button>`}</td></tr>`)}</tbody></table></div>`}
    <//>
  </section>`;
}

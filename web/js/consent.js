// Cookie consent. Before a choice only strictly necessary cookies exist (the session cookie
// once someone signs in). The choice itself is remembered in a first-party cookie (necessary:
// it records the choice) and, when signed in, sent to PUT /api/v1/me/consents.
import { html, useState, useEffect } from "./lib.js";
import { put, apiHas } from "./api.js";
import { currentMe } from "./session.js";

const NAME = "mj_consent";
const subs = new Set();

export function readConsent() {
  const m = document.cookie.match(/(?:^|;\s*)mj_consent=([^;]*)/);
  if (!m) return null;
  const out = {};
  decodeURIComponent(m[1]).split(",").forEach((kv) => {
    const [k, v] = kv.split(":");
    if (k) out[k] = v === "1";
  });
  return out;
}

// Global Privacy Control (navigator.globalPrivacyControl, sent as `Sec-GPC: 1`) is an opt-out:
// analytics stay off whatever the banner says; the server ignores analytics for such requests.
export const gpcOn = () => navigator.globalPrivacyControl === true;

export function saveConsent(choice) {
  if (gpcOn()) choice = { ...choice, analytics: false };
  const value = `analytics:${choice.analytics ? 1 : 0},preferences:${choice.preferences ? 1 : 0}`;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${NAME}=${encodeURIComponent(value)}; Path=/; Max-Age=${180 * 86400}; SameSite=Lax${secure}`;
  subs.forEach((f) => f(choice));
  // Signed in: the consent history lives on the account too (ignored when not signed in).
  if (currentMe()) apiHas("PUT", "me/consents").then((ok) => ok && put("me/consents", { analytics: !!choice.analytics, preferences: !!choice.preferences }).catch(() => {}));
}

export function openConsent() {
  subs.forEach((f) => f("open"));
}

export function CookieBanner() {
  const [open, setOpen] = useState(() => readConsent() === null);
  const [choosing, setChoosing] = useState(false);
  const current = readConsent() || {};
  const [analytics, setAnalytics] = useState(!!current.analytics);
  const [preferences, setPreferences] = useState(!!current.preferences);
  useEffect(() => {
    const f = (v) => {
      if (v === "open") {
        setOpen(true);
        setChoosing(true);
      } else setOpen(false);
    };
    subs.add(f);
    return () => subs.delete(f);
  }, []);
  if (!open) return null;
  const decide = (c) => saveConsent(c);
  return html`<section class="cookie-banner" role="region" aria-label="Cookie choices">
    <h2>Cookies</h2>
    <p>We use one strictly necessary cookie to keep you signed in. With your permission we would
      also use analytics cookies to learn which pages help, and preference cookies to remember
      choices such as your last workspace. Nothing optional is set until you choose; you can change your mind any time from
      “Cookie settings” at the bottom of every page.</p>
    ${gpcOn() && html`<p data-testid="gpc-note">Your browser sends Global Privacy Control: we treat it as an opt-out, so analytics stay off.</p>`}
    ${choosing &&
    html`<fieldset class="cookie-choices"><legend>Choose which cookies to allow</legend>
      <div class="check"><input type="checkbox" id="ck-necessary" checked disabled />
        <label for="ck-necessary">Strictly necessary (always on: sign-in, security)</label></div>
      <div class="check"><input type="checkbox" id="ck-analytics" checked=${analytics && !gpcOn()} disabled=${gpcOn()}
        onChange=${(e) => setAnalytics(e.target.checked)} />
        <label for="ck-analytics">Analytics</label></div>
      <div class="check"><input type="checkbox" id="ck-preferences" checked=${preferences}
        onChange=${(e) => setPreferences(e.target.checked)} />
        <label for="ck-preferences">Preferences (remember choices such as your last workspace)</label></div>
    </fieldset>`}
    <div class="cookie-actions">
      <button type="button" class="btn" onClick=${() => decide({ analytics: true, preferences: true })}>Accept all</button>
      <button type="button" class="btn" onClick=${() => decide({ analytics: false, preferences: false })}>Reject all</button>
      ${choosing
        ? html`<button type="button" class="btn" onClick=${() => decide({ analytics, preferences })}>Save my choice</button>`
        : html`<button type="button" class="btn" onClick=${() => setChoosing(true)}>Choose</button>`}
    </div>
  </section>`;
}

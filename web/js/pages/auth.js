// Sign up, verify e-mail, sign in (with the TOTP step), password reset, accept invitation.
import { html, useState, useEffect } from "../lib.js";
import { post, ApiError } from "../api.js";
import { navigate } from "../router.js";
import { refreshMe } from "../session.js";
import { Field, Check, FormError, useSubmit, Notice } from "../ui.js";

const next = () => new URLSearchParams(location.search).get("next") || "/app";

export function Signup() {
  const [f, setF] = useState({ name: "", email: "", company: "", password: "" });
  const [terms, setTerms] = useState(false);
  const [business, setBusiness] = useState(false);
  const [marketing, setMarketing] = useState(false);
  const set = (k) => (v) => setF({ ...f, [k]: v });
  const s = useSubmit(async () => {
    const body = { name: f.name, email: f.email, password: f.password, accept_terms: terms,
      business_use: business, marketing_email: marketing };
    if (f.company) body.company = f.company;
    await post("auth/signup", body);
    await refreshMe(true);
    navigate("/verify-email?sent=1");
  });
  const fields = ["name", "email", "company", "password", "accept_terms", "business_use", "marketing_email"];
  return html`<div class="narrow"><h1>Create your account</h1>
    <form onSubmit=${s.run} novalidate>
      <${Field} label="Your name" name="name" autocomplete="name" value=${f.name} onInput=${set("name")} error=${s.fieldError("name")} required />
      <${Field} label="Work e-mail" name="email" type="email" autocomplete="email" value=${f.email} onInput=${set("email")} error=${s.fieldError("email")} required />
      <${Field} label="Company (optional)" name="company" autocomplete="organization" value=${f.company} onInput=${set("company")} error=${s.fieldError("company")} />
      <${Field} label="Password" name="password" type="password" autocomplete="new-password" value=${f.password} onInput=${set("password")}
        error=${s.fieldError("password")} hint="At least 12 characters; a passphrase is best." required />
      <${Check} name="accept_terms" checked=${terms} onChange=${setTerms} error=${s.fieldError("accept_terms")}
        label=${html`I accept the <a href="/terms" target="_blank">terms of service</a> and have read the <a href="/privacy" target="_blank">privacy policy</a>`} />
      <${Check} name="business_use" checked=${business} onChange=${setBusiness} error=${s.fieldError("business_use")}
        label="I will use MailJuke for my business, not as a consumer" />
      <${Check} name="marketing_email" checked=${marketing} onChange=${setMarketing} error=${s.fieldError("marketing_email")}
        label="Send me occasional product news (optional)" />
      <${FormError} error=${s.error} fields=${fields} />
      <button class="btn primary" disabled=${s.busy}>${s.busy ? "Creating…" : "Create account"}</button>
    </form>
    <p>Already have an account? <a href="/login">Sign in</a></p></div>`;
}

export function VerifyEmail() {
  const params = new URLSearchParams(location.search);
  const token = params.get("token");
  const [state, setState] = useState(token ? "checking" : "sent");
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!token) return;
    post("auth/verify-email", { token }).then(
      async () => {
        setState("ok");
        await refreshMe();
      },
      (e) => {
        setError(e);
        setState("error");
      }
    );
  }, [token]);
  return html`<div class="narrow"><h1>Verify your e-mail</h1>
    ${state === "sent" && html`<${Notice}>We sent you a link. Open it to confirm your address; until then you can look around, but buying needs a verified address.<//>
      <p><a class="btn" href="/app">Continue to the dashboard</a></p>`}
    ${state === "checking" && html`<p class="loading" role="status">Checking your link…</p>`}
    ${state === "ok" && html`<${Notice} kind="success">Your e-mail address is verified.<//><p><a class="btn primary" href="/app">Go to the dashboard</a></p>`}
    ${state === "error" && html`<${FormError} error=${error} /><p><a href="/login">Sign in</a> to ask for a new link.</p>`}
  </div>`;
}

export function Login() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const s = useSubmit(async () => {
    const body = { email, password };
    if (needTotp) body.totp_code = totp.trim();
    try {
      await post("auth/login", body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && e.field("totp_code") && !needTotp) {
        setNeedTotp(true);
        return;
      }
      throw e;
    }
    await refreshMe(true);
    navigate(next());
  });
  return html`<div class="narrow"><h1>Sign in</h1>
    <form onSubmit=${s.run} novalidate>
      ${!needTotp
        ? html`<${Field} label="E-mail" name="email" type="email" autocomplete="username" value=${email} onInput=${setEmail} error=${s.fieldError("email")} required />
          <${Field} label="Password" name="password" type="password" autocomplete="current-password" value=${password} onInput=${setPassword} error=${s.fieldError("password")} required />`
        : html`<${Notice}>Two-factor authentication is on for this account.<//>
          <${Field} label="Code from your authenticator app (or a recovery code)" name="totp_code" autocomplete="one-time-code"
            value=${totp} onInput=${setTotp} error=${s.error && s.fieldError("totp_code")} autofocus required />`}
      <${FormError} error=${s.error} fields=${["email", "password", "totp_code"]} />
      <button class="btn primary" disabled=${s.busy}>${s.busy ? "Signing in…" : needTotp ? "Verify" : "Sign in"}</button>
    </form>
    <p><a href="/reset-password">Forgot your password?</a> · <a href="/signup">Create an account</a></p></div>`;
}

export function ResetPassword() {
  const token = new URLSearchParams(location.search).get("token");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const s = useSubmit(async () => {
    if (token) await post("auth/password-reset/confirm", { token, password });
    else await post("auth/password-reset", { email });
    setDone(true);
  });
  if (done)
    return html`<div class="narrow"><h1>Password reset</h1>${token
      ? html`<${Notice} kind="success">Your password is changed. <a href="/login">Sign in</a>.<//>`
      : html`<${Notice}>If an account uses that address, we sent it a reset link.<//>`}</div>`;
  return html`<div class="narrow"><h1>Reset your password</h1>
    <form onSubmit=${s.run} novalidate>
      ${token
        ? html`<${Field} label="New password" name="password" type="password" autocomplete="new-password" value=${password} onInput=${setPassword} error=${s.fieldError("password")} />`
        : html`<${Field} label="E-mail" name="email" type="email" autocomplete="email" value=${email} onInput=${setEmail} error=${s.fieldError("email")} />`}
      <${FormError} error=${s.error} fields=${["password", "email"]} />
      <button class="btn primary" disabled=${s.busy}>${token ? "Set password" : "Send reset link"}</button>
    </form></div>`;
}

export function AcceptInvitation({ me }) {
  const token = new URLSearchParams(location.search).get("token");
  const s = useSubmit(async () => {
    const r = await post("invitations/accept", { token });
    await refreshMe();
    navigate(r && r.workspace_id ? `/w/${r.workspace_id}` : "/app");
  });
  if (!me)
    return html`<div class="narrow"><h1>Join a workspace</h1>
      <p>Sign in (or create an account with the invited address) to accept the invitation.</p>
      <p><a class="btn primary" href=${"/login?next=" + encodeURIComponent(location.pathname + location.search)}>Sign in</a>
        <a class="btn" href="/signup">Create an account</a></p></div>`;
  return html`<div class="narrow"><h1>Join a workspace</h1>
    <form onSubmit=${s.run}><${FormError} error=${s.error} />
      <button class="btn primary" disabled=${s.busy || !token}>Accept the invitation</button></form></div>`;
}

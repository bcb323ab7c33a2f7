// Entry point: routes, the public layout and the dashboard shell.
import { html, render, useEffect } from "./lib.js";
import { usePath, match, navigate } from "./router.js";
import { useSession } from "./session.js";
import { CookieBanner, openConsent } from "./consent.js";
import { Loading } from "./ui.js";
import * as pub from "./pages/public.js";
import * as auth from "./pages/auth.js";
import { AppShell, appRoutes } from "./app/shell.js";

const publicRoutes = [
  ["/", pub.Home, "Cold-email infrastructure"],
  ["/pricing", pub.Pricing, "Pricing"],
  ["/privacy", pub.PrivacyPolicy, "Privacy policy"],
  ["/terms", pub.Terms, "Terms of service"],
  ["/subprocessors", pub.Subprocessors, "Subprocessors"],
  ["/contact", pub.Contact, "Contact"],
  ["/signup", auth.Signup, "Create an account"],
  ["/login", auth.Login, "Sign in"],
  ["/verify-email", auth.VerifyEmail, "Verify your e-mail"],
  ["/reset-password", auth.ResetPassword, "Reset your password"],
  ["/accept-invitation", auth.AcceptInvitation, "Join a workspace"],
  ["/invitations/accept", auth.AcceptInvitation, "Join a workspace"],
];

function PublicHeader({ me }) {
  return html`<header class="site-header">
    <a class="skip" href="#main">Skip to content</a>
    <a class="brand" href="/">MailJuke</a>
    <nav aria-label="Site">
      <a href="/pricing">Pricing</a>
      <a href="/contact">Contact</a>
      ${me ? html`<a class="btn primary small" href="/app">Dashboard</a>`
        : html`<a href="/login">Sign in</a><a class="btn primary small" href="/signup">Sign up</a>`}
    </nav>
  </header>`;
}

function Footer() {
  return html`<footer class="site-footer">
    <nav aria-label="Legal">
      <a href="/privacy">Privacy policy</a>
      <a href="/terms">Terms</a>
      <a href="/subprocessors">Subprocessors</a>
      <a href="/contact">Contact and privacy requests</a>
      <button type="button" class="link" onClick=${openConsent}>Cookie settings</button>
    </nav>
    <p>© MailJuke. For business use only.</p>
  </footer>`;
}

function NotFound() {
  return html`<h1>Page not found</h1><p><a href="/">Back to the home page</a></p>`;
}

function App() {
  const path = usePath();
  const session = useSession();
  let page = null;
  let title = "MailJuke";
  for (const [pattern, C, t] of publicRoutes) {
    const params = match(pattern, path);
    if (params) {
      page = html`<${C} ...${params} me=${session.me} />`;
      title = t;
      break;
    }
  }
  const inApp = !page && appRoutes.some(([p]) => match(p, path));
  useEffect(() => {
    document.title = inApp ? "Dashboard — MailJuke" : `${title} — MailJuke`;
  }, [path, inApp]);
  useEffect(() => {
    if (inApp && session.loaded && !session.me) navigate("/login?next=" + encodeURIComponent(path), true);
  }, [inApp, session.loaded, session.me, path]);
  if (inApp) {
    if (!session.loaded || !session.me) return html`<main id="main"><${Loading} /></main><${CookieBanner} />`;
    return html`<${AppShell} path=${path} me=${session.me} /><${CookieBanner} />`;
  }
  return html`<${PublicHeader} me=${session.me} />
    <main id="main" class="site-main" tabindex="-1">${page || html`<${NotFound} />`}</main>
    <${Footer} />
    <${CookieBanner} />`;
}

render(html`<${App} />`, document.getElementById("root"));

// Who is signed in (GET /api/v1/me) and the current workspace; a tiny observable store.
import { useEffect, useState } from "./lib.js";
import { get, setCsrf, ApiError, setUnauthorizedHandler } from "./api.js";

let state = { loaded: false, me: null };
const subs = new Set();
function set(next) {
  state = { ...state, ...next };
  subs.forEach((f) => f(state));
}

// The session cookie is HttpOnly, so a flag in localStorage (strictly necessary, not a cookie)
// says whether asking GET /me is worth it: anonymous visitors never cause a 401.
const HINT = "mj_signed_in";
const hint = {
  get: () => localStorage.getItem(HINT) === "1",
  set: (on) => (on ? localStorage.setItem(HINT, "1") : localStorage.removeItem(HINT)),
};

// `force` after signing in or up: ask even without the flag.
export async function refreshMe(force = false) {
  if (!force && !hint.get()) {
    setCsrf(null);
    set({ loaded: true, me: null });
    return null;
  }
  try {
    const me = await get("me");
    setCsrf(me.csrf_token);
    hint.set(true);
    set({ loaded: true, me });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) console.warn("me:", e.message);
    hint.set(false);
    setCsrf(null);
    set({ loaded: true, me: null });
  }
  return state.me;
}

// A session that ends while the dashboard is open: back to the sign-in page.
// (A 401 can also be a wrong password in a re-authenticating form: check the session first.)
setUnauthorizedHandler(async () => {
  const r = await fetch("/api/v1/me", { credentials: "same-origin" });
  if (r.status !== 401) return;
  signedOut();
  if (location.pathname.startsWith("/app") || location.pathname.startsWith("/w/"))
    location.assign("/login?next=" + encodeURIComponent(location.pathname));
});

export function signedOut() {
  hint.set(false);
  setCsrf(null);
  set({ me: null });
}

export function useSession() {
  const [s, setS] = useState(state);
  useEffect(() => {
    subs.add(setS);
    if (!state.loaded) refreshMe();
    return () => subs.delete(setS);
  }, []);
  return s;
}

export const lastWorkspace = {
  get: () => sessionStorage.getItem("mj_ws"),
  set: (id) => sessionStorage.setItem("mj_ws", id),
};
export const currentMe = () => state.me;

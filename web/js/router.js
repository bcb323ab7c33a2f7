// History-API routing: the server falls back to index.html for paths without a dot.
import { useEffect, useState } from "./lib.js";

const listeners = new Set();
export function navigate(to, replace = false) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  listeners.forEach((f) => f());
  window.scrollTo(0, 0);
}

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const f = () => setPath(location.pathname);
    listeners.add(f);
    window.addEventListener("popstate", f);
    return () => {
      listeners.delete(f);
      window.removeEventListener("popstate", f);
    };
  }, []);
  return path;
}

// Same-origin <a href="/…"> clicks become client-side navigation.
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest("a[href]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const href = a.getAttribute("href");
  if (!href.startsWith("/") || href.startsWith("/api/") || a.hasAttribute("download")) return;
  if (a.target) return;
  e.preventDefault();
  navigate(href);
});

// Matches "/w/:ws/domains/:dom" against a path; returns params or null.
export function match(pattern, path) {
  const norm = (x) => x.replace(/\/+$/, "") || "/";
  const p = norm(pattern).split("/");
  const s = norm(path).split("/");
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(s[i] || "");
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

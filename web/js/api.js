// Fetch wrapper for /api/v1: session cookie, CSRF token on unsafe methods, problem+json errors.
let csrf = null;
export function setCsrf(token) {
  csrf = token || null;
}

// Called when a signed-in call answers 401 (session expired or revoked elsewhere).
let onUnauthorized = null;
export function setUnauthorizedHandler(f) {
  onUnauthorized = f;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = (problem && problem.errors) || [];
  }
  // The message for one field named in the problem's errors, if any.
  field(name) {
    const e = this.errors.find((x) => x.field === name);
    return e ? e.message : null;
  }
}

export async function api(method, path, body, headers = {}) {
  const h = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (csrf && method !== "GET" && method !== "HEAD") h["X-CSRF-Token"] = csrf;
  const res = await fetch(path.startsWith("/") ? path : "/api/v1/" + path, {
    method,
    headers: h,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, typeof data === "object" ? data : { detail: data });
    if (res.status === 401 && csrf && !path.startsWith("auth/") && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (p) => api("GET", p);
export const post = (p, b = {}, h) => api("POST", p, b, h);
export const patch = (p, b = {}) => api("PATCH", p, b);
export const put = (p, b = {}) => api("PUT", p, b);
export const del = (p, b) => api("DELETE", p, b);

// GET that answers null on 404 (an API that is not deployed yet, or nothing there).
export async function getOrNull(p) {
  try {
    return await get(p);
  } catch (e) {
    if (e.status === 404 || e.status === 405) return null;
    throw e;
  }
}

export function idempotencyKey() {
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Polls a job until it finishes; onProgress gets every snapshot.
export async function pollJob(id, onProgress, intervalMs = 400) {
  for (;;) {
    const job = await get(`jobs/${id}`);
    onProgress(job);
    if (job.status === "succeeded" || job.status === "failed") return job;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// Which routes this server has, from its OpenAPI document: pages call optional APIs (billing,
// privacy, plans…) only when present, so a server without them shows a fallback, not a 404.
let routes = null;
export async function apiHas(method, template) {
  if (!routes) {
    routes = fetch("/api/openapi.json", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { paths: {} }))
      .then((doc) => doc.paths || {}, () => ({}));
  }
  const paths = await routes;
  const p = paths[template.startsWith("/") ? template : "/api/v1/" + template];
  return !!(p && p[method.toLowerCase()]);
}

// GET a route when the server has it; null otherwise (or on 404).
export async function getIf(template, path = template) {
  if (!(await apiHas("GET", template))) return null;
  return getOrNull(path);
}

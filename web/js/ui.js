// Small shared components: fields with API errors, buttons, copy, loading/empty/error states.
import { html, useEffect, useState, useRef } from "./lib.js";
import { ApiError } from "./api.js";

let uid = 0;
export const nextId = (p = "f") => `${p}-${++uid}`;

// A labelled input; `error` is the message for this field (from ApiError.field(name)).
export function Field({ label, name, type = "text", value, onInput, error, hint, ...rest }) {
  const [id] = useState(() => nextId(name || "f"));
  const described = [hint ? id + "-hint" : null, error ? id + "-err" : null].filter(Boolean);
  const input =
    type === "textarea"
      ? html`<textarea id=${id} name=${name} value=${value}
          onInput=${(e) => onInput && onInput(e.target.value)}
          aria-invalid=${error ? "true" : undefined}
          aria-describedby=${described.join(" ") || undefined} ...${rest}></textarea>`
      : html`<input id=${id} name=${name} type=${type} value=${value}
          onInput=${(e) => onInput && onInput(e.target.value)}
          aria-invalid=${error ? "true" : undefined}
          aria-describedby=${described.join(" ") || undefined} ...${rest} />`;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${input}
    ${hint && html`<p class="hint" id=${id + "-hint"}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${id + "-err"} role="alert">${error}</p>`}
  </div>`;
}

export function Select({ label, name, value, onChange, options, error }) {
  const [id] = useState(() => nextId(name || "s"));
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} name=${name} value=${value} onChange=${(e) => onChange(e.target.value)}>
      ${options.map((o) =>
        Array.isArray(o)
          ? html`<option value=${o[0]} selected=${o[0] === value}>${o[1]}</option>`
          : html`<option value=${o} selected=${o === value}>${o}</option>`
      )}
    </select>
    ${error && html`<p class="field-error" role="alert">${error}</p>`}
  </div>`;
}

export function Check({ label, checked, onChange, name, error }) {
  const [id] = useState(() => nextId(name || "c"));
  return html`<div class="check">
    <input type="checkbox" id=${id} name=${name} checked=${checked}
      onChange=${(e) => onChange(e.target.checked)} />
    <label for=${id}>${label}</label>
    ${error && html`<p class="field-error" role="alert">${error}</p>`}
  </div>`;
}

// The problem's message when no field claims it (or a generic one for network errors).
export function FormError({ error, fields = [] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const unclaimed = error.errors.filter((e) => !fields.includes(e.field));
    if (error.errors.length && !unclaimed.length) return null;
    return html`<div class="alert error" role="alert">
      <strong>${error.problem.title || "Something went wrong"}</strong>
      ${error.problem.detail && html`<span> — ${error.problem.detail}</span>`}
      ${unclaimed.length > 0 &&
      html`<ul>${unclaimed.map((e) => html`<li>${e.field ? e.field + ": " : ""}${e.message}</li>`)}</ul>`}
    </div>`;
  }
  return html`<div class="alert error" role="alert">${String(error.message || error)}</div>`;
}

// A form whose submit runs `action`; keeps busy/error state. children: (err) => fields.
export function useSubmit(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (e) => {
    if (e && e.preventDefault) e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(e);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name) => (error instanceof ApiError ? error.field(name) : null);
  return { busy, error, run, fieldError, setError };
}

export function Loading({ what = "Loading" }) {
  return html`<p class="loading" role="status" aria-live="polite">${what}…</p>`;
}

export function Empty({ children }) {
  return html`<div class="empty">${children}</div>`;
}

// Loads data from an async function; re-runs when deps change. Returns [data, error, reload].
export function useLoad(fn, deps = []) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null }));
    fn().then(
      (data) => live && setState({ data, error: null }),
      (error) => live && setState({ data: null, error })
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [state.data, state.error, () => setTick((t) => t + 1)];
}

// Renders loading / error / content for a useLoad result.
export function Loaded({ data, error, children, what }) {
  if (error) return html`<${FormError} error=${error} />`;
  if (data === undefined) return html`<${Loading} what=${what} />`;
  return children(data);
}

export function CopyButton({ text, label = "Copy", what }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (permissions): select-and-copy fallback.
      const t = document.createElement("textarea");
      t.value = text;
      document.body.appendChild(t);
      t.select();
      document.execCommand("copy");
      t.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return html`<button type="button" class="btn small" onClick=${copy}
    aria-label=${what ? `${label} ${what}` : label}>${done ? "Copied" : label}</button>`;
}

export function Progress({ done, total, label }) {
  const pct = total ? Math.round((done * 100) / total) : 0;
  return html`<div class="progress">
    <label>${label || "Progress"}: <span class="pct">${pct} %</span> (${done} / ${total})
    <progress max=${total || 1} value=${done}>${pct} %</progress></label>
  </div>`;
}

export function Notice({ kind = "info", children }) {
  return html`<div class=${"alert " + kind} role=${kind === "error" ? "alert" : "status"}>${children}</div>`;
}

export function Modal({ title, onClose, children }) {
  const ref = useRef();
  useEffect(() => {
    const prev = document.activeElement;
    const el = ref.current;
    const first = el && el.querySelector("input,button,select,textarea,a[href]");
    if (first) first.focus();
    const key = (e) => e.key === "Escape" && onClose();
    document.addEventListener("keydown", key);
    return () => {
      document.removeEventListener("keydown", key);
      if (prev && prev.focus) prev.focus();
    };
  }, []);
  return html`<div class="modal-backdrop">
    <div class="modal" role="dialog" aria-modal="true" aria-label=${title} ref=${ref}>
      <div class="modal-head"><h2>${title}</h2>
        <button type="button" class="btn small" onClick=${onClose} aria-label="Close">×</button></div>
      ${children}
    </div>
  </div>`;
}

export const money = (m) =>
  m && typeof m.amount === "number"
    ? new Intl.NumberFormat("en", { style: "currency", currency: (m.currency || "usd").toUpperCase() }).format(m.amount / 100)
    : "—";
export const cents = (amount, currency = "usd") => money({ amount, currency });
export const when = (s) => (s ? new Date(s).toLocaleString() : "—");
export const day = (s) => (s ? new Date(s).toLocaleDateString() : "—");

export function Badge({ children, kind }) {
  return html`<span class=${"badge " + (kind || String(children).toLowerCase())}>${children}</span>`;
}

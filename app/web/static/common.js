// Shared helpers of Tactful's pages: the API client (with the CSRF header) and DOM builders.
// Client text is only ever put into the page with textContent, never as HTML.

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
export const csrfToken = csrfMeta ? csrfMeta.content : "";

export class ApiError extends Error {
  constructor(status, detail, payload = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.payload = payload;
  }
}

function detailOf(payload, status) {
  if (!payload) return `The server answered ${status}.`;
  if (Array.isArray(payload.reasons) && payload.reasons.length) {
    return payload.reasons.map((r) => r.message).join(" ");
  }
  const detail = payload.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => (d && d.msg ? d.msg : JSON.stringify(d))).join("; ");
  }
  return `The server answered ${status}.`;
}

/** Call the JSON API; throws ApiError with a readable message on a non-2xx answer. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, "Tactful is not reachable. Is the server running?");
  }
  let payload = null;
  const text = await response.text();
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch (error) {
      payload = null;
    }
  }
  if (!response.ok) {
    let detail = detailOf(payload, response.status);
    if (response.status === 401) detail = "Please sign in again (your API key was not accepted).";
    if (response.status === 403 && !payload) detail = "Your API key may not do this.";
    throw new ApiError(response.status, detail, payload);
  }
  return payload;
}

/** Create an element: el("li", {class: "chip"}, "text", child). Strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The element holding data-slot="name" under root. */
export function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export const percent = (x) => `${Math.round((Number(x) || 0) * 100)}%`;

export const words = (label) => String(label).replace(/_/g, " ");

/** "3 min ago", "2 h ago", "4 days ago" for an ISO time. */
export function age(iso, now = Date.now()) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A readable local date and time for an ISO time. */
export function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Put a message into a status element, as text; kind is "", "ok" or "error". */
export function say(node, message, kind = "") {
  if (!node) return;
  node.textContent = message || "";
  node.classList.toggle("error", kind === "error");
  node.classList.toggle("ok", kind === "ok");
}

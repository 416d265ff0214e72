// The review queue: GET /v1/reviews with the filters of the form (kept in the page URL so
// that a filtered view can be bookmarked), newest first, "Show more" for older pages.

import { age, api, clear, el, percent, say, words } from "./common.js";

const form = document.getElementById("filters");
const table = document.getElementById("queue");
const rows = table.querySelector("tbody");
const status = document.getElementById("queue-status");
const more = document.getElementById("more");
const FIELDS = ["status", "tone", "complaint", "sender"];
let cursor = null;

function filtersFromUrl() {
  const params = new URLSearchParams(window.location.search);
  if (!params.has("status")) params.set("status", "pending");
  for (const name of FIELDS) form.elements[name].value = params.get(name) || "";
}

/** The filters; `forUrl` keeps an empty status ("any") so that it is not read as pending. */
function query(forUrl = false) {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = form.elements[name].value.trim();
    if (value || (forUrl && name === "status")) params.set(name, value);
  }
  return params;
}

function senderCell(sender) {
  if (!sender.name && !sender.address) return el("td", { class: "muted" }, "unknown");
  return el(
    "td",
    {},
    sender.name || sender.address,
    sender.name && sender.address ? el("span", { class: "preview" }, sender.address) : null,
  );
}

function row(item) {
  const subject = item.subject || "(no subject)";
  return el(
    "tr",
    { "data-id": item.id },
    el(
      "td",
      { class: "subject" },
      el("a", { href: `/queue/${item.id}` }, subject),
      el(
        "span",
        { class: "preview" },
        `#${item.id} · ${item.strategy}`,
        item.threat ? ` · threat: ${item.threat_kinds.map(words).join(", ") || "yes"}` : "",
      ),
    ),
    senderCell(item.sender),
    el(
      "td",
      {},
      el("span", { class: `tone tone-${item.tone}` }, item.tone),
      el("span", { class: "preview" }, `hostility ${percent(item.hostility)}`),
    ),
    el("td", {}, el("ul", { class: "chips" }, ...item.complaints.map((c) => el("li", { class: "chip" }, words(c))))),
    el("td", {}, el("span", { class: `status status-${item.status}` }, item.status)),
    el("td", {}, el("time", { datetime: item.created_at, title: new Date(item.created_at).toLocaleString() }, age(item.created_at))),
  );
}

async function load(append = false) {
  const params = query();
  if (append && cursor) params.set("cursor", cursor);
  say(status, "Loading…");
  try {
    const page = await api("GET", `/v1/reviews?${params}`);
    if (!append) clear(rows);
    rows.append(...page.items.map(row));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    const count = rows.children.length;
    table.hidden = count === 0;
    say(status, count ? `${count} item${count === 1 ? "" : "s"}${cursor ? " (more below)" : ""}.` : "Nothing here. The queue is clear for these filters.");
  } catch (error) {
    say(status, error.message, "error");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `/queue?${query(true)}`);
  cursor = null;
  load();
});
for (const select of form.querySelectorAll("select")) {
  select.addEventListener("change", () => form.requestSubmit());
}
more.addEventListener("click", () => load(true));

filtersFromUrl();
load();

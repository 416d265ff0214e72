// The review API as the pages use it: ingest, redraft, save, approve, reject, and the audit
// trail. Every rule (the pause, the guard, overrides, versions) is enforced by the API;
// these helpers only call it and shape its answers for the editor.

import { api, clear, el, when, words } from "./common.js";

const path = (review, action = "") => `/v1/reviews/${encodeURIComponent(review.id)}${action}`;

/** What the reply editor shows for a review (ReviewOut). */
export function replyOfReview(review, recommendedReason = null) {
  const analysis = review.analysis;
  const draft = review.draft;
  const edited = Boolean(draft) && review.reply.body !== draft.body;
  const versions = [
    {
      label: edited ? "Your edit" : `Draft · ${review.strategy}`,
      body: review.reply.body || "",
      checks: review.reply.checks || [],
    },
  ];
  if (edited) {
    versions.push({ label: `Draft · ${draft.strategy}`, body: draft.body, checks: draft.checks });
  }
  (review.alternatives || []).forEach((a, i) => {
    versions.push({ label: `Alternative ${i + 1} · ${a.strategy}`, body: a.body, checks: a.checks || [] });
  });
  return {
    subject: review.reply.subject || "",
    body: review.reply.body || "",
    strategy: review.strategy,
    checks: review.reply.checks || [],
    versions,
    send_not_before: review.send_not_before,
    cooldown_minutes: analysis ? analysis.cooldown_minutes : 0,
    reason: analysis ? analysis.strategy.reason : "",
    forced: analysis ? analysis.strategy.forced : review.strategy !== review.recommended_strategy,
    recommended: { label: review.recommended_strategy, reason: recommendedReason },
    blockers: review.approval_blockers || [],
  };
}

/** Store a pasted message as a pending review (POST /v1/messages). */
export function ingest(input) {
  return api("POST", "/v1/messages", input);
}

/** Redraft a pending review with another strategy. */
export function redraft(review, strategy) {
  return api("PATCH", path(review), { strategy, version: review.version });
}

/** Save the edited reply if it differs from the stored one; the (new) review. */
export async function saveReply(review, payload) {
  const change = {};
  if (payload.body !== review.reply.body) change.body = payload.body;
  if (payload.subject && payload.subject !== review.reply.subject) change.subject = payload.subject;
  if (!Object.keys(change).length) return review;
  return api("PATCH", path(review), { ...change, version: review.version });
}

/** Save the reply, then approve it (with the override reason when one was given). */
export async function approveReview(review, payload) {
  const saved = await saveReply(review, payload);
  const body = { version: saved.version };
  if (payload.override_reason) {
    body.override = true;
    body.reason = payload.override_reason;
  }
  return api("POST", path(saved, "/approve"), body);
}

/** Reject the reply with a reason. */
export function rejectReview(review, reason) {
  return api("POST", path(review, "/reject"), { reason, version: review.version });
}

function describe(event) {
  const d = event.detail || {};
  switch (event.kind) {
    case "created":
      return [`Received; drafted with ${d.strategy || "the recommended"} strategy`, d.passed === false ? "the draft fails a check" : ""];
    case "edited":
      return [
        d.subject_changed ? "Reply and subject edited" : "Reply edited",
        d.passed ? "all checks pass" : `fails: ${(d.failed_rules || []).map(words).join(", ")}`,
      ];
    case "strategy_changed":
      return [`Strategy changed from ${d.from} to ${d.to}`, ""];
    case "override":
      return [`Override (${(d.overridden || []).map(words).join(", ")})`, d.reason ? `reason: ${d.reason}` : ""];
    case "approved":
      return [d.override ? "Approved with an override" : "Approved", ""];
    case "rejected":
      return ["Rejected", d.reason ? `reason: ${d.reason}` : ""];
    case "purged":
      return ["Text deleted by the retention policy", ""];
    default:
      return [words(event.kind), ""];
  }
}

/** The changed lines between two texts: [{kind: "same"|"del"|"add", text}] (LCS on lines). */
export function lineDiff(before, after) {
  const a = (before || "").split("\n");
  const b = (after || "").split("\n");
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: "same", text: a[i++] });
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push({ kind: "add", text: b[j++] });
    } else {
      out.push({ kind: "del", text: a[i++] });
    }
  }
  return out;
}

function diffView(before, after) {
  const lines = lineDiff(before, after).filter((l) => l.kind !== "same" && l.text.trim());
  if (!lines.length) return el("p", { class: "muted" }, "No change to the text.");
  return el(
    "div",
    { class: "diff" },
    ...lines.map((l) =>
      el(
        "div",
        { class: `diff-${l.kind}` },
        el("span", { class: "sr-only" }, l.kind === "add" ? "added: " : "removed: "),
        el("span", { "aria-hidden": "true", class: "diff-sign" }, l.kind === "add" ? "+" : "\u2212"),
        l.text,
      ),
    ),
  );
}

/** Fill an <ol> with the audit trail (oldest first). */
export function renderTrail(list, events) {
  clear(list);
  for (const event of events) {
    const [title, note] = describe(event);
    const item = el(
      "li",
      { "data-kind": event.kind },
      el("span", { class: "event" }, title),
      el("span", { class: "meta" }, `${event.actor} · `, el("time", { datetime: event.at }, when(event.at))),
      note ? el("span", { class: "note" }, note) : null,
    );
    if (event.kind === "edited" || event.kind === "strategy_changed") {
      item.append(
        el(
          "details",
          { class: "change" },
          el("summary", {}, "Show what changed"),
          diffView(event.before, event.after),
        ),
      );
    }
    list.append(item);
  }
}

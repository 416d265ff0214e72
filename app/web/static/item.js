// One review item: the message and its analysis, the reply editor (save, approve, reject,
// redraft with another strategy) and the audit trail, all through the review API.

import { renderAnalysis } from "./analysis.js";
import { age, api, say, slot, when } from "./common.js";
import { ReplyEditor } from "./editor.js";
import { approveReview, redraft, rejectReview, renderTrail, replyOfReview, saveReply } from "./review.js";

const root = document.getElementById("item");
const itemId = root.dataset.itemId;
const errorBox = document.getElementById("item-error");
const body = document.getElementById("item-body");
let review = null;
let recommendedReason = null;

function renderHead() {
  document.getElementById("item-subject").textContent = review.subject || "(no subject)";
  document.title = `${review.subject || "Review item"} · Tactful`;
  const badge = slot(root, "item-status");
  badge.textContent = review.status;
  badge.className = `status status-${review.status}`;
  const sender = review.sender.name
    ? `${review.sender.name}${review.sender.address ? ` <${review.sender.address}>` : ""}`
    : review.sender.address || "unknown sender";
  const parts = [`From ${sender}`, `received ${age(review.created_at)}`];
  if (review.sent_at) parts.push(`sent ${when(review.sent_at)}`);
  parts.push(`tone ${review.tone}`);
  if (review.decision) {
    parts.push(`${review.decision.status} by ${review.decision.by} ${age(review.decision.at)}`);
  }
  slot(root, "item-meta").textContent = parts.join(" · ");
  renderTrail(slot(root, "trail"), review.events);
}

function update(next, message) {
  review = next;
  renderHead();
  editor.setBlockers(review.approval_blockers || []);
  if (review.status !== "pending") {
    editor.lock(message || `This reply was ${review.status}.`);
  }
  return message;
}

const editor = new ReplyEditor(document.getElementById("reply"), {
  onStrategy: async (strategy) => {
    review = await redraft(review, strategy);
    renderHead();
    return replyOfReview(review, recommendedReason);
  },
  onSave: async (payload) => {
    update(await saveReply(review, payload));
    return "Saved. The edit is in the audit trail.";
  },
  onApprove: async (payload) => update(await approveReview(review, payload), "Approved."),
  onReject: async (payload) => update(await rejectReview(review, payload.reject_reason), "Rejected."),
});

async function load() {
  try {
    review = await api("GET", `/v1/reviews/${encodeURIComponent(itemId)}`);
  } catch (error) {
    errorBox.textContent = error.status === 404 ? "There is no such review item." : error.message;
    errorBox.hidden = false;
    return;
  }
  if (review.analysis) {
    recommendedReason = review.analysis.strategy.forced ? null : review.analysis.strategy.reason;
    editor.clientText = review.analysis.message.new_text;
    renderAnalysis(body, review.analysis);
  } else {
    for (const section of body.querySelectorAll(".reading-grid, .two-col")) section.hidden = true;
  }
  editor.load(replyOfReview(review, recommendedReason));
  body.hidden = false;
  update(review);
  if (review.purged) say(slot(root, "item-meta"), "The text of this item was deleted by the retention policy.");
}

load();

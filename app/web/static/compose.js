// The paste page. "Read it" stores the message as a pending review (POST /v1/messages),
// which reads it, drafts a reply and starts the pause; the page then shows the analysis,
// the vent pad and the editor. Changing the strategy redrafts (PATCH /v1/reviews/{id});
// Approve saves the edited reply and approves it. With a key that may not add messages to
// the queue (no `ingest` scope), the page falls back to POST /v1/drafts: read and copy only.

import { renderAnalysis } from "./analysis.js";
import { api, el, say } from "./common.js";
import { ReplyEditor } from "./editor.js";
import { approveReview, ingest, redraft, replyOfReview } from "./review.js";
import { setUpVentPad } from "./vent.js";

const form = document.getElementById("paste-form");
const status = document.getElementById("paste-status");
const results = document.getElementById("results");
const readButton = document.getElementById("read-button");

setUpVentPad(document.getElementById("vent-pad"), document.getElementById("vent-clear"));

let input = null; // what was pasted: {body, sender, subject}
let review = null; // the stored review (ReviewOut), or null in read-only mode
let recommendedReason = null;

function replyOfDraft(out) {
  return {
    ...out.draft,
    alternatives: out.alternatives,
    reason: out.analysis.strategy.reason,
    forced: out.analysis.strategy.forced,
    recommended: { label: null, reason: recommendedReason },
    cooldown_minutes: out.analysis.cooldown_minutes,
  };
}

async function chooseStrategy(strategy) {
  if (review) {
    review = await redraft(review, strategy);
    return replyOfReview(review, recommendedReason);
  }
  return replyOfDraft(await api("POST", "/v1/drafts", { ...input, strategy }));
}

async function approve(payload) {
  if (!review) {
    throw new Error("Your API key may not add messages to the review queue; copy the reply instead.");
  }
  review = await approveReview(review, payload);
  return `Approved. Item #${review.id} is in the review queue.`;
}

const editor = new ReplyEditor(document.getElementById("reply"), {
  onStrategy: chooseStrategy,
  onApprove: approve,
});

function inputOf() {
  const value = (id) => document.getElementById(id).value;
  const optional = (id) => value(id).trim() || null;
  return { body: value("body"), sender: optional("sender"), subject: optional("subject") };
}

function showStored() {
  const link = el("a", { href: `/queue/${review.id}` }, `item #${review.id}`);
  status.replaceChildren("Read and saved to the review queue as ", link, ".");
  status.classList.remove("error");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const pasted = inputOf();
  if (!pasted.body.trim()) {
    say(status, "Paste a message first.", "error");
    document.getElementById("body").focus();
    return;
  }
  readButton.disabled = true;
  say(status, "Reading the message…");
  try {
    let analysis;
    let reply;
    try {
      review = await ingest(pasted);
      analysis = review.analysis;
      recommendedReason = analysis.strategy.reason;
      reply = replyOfReview(review, recommendedReason);
    } catch (error) {
      if (error.status !== 403) throw error;
      review = null;
      const out = await api("POST", "/v1/drafts", pasted);
      analysis = out.analysis;
      recommendedReason = analysis.strategy.reason;
      reply = replyOfDraft(out);
    }
    input = pasted;
    editor.clientText = analysis.message.new_text;
    editor.unlock();
    renderAnalysis(results, analysis);
    editor.load(reply);
    results.hidden = false;
    if (review) showStored();
    else say(status, "Read (not saved: your key may not add messages to the queue).", "ok");
    document.getElementById("reading-h").scrollIntoView({ behavior: "smooth", block: "start" });
  } catch (error) {
    say(status, error.message, "error");
  } finally {
    readButton.disabled = false;
  }
});

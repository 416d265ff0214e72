// Render an analysis (the API's AnalysisOut) into the slots of templates/web/_analysis.html.

import { clear, el, percent, slot, words } from "./common.js";

const TONES = ["calm", "frustrated", "sarcastic", "angry", "abusive"];
const ROLE_NAMES = {
  request: "Request",
  fact: "Fact",
  threat: "Threat",
  emotion: "Emotion (nothing to act on)",
  other: "Other",
};
const THREAT_WORDS = {
  legal: "legal action",
  public: "going public",
  payment: "withholding payment",
  escalation: "escalating",
  leave: "leaving",
};

function hostilityWords(h) {
  if (h < 0.2) return "Friendly or neutral.";
  if (h < 0.45) return "Some heat; nothing personal.";
  if (h < 0.7) return "Hostile. Answer the facts, not the tone.";
  return "Very hostile. Take the pause before answering.";
}

function renderTone(root, tone) {
  slot(root, "tone-label").textContent = tone.label;
  const list = clear(slot(root, "tone-bars"));
  for (const name of TONES) {
    const score = tone.scores[name] ?? 0;
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = percent(score);
    list.append(
      el(
        "li",
        { class: name === tone.label ? "bar top" : "bar" },
        el("span", { class: "bar-label" }, name),
        el("span", { class: "bar-track", "aria-hidden": "true" }, fill),
        el("span", { class: "bar-value" }, percent(score)),
      ),
    );
  }
}

function renderHostility(root, hostility) {
  const meter = slot(root, "hostility");
  const value = Math.round(hostility * 100);
  meter.setAttribute("aria-valuenow", String(value));
  meter.setAttribute("aria-valuetext", `${value} out of 100`);
  const fill = meter.querySelector(".meter-fill");
  fill.style.width = `${Math.max(2, value)}%`;
  meter.dataset.level = hostility < 0.2 ? "low" : hostility < 0.45 ? "mid" : "high";
  slot(root, "hostility-text").textContent = `${value}/100. ${hostilityWords(hostility)}`;
}

function renderThreat(root, threat) {
  const banner = root.querySelector("#threat-banner");
  banner.hidden = !threat.present;
  if (!threat.present) return;
  const kinds = threat.kinds.map((k) => THREAT_WORDS[k] || words(k));
  slot(banner, "threat-text").textContent =
    `The sender announces a consequence${kinds.length ? ": " + kinds.join(", ") : ""}. ` +
    "Keep the reply factual; do not argue with it or threaten back.";
  const chips = clear(slot(banner, "threat-kinds"));
  for (const kind of threat.kinds) {
    const score = threat.kind_scores[kind];
    chips.append(el("span", { class: "chip warn" }, words(kind), score !== undefined ? ` ${percent(score)}` : ""));
  }
}

function renderComplaints(root, complaints) {
  const list = clear(slot(root, "complaints"));
  if (!complaints.length) {
    list.append(el("li", { class: "muted" }, "None found."));
    return;
  }
  for (const c of complaints) {
    list.append(
      el(
        "li",
        { class: "chip", title: `confidence ${percent(c.score)} (threshold ${percent(c.threshold)})` },
        el("span", { class: "chip-name" }, words(c.label)),
        el("span", { class: "chip-score" }, percent(c.score)),
      ),
    );
  }
}

function evidenceFor(sentence, evidence) {
  const labels = new Map();
  for (const e of evidence) {
    if (e.start < sentence.end && e.end > sentence.start) {
      labels.set(e.label, Math.max(labels.get(e.label) ?? 0, e.weight));
    }
  }
  return [...labels.entries()].sort((a, b) => b[1] - a[1]);
}

function renderOriginal(root, analysis) {
  const box = clear(slot(root, "original"));
  const text = analysis.message.new_text;
  let at = 0;
  analysis.sentences.forEach((s, i) => {
    if (s.start > at) box.append(document.createTextNode(text.slice(at, s.start)));
    const tipId = `tip-${i}`;
    const roleScore = s.role_scores && s.role_scores[s.role];
    const found = evidenceFor(s, analysis.evidence);
    const tip = el(
      "span",
      { class: "tip", role: "tooltip", id: tipId },
      el("strong", {}, ROLE_NAMES[s.role] || s.role),
      roleScore !== undefined ? ` (${percent(roleScore)})` : "",
      found.length
        ? el("span", { class: "tip-evidence" }, "Evidence for: " + found.map(([l]) => words(l)).join(", "))
        : "",
    );
    box.append(
      el(
        "span",
        { class: `sent role-${s.role}`, tabindex: "0", "aria-describedby": tipId, "data-role": s.role },
        text.slice(s.start, s.end),
        tip,
      ),
    );
    at = Math.max(at, s.end);
  });
  if (at < text.length) box.append(document.createTextNode(text.slice(at)));

  const leftOut = [analysis.message.quoted, analysis.message.signature].filter(Boolean).join("\n\n");
  const details = slot(root, "left-out");
  details.hidden = !leftOut;
  slot(root, "left-out-text").textContent = leftOut;
}

function detachedList(title, items, cls) {
  if (!items.length) return null;
  return el(
    "div",
    { class: `detached-group ${cls}` },
    el("h3", {}, title),
    el(
      "ul",
      {},
      ...items.map((item) =>
        el("li", {}, el("span", {}, item.text), el("span", { class: "source" }, "from: \u201c", item.source, "\u201d")),
      ),
    ),
  );
}

function renderDetached(root, detached) {
  const box = clear(slot(root, "detached"));
  const groups = [
    detachedList("Requests", detached.requests, "requests"),
    detachedList("Facts", detached.facts, "facts"),
    detachedList("Threats", detached.threats, "threats"),
  ].filter(Boolean);
  if (!groups.length) box.append(el("p", { class: "muted" }, "Nothing to act on: no request, fact or threat."));
  box.append(...groups);
  if (!detached.needs_reply) box.append(el("p", { class: "muted" }, "Nothing needs an answer; a one-line acknowledgement is enough."));
}

/** Fill the analysis part of the page. */
export function renderAnalysis(root, analysis) {
  renderTone(root, analysis.tone);
  renderHostility(root, analysis.hostility);
  renderThreat(root, analysis.threat);
  renderComplaints(root, analysis.complaints);
  renderOriginal(root, analysis);
  renderDetached(root, analysis.detached);
}

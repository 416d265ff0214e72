// The reply editor of templates/web/_reply.html: strategy chooser, versions, the draft with
// the guard's checks re-run as the person types (POST /v1/check, debounced), each failing
// rule underlining its span, the pause countdown, Copy and Approve.

import { api, clear, el, say, slot, words } from "./common.js";

const CHECK_DELAY_MS = 400;
const RULE_TITLES = {
  no_apology: "No apology",
  no_blame: "No blame",
  no_exclamation: "No exclamation marks",
  no_shouting: "No capitals",
  no_insult_echo: "No insults",
  profile_promises: "Promises within the company profile",
  next_step: "A concrete next step",
  length: "Length",
  calm_reading: "Reads calm",
};

function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export class ReplyEditor {
  /**
   * root: the #reply section. options.clientText: the client's message (for the insult echo
   * rule); options.onStrategy(label) -> Promise<reply data>; options.onApprove(payload);
   * options.onSave(payload) and options.onReject(payload) (optional: the review page).
   */
  constructor(root, options) {
    this.root = root;
    this.options = options;
    this.clientText = options.clientText || "";
    this.textarea = root.querySelector("#reply-body");
    this.subject = root.querySelector("#reply-subject");
    this.highlights = slot(root, "highlights");
    this.checkList = slot(root, "check-list");
    this.summary = root.querySelector("#checks-summary");
    this.status = slot(root, "action-status");
    this.copyButton = root.querySelector('[data-action="copy"]');
    this.approveButton = root.querySelector('[data-action="approve"]');
    this.rejectButton = root.querySelector('[data-action="reject"]');
    this.saveButton = root.querySelector('[data-action="save"]');
    this.rejectReason = root.querySelector("#reject-reason");
    this.overrideSummary = slot(root, "override-summary");
    this.blockersBox = slot(root, "blockers");
    this.blockers = [];
    this.checking = false;
    this.saved = null;
    this.overrideBox = slot(root, "override");
    this.overrideReason = root.querySelector("#override-reason");
    this.pauseBox = slot(root, "pause");
    this.versions = [];
    this.active = 0;
    this.checks = [];
    this.sequence = 0;
    this.busy = false;
    this.locked = false;
    this.notBefore = null;
    this.pauseSeconds = 0;
    this.timer = null;
    this.checkTimer = null;

    this.textarea.addEventListener("input", () => this.edited());
    this.textarea.addEventListener("scroll", () => this.syncScroll());
    this.subject.addEventListener("input", () => this.updateActions());
    this.overrideReason.addEventListener("input", () => this.updateActions());
    this.copyButton.addEventListener("click", () => this.copy());
    this.approveButton.addEventListener("click", () => this.approve());
    if (this.rejectButton) this.rejectButton.addEventListener("click", () => this.reject());
    if (this.saveButton) this.saveButton.addEventListener("click", () => this.save());
    if (this.rejectReason) this.rejectReason.addEventListener("input", () => this.updateActions());
    for (const radio of root.querySelectorAll('input[name="strategy"]')) {
      radio.addEventListener("change", () => this.chooseStrategy(radio.value));
    }
    window.addEventListener("resize", () => this.autosize());
  }

  /** Show a reply: {subject, body, strategy, send_not_before, cooldown_minutes, checks,
   *  alternatives, reason, forced, recommended: {label, reason}, blockers, versions?}. */
  load(reply) {
    this.reply = reply;
    this.versions = reply.versions || [
      { label: `Draft · ${reply.strategy}`, body: reply.body, checks: reply.checks || [] },
      ...(reply.alternatives || []).map((a, i) => ({
        label: `Alternative ${i + 1} · ${a.strategy}`,
        body: a.body,
        checks: a.checks || [],
      })),
    ];
    for (const radio of this.root.querySelectorAll('input[name="strategy"]')) {
      radio.checked = radio.value === reply.strategy;
    }
    const reason = slot(this.root, "strategy-reason");
    const recommended = reply.recommended;
    if (reply.forced && recommended && recommended.label !== reply.strategy) {
      clear(reason).append(
        el("strong", {}, "Your choice. "),
        `Tactful recommended ${recommended.label}`,
        recommended.reason ? `: ${recommended.reason}` : ".",
      );
    } else {
      clear(reason).append(
        el("strong", {}, reply.forced && !recommended ? "Your choice. " : "Recommended. "),
        (reply.forced && recommended && recommended.reason) || reply.reason || "",
      );
    }
    this.subject.value = reply.subject || "";
    this.saved = { subject: this.subject.value, body: reply.body };
    this.setBlockers(reply.blockers || []);
    this.renderVersions();
    this.show(0);
    this.setPause(reply.send_not_before, reply.cooldown_minutes);
  }

  renderVersions() {
    const box = clear(slot(this.root, "versions"));
    this.versions.forEach((version, i) => {
      box.append(
        el(
          "button",
          {
            type: "button",
            class: "version",
            "aria-pressed": i === this.active ? "true" : "false",
            onclick: () => this.show(i),
          },
          version.label,
        ),
      );
    });
  }

  show(index) {
    this.active = index;
    const version = this.versions[index];
    this.textarea.value = version.body;
    for (const [i, button] of [...slot(this.root, "versions").children].entries()) {
      button.setAttribute("aria-pressed", i === index ? "true" : "false");
    }
    this.renderChecks(version.checks, version.body);
    this.autosize();
    this.updateActions();
  }

  edited() {
    this.versions[this.active].body = this.textarea.value;
    this.renderHighlights([], this.textarea.value);
    this.autosize();
    say(this.summary, "Checking…");
    this.summary.dataset.state = "checking";
    this.checking = true;
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.runChecks(), CHECK_DELAY_MS);
    this.updateActions();
  }

  async runChecks() {
    const text = this.textarea.value;
    const mine = ++this.sequence;
    if (!text.trim()) {
      this.checking = false;
      this.renderChecks([], text);
      return;
    }
    try {
      const result = await api("POST", "/v1/check", { text, client_text: this.clientText || null });
      if (mine !== this.sequence) return;
      this.checking = false;
      this.versions[this.active].checks = result.checks;
      this.renderChecks(result.checks, text);
    } catch (error) {
      if (mine !== this.sequence) return;
      this.checking = false;
      say(this.summary, `The checks could not run: ${error.message}`, "error");
    }
  }

  renderChecks(checks, text) {
    this.checks = checks;
    const failing = checks.filter((c) => !c.passed);
    const list = clear(this.checkList);
    for (const check of [...failing, ...checks.filter((c) => c.passed)]) {
      const title = RULE_TITLES[check.rule] || words(check.rule);
      const hasSpan = !check.passed && check.start !== null && check.end !== null && check.start !== undefined;
      const item = el(
        "li",
        { class: check.passed ? "pass" : "fail", "data-rule": check.rule },
        el("span", { class: "mark", "aria-hidden": "true" }, check.passed ? "\u2713" : "!"),
        el("span", { class: "check-title" }, title, el("span", { class: "sr-only" }, check.passed ? " passes" : " fails")),
        el("span", { class: "check-detail" }, check.detail),
      );
      if (hasSpan) {
        item.append(
          el(
            "button",
            { type: "button", class: "link show-span", onclick: () => this.select(check.start, check.end) },
            "Show",
          ),
        );
      }
      list.append(item);
    }
    this.summary.dataset.state = failing.length ? "fail" : "pass";
    if (!checks.length) say(this.summary, text && text.trim() ? "" : "Write a reply to check it.");
    else if (failing.length) {
      say(this.summary, `${failing.length} of ${checks.length} checks fail: ${failing.map((c) => RULE_TITLES[c.rule] || words(c.rule)).join(", ")}.`, "error");
    } else say(this.summary, `All ${checks.length} checks pass.`, "ok");
    this.renderHighlights(failing, text);
    this.updateActions();
  }

  renderHighlights(failing, text) {
    const box = clear(this.highlights);
    const spans = failing
      .filter((c) => c.start !== null && c.start !== undefined && c.end > c.start)
      .map((c) => ({ start: c.start, end: Math.min(c.end, text.length), rule: c.rule, detail: c.detail }))
      .sort((a, b) => a.start - b.start);
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;
      box.append(document.createTextNode(text.slice(at, span.start)));
      box.append(el("mark", { class: "flag", "data-rule": span.rule }, text.slice(span.start, span.end)));
      at = span.end;
    }
    box.append(document.createTextNode(text.slice(at) + "\n"));
    this.syncScroll();
  }

  select(start, end) {
    this.textarea.focus();
    this.textarea.setSelectionRange(start, end);
  }

  autosize() {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${this.textarea.scrollHeight + 2}px`;
    this.syncScroll();
  }

  syncScroll() {
    this.highlights.parentElement.scrollTop = this.textarea.scrollTop;
  }

  async chooseStrategy(label) {
    if (!this.options.onStrategy || this.busy) return;
    this.setBusy(true, "Drafting a new reply…");
    try {
      const reply = await this.options.onStrategy(label);
      this.load(reply);
      say(this.status, `Redrafted with the ${label} strategy.`, "ok");
    } catch (error) {
      say(this.status, error.message, "error");
    } finally {
      this.setBusy(false);
    }
  }

  setPause(iso, minutes) {
    clearInterval(this.timer);
    this.notBefore = iso ? Date.parse(iso) : null;
    this.pauseSeconds = Math.max(1, (Number(minutes) || 0) * 60);
    this.announced = false;
    this.tick();
    if (!this.pauseOver()) this.timer = setInterval(() => this.tick(), 250);
  }

  pauseOver() {
    return this.notBefore === null || Number.isNaN(this.notBefore) || Date.now() >= this.notBefore;
  }

  tick() {
    const over = this.pauseOver();
    this.pauseBox.hidden = this.locked || (over && !this.wasPaused);
    if (!over) {
      this.wasPaused = true;
      const left = (this.notBefore - Date.now()) / 1000;
      slot(this.root, "countdown").textContent = `${clock(left)} left`;
      const fill = this.pauseBox.querySelector(".pause-fill");
      fill.style.width = `${Math.min(100, Math.max(0, 100 - (left / this.pauseSeconds) * 100))}%`;
      this.pauseBox.dataset.state = "waiting";
    } else {
      clearInterval(this.timer);
      this.timer = null;
      if (this.wasPaused) {
        slot(this.root, "countdown").textContent = "Over";
        this.pauseBox.querySelector(".pause-fill").style.width = "100%";
        this.pauseBox.dataset.state = "over";
        if (!this.announced) {
          this.announced = true;
          slot(this.root, "pause-announce").textContent = "The pause is over. You can copy and approve the reply.";
          slot(this.root, "pause-text").textContent = "The pause is over. Reread once more, then send.";
        }
      }
    }
    this.updateActions();
  }

  checksPass() {
    return !this.checking && this.checks.length > 0 && this.checks.every((c) => c.passed);
  }

  /** Overridable reasons that stand between the reply and Approve right now. */
  overridable() {
    const reasons = [];
    if (!this.pauseOver()) reasons.push("the pause is not over");
    if (!this.checking && !this.checksPass()) reasons.push("checks fail");
    return reasons;
  }

  hasReason() {
    return this.overrideReason.value.trim().length > 0;
  }

  /** Server-side reasons that no override lifts (e.g. a second approver is required). */
  setBlockers(blockers) {
    this.blockers = blockers.filter((b) => !b.overridable);
    this.blockersBox.hidden = !this.blockers.length;
    this.blockersBox.textContent = this.blockers.map((b) => b.message).join(" ");
    this.updateActions();
  }

  dirty() {
    return (
      this.saved !== null &&
      (this.textarea.value !== this.saved.body || this.subject.value !== this.saved.subject)
    );
  }

  updateActions() {
    const text = this.textarea.value.trim().length > 0;
    const open = !this.busy && !this.locked;
    const reasons = this.overridable();
    this.overrideBox.hidden = this.locked || reasons.length === 0;
    if (this.overrideSummary && reasons.length) {
      this.overrideSummary.textContent = `Approve anyway (${reasons.join(" and ")})`;
    }
    const cleared = reasons.length === 0 || this.hasReason();
    this.approveButton.disabled = !(open && text && !this.checking && cleared && !this.blockers.length);
    const copyable = this.pauseOver() || this.hasReason();
    this.copyButton.disabled = !(text && (this.locked || (!this.busy && copyable)));
    if (this.saveButton) this.saveButton.disabled = !(open && text && this.dirty());
    if (this.rejectButton) {
      this.rejectButton.disabled = !(open && this.rejectReason && this.rejectReason.value.trim());
    }
  }

  setBusy(busy, message = "") {
    this.busy = busy;
    for (const radio of this.root.querySelectorAll('input[name="strategy"]')) radio.disabled = busy || this.locked;
    if (message) say(this.status, message);
    this.updateActions();
  }

  /** Approved or rejected: the reply can still be copied but no longer changed. */
  lock(message) {
    this.locked = true;
    this.pauseBox.hidden = true;
    this.blockersBox.hidden = true;
    for (const action of ["approve", "save"]) {
      const button = this.root.querySelector(`[data-action="${action}"]`);
      if (button) button.hidden = true;
    }
    const reject = slot(this.root, "reject");
    if (reject) reject.hidden = true;
    this.textarea.readOnly = true;
    this.subject.readOnly = true;
    clearInterval(this.timer);
    for (const radio of this.root.querySelectorAll('input[name="strategy"]')) radio.disabled = true;
    for (const button of slot(this.root, "versions").querySelectorAll("button")) button.disabled = true;
    this.overrideBox.hidden = true;
    if (message) say(this.status, message, "ok");
    this.updateActions();
  }

  /** Editable again (a new message was read). */
  unlock() {
    this.locked = false;
    this.approveButton.hidden = false;
    this.textarea.readOnly = false;
    this.subject.readOnly = false;
    this.overrideReason.value = "";
    for (const radio of this.root.querySelectorAll('input[name="strategy"]')) radio.disabled = false;
    say(this.status, "");
    this.updateActions();
  }

  payload() {
    const strategy = this.root.querySelector('input[name="strategy"]:checked');
    return {
      subject: this.subject.value,
      body: this.textarea.value,
      strategy: strategy ? strategy.value : null,
      override_reason: this.overridable().length ? this.overrideReason.value.trim() || null : null,
      reject_reason: this.rejectReason ? this.rejectReason.value.trim() : null,
    };
  }

  async copy() {
    const text = this.textarea.value;
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      this.textarea.select();
      document.execCommand("copy");
    }
    say(this.status, "The reply is on your clipboard.", "ok");
  }

  async save() {
    if (!this.options.onSave) return;
    this.setBusy(true, "Saving…");
    try {
      const message = await this.options.onSave(this.payload());
      this.saved = { subject: this.subject.value, body: this.textarea.value };
      say(this.status, message || "Saved.", "ok");
    } catch (error) {
      say(this.status, error.message, "error");
    } finally {
      this.setBusy(false);
    }
  }

  async approve() {
    if (this.approveButton.disabled) return;
    this.setBusy(true, "Approving…");
    try {
      const message = await this.options.onApprove(this.payload());
      this.setBusy(false);
      this.lock(message || "Approved.");
    } catch (error) {
      this.setBusy(false);
      say(this.status, error.message, "error");
    }
  }

  async reject() {
    if (!this.options.onReject) return;
    this.setBusy(true, "Rejecting…");
    try {
      const message = await this.options.onReject(this.payload());
      this.setBusy(false);
      if (message !== false) this.lock(message || "Rejected.");
    } catch (error) {
      this.setBusy(false);
      say(this.status, error.message, "error");
    }
  }
}

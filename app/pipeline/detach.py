"""Detach: the message reduced to its requests, facts and threats, in neutral words.

Insults, venting and shouting are left out; numbers, dates, IDs, amounts and names
are kept. Requests and threats are restated from the client's point of view ("You
asked us to ..."), facts in neutral form.
"""

from __future__ import annotations

import re

from app.pipeline.types import Analysis, Detached, DetachedItem, Message, Sentence
from app.pipeline.words import load_words

_SWAP = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "i'm": "you're",
    "i've": "you've",
    "i'll": "you'll",
    "i'd": "you'd",
    "we're": "you're",
    "we've": "you've",
    "we'll": "you'll",
    "we'd": "you'd",
    "you": "we",
    "your": "our",
    "yours": "ours",
    "yourself": "ourselves",
    "you're": "we're",
    "you've": "we've",
    "you'll": "we'll",
    "you'd": "we'd",
}
_AGREEMENT = [
    (re.compile(r"\byou am\b", re.I), "you are"),
    (re.compile(r"\byou was\b", re.I), "you were"),
    (re.compile(r"\byou has\b", re.I), "you have"),
    (re.compile(r"\bwe is\b", re.I), "we are"),
    (re.compile(r"\bwe was\b", re.I), "we were"),
]
# After the swap every "we" was the client's "you"; where that "you" was an object, the
# reply needs "us" ("I told you" -> "you told us").
_OBJECT_WE = re.compile(
    r"\b(to|for|with|at|from|about|of|by|without|than|told|tell|asked|ask|sent|send|paid|"
    r"pay|owe|gave|give|called|call|emailed|email|contacted|contact|let|help|helped|showed|"
    r"show|reminded|remind|warned|trusted|hired|chose|thanked|thank|texted|messaged|"
    r"promised|assured|understand|understood) we\b"
    r"(?! (?:are|were|have|had|will|would|can|could|should|do|did|need|must)\b)",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_POLITE_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|dear)\s+[\w.'-]+\s*,\s*)?"
    r"(?:(?:please|pls|kindly|ok so|so|and|but|now|also|then)\b[\s,]*)*"
    r"(?:(?:could|can|would|will)\s+(?:you|we|someone|somebody|anyone)\s+(?:please\s+)?)?",
    re.I,
)
_IMPERATIVE = {
    "send",
    "fix",
    "refund",
    "give",
    "call",
    "remove",
    "add",
    "change",
    "explain",
    "tell",
    "let",
    "get",
    "put",
    "move",
    "answer",
    "reply",
    "cancel",
    "stop",
    "update",
    "check",
    "provide",
    "confirm",
    "make",
    "do",
    "finish",
    "deliver",
    "pay",
    "return",
    "replace",
    "sort",
    "redo",
    "email",
    "ring",
    "book",
    "share",
    "issue",
    "credit",
    "process",
    "restore",
    "look",
    "try",
    "respond",
    "resend",
    "mock",
    "switch",
    "go",
    "use",
    "include",
    "drop",
    "delete",
    "come",
    "file",
    "release",
    "ship",
    "show",
    "install",
    "deal",
    "arrange",
    "quote",
    "write",
    "help",
    "revert",
    "undo",
    "speak",
    "talk",
    "contact",
    "escalate",
    "review",
    "test",
    "lower",
    "waive",
}
_QUESTION_WORDS = {
    "where",
    "when",
    "why",
    "what",
    "how",
    "who",
    "which",
    "is",
    "are",
    "do",
    "does",
    "did",
    "will",
    "can",
    "could",
    "would",
    "should",
    "have",
    "has",
    "any",
    "was",
    "were",
    "shall",
}
_SPACES = re.compile(r"[ \t]+")
# The client's own apologies ("sorry it's so late, but") are not restated: a reply that
# quotes them would read as apologising.
_CLIENT_APOLOGY = re.compile(
    r"\b(?:i'?m\s+|i\s+am\s+)?(?:so\s+|very\s+|really\s+)?(?:sorry|apologies)\b"
    r"(?:\s+(?:for|about|to|that|if)\b[^,.;!?]*)?(?:\s*,?\s*(?:it'?s|it\s+is)\s+[^,.;!?]*)?"
    r"\s*[,;]?\s*(?:but\s+)?",
    re.IGNORECASE,
)
_PUNCT_RUN = re.compile(r"([!?.])[!?.]+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]")


def neutral(text: str) -> str:
    """Strip insults, fillers, emoji, shouting and exclamation from one sentence."""
    words = load_words()
    out = _EMOJI.sub("", text)
    out = _CLIENT_APOLOGY.sub("", out)
    out = words.vocative_pattern.sub("", out)
    out = words.insult_pattern.sub("", out)
    out = words.filler_pattern.sub("", out)
    out = re.sub(
        r"\b[A-Z]{2,}\b",
        lambda m: m.group(0) if m.group(0) in words.acronyms else m.group(0).lower(),
        out,
    )
    out = _PUNCT_RUN.sub(lambda m: "?" if "?" in m.group(0) else m.group(1), out)
    out = out.replace("!", ".")
    out = re.sub(r"\s+([,.?;:])", r"\1", out)
    out = re.sub(r"([,;:])\s*([,.;:?])", r"\2", out)
    out = re.sub(r"\ba\s+(?=[,.?])", "", out)
    out = _SPACES.sub(" ", out).strip(" ,;:-")
    return out.lstrip(".?;:, ")


def swap_person(text: str) -> str:
    """Turn the client's 'I/my/you' into the reply's 'you/your/we'."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower not in _SWAP:
            return word
        new = _SWAP[lower]
        return new.capitalize() if match.start() == 0 and word[0].isupper() else new

    out = _WORD.sub(swap, text)
    out = _OBJECT_WE.sub(lambda m: f"{m.group(1)} us", out)
    out = re.sub(r"\bwe(?=\s*[.,;:!?]|$)", "us", out)
    for pattern, fixed in _AGREEMENT:
        out = pattern.sub(fixed, out)
    return out


def _sentence_case(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    if not text.endswith((".", "?")):
        text += "."
    return text[0].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:
        return text
    return text[:1].lower() + text[1:]


# "..., or I'm calling my lawyer": the consequence is a threat, listed with the threats;
# the request is what comes before it.
_THREAT_TAIL = re.compile(
    r"[\s,;]*\b(?:or(?: else)?|otherwise|if not|else)\b[\s,]*(?:I|we)(?:'m|'ll| will| am| are"
    r"| shall| have to| go| take| get| call| post| report| contact| cancel| leave| stop)\b.*$",
    re.I | re.S,
)


def restate_request(text: str) -> str:
    """'Send me the files by Friday!!!' -> 'You asked us to send you the files by Friday.'"""
    clean = neutral(text)
    clean = _THREAT_TAIL.sub("", clean).strip() if clean else clean
    if not clean:
        return ""
    core = _POLITE_LEAD.sub("", clean).strip()
    core = re.sub(r"[\s,]*\bplease\b[\s,.]*$", "", core, flags=re.I).rstrip(" ,")
    polite = core != clean
    first = core.split(" ", 1)[0].lower().strip(",")
    if polite and first not in _QUESTION_WORDS:
        core = core.rstrip("?")
    if core.endswith("?") or first in _QUESTION_WORDS:
        question = swap_person(core).rstrip(".?")
        return f"You asked: {_lower_first(question)}?"
    if first in _IMPERATIVE or polite:
        return f"You asked us to {_lower_first(swap_person(core)).rstrip('.')}."
    return f"You asked for the following: {_lower_first(swap_person(core)).rstrip('.')}."


def restate_fact(text: str) -> str:
    """A claim about what happened, in neutral words."""
    clean = neutral(text).rstrip("?")
    return _sentence_case(swap_person(clean)) if len(clean.split()) >= 2 else ""


def restate_threat(text: str) -> str:
    """'I'm calling my lawyer!!' -> 'You said you are calling your lawyer.'"""
    clean = neutral(text).rstrip("?.")
    if len(clean.split()) < 2:
        return ""
    return f"You said: {_lower_first(swap_person(clean))}."


def _item(sentence: Sentence, text: str) -> DetachedItem:
    return DetachedItem(text=text, source=sentence.text, start=sentence.start, end=sentence.end)


def detach(message: Message, analysis: Analysis) -> Detached:
    """Requests, facts and threats of the message in neutral words, with their spans."""
    requests, facts, threats = [], [], []
    for sentence in analysis.sentences:
        if sentence.role == "request" or (
            sentence.role in ("emotion", "other")
            and sentence.text.rstrip().endswith("?")
            and sentence.role_scores.get("request", 0) > 0.2
        ):
            text = restate_request(sentence.text)
            if text:
                requests.append(_item(sentence, text))
        elif sentence.role == "fact":
            text = restate_fact(sentence.text)
            if text:
                facts.append(_item(sentence, text))
        elif sentence.role == "threat":
            text = restate_threat(sentence.text)
            if text:
                threats.append(_item(sentence, text))
    needs_reply = bool(requests or threats or (facts and analysis.complaints))
    return Detached(requests=requests, facts=facts, threats=threats, needs_reply=needs_reply)

"""Detach: the message reduced to its requests, facts and threats, in neutral words.

Insults, venting and shouting are left out; numbers, dates, IDs, amounts and names
are kept. Requests and threats are restated from the client's point of view ("You
asked us to ..."), facts in neutral form.
"""

from __future__ import annotations

import re

from app.pipeline.neutral import (
    IMPERATIVE_VERBS,
    QUESTION_WORDS,
    WORD,
    lower_first,
    neutral,
    swap_person,
)
from app.pipeline.types import Analysis, Detached, DetachedItem, Message, Sentence
from app.pipeline.words import load_words

_POLITE_LEAD = re.compile(
    r"^(?:(?:please|pls|kindly|ok so|so|and|but|now|also|then)\b[\s,]*)*"
    r"(?:(?:could|can|would|will)\s+(?:you|we|someone|somebody|anyone)\s+(?:please\s+)?"
    r"(?:(?:be able|be willing|be so kind as)\s+to\s+)?)?",
    re.I,
)


def _sentence_case(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    if not text.endswith((".", "?")):
        text += "."
    return text[0].upper() + text[1:]


# "..., or I'm calling my lawyer": the consequence is a threat, listed with the threats;
# the request is what comes before it.
_THREAT_TAIL = re.compile(
    r"[\s,;]*\b(?:or(?: else)?|otherwise|if not|else)\b[\s,]*(?:I|we)(?:'m|'ll| will| am| are"
    r"| shall| have to| go| take| get| call| post| report| contact| cancel| leave| stop)\b.*$",
    re.I | re.S,
)


# "A huge thank you for the files": thanks, neither a request nor a fact to have noted.
_THANKS = re.compile(r"^(?:(?:a|many|huge|big|massive|special)\s+)*thank(?:s|\s+you)\b", re.I)
_ASKING = re.compile(r"\b(?:please|pls|kindly|could|can|would|will)\b", re.I)
# "I appreciate it wasn't your fault, but I'd like ...": the request is what follows.
_CONCESSION = re.compile(
    r"^(?:i|we)\s+(?:do\s+)?(?:appreciate|understand|know|realise|realize|accept|get)\b"
    r"[^,;]*[,;]\s*(?:but|however)\b[\s,]*",
    re.I,
)
MIN_REQUEST_WORDS = 3


def restate_request(text: str) -> str:
    """'Send me the files by Friday!!!' -> 'You asked us to send you the files by Friday.'"""
    clean = neutral(text)
    clean = _THREAT_TAIL.sub("", clean).strip() if clean else clean
    if not clean:
        return ""
    clean = _CONCESSION.sub("", clean)
    lead = _POLITE_LEAD.match(clean)
    removed = lead.group(0) if lead else ""
    # Only an ask ("please", "could you") makes what follows a request to act; a
    # stripped "and" or "now" does not.
    polite = _ASKING.search(removed) is not None
    core = clean[len(removed) :].strip(" :;,-\u2013")
    core = re.sub(r"[\s,]*\bplease\b[\s,.]*$", "", core, flags=re.I).rstrip(" ,")
    if _THANKS.match(core) and "?" not in core and not _ASKING.search(core):
        return ""  # "thanks for the quote" asks for nothing
    first = core.split(" ", 1)[0].lower().strip(",")
    if polite and first not in QUESTION_WORDS:
        core = core.rstrip("?")
    if core.endswith("?") or first in QUESTION_WORDS:
        question = swap_person(core).rstrip(".?")
        return f"You asked: {lower_first(question)}?"
    if first in IMPERATIVE_VERBS or polite:
        return f"You asked us to {lower_first(swap_person(core)).rstrip('.')}."
    if len(core.split()) < MIN_REQUEST_WORDS:
        return ""  # "I want:" before a list, a bare "Timeline."
    return f"You asked for the following: {lower_first(swap_person(core)).rstrip('.')}."


def restate_fact(text: str) -> str:
    """A claim about what happened, in neutral words."""
    clean = neutral(text).rstrip("?")
    if len(clean.split()) < 2 or _THANKS.match(clean):
        return ""
    return _sentence_case(swap_person(clean))


def restate_threat(text: str) -> str:
    """'I'm calling my lawyer!!' -> 'You said you are calling your lawyer.'"""
    clean = neutral(text).rstrip("?.")
    if len(clean.split()) < 2:
        return ""
    return f"You said: {lower_first(swap_person(clean))}."


_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|wg|sv|vs|antw|tr)\s*(?:\[\d+\])?\s*:)+\s*", re.I)
# Words that flag a subject rather than name what it is about ("URGENT!!! my order").
_SUBJECT_FLAG = re.compile(
    r"^(?:(?:urgent|important|complaint|final warning|warning|attention|action required|asap"
    r"|help|query|question|issue|problem|follow[- ]?up|chasing|reminder|hello|hi|thanks"
    r"|thank you|many thanks)\b"
    r"(?:\s+(?:about|re|regarding|with|on|for)\b)?[\s:.,;-]*)+",
    re.I,
)
_SCARE_QUOTES = re.compile('["\u201c\u201d]')
_DETERMINERS = {"the", "a", "an", "my", "your", "our", "this", "these", "those", "their"}
# A subject that says something ("This is unacceptable", "You ruined the launch") is a
# sentence, not a topic a reply can be "about".
_SENTENCE_WORDS = {
    "i", "you", "we", "they", "it", "is", "are", "was", "were", "has", "have", "had",
    "will", "can't", "won't", "don't", "didn't", "isn't", "never", "still", "not",
}  # fmt: skip
MAX_TOPIC_WORDS = 6


def restate_topic(subject: str | None) -> str | None:
    """A subject line as a reply can name it: 'RE: URGENT!!! my order' -> 'your order'.

    None when nothing is left or the subject is a question or a sentence; a subject
    without a determiner is quoted as written ('"Logo revisions"').
    """
    text = _REPLY_PREFIX.sub("", subject or "").strip()
    if not text or text.endswith("?") or _SCARE_QUOTES.search(text):
        return None  # a question, or 'Our "perfect day"': naming it would be sarcastic
    words = load_words()
    if words.insult_pattern.search(text) or words.vocative_pattern.search(text):
        return None  # "absolute joke" is not a topic, and neither is what is left of it
    text = _SUBJECT_FLAG.sub("", neutral(text)).strip(" .,:;-")
    tokens = [w.lower() for w in WORD.findall(text)]
    if (
        not tokens
        or len(text.split()) > MAX_TOPIC_WORDS
        or tokens[0] in QUESTION_WORDS
        or _SENTENCE_WORDS.intersection(tokens)
    ):
        return None
    if tokens[0] in _DETERMINERS:
        return lower_first(swap_person(text))
    return f'"{text}"'


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

"""Split a message's new text into sentences with exact character spans.

Rules: a sentence ends at ., !, ? (or runs such as "!!!", "?!") followed by whitespace,
at an ellipsis followed by a capital letter or a line break, and at line breaks
(greeting lines, list items and bullets are sentences of their own). Hard-wrapped
lines (the next line starts in lower case, or the line is long) stay together.
Abbreviations, decimals, amounts, times, URLs, e-mail addresses, version numbers and
ids with dots do not end a sentence. Emoji stay with the sentence before them, and end
it when a new sentence follows them without a full stop ("I loved it 😂 It's been ...").
"""

from __future__ import annotations

import re

from app.pipeline.types import Sentence

# Never end a sentence after these (lower case, without the dot).
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "mx", "dr", "prof", "st", "sr", "rev", "hon", "gen", "col",
        "capt", "lt", "sgt", "vs", "approx", "appr", "ca", "cf", "fig", "figs", "vol",
        "pp", "ref", "refs", "tel", "ext", "attn", "dept", "misc", "esp", "incl", "excl",
        "resp", "nr", "nos", "mt", "ave", "blvd", "apt", "bldg", "rs",
        "z.b", "bzw", "usw", "ggf", "evtl", "inkl",
    }
)  # fmt: skip
# These often end a sentence too: split after them only before a capital letter
# ("Jan. 5" and "etc. and" stay whole, "Acme Inc. We pay" splits).
_ENDABLE_ABBREVIATIONS = frozenset(
    {
        "etc", "inc", "ltd", "co", "corp", "llc", "plc", "gmbh", "jr", "al", "bros",
        "min", "max", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
        "fri", "sat", "sun",
    }
)  # fmt: skip
_AM_PM = frozenset({"a.m", "p.m"})
_MONTHS = frozenset({
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december",
})  # fmt: skip
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_LEADING_PUNCT = "\"'“‘([{«<*_"

_EMOJI_CHARS = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
    "\ufe0f\u200d\u3030\u303d\U000e0020-\U000e007f"
)
_EMOJI = f"[{_EMOJI_CHARS}]"
_EMOTICON = r"(?:[:;=]-?[()DPp/\\|*]|<3|\^_\^)"
_EMOJI_ITEM = rf"(?:{_EMOJI}|{_EMOTICON}(?=\s|$))"
_EMOJI_RUN = re.compile(rf"{_EMOJI_ITEM}+(?:[ \t]+{_EMOJI_ITEM}+)*")
_EMOJI_ONLY = re.compile(rf"^\s*(?:(?:{_EMOJI}|{_EMOTICON})\s*)+$")
_TERMINATOR = re.compile(rf"(?:\.{{2,}}|…|[.!?]+)[.!?…]*[\"'”’)\]»]*(?=\s|$|{_EMOJI})")

# "I loved it 😂 It's been 12 days": emoji in place of a full stop, before a new sentence
_EMOJI_BREAK = re.compile(rf"{_EMOJI_ITEM}+(?:[ \t]+{_EMOJI_ITEM}+)*(?=[ \t]+(?:[A-Z][a-z'’]|I\s))")

_BULLET = re.compile(
    r"^\s*(?:[-*•‣◦▪▸►–—+>]|\d{1,3}[.)]|[a-z][.)]|[A-Z]\)|\(\d{1,3}\)|\([a-z]\)|#\d+)\s+"
)
_LINE_END = re.compile(rf"(?:[.!?…:;]|{_EMOJI}|{_EMOTICON})[\"'”’)\]»]*\s*$")
_GREETING_LINE = re.compile(
    r"^\s*(?:hi|hello|hey|dear|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|"
    r"to whom it may concern|hallo|guten tag|liebe[rs]?|sehr geehrte[rs]?|bonjour|salut|"
    r"hola|estimad[oa]s?|buongiorno|ciao|hej|beste|geachte)\b[^!?\n]{0,60}[,!:]?\s*$",
    re.I,
)
_SIGNOFF_LINE = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many)\s+)?(?:regards|wishes|thanks|thank you|cheers|"
    r"best|sincerely|yours(?: \w+)?|respectfully|cordially|take care)[,.!]?\s*$",
    re.I,
)
_WRAP_WIDTH = 60


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without the newline."""
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        newline = text.find("\n", start)
        if newline < 0:
            spans.append((start, len(text)))
            return spans
        spans.append((start, newline))
        start = newline + 1


def _continues(prev: str, nxt: str) -> bool:
    """True when line `nxt` continues the sentence of line `prev` (a hard wrap)."""
    if _EMOJI_ONLY.match(nxt):
        return True
    if _BULLET.match(nxt) or _LINE_END.search(prev):
        return False
    if _GREETING_LINE.match(prev) or _SIGNOFF_LINE.match(prev):
        return False
    first = nxt.lstrip()[:1]
    if first.islower():
        return True
    return len(prev.strip()) >= _WRAP_WIDTH and (first.isalnum() or first in "\"'“‘($€£")


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of runs of lines that belong together (no blank line, no hard break)."""
    blocks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    previous_line = ""
    for start, end in _line_spans(text):
        line = text[start:end]
        if not line.strip():
            if current:
                blocks.append(current)
            current = None
            continue
        if current and _continues(previous_line, line):
            current = (current[0], end)
        else:
            if current:
                blocks.append(current)
            current = (start, end)
        previous_line = line
    if current:
        blocks.append(current)
    return blocks


def _token_before(text: str, index: int, floor: int) -> tuple[str, int]:
    """The whitespace-delimited token ending at `index` and where it starts."""
    start = index
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return text[start:index], start


def _is_boundary(text: str, match: re.Match[str], next_index: int, sentence_start: int) -> bool:
    """Decide whether the terminator `match` ends a sentence."""
    punct = match.group().rstrip("\"'”’)]»")
    next_char = text[next_index] if next_index < len(text) else ""
    if "!" in punct or "?" in punct:
        return True
    if len(punct) >= 2 or "…" in punct:
        gap = text[match.end() : next_index]
        return "\n" in gap or next_char.isupper() or not next_char
    token, token_start = _token_before(text, match.start(), sentence_start)
    word = token.lstrip(_LEADING_PUNCT).lower()
    if not word:
        return True
    if word in _ABBREVIATIONS:
        return False
    if word in ("no", "nos"):
        # "No. 7", "invoice no. INV-2024-0317": a number follows
        following = text[next_index : next_index + 24].split()
        return not (
            next_char.isdigit()
            or next_char == "#"
            or (following and any(c.isdigit() for c in following[0]))
        )
    if word in _ENDABLE_ABBREVIATIONS:
        return next_char.isupper()
    if word in _AM_PM:
        return next_char.isupper()
    if _DOTTED.match(word):
        return False
    stripped = token.lstrip(_LEADING_PUNCT)
    if len(stripped) == 1 and stripped.isupper() and next_char.isupper():
        return False  # an initial: "J. Smith"
    following = text[next_index : next_index + 12].split()
    if (
        word.isdigit()
        and len(word) <= 2
        and following
        and following[0].lower().strip(",.;:)") in _MONTHS
    ):
        return False  # "finished 19. April": a day written the German way
    # A list number ("1. First item") does not end a sentence.
    return not (word.isdigit() and len(word) <= 3 and not text[sentence_start:token_start].strip())


def _split_block(text: str, start: int, end: int, out: list[Sentence]) -> None:
    """Append the sentences of text[start:end] to `out`."""
    sentence_start = start
    breaks = [*_TERMINATOR.finditer(text, start, end), *_EMOJI_BREAK.finditer(text, start, end)]
    for match in sorted(breaks, key=lambda m: m.start()):
        if match.end() <= sentence_start:
            continue  # inside an emoji run already attached to the previous sentence
        if match.re is _EMOJI_BREAK:
            if len(text[sentence_start : match.start()].split()) >= 2:
                _emit(text, sentence_start, match.end(), out)
                sentence_start = match.end()
            continue
        next_index = match.end()
        while next_index < end and text[next_index].isspace():
            next_index += 1
        boundary = match.end()
        emoji = _EMOJI_RUN.match(text, next_index, end)
        if emoji and (emoji.end() >= end or text[emoji.end()].isspace()):
            boundary = emoji.end()
            next_index = boundary
            while next_index < end and text[next_index].isspace():
                next_index += 1
        if next_index >= end:
            break
        if not _is_boundary(text, match, next_index, sentence_start):
            continue
        _emit(text, sentence_start, boundary, out)
        sentence_start = boundary
    _emit(text, sentence_start, end, out)


def _emit(text: str, start: int, end: int, out: list[Sentence]) -> None:
    """Append text[start:end], stripped of surrounding whitespace, unless empty."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(text=text[start:end], start=start, end=end))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` (role "other"), each with text == text[start:end]."""
    sentences: list[Sentence] = []
    if not text or text.isspace():
        return sentences
    for start, end in _blocks(text):
        _split_block(text, start, end, sentences)
    return sentences

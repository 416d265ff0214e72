"""Word lists from prompts/words.yaml, loaded once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

WORDS_FILE = Path(__file__).resolve().parents[2] / "prompts" / "words.yaml"

MASKED = r"[a-z]{1,4}(?:\*{2,}|\*(?=[a-z]))[a-z*]*"
"""Profanity with letters starred out ("sh*t", "f**k", "a**hole"), whatever the word; not a
footnote mark ("price*", "Plan A*")."""


@dataclass(frozen=True)
class WordLists:
    insults: tuple[str, ...]
    fillers: tuple[str, ...]
    acronyms: frozenset[str]
    unnoted: tuple[str, ...] = ()
    insult_nouns: tuple[str, ...] = ()
    praise: tuple[str, ...] = ()
    no_reply: tuple[str, ...] = ()

    @property
    def insult_pattern(self) -> re.Pattern[str]:
        return _pattern(self.insults, MASKED)

    @property
    def vocative_pattern(self) -> re.Pattern[str]:
        """'you clowns', 'you useless idiots', 'you absolute cowboys' as one unit."""
        return _vocative(self.insults)

    @property
    def exclamation_pattern(self) -> re.Pattern[str]:
        """'what a pack of idiots you are', 'what clowns they are' as one unit."""
        return _exclamation(self.insults)

    @property
    def named_insult_pattern(self) -> re.Pattern[str]:
        """'a complete muppet', 'his arse', 'some idiot': an insult a sentence is built on."""
        return _named_insult(self.insult_nouns)

    @property
    def praise_pattern(self) -> re.Pattern[str]:
        return _pattern(self.praise)

    @property
    def no_reply_pattern(self) -> re.Pattern[str]:
        return _pattern(self.no_reply)

    @property
    def filler_pattern(self) -> re.Pattern[str]:
        return _pattern(self.fillers)

    @property
    def unnoted_pattern(self) -> re.Pattern[str]:
        """Sarcasm and feelings that keep a fact out of the reply's opening."""
        return _pattern(self.unnoted)


def _alternatives(words: tuple[str, ...], *patterns: str) -> str:
    """The words as one regex alternation, longest first, then any extra patterns."""
    return "|".join([*(re.escape(w) for w in sorted(words, key=len, reverse=True)), *patterns])


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...], *patterns: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w*])(?:{_alternatives(words, *patterns)})(?![\w*])", re.I)


@lru_cache(maxsize=4)
def load_words(path: Path = WORDS_FILE) -> WordLists:
    """The word lists in `path`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return WordLists(
        insults=tuple(str(w) for w in data.get("insults", [])),
        fillers=tuple(str(w) for w in data.get("fillers", [])),
        acronyms=frozenset(str(w) for w in data.get("acronyms", [])),
        unnoted=tuple(str(w) for w in data.get("unnoted", [])),
        insult_nouns=tuple(str(w) for w in data.get("insult_nouns", [])),
        praise=tuple(str(w) for w in data.get("praise", [])),
        no_reply=tuple(str(w) for w in data.get("no_reply", [])),
    )


@lru_cache(maxsize=8)
def _named_insult(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = _alternatives(words, MASKED)
    return re.compile(
        r"\b(?:any|a|an|the|his|her|their|my|your|our|some|this|that|such|complete|absolute"
        rf"|total|utter|proper|right|real)\s+(?:[a-z*-]+\s+){{0,2}}(?:{alternatives})(?![\w*])"
        # what follows ends the noun phrase: "your idiot developer" is an insult before a
        # noun, dropped alone
        r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:with|at|in|on|for|to|from|of|about|who|that|and|or|but"
        r"|is|was|are|were|has|had|can|could|will|would|did|does|do|just|still|never|always"
        r"|[a-z]+s)\b)",
        re.IGNORECASE,
    )


@lru_cache(maxsize=8)
def _vocative(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = _alternatives(words)
    insult = rf"(?:{alternatives})"
    return re.compile(
        rf",?\s*\byou(?:['’]re)?\s+(?:(?:absolute|complete|total|little|utter|bunch of|pack of"
        rf"|lot of|such|are|'re|a|an)\s+)*(?:[a-z]+\s+){{0,2}}(?:{insult}[\s,]*)+(?![\w*])"
        # "you jumped-up van driver.": the nouns an insulting word leads, up to the stop
        rf"(?:(?<=[\w*-])\s[a-z]+(?:\s[a-z]+)?(?=\s*(?:[.,!?;]|$)))?",
        re.IGNORECASE,
    )


@lru_cache(maxsize=8)
def _exclamation(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = _alternatives(words)
    return re.compile(
        rf"\bwhat\s+(?!the\b)(?:an?\s+)?(?:[a-z]+\s+){{0,3}}(?:{alternatives})(?![\w*])[\s,]*"
        rf"(?:(?:you|they|he|she|it|this|that|y'all)\s*(?:are|'re|is|'s|were|was)\b)?",
        re.IGNORECASE,
    )

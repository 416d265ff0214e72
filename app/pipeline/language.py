"""Language of a message, with a guard for the short English lines py3langid gets wrong."""

from __future__ import annotations

import re
import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SUPPORTED_LANGUAGES = frozenset({"en"})
UNDETERMINED = "und"

_MIN_WORDS = 3
_SHORT_TEXT = 60
_CONFIDENT = 0.9
_MAX_CHARS = 5000  # plenty to tell the language; keeps huge bodies fast
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|\$?\d[\d,.:/-]*|[_#*~=<>|\\]+")
# Frequent English words that are not also common words of other Latin-script languages
# (no "a", "in", "an", "die", "was", "so", "me", "no", "on", "do", "to", "la", "de").
_ENGLISH_WORD_LIST = """
    the is are am be been being it its it's this that these those there here where what
    when why who whom which how my your you you're our we they them their he she his her
    i i'm i've i'll i'd me mine yours not don't doesn't didn't isn't aren't wasn't can't
    won't cannot can could would should will shall must have has had having get got
    with from for of at by about into onto than then just still yet already again
    now today tomorrow yesterday week weeks month months day days time times hour hours
    please thanks thank sorry hello hi hey dear yes okay ok and or but if because
    why wait waiting waited still never ever always any some every all nothing something
    anything everything nobody someone anyone everyone one two three four five
    fix fixed fixing refund refunds money pay paid payment invoice invoices bill billed
    charge charged cancel cancelled canceled order ordered delivery delivered late
    again answer answered reply replied respond response call called email emailed
    send sent work working works broken done finish finished need needs want wants
    wanted asked ask asking promised promise told tell said say give back return
    joke unacceptable ridiculous terrible awful worst useless waste service support
    account contract deadline project update updates site website app help
    happy unhappy angry sick tired enough really very too much many more most less
    going gone come coming know knew think thought see seen look looking keep kept
    lawyer court review reviews manager complaint complain complaining
    way guys news suck sucks mess bug bugs asap pls plz wtf fails failed problem
    problems same quit away up off out go stop hurry good bad fine nobody cares care
    new old
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_WORD_LIST.split())


class _Detector:
    """The py3langid model, loaded once on first use (thread-safe)."""

    def __init__(self) -> None:
        self._identifier: LanguageIdentifier | None = None
        self._lock = threading.Lock()

    def get(self) -> LanguageIdentifier:
        """The identifier, loading the model on the first call."""
        if self._identifier is None:
            with self._lock:
                if self._identifier is None:
                    self._identifier = LanguageIdentifier.from_model_file(
                        MODEL_FILE, norm_probs=True
                    )
        return self._identifier


_DETECTOR = _Detector()


def _looks_english(words: list[str], text: str) -> bool:
    """Short ASCII text in which most words are common English words."""
    if not text.isascii():
        return False
    hits = sum(1 for word in words if word.lower() in _ENGLISH_WORDS)
    return hits >= 2 and hits * 2 >= len(words)


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text` ("und" when it has fewer than 3 words or no language).

    py3langid decides; short ASCII text made mostly of common English words is called
    English when the model is unsure, and the model's "pcm" (Nigerian Pidgin, which it
    says for much plain short English) is reported as "en".
    """
    if not isinstance(text, str):
        return UNDETERMINED
    cleaned = _NOISE.sub(" ", text[:_MAX_CHARS].replace("’", "'"))
    words = _WORD.findall(cleaned)
    if len(words) < _MIN_WORDS:
        return UNDETERMINED
    sample = " ".join(cleaned.split())
    letters = [char for char in sample if char.isalpha()]
    if sum(char.isupper() for char in letters) > len(letters) / 2:
        sample = sample.lower()  # shouting: the model is trained on normal case
    code, confidence = _DETECTOR.get().classify(sample)
    if code == "zxx":
        return UNDETERMINED
    if code == "pcm":
        return "en"
    if (
        code != "en"
        and confidence < _CONFIDENT
        and len(sample) < _SHORT_TEXT
        and _looks_english(words, sample)
    ):
        return "en"
    return code


def language_code(tag: str | None) -> str | None:
    """The primary subtag of a language tag, in lower case ("EN-gb" -> "en"; "" -> None)."""
    primary = re.split(r"[-_]", (tag or "").strip().lower(), maxsplit=1)[0]
    return primary or None


def is_supported(code: str) -> bool:
    """True when replies can be drafted for messages in this language."""
    return code in SUPPORTED_LANGUAGES

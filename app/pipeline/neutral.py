"""Neutral words: one sentence of the client's, calmed and turned to the reply's side.

Shouting, insults, fillers, emoji and the client's own apologies go; dropped
apostrophes come back; "I/my/you" become "you/your/we/us"; the first word is lowered
for use mid-sentence unless it may be a name.
"""

from __future__ import annotations

import re

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
    "yourselves": "ourselves",
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
    r"promised|assured|understand|understood|write|wrote|writing|like|love|want|wanted|need|"
    r"needed|expect|expected|require|required|get|see|saw|hear|heard|reach|giving|telling|"
    r"sending|paying|showing|charging|charged|rang|rung|ring|ringing|phoned|phone|chased|chase|"
    r"calling|emailing|phoning|texting|messaging|chasing|asking|contacting|"
    r"blamed|blame|met|meet|visited|visit|recommended|recommend) we\b"
    r"(?! (?:are|were|have|had|will|would|can|could|should|do|did|need|must)\b)",
    re.I,
)
# "chasing you for this": after an -ing word, a "you" followed by what ends an object.
_OBJECT_WE_AFTER_ING = re.compile(
    r"\b([a-z]+ing) we\b(?=\s*(?:[.,;:!?]|$|for\b|about\b|to\b|with\b|on\b|at\b|in\b"
    r"|again\b|every\b|all\b|up\b|back\b|now\b|today\b))",
    re.I,
)
# "leave you a review" -> "leave we a review" -> "leave us a review": a "we" followed by
# what can only be an object, unless an auxiliary makes it a question ("are we a ...").
_WE_BEFORE_OBJECT = re.compile(
    r"\b([a-z']+) we\b(?= (?:a|an|the|this|that|these|those|some|any|our|your|their|his|her"
    r"|through|round|around|along)\b)",
    re.I,
)
_TAG_AUXILIARIES = {
    "can", "could", "do", "did", "does", "will", "would", "should", "shall", "are", "were",
    "have", "had", "can't", "won't", "don't", "didn't", "aren't", "weren't", "shouldn't",
    "wouldn't", "couldn't", "haven't",
}  # fmt: skip
_AUXILIARIES = {
    "am", "are", "is", "was", "were", "do", "did", "does", "have", "has", "had", "will",
    "would", "can", "could", "should", "shall", "must", "may", "might", "that", "so",
    "and", "but", "or", "if", "when", "because", "as", "than",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z']*")
# First words that make a request an order to act ("Send me ...").
IMPERATIVE_VERBS = {
    "send",
    "correct",
    "amend",
    "adjust",
    "reduce",
    "repair",
    "rework",
    "revise",
    "chase",
    "clarify",
    "honour",
    "honor",
    "finalise",
    "finalize",
    "complete",
    "submit",
    "transfer",
    "reimburse",
    "forward",
    "resolve",
    "investigate",
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
    "pick",
    "convince",
    "reissue",
    "approve",
    "schedule",
    "organise",
    "organize",
    "choose",
    "reopen",
    "reschedule",
    "postpone",
    "extend",
    "collect",
    "upload",
    "publish",
    "print",
    "prioritise",
    "prioritize",
    "ensure",
    "take",
    "wake",
    "swap",
    "rip",
    "bin",
    "find",
    "reprint",
    "redraw",
    "follow",
    "start",
    "leave",
    "keep",
    "clear",
    "remake",
    "rebuild",
    "reinstall",
    "repaint",
}
# First words that make a request a question ("Where is ...").
QUESTION_WORDS = {
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
# Rants typed fast drop apostrophes ("im not paying", "its been 3 weeks"); restored
# before the person swap so that "im" becomes "you're". Only forms that are not words.
_BARE_CONTRACTIONS = {
    "im": "I'm",
    "ive": "I've",
    "dont": "don't",
    "cant": "can't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "arent": "aren't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "wont": "won't",
    "youre": "you're",
    "youve": "you've",
    "theyre": "they're",
    "thats": "that's",
    "whats": "what's",
}
_BARE_CONTRACTION = re.compile(rf"\b(?:{'|'.join(_BARE_CONTRACTIONS)})\b", re.I)
# "*third ticket*": bold from an HTML mail's plain-text part
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,80}?)(?<=\S)\*(?![\w*])")
# Words typed short on a phone, read as meant ("can u", "pls", "bc").
_TEXTSPEAK = {
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks",
    "bc": "because", "cos": "because", "coz": "because", "cuz": "because", "ppl": "people",
    "obvs": "obviously", "thru": "through", "tho": "though", "wud": "would", "cud": "could",
    "shud": "should", "msg": "message", "tmrw": "tomorrow", "tmr": "tomorrow", "wk": "week",
}  # fmt: skip
# typed in lower case, or capitalised at the start of a sentence ("Pls confirm")
_TEXTSPEAK_FORMS = [*_TEXTSPEAK, *(w.capitalize() for w in _TEXTSPEAK if len(w) > 1)]
_TEXTSPEAK_WORD = re.compile(rf"(?<![\w'’-])(?:{'|'.join(_TEXTSPEAK_FORMS)})(?![\w'’-])")


def _spelled_out(match: re.Match[str]) -> str:
    word = _TEXTSPEAK[match.group(0).lower()]
    return word.capitalize() if match.group(0)[0].isupper() else word


# "its" before a verb, an article or an adverb is "it's": the possessive is followed by
# its noun.
_BARE_ITS = re.compile(
    r"\b(it)s(?= (?:been|not|a|an|the|going|gonna|getting|taking|just|still|now|always|never"
    r"|over|ok|okay|too|so|very|really|done|sorted|finished|ready|live|fixed|nearly|almost)\b)",
    re.I,
)
# A list item's number or bullet ("1.", "2)", "-", "•").
LIST_MARKER = r"(?:\d{1,2}[.)]|[-*\u2022]|\([a-z]\)|[a-z]\)|\(\d{1,2}\))\s+"
LIST_ITEM = re.compile(rf"^\s*{LIST_MARKER}")
# Spoken openers of a rant ("right so", "ok, so", "look,"); "look at" and "right now"
# stay.
_LEAD_OPENER = re.compile(
    r"^(?:(?:right|ok|okay|well|look|listen|anyway|yes|yeah|yep)\s*(?:,\s*|\s+(?=so\b))"
    r"|(?:yes|yeah|yep|ok|okay)\s+(?=(?:i|i'm|i'd|i'll|we|we'd|we're|we'll|that's|it's|please)\b)"
    # "hi there you're ...", "hi the cleaner didn't show": a greeting run into the text
    r"|(?:hi|hey|hello)(?:\s+there)?\s+(?=(?:the|my|our|i|i'm|we|we're|just|so|it"
    r"|this(?!\s+is\b)|can|could|not|sorry|quick|you|you're)\b)"
    r"|(?:i|we)\s+(?:just\s+)?have\s+(?:a|one|two|a\s+few|some)\s+(?:quick\s+|small\s+)?"
    r"(?:question|questions|query|queries)\s*[,:.-]\s*"
    r"|(?:one\s+)?(?:slight|small|little|quick|big|one)\s+(?:problem|issue|update|thing)\s*[:-]\s*"
    r"|(?:um+|erm+|uh+)\b[\s,.]*"
    r"|(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening))\b(?:\s+[\w.'-]+){0,3}?\s*,\s*"
    r"|(?:mate|pal|buddy|guys|folks)\b[\s,]*"
    r"|(?:oh|ah)\b[\s,]*(?:and\s+)?"
    r"|(?:and|but|also|plus)\b[\s,]+"
    r"|(?:however|having\s+said\s+that|that\s+said|that\s+being\s+said)\s*,\s*"
    r"|(?:thanks|thank\s+you)\b[^,.;!?]*,\s*but\s+"
    r"|(?:thanks|thank\s+you)(?:\s+so\s+much)?\s*[,!.:-]+\s*"
    rf"|{LIST_MARKER}"
    r"|(?:just\s+)?(?:one\s+(?:more|last|other|small)\s+thing|quick\s+question|p\.?s\.?)\s*[:,.-]\s*"
    r"|(?:(?:i\s+)?(?:just\s+)?(?:wanted|writing|wrote)\s+to\s+(?:say|let\s+you\s+know|tell\s+you)"
    r"|(?:just\s+)?a\s+(?:quick\s+)?(?:one|note|line)\s+to\s+(?:say|let\s+you\s+know)"
    r"|(?:just\s+)?a\s+(?:quick\s+)?heads[\s-]up)"
    r"(?:\s+personally)?(?:\s+that\b)?[\s,]*"
    # "hi its Jade in flat 4 again the boiler ...": the writer saying who they are
    r"|(?:hi|hello|hey)\b[\s,]*(?:[a-z]+[\s,]+)?(?:it's|its|this\s+is)\s+[a-z]+"
    r"\s+(?:from|in|at)\s+(?:(?:flat|unit|apartment|room|no\.?|number)\s+)?[\w-]+"
    r"(?:\s+[a-z]+\s+(?:road|street|lane|close|avenue|drive|way|court))?"
    r"(?:\s+again)?[\s,.]+"
    r"|(?:(?:hi|hello|hey)\b[\s,]*)?(?:it's|its|it\s+is|this\s+is)\s+"
    r"(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:Jan|Febr)uary\b|March\b|April\b"
    r"|May\b|June\b|July\b|August\b|(?:Septem|Octo|Novem|Decem)ber\b|Christmas\b)(?-i:[A-Z][a-z]+)"
    r"(?:\s+(?:from|in|at)\s+(?:(?:flat|unit|apartment|room|no\.?|number)\s+)?[\w-]+)?"
    r"(?:\s+again)?(?=\s*[,.]|\s+(?:the|my|our|i|we)\b)[\s,.]*"
    r"|so\b,?\s*(?=(?:i|i'm|you|you're|we|it|it's|its|they|the|this|that|your|my|our)\b))+",
    re.I,
)
# "Sarah it's 11.50pm and ...", "Dave you said tuesday": the reader's name, called out at
# the start of a sentence without a comma. Words that open sentences are no names.
_CALLED_NAME = re.compile(
    r"^(?-i:(?P<name>[A-Z][a-z]{2,11}))\s+"
    r"(?=(?:it's|it\s+is|its|you\s+(?:said|told|promised|were|are|know|need|have)|you've|you're"
    r"|i\s+need|i'm|i've)\b)",
    re.I,
)
_NOT_CALLED = frozenset({
    "now", "then", "sorry", "yes", "yeah", "well", "also", "again", "still", "here", "there",
    "thanks", "please", "maybe", "perhaps", "anyway", "because", "since", "when", "once",
    "after", "before", "unless", "until", "while", "today", "tonight", "tomorrow", "and", "but",
    "so", "if", "ok", "okay", "yet", "plus", "sure", "great", "right", "look", "listen", "hey",
    "hello", "guess", "remember", "trust", "believe", "whatever", "lol", "wow",
    "what", "who", "how", "why", "where", "which", "did", "do", "does", "can", "could", "will",
    "would", "should", "have", "has", "had", "was", "were", "are", "is", "thank", "mind",
    "note", "luckily", "sadly", "frankly", "honestly", "clearly", "obviously", "seriously",
    "shall", "may", "might", "must", "let", "am", "need", "just", "only", "even", "both", "ps",
    "sometimes", "instead", "otherwise", "besides", "meanwhile", "afterwards", "later",
    "earlier", "twice", "first", "next", "last", "whenever", "although", "though",
    "personally", "unfortunately", "hopefully", "basically", "actually", "somehow", "anyhow",
    "hope", "see", "given", "except", "bet", "screw", "cheers", "whoever", "overall", "shame",
    "god", "thought", "sent", "already", "pay", "whether", "told", "know", "glad",
})  # fmt: skip


def _called_name(text: str) -> str:
    """The sentence without a name called out at its start ("Sarah it's late" -> "it's late")."""
    match = _CALLED_NAME.match(text)
    if not match:
        return text
    word = match.group("name").lower()
    if (
        word in _NOT_CALLED
        or word in _COMMON_STARTERS
        or word in _CALENDAR
        or word.endswith(("ly", "ing", "ed"))
    ):
        return text
    return text[match.end() :]


# "IT has packed in", "IT's": the pronoun shouted, not the department.
_SHOUTED_IT = re.compile(
    r"\bIT(?=(?:'s|'S)\b| (?:HAS|has|IS|is|WAS|was|KEEPS|keeps)\b)"
    # "FIX IT TODAY": next to another shouted word, the pronoun
    r"|(?<=\b[A-Z]{2} )IT\b|(?<=\b[A-Z]{3} )IT\b|(?<=\b[A-Z]{4} )IT\b|\bIT(?= [A-Z]{2,}\b)"
)
_ORDINAL = re.compile(r"(?<=\d)(?:ST|ND|RD|TH)\b")
# ", no excuses about the rework", "no ifs or buts": venting that reads as an excuse when
# quoted back.
_NO_EXCUSES = re.compile(
    r"[,;]?\s*(?:and\s+)?no\s+(?:more\s+)?(?:excuses|ifs,?\s+(?:and|or)\s+buts)\b"
    r"(?:\s+(?:about|this\s+time)\b[^,.;!?]*)?",
    re.I,
)
# "..., because it's [worthless]": what is left of a clause whose insult was taken out.
_DANGLING = re.compile(
    r"(?:\s*,\s*(?:(?:because|since|and|but|so|which)\s+)?|\s+(?:because|since|and|but|so"
    r"|which)\s+)(?:it's|it\s+is|it\s+was|that's|that\s+is|this\s+is|you're|you\s+are"
    r"|you\s+were|they're|they\s+are|they\s+were|he's|she's)\s*(?=[.!?]*\s*$)",
    re.I,
)
# "where the f*** is the van": the "the" that led the expletive goes with it
_ORPHAN_THE = re.compile(
    r"\b((?:what|where|who|why|how|when)\s+)the\s+"
    r"(?=(?:is|are|was|were|do|does|did|have|has|had|can|could|will|would|am)\b)",
    re.I,
)
_PUNCT_RUN = re.compile(r"([!?.])[!?.]+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]")


def neutral(text: str) -> str:
    """Strip insults, fillers, emoji, shouting and exclamation from one sentence."""
    words = load_words()
    out = _EMOJI.sub("", re.sub(r"\s*\n\s*", " ", text))  # a hard-wrapped sentence is one line
    out = _EMPHASIS.sub(r"\1", out)
    out = _TEXTSPEAK_WORD.sub(_spelled_out, out)
    out = _BARE_CONTRACTION.sub(lambda m: _restore(m.group(0)), out)
    out = _BARE_ITS.sub(lambda m: f"{m.group(1)}'s", out)
    for _ in range(3):  # "And yes, ...", "Oh and also ..."
        out, opened = _LEAD_OPENER.subn("", out.lstrip())
        if not opened:
            break
    out = _called_name(out)
    out = _CLIENT_APOLOGY.sub("", out)
    out = re.sub(r",\s*(?:thank\s+you|thanks)(?:\s+so\s+much)?\s*,", ",", out, flags=re.I)
    out = re.sub(r"\b(you)\s+lot\b", r"\1", out, flags=re.I)  # "you lot" is scorn for "you"
    out = _NO_EXCUSES.sub("", out)
    out = words.exclamation_pattern.sub("", out)
    out = words.vocative_pattern.sub("", out)
    out = words.insult_pattern.sub("", out)
    out = words.filler_pattern.sub("", out)
    out = _DANGLING.sub("", out)
    out = _ORPHAN_THE.sub(r"\1", out)
    out = _SHOUTED_IT.sub("it", out)
    out = re.sub(
        r"(?<![-\w])[A-Z]{2,}\b(?!-?[\dA-Z])",
        lambda m: m.group(0) if is_abbreviation(m.group(0), words.acronyms) else m.group(0).lower(),
        out,
    )
    out = _ORDINAL.sub(lambda m: m.group(0).lower(), out)
    out = _PUNCT_RUN.sub(lambda m: "?" if "?" in m.group(0) else m.group(1), out)
    out = out.replace("!", ".")
    out = re.sub(r"\s+([,.?;:)])", r"\1", out)
    out = re.sub(r"\(\s+", "(", out)
    out = re.sub(r"([,;:])\s*([,.;:?])", r"\2", out)
    out = re.sub(r"\ba\s+(?=[,.?])", "", out)
    out = _SPACES.sub(" ", out).strip(" ,;:-")
    out = re.sub(r"^(?:and|but)\s+", "", out.lstrip(".?;:, "))  # what an insult left in front
    return out


def is_abbreviation(word: str, acronyms: frozenset[str]) -> bool:
    """Capitals that are no shouting: a known acronym, or letters without a vowel, which
    no shouted word is ("VW", "XPL", "NHS")."""
    return word in acronyms or (len(word) <= 5 and re.search("[AEIOUY]", word) is None)


def _restore(word: str) -> str:
    fixed = _BARE_CONTRACTIONS[word.lower()]
    return fixed if fixed.startswith("I") or word.islower() else fixed.capitalize()


# Words before an interjected "thank you" ("say thank you", "a huge thank you"); after
# a subject or a modal it is the verb ("I can't thank you enough" -> "thank us").
_THANKS_LEAD = {"say", "a", "huge", "big", "massive", "special", "quick", "and", "also", "many"}


def swap_person(text: str) -> str:
    """Turn the client's 'I/my/you' into the reply's 'you/your/we'."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower not in _SWAP or text[match.end() : match.end() + 2] in (".e", ".g"):
            return word  # "i.e." is no pronoun
        if lower == "you":
            before = [w.lower() for w in WORD.findall(text[: match.start()])[-2:]]
            if before[-1:] == ["thank"] and (len(before) < 2 or before[0] in _THANKS_LEAD):
                return word  # "a huge thank you", not "a huge thank us"
        new = _SWAP[lower]
        return new.capitalize() if match.start() == 0 and word[0].isupper() else new

    out = WORD.sub(swap, text)
    out = _OBJECT_WE.sub(lambda m: f"{m.group(1)} us", out)
    out = _OBJECT_WE_AFTER_ING.sub(lambda m: f"{m.group(1)} us", out)
    out = _WE_BEFORE_OBJECT.sub(
        lambda m: m.group(0) if m.group(1).lower() in _AUXILIARIES else f"{m.group(1)} us", out
    )
    out = re.sub(
        r"\b([\w']+\s+)?we(?=\s*[.,;:!?]|$)",
        lambda m: (
            m.group(0)
            if (m.group(1) or "").strip().lower() in _TAG_AUXILIARIES
            else f"{m.group(1) or ''}us"
        ),
        out,
    )  # "you told us." but the tag "can we?"
    for pattern, fixed in _AGREEMENT:
        out = pattern.sub(lambda m, f=fixed: f.capitalize() if m.group(0)[0].isupper() else f, out)
    return out


# Words a sentence often starts with, which are no names even before "has" or "'s".
_COMMON_STARTERS = frozenset(
    {
        "a", "an", "the", "this", "that", "these", "those", "there", "here", "it", "its", "they",
        "he", "she", "we", "you", "your", "our", "their", "his", "her", "my", "one", "some",
        "any", "all", "no", "none", "nobody", "nothing", "everyone", "everybody", "everything",
        "someone", "somebody", "something", "each", "every", "both", "either", "neither",
        "today", "tomorrow", "yesterday", "tonight", "life", "work", "who", "what", "where",
        "when", "how", "why", "which", "let", "quote", "invoice", "order", "email", "letter",
        "contract", "estimate", "receipt", "bill", "site", "website", "app", "agreement",
        "proposal", "schedule", "plan", "system", "team", "office", "client", "customer",
        "company", "manager", "boss", "start", "come",
    }
)  # fmt: skip
_CALENDAR = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "april", "june", "july", "august", "september", "october",
        "november", "december", "christmas", "easter",
    }
)  # fmt: skip
# Verbs that follow a person far more often than a thing ("Dan thinks", "Mia has").
_PERSON_VERBS = frozenset(
    {
        "has", "had", "thinks", "thought", "says", "said", "wants", "wanted", "told", "asked",
        "needs", "needed", "reckons", "mentioned", "realised", "realized", "suggested",
    }
)  # fmt: skip
_FIRST_WORDS = re.compile(r"[\w'\u2019-]+")


def keeps_capital(word: str, next_word: str = "") -> bool:
    """Whether a capitalised first word keeps its capital mid-sentence: "I", acronyms,
    days and months, and what reads as a name ("Mia's", "Dan thinks")."""
    if not word[:1].isupper():
        return False
    lower = word.lower().replace("\u2019", "'")
    stem = lower[:-2] if lower.endswith("'s") else ""
    if "'" in lower and lower.split("'")[0] in _COMMON_STARTERS:
        return False  # "You've", "That's"
    return (
        (word.isupper() and len(word) > 1)
        or lower in ("i", "i'm", "i've", "i'll", "i'd")
        or lower in _CALENDAR
        or (bool(stem) and stem not in _COMMON_STARTERS and stem not in _CALENDAR)
        or (stem in _CALENDAR)
        or (next_word.lower() in _PERSON_VERBS and lower not in _COMMON_STARTERS)
    )


def lower_first(text: str) -> str:
    """Lower the first letter for use mid-sentence, unless that word keeps its capital
    ('Dan thinks ...', 'VAT is ...', 'Thursday or Friday?' stay)."""
    words = _FIRST_WORDS.findall(text[:80])
    if not words or keeps_capital(words[0], words[1] if len(words) > 1 else ""):
        return text
    if (
        len(words) > 2
        and words[1].lower() == "and"
        and words[2].lower() in ("i", "you", "me", "we")
        and words[0].lower() not in _COMMON_STARTERS
    ):
        return text  # "Dan and you talked about it": a name beside the writer
    return text[:1].lower() + text[1:]

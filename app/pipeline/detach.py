"""Detach: the message reduced to its requests, facts and threats, in neutral words.

Insults, venting and shouting are left out; numbers, dates, IDs, amounts and names
are kept. Requests and threats are restated from the client's point of view ("You
asked us to ..."), facts in neutral form.
"""

from __future__ import annotations

import re

from app.pipeline.neutral import (
    IMPERATIVE_VERBS,
    LIST_ITEM,
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
    r"(?:(?:could|can|would|will)\s+(?:you|we|someone|somebody|anyone)\s+(?!mind\b)(?:please\s+)?"
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

# "I want the £900 back, and I'm telling the whole street": what the client will do
# next is not part of what they ask.
_OWN_ACTION_TAIL = re.compile(
    r"[\s,;]+and\s+(?:I(?:'m| am)|(?:I|we)(?:'ll| will| shall))\b.*$"
    r"|[,;]\s*(?:I(?:'m| am)\s+not|(?:I|we)\s+(?:won't|will\s+not|refuse))\b.*$",
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
# "Per my last email, could you confirm ...": the ask is what follows the lead-in clause.
_ASK_AFTER_CLAUSE = re.compile(
    r"^[^?]{3,}?[,;:]\s*(?:(?:and|but|so)\s+)?(?:(?:in\s+the\s+meantime|meanwhile|also|then)"
    r"[\s,]+)?(?=(?:please\s+)?(?:(?:could|can|would|will)\s+"
    r"(?:you|someone|somebody|anyone)\b(?!\s+mind\b)|would\s+it\s+be\s+possible\b))",
    re.I,
)
# A statement is a request only when it says what the client wants ("I need ...", "I'd
# like ...") or what the reply's side should do ("you should ..."); "every round you
# break something" is venting in the request's place.
_WISH = re.compile(
    r"\b(?:i|we)(?:\s+(?:really|just|only|still|now|also|simply|urgently|do|would|will"
    r"|therefore|hereby|formally|kindly))*\s+"
    r"(?:want|need|expect|require|demand|insist|am\s+asking|are\s+asking|request)\b"
    r"|\b(?:i|we|they|he|she)(?:'d|\s+would)(?:\s+(?:really|just|much|also|rather|now|still"
    r"|actually|ideally|very\s+much))*\s+(?:like|love|appreciate|prefer|want|rather|need)\b"
    r"|\b(?:wants?|would\s+(?:\w+\s+)?like|would\s+love|prefers?)\s+to\b|\bprefers?\b"
    r"|\b(?:i|we)(?:'ll|\s+will)\s+(?:still\s+|also\s+)?need\b|\b(?:i|we)(?:'ve|\s+have)\s+decided\b"
    r"|\b(?:i'm|we're|i\s+am|we\s+are)\s+(?:now\s+)?(?:asking|requesting|expecting|assuming"
    r"|thinking\s+(?:of|about)|considering)\b|\bwondering\s+(?:if|whether)\b"
    r"|\bif\s+(?:you|someone|anyone)\s+could\b|\bplease\b"
    r"|\byou(?:'ll|\s+will)\s+(?!be\b|see\b|regret\b|hear\b)[a-z]+"
    # "you should have stopped me" is blame, not an ask
    r"|\byou\s+(?:should|must|ought\s+to)\b(?!\s+have\b|'ve)"
    r"|\byou\s+(?:need\s+to|have\s+to|will\s+need\s+to)\b"
    r"|\b(?:must|needs?\s+to|has\s+to|have\s+to|should)\s+be\s+\w+(?:ed|en|t)\b"
    r"|\bneeds?\s+\w+ing\b"
    r"|^(?:a\s+)?(?:full\s+|partial\s+)?(?:refund|replacement|credit|discount|call\s?back)\b",
    re.I,
)
# "It would be great if you could ...", "I was hoping you could ...", "I'd appreciate it if
# you could ...": what follows is what the client asks the reply's side to do.
_INDIRECT_ASK = re.compile(
    r"^(?:[^?]{3,}?[,;:]\s*)?"
    r"(?:it\s+would\s+be\s+(?:really\s+|so\s+)?(?:great|good|lovely|helpful|nice|ideal|brilliant)"
    r"|(?:i|we)(?:'d|\s+would|\s+should)\s+(?:really\s+|very\s+much\s+|much\s+|also\s+)?"
    r"(?:be\s+(?:most\s+|very\s+|really\s+|so\s+)?(?:grateful|obliged|happy|thankful)|appreciate(?:\s+it)?"
    r"|love\s+it|like\s+it)"
    r"|(?:i|we)(?:\s+was|\s+were|'m|'re|\s+am|\s+are)\s+(?:really\s+)?hoping"
    r"|(?:i|we)(?:\s+was|\s+were|'m|'re|\s+am|\s+are)?\s+(?:just\s+)?wonder(?:ed|ing)?(?=\s+(?:if|whether))"
    r"|(?:is\s+there\s+)?any\s+chance)"
    r"\s+(?:if\s+|that\s+|whether\s+)?(?:you|someone|somebody|one\s+of\s+you)\s+"
    r"(?:could|would|can|might|will)\s+(?:please\s+)?(?:possibly\s+)?(?:be\s+able\s+to\s+)?",
    re.I,
)
_ANY_CHANCE_OF = re.compile(r"^(?:is\s+there\s+)?any\s+chance\s+of\s+(?=\S)", re.I)
_MODAL_SUBJECT = re.compile(
    r"\b(?:could|can|would|will)\s+(?:you|we|someone|somebody|anyone)\b", re.I
)
# "Would you have space for ...": a question about what the reply's side has, not an order.
_HAVE_SOMETHING = re.compile(
    r"^have\s+(?:any|space|room|time|availability|capacity|a\s+(?:slot|space|gap)"
    r"|the\s+(?:time|capacity))\b",
    re.I,
)
# "..., or is that a premium add-on now?": sarcasm after the ask
_RHETORICAL_TAIL = re.compile(r"[\s,;-]*\bor\s+(?:is|was|would)\s+that\b[^?]*(?=\?\s*$)", re.I)
_RHETORICAL_OR = re.compile(r"^or\s+(?:shall|should|do|must|is|am|are)\s+(?:i|we|that|it)\b", re.I)
# "Send all the reminders you like", "do it properly or don't bother": a dare, not an ask.
_DISMISSIVE = re.compile(
    r"\b(?:all\s+the\s+[a-z]+|whatever|as\s+many\s+[a-z]+\s+as)\s+you\s+(?:like|want)\b"
    r"|\bor\s+don't\s+bother\b"
    r"|^correct\s+me\s+if\b"  # "correct me if I'm wrong, but ...": a hedge
    r"|^are\s+you\s+(?:kidding|joking|serious|having\s+a\s+laugh)\b"  # disbelief
    r"|^let\s+(?:me|us)\s+know\W*$"  # "Let me know!!" with nothing to know
    # "Take your time, obviously.", "Keep up the good work.": sarcasm in an order's shape
    r"|^(?:take\s+your\s+time|keep\s+up\s+the\s+(?:good|great)\s+work)\b"
    # "I completely understand if you need to add a late fee": a concession
    r"|^(?:i|we)\s+(?:(?:completely|totally|fully|quite)\s+)?(?:understand|appreciate|accept)"
    r"\s+(?:if|that)\b"
    # "..., don't we?": an appeal to agree, not a question to answer
    r"|,\s*(?:don't|do|aren't|are|shouldn't|won't|can't|wouldn't|haven't)\s+we\s*\?$"
    # "you don't think that counts as round four, do you?": a tag that expects no answer
    r"|\b(?:don't|doesn't|didn't|isn't|aren't|won't|can't|not)\b[^?]*,\s*(?:do|does|did|is|are"
    r"|will|can)\s+(?:you|it|they)\s*\?$",
    re.I,
)
# '"Elevate your everyday"?': the client's scorn for a quoted line, which asks nothing
_QUOTE_ONLY = re.compile(r"^[\"“'‘][^\"”]*[\"”'’][?!.]*$")
# "I don't want to make a big thing of it, ...": a wish in a denial asks for nothing, but
# "I don't want excuses, I want the files" still does.
_NEGATED_LEAD = re.compile(
    r"^(?:i|we)\s+(?:don't|do\s+not|didn't|did\s+not|never|can't|cannot)\b[^,;]*", re.I
)
# "Let's call it part of the original scope, shall we?": a rhetorical proposal.
_LETS = re.compile(r"^(?:let's|shall\s+we)\s+(?P<rest>.+?)[\s,]*(?P<tag>shall\s+we)?[\s?.]*$", re.I)


# "If anything is missing, please tell me this week": the ask, with its condition after it.
_CONDITION_FIRST = re.compile(
    r"^(?P<condition>(?:if|when|once|as\s+soon\s+as)\s[^,;]{3,}?)[,;]\s*(?:then\s+)?"
    r"(?P<ask>(?P<verb>[a-z]+)\b.+?)[\s.]*$",
    re.I | re.S,
)
# "Do NOT send me another automated email": what the client asks not to be done.
_DONT = re.compile(
    r"^(?:please\s+)?(?:do\s+not|don't|dont|never)\s+(?P<rest>(?P<verb>[a-z]+)\b.*)$", re.I
)
# "... within two weeks, or" at the end of a list item: the list's conjunction.
_TRAILING_CONJUNCTION = re.compile(r"[\s,;]+(?:or|and)[\s.]*$", re.I)


_AFTER_COLON = re.compile(
    r"^[^:?]{3,80}:\s*(?=(?:please|kindly)\b|(?:is|are|can|could|would|will|do|does|did|what|how"
    r"|when|where|why|who|which|should|if)\b[^?]*\?\s*$)",
    re.I,
)
_MAY_I_ASK = re.compile(
    r"^(?:[^,?]{0,40},\s*)?(?:can|could|may)\s+(?:i|we)\s+(?:just\s+)?(?:also\s+)?ask\s+"
    r"(?P<rest>(?:why|whether|if|what|how|when|where|who)\b.+)$",
    re.I | re.S,
)
_MAY_I = re.compile(r"^(?P<modal>can|could|may)\s+i\s+(?P<rest>[a-z].+)$", re.I | re.S)
# "Kindly note that the amount has been paid": a statement of fact, however politely put.
_NOTICE = re.compile(
    r"^(?:(?:please|kindly|pls)\s+)(?:note|be\s+advised|be\s+informed|be\s+aware)\s+that\s+",
    re.I,
)
_WONDER = re.compile(
    r"^(?:i|we)(?:\s+(?:was|were|am|are))?\s+(?:just\s+)?wonder(?:ed|ing)?\s+(?:if|whether)\s+"
    r"(?P<rest>.+)$",
    re.I | re.S,
)


def _built_on_insult(text: str) -> bool:
    """Whether an insult that names someone holds the sentence up ("like a complete
    muppet"), once the insults that go as a unit ("what a pack of idiots you are") are out."""
    words = load_words()
    rest = words.vocative_pattern.sub("", words.exclamation_pattern.sub("", text))
    return words.named_insult_pattern.search(rest) is not None


def _condition_last(clean: str) -> str:
    """'If X, please do Y.' -> 'please do Y if X.' (other sentences as they are)."""
    match = _CONDITION_FIRST.match(clean)
    if not match:
        return clean
    verb = match.group("verb").lower()
    if verb != "please" and verb not in IMPERATIVE_VERBS:
        return clean
    condition = match.group("condition")
    return f"{match.group('ask').rstrip(' ?.')} {condition[0].lower()}{condition[1:]}."


def restate_request(text: str) -> str:
    """'Send me the files by Friday!!!' -> 'You asked us to send you the files by Friday.'"""
    if _built_on_insult(text):
        return ""  # "don't give me any crap about ...": built on the insult
    clean = neutral(text)
    clean = _OWN_ACTION_TAIL.sub("", _THREAT_TAIL.sub("", clean)).strip() if clean else clean
    if not clean:
        return ""
    clean = _condition_last(_TRAILING_CONJUNCTION.sub("", _CONCESSION.sub("", clean)))
    # "What I need is simple: please ...", "One more question from me: if it rains, ...?"
    clean = _condition_last(_AFTER_COLON.sub("", clean))
    may_ask = _MAY_I_ASK.match(clean)
    if may_ask:  # "While I've got you, can I ask why your website shows them in stock?"
        return f"You asked {swap_person(may_ask.group('rest')).rstrip(' ?.')}."
    may_i = _MAY_I.match(clean)
    if may_i:  # "Can I pay the balance in two parts?": what the client may do
        rest = re.sub(r"^please\s+", "", swap_person(may_i.group("rest")).rstrip(" ?."), flags=re.I)
        verb, _, thing = rest.partition(" ")
        if verb.lower() in ("have", "get") and thing:
            return f"You asked for {thing}."  # "Could I get an itemised breakdown?"
        return f"You asked whether you {may_i.group('modal').lower()} {rest}."
    clean = _RHETORICAL_TAIL.sub("", clean)
    after = _ASK_AFTER_CLAUSE.sub("", clean)
    if len(after.split()) > 3:  # not "You can do it by Friday, can you?"
        clean = after
    indirect = _indirect_ask(clean)
    if indirect:
        return indirect
    wonder = _WONDER.match(clean)
    if wonder:  # "I was wondering if the price includes VAT?"
        return f"You asked whether {swap_person(wonder.group('rest')).rstrip(' ?.')}."
    lead = _POLITE_LEAD.match(clean)
    removed = lead.group(0) if lead else ""
    # Only an ask ("please", "could you") makes what follows a request to act; a
    # stripped "and" or "now" does not.
    polite = _ASKING.search(removed) is not None
    core = clean[len(removed) :].strip(" :;,-\u2013")
    core = re.sub(r",\s*please\s*,\s*", " ", core, flags=re.I)  # "come out, please, rather"
    core = re.sub(r"[\s,]+though(?=\W*$)", "", core, flags=re.I)  # "on the 4th instead, though?"
    asked = core.endswith("?")
    if asked and polite:
        core = re.sub(r"\s+at\s+all(?=\s*\?$)", "", core)  # "narrow that down at all?"
    core = re.sub(r"[\s,]*\b(?:please|pls|plz)\b[\s,.?]*$", "", core, flags=re.I).rstrip(" ,")
    if asked and not core.endswith("?"):
        core += "?"
    if _THANKS.match(core) and "?" not in core and not _ASKING.search(core):
        return ""  # "thanks for the quote" asks for nothing
    first = core.split(" ", 1)[0].lower().strip(",")
    # "Do let me know when ...": an emphatic order; "Someone ring me today": an order too
    if first in ("do", "someone", "somebody", "anyone") and not core.endswith("?"):
        rest = core.split(" ", 1)[1].lstrip() if " " in core else ""
        if rest.split(" ", 1)[0].lower() in IMPERATIVE_VERBS:
            core, first = rest, rest.split(" ", 1)[0].lower()
    dont = _DONT.match(core.rstrip(" ?."))
    if dont and dont.group("verb").lower() in IMPERATIVE_VERBS:
        rest = re.sub(r"\s+either$", "", dont.group("rest"), flags=re.I)
        head, _, tail = rest.partition(", ")
        if tail and tail.split(" ", 1)[0].lower() in IMPERATIVE_VERBS:
            rest = head  # "don't ring me back with questions, just do it"
        return f"You asked us not to {lower_first(swap_person(rest))}."
    if (
        _RHETORICAL_OR.match(core)
        or _DISMISSIVE.search(core)
        or _QUOTE_ONLY.match(core)
        or _AMOUNT_FOR.match(core)
    ):
        # "Or shall I open ticket number five?", '"Elevate your everyday"?', "£75 for a bath?"
        return ""
    if not core.strip(" ?.:"):
        return ""  # "Could someone please:" before a list
    if _MODAL_SUBJECT.search(removed):
        # "Could you have a look", "could someone do it": an order, not a question; "could
        # someone who has read it reopen it" is neither, said politely
        if first in ("who", "which", "that"):
            return ""
        if _HAVE_SOMETHING.match(core):
            return f"You asked: {lower_first(swap_person(clean)).rstrip('.?')}?"
        return f"You asked us to {lower_first(swap_person(core.rstrip('?'))).rstrip('.')}."
    if first in ("should", "were", "had") and not core.endswith("?"):
        return ""  # "Should these not be forthcoming, I shall ...": a condition, not a question
    lets = _LETS.match(core)
    if lets:
        if lets.group("tag"):
            return ""
        return f"You suggested that we {swap_person(lets.group('rest')).rstrip('.?')}."
    if polite and first not in QUESTION_WORDS:
        core = core.rstrip("?")
    if core.endswith("?") or first in QUESTION_WORDS:
        question = swap_person(core).rstrip(".?")
        return f"You asked: {lower_first(question)}?"
    if first in IMPERATIVE_VERBS or polite:
        return f"You asked us to {lower_first(swap_person(core)).rstrip('.')}."
    if len(core.split()) < MIN_REQUEST_WORDS:
        return ""  # "I want:" before a list, a bare "Timeline."
    if first in ("whether", "if") and LIST_ITEM.match(text):
        if re.match(r"if\s[^,]+,\s*(?:i|we|you|they|he|she|it)\s", core, re.I):
            # "- If the agent deducts, you pay the £180": a condition and what should follow
            return f"You asked that, {lower_first(swap_person(core)).rstrip('.?')}."
        return f"You asked {lower_first(swap_person(core)).rstrip('.?')}."
    if first in ("need", "want", "expect"):
        core = f"I {lower_first(core)}"  # "need them by tomorrow", typed without its "I"
    # a list item asks for what it names ("- a blog section"), but one that tells what
    # happened ("1. We bought a new oven in February ...") asks only in words
    stated = not core.endswith("?") and (
        first in _SUBJECTS or (first in _POSSESSIVES and _TELLING_VERB.search(core) is not None)
    )
    if not _WISH.search(_NEGATED_LEAD.sub("", core)) and (stated or not LIST_ITEM.match(text)):
        return ""
    return f"You asked for the following: {lower_first(swap_person(core)).rstrip('.')}."


def _indirect_ask(clean: str) -> str:
    """'Any chance of a credit?', 'It would be great if you could ...': what is asked."""
    chance = _ANY_CHANCE_OF.match(clean)
    if chance:
        return f"You asked for {swap_person(clean[chance.end() :]).rstrip(' ?.')}."
    indirect = _INDIRECT_ASK.match(clean)
    if not indirect or not clean[indirect.end() :].strip(" ?.:"):
        return ""
    core = clean[indirect.end() :].rstrip(" ?.")
    core = re.sub(r"[\s,]*\b(?:please|pls|plz)\b[\s,.]*$", "", core, flags=re.I)
    return f"You asked us to {lower_first(swap_person(core))}."


def restate_fact(text: str) -> str:
    """A claim about what happened, in neutral words."""
    if _built_on_insult(text):
        return ""  # "he shrugged like a complete muppet" is no fact once "muppet" goes
    clean = neutral(text).rstrip("?")
    if len(clean.split()) < 2 or _THANKS.match(clean):
        return ""
    return _sentence_case(swap_person(clean))


# First words of a fragment rather than a statement: "With the font from v3.", "Got the
# posts.", "Let me list where we are".
_FRAGMENT_STARTS = {
    "with", "without", "maybe", "perhaps", "let", "also", "plus", "not", "just", "still",
    "and", "or", "but", "so", "because", "which", "who", "if", "unless", "although", "though",
    "got", "sent", "called", "paid", "had", "made", "said", "told", "went", "took", "left",
    "spent", "tried", "been", "asked", "emailed", "phoned", "rang", "booked", "ordered",
    "received", "reported", "chased", "waited", "looking", "hoping", "wondering", "thinking",
    "to", "don't", "do", "please", "expect", "never", "confirming", "following", "checking",
    "chasing", "writing", "right", "until", "except",
    "from", "subject", "date", "especially", "particularly", "including", "whether",
}  # fmt: skip
# "Picked Biscuit up on Saturday and ...": a past tense with no subject before it
# (not "Based on ...", "Need ...", "Hundred ...").
_SUBJECTLESS = re.compile(
    r"^(?!(?:need|speed|breed|bleed|hundred|sacred|naked|wicked|indeed|shred)\b)"
    r"[a-z]{3,}ed\s+(?!(?:on|to|by|in|at|as)\b)",
    re.I,
)
_OBJECTS = frozenset({
    "the", "a", "an", "my", "your", "our", "his", "her", "their", "it", "this", "that",
    "these", "those", "them", "him", "me", "us", "you",
})  # fmt: skip
_WH = frozenset({"why", "how", "where", "when", "what", "who", "which"})
_ASKING_VERBS = frozenset({
    "has", "have", "had", "is", "are", "was", "were", "do", "does", "did", "will", "would",
    "can", "could", "should",
})  # fmt: skip
# "our have been out": a word the insult filter took out left its possessive behind
_ORPHAN_POSSESSIVE = re.compile(
    r"\b(?:our|your|my|their)\s+(?:have|has|had|are|is|was|were|will|did|do|does)\b", re.I
)
# The client's "you did ...", anywhere in the fact ("... because you let me pick it"): an
# accusation, which "I have noted that" would concede.
_OUR_DOING = re.compile(r"\bwe(?:'ve|'re|'d|'ll)?\b", re.I)
# "£320 for cleaning when ...": an amount and what it was for, no statement.
_AMOUNT_FOR = re.compile(r"^[£$€]?\d[\d,.]*\s*(?:[£$€]|eur|gbp|usd)?\s+(?:for|on)\b", re.I)
# A statement has a verb; these are the ones a client's account of events is told with.
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|am|has|have|had|do|does|did|will|would|can|could|should|shall"
    r"|may|might|must|says|said|got|gets|took|takes|came|comes|went|goes|made|makes|left"
    r"|sent|told|paid|gave|gives|kept|keeps|needs|wants|shows|showed|feels|looks|seems"
    r"|thinks|thought|knows|knew|stopped|started|broke|won't|take|takes|work|works|load|loads"
    r"|cost|costs|run|runs|show|say|need|want|look|keep|seem|happen|happens|arrive|arrives"
    r"|include|includes|contain|contains|mean|means|remain|remains|fail|fails|owe|owes"
    r"|assume|stays|stay|hope|hopes|believe|believes|understand|understands"
    r"|[a-z]+ed|[a-z]+'(?:s|re|ve|d|ll)"
    r"|[a-z]+n't)\b",
    re.I,
)


def can_be_noted(fact: str) -> bool:
    """Whether a restated fact reads well after "I have noted that": a statement with a
    verb, neither a fragment nor sarcasm or a feeling quoted back."""
    first, second = ([*fact.lower().split(None, 2), "", ""])[:2]
    first = first.strip(",.:;")
    return (
        first not in _FRAGMENT_STARTS
        and _SUBJECTLESS.match(fact) is None
        and not (first in IMPERATIVE_VERBS and second in _OBJECTS)  # "redo the grade ..."
        and not (first in _WH and second in _ASKING_VERBS)  # "why has £89 come out twice"
        and _ORPHAN_POSSESSIVE.search(fact) is None
        and _OUR_DOING.search(fact) is None
        and _AMOUNT_FOR.match(fact) is None
        and _FINITE_VERB.search(fact) is not None
        and load_words().unnoted_pattern.search(fact) is None
    )


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
    if text.strip("()[] ").lower() in ("no subject", "untitled", "none"):
        return None
    if not text or "?" in text or _SCARE_QUOTES.search(text):
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


# "To whoever is in charge," / "Dear Mr Rahman,": whom the message is addressed to.
_SALUTATION = re.compile(
    r"^\s*(?:to\s+(?:whom\s+it\s+may\s+concern|whoever\s+(?:is\s+in\s+charge|it\s+may\s+"
    r"concern|reads\s+this|deals\s+with\s+[\w\s]{1,30})|the\s+(?:manager|owner|director|team"
    r"|person\s+in\s+charge|customer\s+services?(?:\s+team)?))"
    r"|dear\s+[^,.!?]{1,40})\s*[,:.!]?\s*$",
    re.I,
)


_SUBJECTS = frozenset({"i", "we", "he", "she", "they", "it", "there"})
_POSSESSIVES = frozenset({"my", "our", "his", "her", "their"})
# "My husband has been doing the deliveries": a verb that tells what happened
_TELLING_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|did|does|do|been|said|says|went"
    r"|came|left|paid|sent|told|got|gets|keeps|kept)\b",
    re.I,
)
_PLEASE_FIRST = re.compile(r"^(?:please|kindly)\b", re.I)
# "Re: Booking reference VH-2024-0613, ...": the letter's heading, no fact.
_RE_LINE = re.compile(r"^\s*re\s*:", re.I)
# A sentence that asks: it opens with a question word or an auxiliary, or ends on a tag.
_QUESTION = re.compile(
    # a question's first words (`QUESTION_WORDS`), "any" aside
    rf"^(?:{'|'.join(sorted(QUESTION_WORDS - {'any'}))})\b[^?]*\?\s*$"
    r"|[,;:\-\u2013]\s*(?:is|are|was|were|do|does|did|has|have|can|could|will|would)\s+"
    r"(?:that|it|this|they|he|she|you)\b[^,;?]*\?\s*$",
    re.I,
)


def _item(sentence: Sentence, text: str) -> DetachedItem:
    return DetachedItem(text=text, source=sentence.text, start=sentence.start, end=sentence.end)


def detach(message: Message, analysis: Analysis) -> Detached:
    """Requests, facts and threats of the message in neutral words, with their spans."""
    requests, facts, threats = [], [], []
    asked_for_list = just_asked = False
    for sentence in analysis.sentences:
        if _SALUTATION.match(sentence.text):
            continue
        # "Could someone please:" (or "Would you mind adding a few bits? Nothing major:")
        # and the list after it: each item is asked for, whatever the role head makes of
        # a bare "- give me a real date,"
        listed = asked_for_list and LIST_ITEM.match(sentence.text) is not None
        leads_in = sentence.text.rstrip().endswith(":")
        asked_for_list = listed or (
            leads_in
            and (
                sentence.role == "request"
                or just_asked
                or _ASKING.search(sentence.text) is not None  # "I therefore request ...:"
                or _WISH.search(sentence.text) is not None
            )
        )
        just_asked = sentence.role == "request"
        said = neutral(sentence.text)
        notice = _NOTICE.match(said)
        if notice:  # "Kindly note that the invoice was paid on 28 February"
            text = restate_fact(said[notice.end() :])
            if text:
                facts.append(_item(sentence, text))
        elif (
            listed
            or sentence.role == "request"
            or (sentence.role == "fact" and _PLEASE_FIRST.match(said))
            or (
                sentence.role in ("emotion", "other")
                and sentence.text.rstrip().endswith("?")
                and sentence.role_scores.get("request", 0) > 0.2
            )
        ):
            text = restate_request(sentence.text)
            if listed and text and requests and requests[-1].source.rstrip().endswith(":"):
                requests.pop()  # "clarify the following points:" says less than its list
            if text:
                requests.append(_item(sentence, text))
            elif listed and sentence.role == "fact" and (fact := restate_fact(sentence.text)):
                facts.append(_item(sentence, fact))  # "1. We bought a new oven in February."
        elif sentence.role == "fact" and _QUESTION.search(said):
            # "What is the extra £100?", "The deposit - did that go through?": a question,
            # whatever else the role head saw in it
            text = restate_request(sentence.text)
            if text:
                requests.append(_item(sentence, text))
        elif sentence.role == "fact" and not leads_in and not _RE_LINE.match(sentence.text):
            # ("To be clear about where we are:" leads into what follows; it states nothing)
            text = restate_fact(sentence.text)
            if text:
                facts.append(_item(sentence, text))
        elif sentence.role == "threat" and not leads_in:
            text = restate_threat(sentence.text)
            if text:
                threats.append(_item(sentence, text))
            # "I want the gallery by Friday, or I'm posting reviews", "I want the £900
            # back, and I'm telling the street": the ask before the threatened
            # consequence is a request too
            if _THREAT_TAIL.search(said) or _OWN_ACTION_TAIL.search(said):
                asked = restate_request(sentence.text)
                if asked:
                    requests.append(_item(sentence, asked))
    needs_reply = bool(requests or threats or analysis.complaints or analysis.threat_present)
    if load_words().no_reply_pattern.search(message.new_text):
        needs_reply = analysis.threat_present  # "No need to reply." unless it threatens
    return Detached(requests=requests, facts=facts, threats=threats, needs_reply=needs_reply)

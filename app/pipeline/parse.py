"""Turn an incoming email (plain text, HTML or raw RFC 822/MIME) into a `Message`.

The body is decoded and made readable, then split into what the sender wrote this
time (`new_text`), the quoted history (`quoted`) and the signature/disclaimers
(`signature`). Bad input raises `InputError` with a message fit for the user.
"""

from __future__ import annotations

import html
import quopri
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from functools import lru_cache

from inscriptis import get_text
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.parser import EmailMessage as ReplyParserMessage

from app.errors import InputError
from app.pipeline.types import Message

DEFAULT_MAX_BYTES = 256 * 1024

# --------------------------------------------------------------------------- decoding

_CHARSET_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "utf8mb4": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
# Labels that in real mail almost always mean windows-1252 (as browsers treat them).
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1", "cp819"}
_ASCII_LABELS = {"us-ascii", "ascii", "ansi_x3.4-1968", "646"}

# Control characters that never occur in real text (tab, newlines, form feed allowed).
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_GARBAGE_RATIO = 0.05
# Real Latin-1/cp1252 prose is mostly ASCII; random bytes are half non-ASCII.
_MOJIBAKE_RATIO = 0.3


def _charset_candidates(charset: str | None) -> list[str]:
    """Encodings to try, in order, for a declared charset (may be None or bogus)."""
    out: list[str] = []
    if charset:
        label = charset.strip().strip("\"'").lower()
        if label in _LATIN1_LABELS:
            out += ["cp1252", "latin-1"]
        elif label in _ASCII_LABELS:
            out.append("ascii")
        else:
            out.append(_CHARSET_ALIASES.get(label, label))
    out += ["utf-8", "cp1252"]
    return out


def _decode_bytes(raw: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset, then UTF-8, then cp1252 (lossy only as a last resort)."""
    return _decode_bytes_guessed(raw, charset)[0]


def _decode_bytes_guessed(raw: bytes, charset: str | None = None) -> tuple[str, bool]:
    """Decoded text, and whether it came from the cp1252 guess rather than a known charset."""
    candidates = _charset_candidates(charset)
    for position, encoding in enumerate(candidates):
        try:
            return raw.decode(encoding), position == len(candidates) - 1
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("cp1252", errors="replace"), True


def _is_mojibake(text: str) -> bool:
    """True when text guessed as cp1252 is mostly non-ASCII symbols: random bytes, not prose."""
    visible = [char for char in text if not char.isspace()]
    if not visible:
        return False
    foreign = sum(1 for char in visible if not char.isascii())
    return foreign / len(visible) > _MOJIBAKE_RATIO


def _is_garbage(text: str) -> bool:
    """True when the text holds too many control or replacement characters to be real text."""
    if not text:
        return False
    return len(_BAD_CHARS.findall(text)) / len(text) > _GARBAGE_RATIO


def _fix_surrogates(value: str) -> str:
    """Turn surrogate-escaped 8-bit bytes (from raw headers) back into text."""
    if not any("\ud800" <= ch <= "\udfff" for ch in value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    try:
        return _decode_bytes(raw)
    except UnicodeEncodeError:  # pragma: no cover - lone surrogates that were never bytes
        return value.encode("utf-8", errors="replace").decode("utf-8")


def _input_to_text(data: str | bytes) -> tuple[str, bytes | None, bool]:
    """Check type and NUL bytes and decode.

    Returns (text, original bytes or None, whether the encoding was only guessed as cp1252).
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16"), None, False
            except UnicodeDecodeError as exc:
                raise InputError("The message could not be decoded: invalid UTF-16 text.") from exc
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if b"\x00" in data:
            raise InputError(
                "The message could not be decoded: it contains NUL bytes (binary data, not text)."
            )
        text, guessed = _decode_bytes_guessed(data)
        return text, data, guessed
    if isinstance(data, str):
        # Lone surrogates cannot be encoded later on; make them visible replacement chars.
        text = data.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
        if "\x00" in text:
            raise InputError(
                "The message could not be decoded: it contains NUL characters (binary data)."
            )
        return text.removeprefix("\ufeff"), None, False
    raise InputError(f"The message must be text or bytes, not {type(data).__name__}.")


# --------------------------------------------------------------------------- detection

_KNOWN_HEADER_NAMES = """
    from to cc bcc subject date mime-version content-type content-transfer-encoding
    received return-path message-id delivered-to reply-to sender in-reply-to references
    x-mailer user-agent dkim-signature authentication-results thread-topic thread-index
    list-id importance x-originating-ip arc-seal arc-message-signature
    arc-authentication-results received-spf x-received envelope-to content-language
    accept-language x-ms-exchange-organization-scl
"""
_KNOWN_HEADERS = frozenset(_KNOWN_HEADER_NAMES.split())
_HEADER_LINE = re.compile(r"^([!-9;-~]+):")
_MBOX_FROM = re.compile(r"^From \S+.*\d{4}\s*$")


def _header_block_end(lines: list[str]) -> int | None:
    """Index of the blank line ending the leading header block, len(lines) if none,
    or None when the text does not start with RFC 822 header lines."""
    start = 1 if lines and _MBOX_FROM.match(lines[0]) else 0
    known = False
    index = start
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            break
        if line[0] in " \t" and index > start:
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            return None
        known = known or match.group(1).lower() in _KNOWN_HEADERS
    else:
        index = len(lines)
    if index == start or not known:
        return None
    return index


_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|table|tr|td|th|tbody|a|b|i|u|strong|em|ul|ol|li|h[1-6]|body|head"
    r"|font|img|blockquote|hr|center|style|script|meta|title|pre|section|article)(?:\s[^<>]*)?/?>",
    re.I,
)


def _looks_like_html(text: str) -> bool:
    """True for text that starts like an HTML document or is full of HTML tags."""
    if _HTML_START.match(text):
        return True
    return len(_HTML_TAG.findall(text, 0, 20000)) >= 3


# --------------------------------------------------------------------------- text clean-up

_INVISIBLE = re.compile(r"[\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MANY_BLANKS = re.compile(r"\n{3,}")


# What a mail client's HTML-to-text conversion leaves behind in plain text: character
# entities ("&nbsp;") and placeholders of inline images ("[cid:image001.png@01DA...]").
_ENTITY = re.compile(
    r"&(?:nbsp|amp|lt|gt|quot|apos|rsquo|lsquo|rdquo|ldquo|ndash|mdash|hellip|pound|euro"
    r"|#\d{1,5}|#x[0-9a-f]{1,4});",
    re.I,
)
_CID = re.compile(r"\[cid:[^\]\s]+\]", re.I)


def _normalize(text: str, *, strip_lines: bool = False) -> str:
    """Unify line endings and spaces, drop invisible characters and trailing blanks."""
    text = _CID.sub("", _ENTITY.sub(lambda m: html.unescape(m.group(0)), text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    lines = [line.strip() if strip_lines else line.rstrip() for line in text.split("\n")]
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip("\n")


def _html_to_text(html: str) -> str:
    """Readable text of an HTML body (script and style dropped) via inscriptis."""
    if not html.strip():
        return ""
    try:
        text = get_text(html)
    except Exception as exc:  # lxml raises a variety of errors on broken documents
        raise InputError(f"The HTML body could not be read: {exc}") from exc
    return _normalize(text, strip_lines=True)


def _unflow(text: str, delsp: bool) -> str:
    """Join RFC 3676 format=flowed soft line breaks (lines ending with a space)."""
    out: list[str] = []
    buffer = ""
    for line in text.split("\n"):
        if line.startswith(">"):
            if buffer:
                out.append(buffer)
                buffer = ""
            out.append(line)
            continue
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
            continue
        out.append(buffer + line)
        buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)


# --------------------------------------------------------------------------- MIME

_FATAL_DEFECTS = (
    "NoBoundaryInMultipartDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
)
# Charsets whose text is 7-bit ASCII escapes that still need decoding.
_SEVEN_BIT_CHARSET = re.compile(r"^(?:iso-2022-|utf-7|hz-gb-2312|hz$)", re.I)
_ENCODED_CTE = {"quoted-printable", "base64", "x-uuencode", "uuencode", "x-uue", "uue"}


def _part_text(part: EmailMessage, from_bytes: bool) -> str:
    """Decoded text of one text/* MIME part; InputError when it is binary junk."""
    text, guessed = _part_text_guessed(part, from_bytes)
    if "\x00" in text or _is_garbage(text) or (guessed and _is_mojibake(text)):
        raise InputError(
            "The message body could not be decoded: it is binary data or in an unknown encoding."
        )
    return text


def _part_text_guessed(part: EmailMessage, from_bytes: bool) -> tuple[str, bool]:
    """Decoded text of one text/* MIME part (transfer encoding and charset), and whether
    its encoding was only guessed."""
    charset = part.get_content_charset()
    cte = str(part.get("content-transfer-encoding", "7bit")).strip().lower()
    payload = part.get_payload(decode=False)
    if not isinstance(payload, str):
        return "", False
    if not from_bytes and cte not in _ENCODED_CTE:
        if payload.isascii() and _SEVEN_BIT_CHARSET.match(charset or ""):
            return _decode_bytes_guessed(payload.encode("ascii"), charset)  # ISO-2022-JP etc.
        return payload, False  # pasted text: already Unicode, the charset no longer applies
    if not from_bytes and cte == "quoted-printable" and not payload.isascii():
        # A pasted message whose QP body was already partly decoded to Unicode.
        return _decode_bytes_guessed(quopri.decodestring(payload.encode("utf-8")), "utf-8")
    raw = part.get_payload(decode=True)  # the original bytes, transfer encoding undone
    return _decode_bytes_guessed(raw if isinstance(raw, bytes) else b"", charset)


def _is_attachment(part: EmailMessage) -> bool:
    """True for a part sent as an attachment (never read as the body)."""
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment"


def _outer_parts(msg: EmailMessage) -> list[EmailMessage]:
    """The message and its MIME parts, not descending into attached messages."""
    parts = [msg]
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        for part in msg.iter_parts():
            parts.extend(_outer_parts(part))  # type: ignore[arg-type]
    return parts


_MAX_FORWARDS = 10


def _attached_messages(msg: EmailMessage, from_bytes: bool, depth: int = 0) -> list[str]:
    """Readable text of emails attached as message/rfc822 (a forward "as attachment").

    An attached email with no text of its own (a bare forward of a forward) is read
    through, down to `_MAX_FORWARDS` levels.
    """
    texts: list[str] = []
    for part in _outer_parts(msg):
        if part.get_content_type() != "message/rfc822":
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, EmailMessage):
            continue
        try:
            body = _mime_body(inner, from_bytes)
        except InputError:
            if depth < _MAX_FORWARDS:
                texts += _attached_messages(inner, from_bytes, depth + 1)
            continue
        head = [
            f"{name}: {value}"
            for name in ("From", "Date", "Subject")
            if (value := _header_str(inner, name))
        ]
        texts.append("\n".join([*head, "", body]).strip() if head else body)
    return [text for text in texts if text.strip()]


def _mime_body(msg: EmailMessage, from_bytes: bool, *, required: bool = True) -> str:
    """The readable body of a parsed message: text/plain preferred, else HTML as text.

    With required=False a message without any text part gives "" instead of InputError.
    """
    for part in msg.walk():
        names = [type(defect).__name__ for defect in part.defects]
        if any(name in _FATAL_DEFECTS for name in names):
            ctype = part.get_content_type()
            raise InputError(
                f"Malformed MIME message: the {ctype} part has a missing or unmatched "
                "boundary, so its parts cannot be separated."
            )

    plain: EmailMessage | None = None
    html: EmailMessage | None = None
    try:
        plain = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
    except Exception:  # get_body trips on some broken structures; fall back to walking
        plain = html = None
    if plain is None and html is None:
        for part in _outer_parts(msg):
            if part.is_multipart() or _is_attachment(part):
                continue
            ctype = part.get_content_type()
            if ctype == "text/html" and html is None:
                html = part
            elif ctype.startswith("text/") and plain is None:
                plain = part
    if (
        plain is None
        and html is None
        and not msg.is_multipart()
        and (msg.get_content_maintype() == "text" or msg.get("content-type") is None)
    ):
        plain = msg

    if plain is not None:
        text = _part_text(plain, from_bytes)
        if text.strip():
            if _looks_like_html(text):
                return _html_to_text(text)
            params = {
                key.lower(): str(value).lower()
                for key, value in plain.get_params(header="content-type") or []
            }
            if params.get("format") == "flowed":
                text = _unflow(text.replace("\r\n", "\n"), params.get("delsp") == "yes")
            return _normalize(text)
    if html is not None:
        return _html_to_text(_part_text(html, from_bytes))
    if plain is not None or not required:
        return ""
    raise InputError("The message has no readable text part (only attachments or non-text parts).")


def _header_str(msg: EmailMessage, name: str) -> str | None:
    """A header value as clean text, or None when absent or unreadable."""
    try:
        value = msg.get(name)
    except Exception:
        value = None
        for key, raw in msg.raw_items():
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return None
    text = _fix_surrogates(str(value)).strip()
    return text or None


def _parse_address(value: str | None) -> tuple[str | None, str | None]:
    """(display name, address) of an address header value such as 'Dana <d@x.com>'."""
    if not value:
        return None, None
    try:
        pairs = getaddresses([value])
    except Exception:
        pairs = [parseaddr(value)]
    name, address = pairs[0] if pairs else ("", "")
    name = _fix_surrogates(name).strip().strip("\"'").strip()
    address = address.strip()
    if "@" not in address:
        # parseaddr puts a bare name in the address slot.
        if not name and address and "@" not in value:
            name = value.strip().strip("\"'")
        address = ""
    return (name or None), (address or None)


_NEEDS_QUOTES = re.compile(r'[][\\()<>@,:;".]')


def format_sender(name: str | None, address: str) -> str:
    """'Name <address>' that `parse_message(sender=...)` reads back as the same two parts.

    Unlike `email.utils.formataddr`, any script is kept as it is (no RFC 2047 encoded
    words, and internationalised addresses are accepted).
    """
    if not name:
        return address
    if _NEEDS_QUOTES.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def _has_utc_time(moment: datetime) -> bool:
    """Whether `moment` (timezone-aware) is also a valid time in UTC (not beyond year 1-9999)."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


def _parse_date(value: str | None) -> datetime | None:
    """A timezone-aware datetime from a Date header value (naive values taken as UTC)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_raw(
    text: str, raw_bytes: bytes | None, lines: list[str], header_end: int
) -> tuple[str, str, dict[str, str], EmailMessage]:
    """Parse a raw RFC 822 message.

    Returns (readable body, text of attached emails, headers, parsed message).
    """
    if not "\n".join(lines[header_end + 1 :]).strip():
        raise InputError("Malformed message: it has headers but no body.")
    if raw_bytes is not None:
        msg = BytesParser(policy=policy.default).parsebytes(raw_bytes)
    else:
        msg = Parser(policy=policy.default).parsestr(text)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default guarantees it
        raise InputError("Malformed message: it could not be parsed.")
    headers: dict[str, str] = {}
    for key in msg:
        if key not in headers:
            value = _header_str(msg, key)
            if value is not None:
                headers[key] = value
    from_bytes = raw_bytes is not None
    attached = "\n\n".join(_attached_messages(msg, from_bytes))
    body = _mime_body(msg, from_bytes, required=not attached)
    return body, attached, headers, msg


# --------------------------------------------------------------------------- splitting

_QUOTE_LINE = re.compile(r"^\s*>")
_ATTR_PREFIX = (
    r"(?:(?:On|Am|Le|El|Il|Op|Em|Den|På|Dnia|W dniu|Dne|În|Pe|В|Во|Kello)\s"
    r"|\d{1,4}[./-]\d{1,2}|\d{1,2}\.?\s\w+)"
)
_VERBS_END = (
    r"(?:wrote|writes|has written|schrieb|a écrit|escribió|escribio|ha scritto|schreef|"
    r"escreveu|skrev|kirjoitti|napisał\(a\)|napisała|napisał|napsal\(a\)|napsal|"
    r"пишет|написал\(а\)|написала|написал|a scris|yazdı|írta|menulis)"
)
# Verbs that some clients put before the name: "Am ... schrieb Sam Lee <sam@x.com>:".
_VERBS_TAIL = r"(?:schrieb|schreef|skrev|kirjoitti|írta|пишет)"
# Chinese and Korean clients put the verb right after the name, with a full-width colon.
_VERBS_CJK = r"(?:写道|寫道|님이 작성(?:하였습니다|했습니다)?)"
_ATTR_BODY = (
    rf".{{0,300}}?(?:\b{_VERBS_END}\s*:|{_VERBS_CJK}\s*[:：]|\b{_VERBS_TAIL}\s.{{1,150}}:)\s*$"
)
_ATTR_WITH_PREFIX = re.compile(rf"^{_ATTR_PREFIX}{_ATTR_BODY}", re.I)
_ATTR_GENERIC = re.compile(rf"^{_ATTR_BODY}", re.I)
# A real attribution carries a time, a year, a numeric date or an address.
_ATTR_EVIDENCE = re.compile(
    r"\d{1,2}[:.]\d{2}|\b(?:19|20)\d{2}\b|\d{4}年|@|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
)
# "Sam Lee wrote:" (old Thunderbird): history only when "> " lines follow.
_ATTR_SHORT = re.compile(rf"^.{{1,120}}?\b{_VERBS_END}\s*:\s*$", re.I)
# Gmail in some locales: "пн, 8 янв. 2024 г. в 10:00, Sam <sam@x.com>:"
_ATTR_EMAIL_END = re.compile(r"^(?=.*\d).{0,300}<[^<>\s]+@[^<>\s]+>\)?\s*:\s*$")
_ATTR_START_WORD = re.compile(rf"^{_ATTR_PREFIX}", re.I)

_SEPARATOR = re.compile(
    r"^[-=_*\s]{2,}\s*(?:original message|forwarded message|forwarded e-?mail|"
    r"ursprüngliche nachricht|weitergeleitete nachricht|originalnachricht|"
    r"message d'origine|message transféré|message original|mensaje original|"
    r"mensaje reenviado|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|"
    r"doorgestuurd bericht|oprindelig meddelelse|videresendt meddelelse|"
    r"ursprungligt meddelande|vidarebefordrat meddelande|mensagem original|"
    r"mensagem encaminhada|wiadomość oryginalna|oryginalna wiadomość|przekazana wiadomość|"
    r"původní zpráva|přeposlaná zpráva|исходное сообщение|пересылаемое сообщение|"
    r"пересланное сообщение|mesaj original|mesaj redirecționat|alkuperäinen viesti|"
    r"välitetty viesti)\s*[-=_*\s]{2,}$",
    re.I,
)
_FORWARD_INTRO = re.compile(
    r"^(?:begin forwarded message|anfang der weitergeleiteten nachricht|"
    r"début du message réexpédié|début du message transféré|inicio del mensaje reenviado|"
    r"inizio messaggio inoltrato|início da mensagem reencaminhada|"
    r"doorgestuurd bericht begint)\s*:\s*$",
    re.I,
)
_UNDERSCORES = re.compile(r"^[_\-]{10,}\s*$")
_FROM_LINE = re.compile(
    r"^\*?(?:From|Von|De|Da|Van|Från|Fra|Od|От|Lähettäjä|Feladó|Kimden|Expéditeur)\s*:\*?\s*\S",
    re.I,
)
_HEADERISH_LINE = re.compile(
    r"^\*?(?:Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|Objet|Enviado|"
    r"Fecha|Para|Asunto|Inviato|Data|A|Oggetto|Verzonden|Aan|Onderwerp|Skickat|Till|Ämne|"
    r"Sendt|Til|Emne|Wysłano|Do|Temat|Odesláno|Komu|Předmět|Отправлено|Кому|Тема|Дата|"
    r"Lähetetty|Vastaanottaja|Aihe)\s*:",
    re.I,
)


@lru_cache(maxsize=1)
def _library_header_regex() -> re.Pattern[str]:
    """mail-parser-reply's reply-header regex over many languages.

    Polish is left out: its 'From' header rule fires on a single "Do:"/"Data:" line.
    """
    languages = [lang for lang in MAIL_LANGUAGES if lang != "pl"]
    return ReplyParserMessage(text="", languages=languages).HEADER_REGEX


def _attribution_length(stripped: list[str], index: int) -> int:
    """Number of lines (1-3) of a reply attribution ("On ... wrote:") starting at index, or 0."""
    first = stripped[index]
    if not first or len(first) > 400:
        return 0
    if _ATTR_EVIDENCE.search(first) and (
        _ATTR_WITH_PREFIX.match(first) or _ATTR_GENERIC.match(first) or _ATTR_EMAIL_END.match(first)
    ):
        return 1
    if not _ATTR_START_WORD.match(first) or first.endswith((".", "!", "?")):
        return 0
    joined = first
    for extra in (1, 2):
        if index + extra >= len(stripped) or not stripped[index + extra]:
            return 0
        joined = f"{joined} {stripped[index + extra]}"
        if len(joined) > 450:
            return 0
        if _ATTR_EVIDENCE.search(joined) and (
            _ATTR_WITH_PREFIX.match(joined) or _ATTR_EMAIL_END.match(joined)
        ):
            return extra + 1
    return 0


def _is_outlook_header(stripped: list[str], index: int) -> bool:
    """True when a From:-line is followed by Sent:/To:/Subject: lines (Outlook style)."""
    if not _FROM_LINE.match(stripped[index]):
        return False
    ahead = [line for line in stripped[index + 1 : index + 6] if line]
    return any(_HEADERISH_LINE.match(line) for line in ahead[:4])


_LIBRARY_WINDOW_LINES = 7
_LIBRARY_MAX_LINE = 500


def _library_sees_header(stripped: list[str], index: int) -> bool:
    """True when mail-parser-reply's header regex matches a reply header starting at this line.

    The regex is run on a few lines from here only: on a whole 200 KB body its lazy
    patterns take seconds.
    """
    line = stripped[index]
    if not line or len(line) > _LIBRARY_MAX_LINE or (":" not in line and "：" not in line):
        return False
    window = [
        s for s in stripped[index : index + _LIBRARY_WINDOW_LINES] if len(s) <= _LIBRARY_MAX_LINE
    ]
    match = _library_header_regex().match("\n".join(window))
    return bool(match) and not match.group().lstrip(" \t>").startswith("\n")


def _split_history(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split body lines into (new lines, quoted history lines)."""
    stripped = [line.strip() for line in lines]
    new: list[str] = []
    quoted: list[str] = []
    index = 0
    while index < len(lines):
        line = stripped[index]
        if _QUOTE_LINE.match(line):
            quoted.append(lines[index])
            index += 1
            continue
        if not line:
            new.append("")
            index += 1
            continue
        attribution = _attribution_length(stripped, index)
        if attribution or _ATTR_SHORT.match(line):
            after = index + (attribution or 1)
            while after < len(lines) and not stripped[after]:
                after += 1
            if after < len(lines) and _QUOTE_LINE.match(stripped[after]):
                # "On ... wrote:" heading a block of "> " lines: only that block is history.
                quoted.extend(lines[index:after])
                index = after
                continue
            if attribution:
                quoted.extend(lines[index:])
                break
        is_cut = (
            _SEPARATOR.match(line)
            or _FORWARD_INTRO.match(line)
            or _is_outlook_header(stripped, index)
            or (
                _UNDERSCORES.match(line)
                and any(_FROM_LINE.match(s) for s in stripped[index + 1 : index + 4])
            )
            or _library_sees_header(stripped, index)
        )
        if is_cut:
            quoted.extend(lines[index:])
            break
        new.append(lines[index])
        index += 1
    return new, quoted


_MOBILE_SIGNATURE = re.compile(
    r"^(?:sent from my|sent from (?:mail|outlook|yahoo|gmail|samsung|proton)|sent with|"
    r"sent via|get outlook for|von meinem \S+ gesendet|gesendet von|envoyé de mon|"
    r"envoyé depuis|enviado desde mi|enviado do meu|inviato da|verzonden vanaf|"
    r"skickat från|sendt fra min|wysłano z|odesláno z|отправлено с)\b.{0,80}$",
    re.I,
)
_SIG_DELIMITER = re.compile(r"^--\s*$")
_DISCLAIMER = re.compile(
    r"^\W*(?:"
    r"(?:confidentiality|privacy|legal|important|email|e-mail) (?:notice|note|statement|"
    r"warning|disclaimer)|disclaimer\b|privileged (?:and|&) confidential|"
    r"this (?:e-?mail|message|communication|transmission)\b.{0,120}?"
    r"\b(?:confidential|privileged|intended (?:solely|only|for)|may contain)|"
    r"the (?:information|contents?) (?:contained )?in this (?:e-?mail|message|communication)|"
    r"if you (?:are not the intended recipient|have received this (?:e-?mail|message) in error)|"
    r"(?:caution|warning|external(?: email)?|attention)\s*:\s*this (?:e-?mail|message) "
    r"(?:originated|came|was sent|is) from outside|"
    r"please consider the environment before printing|"
    r"diese (?:e-?mail|nachricht) (?:enthält|ist) vertraulich|"
    r"ce (?:message|courriel|e-?mail) (?:est|et) (?:confidentiel|strictement)"
    r")",
    re.I,
)
_SIGNOFF = re.compile(
    r"^(?P<phrase>(?:(?:best|kind|kindest|warm|warmest|many|with|with kind|with best|"
    r"best personal)\s+)?(?:regards|wishes)|best|cheers|thanks(?: again| so much| a lot"
    r"| in advance)?|thank you(?: again| in advance| so much)?|many thanks|thx|tia|ta|"
    r"sincerely(?: yours)?|yours(?: sincerely| truly| faithfully)?|respectfully|cordially|"
    r"all the best|take care|talk soon|speak soon|br|rgds|regds|(?:lots of )?love|xoxo|xx+|"
    r"mit freundlichen grüßen|mit freundlichen grüssen|mfg|viele grüße|beste grüße|"
    r"liebe grüße|freundliche grüße|grüße|gruß|cordialement|bien cordialement|"
    r"bien à vous|salutations|merci|saludos(?: cordiales)?|atentamente|un saludo|"
    r"cordiali saluti|distinti saluti|saluti|met vriendelijke groet(?:en)?|groeten|"
    r"med vänliga hälsningar|vänliga hälsningar|hälsningar|med venlig hilsen|hilsen|"
    r"mvh|pozdrawiam|z poważaniem|s pozdravem|с уважением|cu stimă|cu stima|"
    r"cu respect|toda la suerte|abraços|atenciosamente)"
    r"[ \t]*[,.!:;\-–—]*[ \t]*(?P<name>[^\s,.!:;\-–—].*?)?[ \t]*[,.!]*$",
    re.I,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hallo|"
    r"guten tag|bonjour|hola|buongiorno|hej|salut|to whom it may concern)\b",
    re.I,
)
_NAME = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3}$"
)
_CONTACT = re.compile(
    r"(?:\+?\d[\d\s().-]{6,}\d|[\w.+-]+@[\w-]+\.[\w.-]+|https?://|www\.|\s[|•·]\s|^[|•·]|"
    r"^(?:t|m|p|f|tel|phone|mobile|cell|fax|office|direct|e|email|web)\s*[:.]\s*\S"
    r"|^@\w{2,30}$"  # a social handle
    # a street address: "23 Milton Close", "14 Orchard Close, Little Haddon"
    r"|^\d{1,4}[a-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:road|street|close|lane|avenue|drive|way|court"
    r"|terrace|place|crescent|gardens|grove|row|square|hill|park|mews|walk)\b)",
    re.I,
)
_PROSE_END = re.compile(r"[.!?]['\")\]]*$")
_POSTSCRIPT = re.compile(r"^p\.?\s?p?\.?\s?s\.?\b|^ps\b", re.I)


# "Tom & Priya Adeyemi", "Sam and Alex": a couple signing together
COUPLE = re.compile(r"^\s*([^\W\d_][\w'’-]*)\s+(?:&|and)\s+([^\W\d_][\w'’-]*)")


def _looks_like_name(line: str) -> bool:
    """True for 1-4 capitalised words without digits (e.g. "Pat Morgan", "Dr. Lee")."""
    line = COUPLE.sub(r"\1 \2", line.strip().rstrip(","))
    if not line or len(line) > 50 or not _NAME.match(line):
        return False
    words = [word for word in re.split(r"\s+", line) if word]
    return all(word[0].isupper() for word in words)


_ORG_SUFFIX = re.compile(
    r"\b(?:inc|ltd|co|corp|llc|plc|gmbh|ag|sa|s\.a|bv|b\.v|nv|oy|ab|jr|sr|phd|ph\.d|m\.d|esq)\.$",
    re.I,
)
_TITLE_SMALL_WORDS = frozenset({"of", "and", "the", "for", "at", "&", "de", "und", "et", "y"})


def _signature_like(line: str) -> bool:
    """True for short lines found in signature blocks (name, title, company, contacts)."""
    if len(line) > 100 or _POSTSCRIPT.match(line):
        return False
    if _CONTACT.search(line):
        return True
    if line.rstrip("'\")]").endswith(("?", "!")):
        return False
    words = line.split()
    if _PROSE_END.search(line) and len(words) > 1 and not _ORG_SUFFIX.search(line):
        return False  # "Fix it." is a sentence; "Acme Inc." or "D." are not
    lower = [w for w in words if w[0].islower() and w.lower() not in _TITLE_SMALL_WORDS]
    return len(lower) <= 4


# "Ruth (St Aidan's Choral Society)": the person, then who they write for.
_AFFILIATION = re.compile(r"\s*\([^()]{2,60}\)[\s,]*$")


_TITLE_AFTER_BAR = re.compile(r"\s+[|•·]\s+.*$")


def _person(line: str) -> str:
    """A signature line without its affiliation in brackets or its title after a bar
    ("Marcus Bellamy | Owner")."""
    return _TITLE_AFTER_BAR.sub("", _AFFILIATION.sub("", line.strip())).rstrip(",").strip()


def _signoff(line: str) -> re.Match[str] | None:
    """The sign-off phrase a line opens with, once a friendly tail ("Thanks lovely x") is off."""
    return _SIGNOFF.match(_ENDEARMENT.sub("", line.strip()))


def _signoff_name(line: str) -> str | None:
    """The name written on a sign-off line ("Regards, Pat Morgan" -> "Pat Morgan")."""
    match = _signoff(line)
    if not match:
        return None
    return _name_on(match.group("name") or "")


def _name_on(line: str) -> str | None:
    """The person a signature line names, unless it names a team ("Accounts Team")."""
    person = re.sub(r"\s+[xX]{1,4}[.!]?$", "", _person(line))  # "Fran x"
    return person if person and _looks_like_name(person) and _personal(person) else None


_BARE_NAME = re.compile(
    r"^(?:[-–—~]\s*|(?i:x+)\s+)?(?P<name>[^\W\d_][\w'’ -]*?)(?:\s+(?i:x{1,4}))?[.!]?$"
)
# Words that end a message on a line of their own but name no person.
# fmt: off
_NOT_PERSONAL = frozenset({
    "accounts", "admin", "again", "asap", "best", "billing", "bye", "care", "cheers",
    "company", "customer", "department", "director", "disappointed", "done", "finally",
    "finance", "furious", "group", "hardware", "honestly", "inc", "joinery", "later",
    "limited", "ltd", "manager", "noted", "now", "office", "physio", "please", "printworks",
    "reception", "regards", "ridiculous", "sales", "seriously", "services", "sincerely",
    "sorted", "studio", "support", "team", "thanks", "thoughts", "today", "tomorrow",
    "unbelievable", "urgent", "waiting", "whatever", "yours",
})
# fmt: on


def _personal(name: str) -> bool:
    """False for a team or a word that ends a message ("Customer Service", "Cheers")."""
    return not any(w.lower() in _NOT_PERSONAL for w in re.split(r"[ '’-]+", name))


def _bare_name(line: str) -> str | None:
    """The name on a line that holds nothing else ("Mark", "- Sami", "Aoife Brennan",
    "Amy & Josh")."""
    person = _person(line)
    match = _BARE_NAME.match(person) or _BARE_NAME.match(person.replace("&", "and"))
    if not match:
        return None
    name = match.group("name")
    couple = COUPLE.fullmatch(name.strip())
    if couple:
        parts = [_bare_name(couple.group(1)), _bare_name(couple.group(2))]
        return name.strip() if all(parts) else None
    words = re.split(r"[ '’-]+", name)
    if len(name.split()) > 2 or len(words[0]) < 2 or not _looks_like_name(name):
        return None
    if any(not w.isalpha() or (len(w) > 1 and w.isupper()) for w in words):
        return None  # "FIX IT" is shouting, not a name
    return name if _personal(name) else None


# The last sentence of a line, after the one before it ends.
_CLOSING = re.compile(r"[.!?)]\s+([^.!?]+)$")


# What follows "Thanks" on a friendly sign-off line and names nobody ("Thanks lovely x",
# "Thanks again 🙏", "Cheers all").
_ENDEARMENT = re.compile(
    r"(?<=\S)(?:[\s,]+(?:x{1,4}|lovely|hun|hon|babe|again|so\s+much|very\s+much|a\s+lot|all"
    r"|everyone|guys|in\s+advance)\b|\s*[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]+)+[\s!.,]*$",
    re.I,
)


# "Thanks and have a lovely Christmas,": a closing wish that ends in a comma, over a name.
_CLOSING_WISH = re.compile(
    r"^(?:thanks|thank\s+you|many\s+thanks|best|all\s+the\s+best|kind\s+regards|regards|cheers"
    r"|warm\s+wishes|best\s+wishes)\b[^.!?,]{0,50},$",
    re.I,
)


def _typed_lower(line: str) -> str:
    """A one-word line typed in lower case, capitalised as the name it may be ("dave")."""
    return line.capitalize() if len(line) > 1 and line.isalpha() and line.islower() else line


def _is_signoff(line: str) -> bool:
    """True for a line that is only a sign-off phrase, maybe with a name."""
    match = _signoff(line)
    name = _person(match.group("name") or "") if match else ""
    if match and (not name or _looks_like_name(name)):
        return True
    return _CLOSING_WISH.match(line.strip()) is not None and len(line.split()) <= 8


def _split_signature(lines: list[str]) -> tuple[list[str], list[str], str | None]:
    """Split new lines into (content lines, signature/disclaimer lines, sign-off name)."""
    stripped = [line.strip() for line in lines]
    content = list(lines)
    signature: list[str] = []
    banner: list[str] = []

    # A leading "CAUTION: external email" style banner (up to a greeting line).
    first = next((i for i, s in enumerate(stripped) if s), None)
    if first is not None:
        end = first
        while (
            end < len(stripped)
            and stripped[end]
            and not (end > first and _GREETING.match(stripped[end]))
        ):
            end += 1
        if _DISCLAIMER.match(" ".join(stripped[first:end])):
            banner = content[first:end]
            for i in range(first, end):
                content[i] = ""
                stripped[i] = ""

    # Hard cuts: "-- ", "Sent from my iPhone", a disclaimer paragraph.
    cut = None
    for i, line in enumerate(stripped):
        if not line:
            continue
        paragraph_start = i == 0 or not stripped[i - 1]
        if _SIG_DELIMITER.match(lines[i]) or _MOBILE_SIGNATURE.match(line):
            cut = i
        elif paragraph_start and i > 0:
            end = i
            while end < len(stripped) and stripped[end]:
                end += 1
            if _DISCLAIMER.match(" ".join(stripped[i:end])):
                cut = i
        if cut is not None:
            break
    if cut is not None:
        signature = content[cut:]
        content = content[:cut]
        stripped = stripped[:cut]

    # Sign-off ("Thanks,") followed by a block of name/title/phone lines.
    name = None
    last = max((i for i, s in enumerate(stripped) if s), default=None)
    signoff = None
    if last is not None:
        for i in range(last, 0, -1):
            if stripped[i] and _is_signoff(stripped[i]) and any(stripped[:i]):
                signoff = i
                break
    if signoff is not None:
        name = _signoff_name(stripped[signoff])
        trailer = [s for s in stripped[signoff + 1 :] if s]
        if len(trailer) <= 10 and all(_signature_like(s) for s in trailer):
            first = trailer[0] if trailer else ""
            if len(trailer) == 1:
                first = _typed_lower(first)  # "thanks\ndave" in a message typed in lower case
            if trailer and (person := _name_on(first)):
                name = person
            if trailer:
                signature = content[signoff + 1 :] + signature
                content = content[: signoff + 1]
    elif last is not None:
        # No sign-off: a trailing paragraph made of a name and contact lines.
        start = last
        while start > 0 and stripped[start - 1]:
            start -= 1
        block = stripped[start : last + 1]
        if all(_CONTACT.search(s) for s in block):
            # "Lisa Okafor / Marketing Manager", a blank line, then "T: 0117 ...": the
            # name's paragraph and the contact lines are one signature
            end = start - 1
            while end > 0 and not stripped[end]:
                end -= 1
            top = end
            while top > 0 and stripped[top - 1]:
                top -= 1
            if 0 < end < start - 1 and _looks_like_name(_person(stripped[top])):
                start = top
                block = [s for s in stripped[start : last + 1] if s]
        if len(block) > 1 and _CONTACT.search(block[1]):
            block = [_typed_lower(block[0]), *block[1:]]  # "jade" over "07700 900 117"
        if (
            start > 0
            and any(stripped[:start])
            and len(block) <= 8
            and _looks_like_name(_person(block[0]))
            and all(_signature_like(s) for s in block)
            and (any(_CONTACT.search(s) for s in block) or _name_over_titles(block))
        ):
            signature = content[start:] + signature
            content = content[:start]
            name = _bare_name(block[0]) or _name_on(block[0])
        elif (bare := _bare_name(stripped[last])) and _ends_a_sentence(stripped, last):
            # a name alone on the last line ("...by Friday.\n\nMark"): kept in the text
            name = bare
        elif closing := _CLOSING.search(stripped[last]):
            # "... for the fitting. Thank you, Grace" (", Coleworks Ltd"): signed at the end
            tail = closing.group(1)
            name = _signoff_name(tail) or _signoff_name(tail.rsplit(",", 1)[0])

    if name is None and cut is not None:
        name = _signed_name(signature)  # "--\nKind regards,\nMartin Lowe"
    if banner:
        signature = [*banner, "", *signature]
    return content, signature, name


def _signed_name(lines: list[str]) -> str | None:
    """The name at the top of a signature cut off by "-- ": on a sign-off, on the line
    after it, or alone on the first line."""
    top = [s.strip() for s in lines if s.strip() and not _SIG_DELIMITER.match(s)][:3]
    if top and (bare := _bare_name(top[0])):
        return bare
    for i, line in enumerate(top):
        if _is_signoff(line):
            if named := _signoff_name(line):
                return named
            return _name_on(top[i + 1]) if i + 1 < len(top) else None
    return None


def _name_over_titles(block: list[str]) -> bool:
    """A person's name with one or two title or company lines under it, and nothing else."""
    return (
        2 <= len(block) <= 3
        and _bare_name(block[0]) is not None
        and all(map(_job_title, block[1:]))
    )


def _job_title(line: str) -> bool:
    """A title or company line under a name ("Head of People, Quill & Co")."""
    if line.startswith("(") and line.endswith(")"):
        return True  # "(former tenant, 9B Linden Court)"
    words = line.split()
    lower = [w for w in words if w[0].islower() and w.lower() not in _TITLE_SMALL_WORDS]
    return (
        bool(words)
        and line[0].isupper()
        and len(lower) <= 1
        and not (line.isupper() and len(words) > 3)
        and not line.rstrip("'\")]").endswith((".", "?", "!"))
    )


def _ends_a_sentence(stripped: list[str], index: int) -> bool:
    """Whether the text before line `index` ends a paragraph or a sentence."""
    before = [s for s in stripped[:index] if s]
    if not before:
        return False
    return not stripped[index - 1] or not before[-1][-1].isalnum()


def _join(lines: list[str]) -> str:
    """Lines as text, at most one blank line in a row, stripped."""
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def split_body(body: str) -> tuple[str, str, str, str | None]:
    """Split a readable body into (new_text, quoted, signature, sign-off name)."""
    new_lines, quoted_lines = _split_history(body.split("\n"))
    content, signature_lines, name = _split_signature(new_lines)
    return _join(content), _join(quoted_lines), _join(signature_lines), name


# --------------------------------------------------------------------------- public


_NO_NEW_TEXT = (
    "The message has no new text: it holds only quoted history, forwarded content, "
    "a signature or a disclaimer."
)


def parse_message(
    data: str | bytes,
    *,
    subject: str | None = None,
    sender: str | None = None,
    sent_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Message:
    """Parse a plain-text, HTML or raw RFC 822/MIME email into a `Message`.

    Keyword arguments override the matching headers (`sender` may be "Name <addr>",
    a bare address or a bare name; a naive `sent_at` is taken as UTC). `max_bytes`
    limits the input size (UTF-8 bytes for text). Raises `InputError` for empty,
    oversized, undecodable or malformed input, and when nothing new is left once
    quotes, signature and disclaimers are removed.
    """
    try:
        return _parse(data, subject=subject, sender=sender, sent_at=sent_at, max_bytes=max_bytes)
    except InputError:
        raise
    except RecursionError as exc:
        raise InputError("Malformed message: it is nested too deeply to be parsed.") from exc
    except Exception as exc:  # never leak another exception type to callers
        raise InputError(f"Malformed message: it could not be parsed ({exc}).") from exc


_FORWARD_MARKER = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|original message)\s*-{2,}|begin forwarded message:?)\s*$",
    re.IGNORECASE,
)


def _forwarded_block(quoted: str) -> str | None:
    """The forwarded email in `quoted`, when the history starts with a forward marker."""
    first, _, rest = quoted.strip().partition("\n")
    return rest.strip() or None if _FORWARD_MARKER.match(first) else None


def _read_forward(inner: str, raw: str, **kwargs: object) -> Message:
    """A bare forward (no note of its own): the forwarded email is the message to read."""
    try:
        message = _parse(inner, forwarded=True, **kwargs)  # type: ignore[arg-type]
    except InputError:
        raise InputError(_NO_NEW_TEXT) from None
    message.raw = raw
    return message


def _input_size(data: object) -> int | None:
    if isinstance(data, bytes | bytearray | memoryview):
        return len(data)
    if isinstance(data, str):
        return len(data.encode("utf-8", errors="surrogatepass"))
    return None


def _parse(
    data: str | bytes,
    *,
    subject: str | None,
    sender: str | None,
    sent_at: datetime | None,
    max_bytes: int,
    forwarded: bool = False,
) -> Message:
    size = _input_size(data)
    if size is None:
        raise InputError(f"The message must be text or bytes, not {type(data).__name__}.")
    if size > max_bytes:
        raise InputError(
            f"The message is too large: {size} bytes (the limit is {max_bytes} bytes)."
        )
    text, raw_bytes, guessed = _input_to_text(data)
    if not text.strip():
        raise InputError("The message is empty.")

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header_end = _header_block_end(lines)
    headers: dict[str, str] = {}
    attached = ""
    header_subject = header_name = header_address = None
    header_date = None
    if header_end is not None:
        body, attached, headers, msg = _parse_raw(text, raw_bytes, lines, header_end)
        header_subject = _header_str(msg, "subject")
        header_name, header_address = _parse_address(_header_str(msg, "from"))
        header_date = _parse_date(_header_str(msg, "date"))
    else:
        if _is_garbage(text) or (guessed and _is_mojibake(text)):
            raise InputError(
                "The message could not be decoded: it is not valid text in UTF-8, "
                "windows-1252 or Latin-1 (too many control or invalid characters)."
            )
        body = _html_to_text(text) if _looks_like_html(text) else _normalize(text)

    if not body.strip() and attached and not forwarded:
        return _read_forward(
            attached, text, subject=subject, sender=sender, sent_at=sent_at, max_bytes=max_bytes
        )
    if not body.strip():
        raise InputError("The message body is empty.")
    if len(body.encode("utf-8", errors="replace")) > max_bytes:
        raise InputError(f"The message body is too large (the limit is {max_bytes} bytes).")

    new_text, quoted, signature, signoff_name = split_body(body)
    if not new_text:
        inner = attached or _forwarded_block(quoted)
        if inner and not forwarded:
            return _read_forward(
                inner, text, subject=subject, sender=sender, sent_at=sent_at, max_bytes=max_bytes
            )
        raise InputError(_NO_NEW_TEXT)
    if attached:
        body = f"{body}\n\n{attached}"
        quoted = f"{quoted}\n\n{attached}" if quoted else attached

    arg_name, arg_address = _parse_address(sender) if sender and sender.strip() else (None, None)
    sender_address = arg_address or header_address
    if arg_name:
        sender_name = arg_name
    elif header_name and (
        arg_address is None or arg_address.lower() == (header_address or "").lower()
    ):
        sender_name = header_name
    else:
        sender_name = signoff_name

    when = sent_at if sent_at is not None else header_date
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when is not None and not _has_utc_time(when):
        if sent_at is not None:
            raise InputError(f"sent_at is out of range: {sent_at.isoformat()}")
        when = None  # a Date header no clock can hold is no date

    subject_value = subject if subject is not None else header_subject
    return Message(
        raw=text,
        body=body,
        new_text=new_text,
        quoted=quoted,
        signature=signature,
        subject=subject_value,
        sender_name=sender_name,
        sender_address=sender_address,
        sent_at=when,
        headers=headers,
    )

"""parse_message: plain text, raw MIME, charsets, quoting styles, signatures, bad input."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

import pytest

from app.errors import InputError
from app.pipeline.parse import parse_message
from app.pipeline.types import Message


def raw_message(body: str, *, subtype: str = "plain", **headers: str) -> str:
    """A raw RFC 822 message built with the stdlib."""
    msg = EmailMessage()
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, subtype=subtype)
    return msg.as_string()


# --------------------------------------------------------------------------- plain text


def test_plain_text_is_all_new_text():
    text = "Hi Sam,\n\nWhere is my refund? I paid on March 3.\n"
    message = parse_message(text)
    assert isinstance(message, Message)
    assert message.new_text == "Hi Sam,\n\nWhere is my refund? I paid on March 3."
    assert message.body == message.new_text
    assert message.raw == text
    assert message.quoted == ""
    assert message.signature == ""
    assert message.subject is None
    assert message.sender_name is None
    assert message.sender_address is None
    assert message.sent_at is None
    assert message.headers == {}


def test_plain_text_crlf_and_nbsp_are_normalised():
    message = parse_message("Hello\r\nThis\u00a0is late.\r\n\r\n\r\n\r\nFix it.")
    assert message.new_text == "Hello\nThis is late.\n\nFix it."


def test_plain_text_bytes_utf8_and_cp1252():
    assert parse_message("Où est mon argent ? Réponse.".encode()).new_text == (
        "Où est mon argent ? Réponse."
    )
    cp1252 = "I said \u201cno\u201d \u2013 it costs \u20ac500. Café.".encode("cp1252")
    assert (
        parse_message(cp1252).new_text == "I said \u201cno\u201d \u2013 it costs \u20ac500. Café."
    )


def test_utf16_with_bom_is_decoded():
    data = "Where is the invoice I asked for?".encode("utf-16")
    assert parse_message(data).new_text == "Where is the invoice I asked for?"


def test_keyword_arguments_for_plain_text():
    sent = datetime(2024, 1, 9, 8, 30)
    message = parse_message(
        "Please call me.", subject="Urgent", sender="Dana Reyes <dana@example.com>", sent_at=sent
    )
    assert message.subject == "Urgent"
    assert message.sender_name == "Dana Reyes"
    assert message.sender_address == "dana@example.com"
    assert message.sent_at == datetime(2024, 1, 9, 8, 30, tzinfo=UTC)
    assert message.sent_at.tzinfo is not None


def test_bare_address_sender_and_bare_name_sender():
    message = parse_message("Please call me.\n\nThanks,\nDana", sender="dana@example.com")
    assert message.sender_address == "dana@example.com"
    assert message.sender_name == "Dana"  # from the sign-off
    named = parse_message("Please call me.", sender="Dana Reyes")
    assert named.sender_name == "Dana Reyes"
    assert named.sender_address is None


def test_plain_text_that_is_html_becomes_text():
    html = (
        "<html><head><style>p { color: red }</style><script>alert('x')</script></head>"
        "<body><p>Where is my <b>refund</b>?</p><p>I am waiting.</p></body></html>"
    )
    message = parse_message(html)
    assert "Where is my refund?" in message.new_text
    assert "I am waiting." in message.new_text
    assert "<" not in message.new_text
    assert "alert" not in message.body
    assert "color" not in message.body


def test_text_with_a_few_angle_brackets_is_not_html():
    text = "I wrote to <support@example.com> and got nothing. 3 < 5 is true."
    assert parse_message(text).new_text == text


# --------------------------------------------------------------------------- raw MIME


def test_raw_plain_message_headers():
    raw = raw_message(
        "The site is down again.\n",
        From="Dana Reyes <dana@example.com>",
        To="support@agency.example",
        Subject="Site down",
        Date="Tue, 09 Jan 2024 08:30:00 +0100",
    )
    message = parse_message(raw)
    assert message.new_text == "The site is down again."
    assert message.subject == "Site down"
    assert message.sender_name == "Dana Reyes"
    assert message.sender_address == "dana@example.com"
    assert message.sent_at == datetime(2024, 1, 9, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert message.headers["Subject"] == "Site down"
    assert message.headers["To"] == "support@agency.example"
    assert message.raw == raw


def test_raw_message_as_bytes_and_mbox_from_line():
    raw = raw_message("Still waiting.\n", From="pat@example.com", Subject="Hello")
    message = parse_message(("From pat@example.com Tue Jan  9 08:30:00 2024\n" + raw).encode())
    assert message.new_text == "Still waiting."
    assert message.subject == "Hello"
    assert message.sender_address == "pat@example.com"


def test_keyword_arguments_override_headers():
    raw = raw_message(
        "Refund me.\n",
        From="Dana Reyes <dana@example.com>",
        Subject="Header subject",
        Date="Tue, 09 Jan 2024 08:30:00 +0000",
    )
    when = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    message = parse_message(
        raw, subject="Given subject", sender="Pat <pat@example.com>", sent_at=when
    )
    assert message.subject == "Given subject"
    assert message.sender_name == "Pat"
    assert message.sender_address == "pat@example.com"
    assert message.sent_at == when


def test_sender_address_only_keeps_header_name_when_same_person():
    raw = raw_message("Refund me.\n", From="Dana Reyes <dana@example.com>")
    assert parse_message(raw, sender="DANA@example.com").sender_name == "Dana Reyes"
    assert parse_message(raw, sender="other@example.com").sender_name is None


def test_date_without_zone_is_utc_and_bad_date_is_none():
    naive = parse_message(raw_message("Hi there.\n", Date="Mon, 8 Jan 2024 10:00:00 -0000"))
    assert naive.sent_at == datetime(2024, 1, 8, 10, 0, tzinfo=UTC)
    bad = parse_message("Date: not a date\nFrom: a@example.com\n\nHi there.\n")
    assert bad.sent_at is None
    assert bad.headers["Date"] == "not a date"


def test_encoded_word_headers():
    msg = MIMEText("Où est mon remboursement ?", "plain", "utf-8")
    msg["From"] = formataddr(("José García", "jose@example.com"), charset="utf-8")
    msg["Subject"] = Header("Réclamation urgente", "iso-8859-1")
    raw = msg.as_string()
    assert "=?utf-8?" in raw and "=?iso-8859-1?" in raw
    message = parse_message(raw)
    assert message.sender_name == "José García"
    assert message.sender_address == "jose@example.com"
    assert message.subject == "Réclamation urgente"
    assert message.new_text == "Où est mon remboursement ?"


def test_raw_8bit_utf8_header_in_bytes():
    data = (
        "From: José <jose@example.com>\nSubject: café\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\nRésumé attached."
    ).encode()
    message = parse_message(data)
    assert message.sender_name == "José"
    assert message.subject == "café"
    assert message.new_text == "Résumé attached."


def test_display_name_with_comma():
    raw = raw_message("Hello team.\n", From='"Reyes, Dana" <dana@example.com>')
    assert parse_message(raw).sender_name == "Reyes, Dana"


def test_multipart_alternative_prefers_plain():
    msg = EmailMessage()
    msg["From"] = "dana@example.com"
    msg["Subject"] = "Invoice"
    msg.set_content("PLAIN: the invoice is wrong.\n")
    msg.add_alternative("<p>HTML: the invoice is wrong.</p>", subtype="html")
    message = parse_message(msg.as_string())
    assert message.new_text == "PLAIN: the invoice is wrong."
    assert "HTML" not in message.body


def test_multipart_with_empty_plain_falls_back_to_html():
    msg = MIMEMultipart("alternative")
    msg["From"] = "dana@example.com"
    msg.attach(MIMEText(" \n", "plain", "utf-8"))
    msg.attach(MIMEText("<div>From the <i>HTML</i> part.</div>", "html", "utf-8"))
    assert parse_message(msg.as_bytes()).new_text == "From the HTML part."


def test_multipart_mixed_with_attachment_uses_the_text_part():
    msg = MIMEMultipart("mixed")
    msg["From"] = "dana@example.com"
    msg.attach(MIMEText("See the attached contract. It is not signed.", "plain", "utf-8"))
    attachment = MIMEBase("application", "pdf")
    attachment.set_payload(base64.b64encode(b"%PDF-1.4 binary \x00\x01").decode())
    attachment["Content-Transfer-Encoding"] = "base64"
    attachment.add_header("Content-Disposition", "attachment", filename="contract.pdf")
    msg.attach(attachment)
    message = parse_message(msg.as_string())
    assert message.new_text == "See the attached contract. It is not signed."
    assert "PDF" not in message.body


def test_html_only_message_drops_script_and_style():
    html = (
        "<html><head><style>.warn { color: red; }</style>"
        "<script type='text/javascript'>var secret = 'tracking';</script></head>"
        "<body><p>Hi Sam,</p><p>The launch slipped <b>again</b>.</p>"
        "<ul><li>Homepage broken</li><li>No invoice</li></ul></body></html>"
    )
    raw = raw_message(html, subtype="html", From="Dana <dana@example.com>", Subject="Launch")
    message = parse_message(raw)
    assert "The launch slipped again." in message.new_text
    assert "Homepage broken" in message.new_text
    assert "No invoice" in message.new_text
    for hidden in ("secret", "tracking", "color", ".warn", "<p>"):
        assert hidden not in message.body


def test_quoted_printable_literal():
    raw = (
        "From: Dana <dana@example.com>\n"
        "Subject: QP\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "The total was =E2=82=AC1,250.00 and this line is soft-wrapped because it is =\n"
        "very long.\n"
        "Caf=C3=A9 closed.\n"
    )
    message = parse_message(raw)
    assert message.new_text == (
        "The total was €1,250.00 and this line is soft-wrapped because it is very long.\n"
        "Café closed."
    )


def test_base64_literal():
    body = base64.b64encode("Wo bleibt meine Rückerstattung?\n".encode()).decode()
    raw = (
        "From: Jonas <jonas@example.de>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n"
        "\n" + body + "\n"
    )
    assert parse_message(raw).new_text == "Wo bleibt meine Rückerstattung?"


def test_iso_8859_1_8bit_bytes():
    data = (
        b"From: Ana <ana@example.es>\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
        + "¿Dónde está mi reembolso? Ñandú.".encode("latin-1")
    )
    assert parse_message(data).new_text == "¿Dónde está mi reembolso? Ñandú."


def test_iso_8859_1_label_with_windows_1252_quotes():
    # Outlook often labels windows-1252 text as ISO-8859-1; curly quotes must survive.
    data = (
        b"From: a@example.com\nContent-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: 8bit\n\n" + "It\u2019s \u201cdone\u201d.".encode("cp1252")
    )
    assert parse_message(data).new_text == "It\u2019s \u201cdone\u201d."


def test_windows_1252_quoted_printable():
    raw = (
        "From: a@example.com\nContent-Type: text/plain; charset=windows-1252\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "That=92s =8050 more than agreed =96 unacceptable.\n"
    )
    assert (
        parse_message(raw).new_text == "That\u2019s \u20ac50 more than agreed \u2013 unacceptable."
    )


def test_shift_jis_base64_and_8bit():
    text = "返金はまだですか。もう三週間待っています。"
    b64 = base64.b64encode(text.encode("shift_jis")).decode()
    raw = (
        "From: taro@example.jp\nContent-Type: text/plain; charset=Shift_JIS\n"
        f"Content-Transfer-Encoding: base64\n\n{b64}\n"
    )
    assert parse_message(raw).new_text == text
    data = (
        b"From: taro@example.jp\nContent-Type: text/plain; charset=shift_jis\n"
        b"Content-Transfer-Encoding: 8bit\n\n" + text.encode("shift_jis")
    )
    assert parse_message(data).new_text == text


def test_iso_2022_jp_from_stdlib():
    msg = MIMEText("返金はまだですか。", "plain", "shift_jis")  # stdlib sends ISO-2022-JP
    msg["From"] = "taro@example.jp"
    assert "iso-2022-jp" in msg.as_string()
    assert parse_message(msg.as_bytes()).new_text == "返金はまだですか。"
    assert parse_message(msg.as_string()).new_text == "返金はまだですか。"


def test_koi8_r_8bit_and_quoted_printable():
    text = "Где мой возврат денег? Я жду уже три недели."
    data = b"From: ivan@example.ru\nContent-Type: text/plain; charset=KOI8-R\n\n" + text.encode(
        "koi8-r"
    )
    assert parse_message(data).new_text == text
    msg = MIMEText(text, "plain", "koi8-r")
    msg["From"] = "ivan@example.ru"
    assert parse_message(msg.as_string()).new_text == text


def test_unknown_charset_falls_back_to_utf8_then_cp1252():
    head = b"From: a@example.com\nContent-Type: text/plain; charset=x-unknown-8bit\n\n"
    assert parse_message(head + "Naïve café.".encode()).new_text == "Naïve café."
    assert parse_message(head + "Naïve café.".encode("cp1252")).new_text == "Naïve café."


def test_us_ascii_label_with_utf8_body():
    data = (
        b"From: a@example.com\nContent-Type: text/plain; charset=us-ascii\n\n"
        + "Zoë said no.".encode()
    )
    assert parse_message(data).new_text == "Zoë said no."


def test_format_flowed_is_unwrapped():
    raw = (
        "From: a@example.com\nContent-Type: text/plain; charset=utf-8; format=flowed\n\n"
        "This sentence was wrapped by the mail client \n"
        "and should be one line.\n"
        "Second line.\n"
    )
    assert parse_message(raw).new_text == (
        "This sentence was wrapped by the mail client and should be one line.\nSecond line."
    )


# --------------------------------------------------------------------------- quoting styles

GMAIL_PLAIN = """Hi Sam,

This is the third time I ask. Where is my refund?

On Mon, Jan 8, 2024 at 10:00 AM Sam Lee <sam@example.com> wrote:
> We will look into it this week.
>
> Sam
"""


def test_gmail_plain_quote():
    message = parse_message(GMAIL_PLAIN)
    assert message.new_text == "Hi Sam,\n\nThis is the third time I ask. Where is my refund?"
    assert message.quoted.startswith("On Mon, Jan 8, 2024 at 10:00 AM Sam Lee")
    assert "> We will look into it this week." in message.quoted
    assert "look into it" not in message.new_text


def test_gmail_wrapped_attribution():
    text = (
        "Not good enough.\n\n"
        "On Mon, Jan 8, 2024 at 10:00 AM Samantha Lee-Whitfield <\n"
        "samantha.lee-whitfield@example.com> wrote:\n\n"
        "> Old text.\n"
    )
    message = parse_message(text)
    assert message.new_text == "Not good enough."
    assert "samantha.lee-whitfield@example.com> wrote:" in message.quoted


def test_gmail_html_reply():
    html = (
        '<div dir="ltr">Hi Sam,<div><br></div><div>Still no invoice. Fix it.</div></div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Jan 8, 2024 at '
        '10:00 AM Sam Lee &lt;<a href="mailto:sam@example.com">sam@example.com</a>&gt; wrote:'
        '<br></div><blockquote class="gmail_quote">We are on it.<br>Sam</blockquote></div>'
    )
    message = parse_message(raw_message(html, subtype="html", From="Dana <dana@example.com>"))
    assert message.new_text == "Hi Sam,\n\nStill no invoice. Fix it."
    assert "We are on it." in message.quoted
    assert "We are on it." in message.body


@pytest.mark.parametrize(
    ("attribution", "language"),
    [
        ("Am Mo., 8. Jan. 2024 um 10:00 Uhr schrieb Sam Lee <sam@example.com>:", "de"),
        ("Am 08.01.2024 um 10:00 schrieb Sam Lee:", "de-thunderbird"),
        ("Le lun. 8 janv. 2024 à 10:00, Sam Lee <sam@example.com> a écrit :", "fr"),
        ("El lun, 8 ene 2024 a las 10:00, Sam Lee (<sam@example.com>) escribió:", "es"),
        ("Il giorno lun 8 gen 2024 alle ore 10:00 Sam Lee <sam@example.com> ha scritto:", "it"),
        ("Op ma 8 jan. 2024 om 10:00 schreef Sam Lee <sam@example.com>:", "nl"),
        ("Em seg., 8 de jan. de 2024 às 10:00, Sam Lee <sam@example.com> escreveu:", "pt"),
        ("Den mån 8 jan. 2024 kl 10:00 skrev Sam Lee <sam@example.com>:", "sv"),
        ("пн, 8 янв. 2024 г. в 10:00, Sam Lee <sam@example.com>:", "ru-gmail"),
        ("8 января 2024 г., в 10:00, Sam Lee <sam@example.com> написал(а):", "ru-apple"),
        ("În lun., 8 ian. 2024 la 10:00, Sam Lee <sam@example.com> a scris:", "ro"),
        ("On 1/8/24 10:00 AM, Sam Lee wrote:", "thunderbird"),
        ("On Jan 8, 2024, at 10:00, Sam Lee <sam@example.com> wrote:", "apple"),
        ("2024年1月8日(月) 10:00 Sam Lee <sam@example.com>:", "ja"),
        ("在 2024年1月8日，Sam Lee <sam@example.com> 写道：", "zh"),
        ("2024년 1월 8일 (월) 오전 10:00, Sam Lee <sam@example.com>님이 작성하였습니다:", "ko"),
        ("Dne po 8. 1. 2024 10:00 uživatel Sam Lee <sam@example.com> napsal:", "cs"),
    ],
)
def test_attribution_lines_in_many_languages(attribution, language):
    text = f"Neue Nachricht hier.\n\n{attribution}\n\nOld text without quote marks.\nMore old text."
    message = parse_message(text)
    assert message.new_text == "Neue Nachricht hier.", language
    assert message.quoted.startswith(attribution), language
    assert "Old text" in message.quoted


def test_apple_mail_quote_with_sent_from_iphone():
    text = (
        "You promised Monday. It is Thursday.\n\n"
        "Sent from my iPhone\n\n"
        "> On Jan 8, 2024, at 10:00, Sam Lee <sam@example.com> wrote:\n"
        ">\n"
        "> We will deliver on Monday.\n"
    )
    message = parse_message(text)
    assert message.new_text == "You promised Monday. It is Thursday."
    assert message.signature == "Sent from my iPhone"
    assert "We will deliver on Monday." in message.quoted


def test_outlook_header_block():
    text = (
        "This is not what we agreed.\n\n"
        "Kind regards,\n"
        "Jo Smith\n\n"
        "From: Sam Lee <sam@example.com>\n"
        "Sent: Monday, January 8, 2024 10:00 AM\n"
        "To: Jo Smith <jo@example.com>\n"
        "Subject: RE: Proposal\n\n"
        "Here is the proposal.\n"
    )
    message = parse_message(text)
    assert message.new_text == "This is not what we agreed.\n\nKind regards,"
    assert message.quoted.startswith("From: Sam Lee <sam@example.com>\nSent: Monday")
    assert "Here is the proposal." in message.quoted
    assert message.signature == "Jo Smith"
    assert message.sender_name == "Jo Smith"


@pytest.mark.parametrize(
    "header",
    [
        "Von: Sam Lee <sam@example.com>\nGesendet: Montag, 8. Januar 2024 10:00\nAn: Dana\n"
        "Betreff: Angebot",
        "De : Sam Lee\nEnvoyé : lundi 8 janvier 2024 10:00\nÀ : Dana\nObjet : Devis",
        "De: Sam Lee\nEnviado el: lunes, 8 de enero de 2024 10:00\nPara: Dana\nAsunto: Oferta",
        # Only mail-parser-reply's language tables know these header names.
        "发件人: Sam Lee\n发送时间: 2024年1月8日 10:00\n收件人: Dana\n主题: 报价",
    ],
)
def test_localized_outlook_headers(header):
    message = parse_message(f"New text here.\n\n{header}\n\nOld text.")
    assert message.new_text == "New text here."
    assert message.quoted.startswith(header.split("\n")[0])
    assert message.quoted.endswith("Old text.")


def test_colon_lines_in_new_text_are_not_history():
    text = (
        "I wrote to you 3 times:\n- Jan 5\n- Jan 9\n\n"
        "Note: the invoice is wrong.\nAlso: the logo.\n\nAs you wrote:\nnothing."
    )
    message = parse_message(text)
    assert message.new_text == text
    assert message.quoted == ""


def test_quote_intro_without_date_is_new_text():
    text = "3 weeks ago you wrote:\nWe ship on Monday.\nWell, it is Friday."
    assert parse_message(text).new_text == text


def test_short_attribution_before_quote_block():
    message = parse_message("Sam Lee wrote:\n> We ship on Monday.\n\nWell, it is Friday.")
    assert message.new_text == "Well, it is Friday."
    assert message.quoted == "Sam Lee wrote:\n> We ship on Monday."


def test_outlook_underscore_separator_and_bold_headers():
    text = (
        "Please answer today.\n\n"
        "________________________________\n"
        "*From:* Sam Lee <sam@example.com>\n"
        "*Sent:* Monday, January 8, 2024 10:00 AM\n"
        "*Subject:* Proposal\n\n"
        "Old text.\n"
    )
    message = parse_message(text)
    assert message.new_text == "Please answer today."
    assert message.quoted.startswith("________________________________")


def test_outlook_html_reply():
    html = (
        "<html><body><p>This is not what we agreed.</p><p>Kind regards,<br>Jo Smith<br>"
        "Director | Smith &amp; Co<br>Mob: +44 7700 900123</p>"
        '<div id="divRplyFwdMsg"><hr><b>From:</b> Sam Lee &lt;sam@example.com&gt;<br>'
        "<b>Sent:</b> Monday, January 8, 2024 10:00 AM<br><b>To:</b> Jo Smith<br>"
        "<b>Subject:</b> Proposal</div><div>Here is the proposal.</div></body></html>"
    )
    message = parse_message(html)
    assert message.new_text == "This is not what we agreed.\n\nKind regards,"
    assert message.signature == "Jo Smith\nDirector | Smith & Co\nMob: +44 7700 900123"
    assert "Here is the proposal." in message.quoted
    assert message.sender_name == "Jo Smith"


def test_original_message_separator():
    text = (
        "Stop sending me invoices.\n\n"
        "-----Original Message-----\n"
        "From: Billing\n"
        "Sent: Monday\n\n"
        "Invoice 42 attached.\n"
    )
    message = parse_message(text)
    assert message.new_text == "Stop sending me invoices."
    assert message.quoted.startswith("-----Original Message-----")


def test_localized_original_message_separator():
    message = parse_message("Bitte antworten.\n\n-----Ursprüngliche Nachricht-----\nVon: X\nalt\n")
    assert message.new_text == "Bitte antworten."
    assert message.quoted.startswith("-----Ursprüngliche Nachricht-----")


def test_bottom_posting_and_inline_replies():
    text = (
        "On Mon, Jan 8, 2024 at 10:00 AM Sam Lee <sam@example.com> wrote:\n"
        "> The site will be live on Monday.\n\n"
        "It is not live.\n\n"
        "> And the invoice is correct.\n\n"
        "It is not correct either.\n"
    )
    message = parse_message(text)
    assert message.new_text == "It is not live.\n\nIt is not correct either."
    assert "> The site will be live on Monday." in message.quoted
    assert "> And the invoice is correct." in message.quoted


def test_nested_quotes_only_the_top_is_new():
    text = "Really?\n\n> > first\n> second\n"
    message = parse_message(text)
    assert message.new_text == "Really?"
    assert message.quoted == "> > first\n> second"


# --------------------------------------------------------------------------- forwards


def test_forward_with_short_note():
    text = (
        "FYI see below, this client is impossible.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Bob <bob@example.com>\n"
        "Date: Mon, Jan 8, 2024 at 10:00 AM\n"
        "Subject: refund\n"
        "To: <me@example.com>\n\n"
        "I want my money back.\n"
    )
    message = parse_message(text)
    assert message.new_text == "FYI see below, this client is impossible."
    assert message.quoted.startswith("---------- Forwarded message ---------")
    assert "I want my money back." in message.quoted


def test_apple_begin_forwarded_message():
    text = (
        "Can you handle this one?\n\nBegin forwarded message:\n\n"
        "From: Bob <bob@example.com>\nSubject: x\n\nPay me.\n"
    )
    message = parse_message(text)
    assert message.new_text == "Can you handle this one?"
    assert "Pay me." in message.quoted


def forwarded_as_attachment(note: str | None) -> EmailMessage:
    inner = EmailMessage()
    inner["From"] = "Bob <bob@example.com>"
    inner["Subject"] = "refund"
    inner.set_content("I want my money back.")
    outer = EmailMessage()
    outer["From"] = "Me <me@example.com>"
    outer["Subject"] = "Fwd: refund"
    if note is None:
        outer.make_mixed()
    else:
        outer.set_content(note)
    outer.add_attachment(inner)
    return outer


def test_forward_as_attachment_with_note():
    message = parse_message(forwarded_as_attachment("Can you handle this one?").as_bytes())
    assert message.new_text == "Can you handle this one?"
    assert message.quoted == "From: Bob <bob@example.com>\nSubject: refund\n\nI want my money back."
    assert message.body.endswith("I want my money back.")
    assert message.sender_name == "Me"


def test_forward_as_attachment_without_note_reads_the_forwarded_email():
    message = parse_message(forwarded_as_attachment(None).as_string())
    assert message.new_text == "I want my money back."
    assert message.sender_name == "Bob"
    assert message.subject == "refund"


def test_bare_forward_reads_the_forwarded_email():
    text = "---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\n\nPay me.\n"
    message = parse_message(text)
    assert message.new_text == "Pay me."
    assert message.sender_address == "bob@example.com"
    assert message.raw == text


def test_forward_of_nothing_raises():
    text = "---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\n\n> old\n"
    with pytest.raises(InputError, match="no new text"):
        parse_message(text)


# --------------------------------------------------------------------------- signatures


def test_dash_dash_space_signature():
    text = "The files are still missing.\n\n-- \nDana Reyes\nAcme Inc.\n"
    message = parse_message(text)
    assert message.new_text == "The files are still missing."
    assert message.signature == "--\nDana Reyes\nAcme Inc."


def test_dash_dash_signature_in_raw_message():
    raw = raw_message("Fix it.\n-- \nPat\n", From="pat@example.com")
    message = parse_message(raw)
    assert message.new_text == "Fix it."
    assert message.signature.endswith("Pat")


def test_signoff_kept_and_signature_block_split():
    text = (
        "Hi Sam,\n\nWhere is my refund?\n\n"
        "Thanks,\n"
        "Dana\n"
        "Head of Operations | Acme Inc.\n"
        "+1 (555) 123-4567\n"
        "www.acme.example\n"
    )
    message = parse_message(text)
    assert message.new_text == "Hi Sam,\n\nWhere is my refund?\n\nThanks,"
    assert message.signature == (
        "Dana\nHead of Operations | Acme Inc.\n+1 (555) 123-4567\nwww.acme.example"
    )
    assert message.sender_name == "Dana"


def test_signoff_with_name_on_the_same_line():
    message = parse_message("Please send the contract.\n\nRegards, Pat Morgan")
    assert message.new_text == "Please send the contract.\n\nRegards, Pat Morgan"
    assert message.signature == ""
    assert message.sender_name == "Pat Morgan"


def test_signoff_name_on_next_line():
    message = parse_message("Please send the contract.\n\nThanks,\nDana")
    assert message.new_text == "Please send the contract.\n\nThanks,"
    assert message.signature == "Dana"
    assert message.sender_name == "Dana"


@pytest.mark.parametrize("name", ["Tom & Priya Adeyemi", "Sam and Alex"])
def test_a_couple_signing_together_is_the_sender(name):
    assert parse_message(f"Could you send a revised invoice?\n\nCheers,\n{name}").sender_name == (
        name
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Could you take the legs in? See you on the 14th. Thank you, Grace", "Grace"),
        ("Fix it by Friday. Thanks, Will", "Will"),
        ("Should we plan for it or not? Thanks, Jamie Cole, Coleworks Site Services", "Jamie Cole"),
        ("Fix it by Friday. Cheers mate", None),
        ("I want my money. Thank you, Customer Service", None),
    ],
)
def test_a_sign_off_at_the_end_of_the_last_line_names_the_sender(text, name):
    message = parse_message(text)
    assert message.sender_name == name
    assert message.new_text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Fix it.\n\nRegards,\nSupport", None),
        ("Fix it.\n\nThanks,\nAccounts Team", None),
        ("Fix it.\n\nThanks, Pat\nSupport Team", "Pat"),
    ],
)
def test_a_team_under_a_sign_off_is_no_name(text, name):
    assert parse_message(text).sender_name == name


@pytest.mark.parametrize("signoff", ["xoxo\nMaddie", "Love,\nMaddie", "xx Maddie"])
def test_affectionate_sign_offs(signoff):
    assert parse_message(f"Where is my order?\n\n{signoff}").sender_name == "Maddie"


@pytest.mark.parametrize(
    ("signature", "name"),
    [
        ("--\nKind regards,\nMartin Lowe\n\nSent from Outlook for Android", "Martin Lowe"),
        ("-- \nMartin Lowe\nAcme Ltd", "Martin Lowe"),
        ("-- \nAcme Support\nwww.acme.example", None),
    ],
)
def test_the_name_at_the_top_of_a_signature_after_a_delimiter(signature, name):
    message = parse_message(f"Please remove the fee.\n{signature}")
    assert message.new_text == "Please remove the fee."
    assert message.sender_name == name


def test_ta_is_a_sign_off():
    message = parse_message("can someone send me a code that works please\n\nta\nKyle")
    assert message.sender_name == "Kyle"
    assert message.new_text == "can someone send me a code that works please\n\nta"


def test_from_header_name_wins_over_signoff():
    raw = raw_message("Pay now.\n\nBest,\nD.\n", From="Dana Reyes <dana@example.com>")
    assert parse_message(raw).sender_name == "Dana Reyes"


def test_no_signoff_means_no_sender_name():
    assert parse_message("Pay now. Thanks for nothing.").sender_name is None


def test_thanks_in_prose_is_not_a_signoff_and_bullets_are_kept():
    text = (
        "Thanks, but this is late.\n"
        "- the logo is wrong\n"
        "- the footer is missing\n\n"
        "Best of luck fixing it."
    )
    message = parse_message(text)
    assert message.new_text == text
    assert message.signature == ""


@pytest.mark.parametrize("text", ["Thanks\n\nFix it.", "Hi,\nThanks!\nFix it now."])
def test_signoff_word_followed_by_a_sentence_is_not_a_signature(text):
    message = parse_message(text)
    assert message.new_text == text
    assert message.signature == ""


@pytest.mark.parametrize(
    "text",
    [
        "Pay now.\n\nBest wishes,\nRuth (St Aidan's Choral Society)",
        "Pay now.\n\nBest wishes, Ruth (St Aidan's Choral Society)",
        "Pay now.\n\nRuth (St Aidan's Choral Society)\nruth@example.org",
    ],
)
def test_an_affiliation_in_brackets_is_not_part_of_the_name(text):
    assert parse_message(text).sender_name == "Ruth"


def test_company_line_after_signoff_is_signature():
    message = parse_message("Pay now.\n\nBest,\nDana Reyes\nAcme Inc.")
    assert message.new_text == "Pay now.\n\nBest,"
    assert message.signature == "Dana Reyes\nAcme Inc."
    assert message.sender_name == "Dana Reyes"


def test_postscript_after_signoff_stays_in_new_text():
    text = "Fix it.\n\nThanks,\nDana\n\nP.S. I also need the invoice by Friday."
    message = parse_message(text)
    assert "P.S. I also need the invoice by Friday." in message.new_text
    assert "P.S." not in message.signature


def test_contact_block_without_signoff():
    text = (
        "The report is wrong again.\n\n"
        "Pat Morgan\nSenior Manager, Widgets Ltd.\nT: +44 20 1234 5678\npat@widgets.example\n"
    )
    message = parse_message(text)
    assert message.new_text == "The report is wrong again."
    assert message.signature.startswith("Pat Morgan\nSenior Manager")
    assert message.sender_name == "Pat Morgan"


@pytest.mark.parametrize(
    "title",
    [
        "Head of People, Quill & Co",
        "CEO",
        "Practice Manager\nLarchfield Dental",
        "(former tenant, 9B Linden Court)",
    ],
)
def test_a_name_over_a_job_title_names_the_sender(title):
    text = f"Correct the invoice by Friday.\n\nNaomi Sutherland\n{title}\n"
    message = parse_message(text)
    assert message.sender_name == "Naomi Sutherland"
    assert message.new_text == "Correct the invoice by Friday."
    assert message.signature == f"Naomi Sutherland\n{title}"


@pytest.mark.parametrize(
    "closing",
    [
        "Mark\nwaiting on you to sort this",  # a sentence, not a title
        "Mark\nI expect an answer today.",
        "Customer Care\nAcme Ltd",  # a department, not a person
        "Mark\nOne\nTwo\nThree",  # too long for a name and a title
    ],
)
def test_a_closing_paragraph_that_is_not_a_name_and_title_stays_text(closing):
    message = parse_message(f"Correct the invoice by Friday.\n\n{closing}")
    assert closing.split("\n")[-1] in message.new_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi Dana,\n\nThe tiles are cracking. Fix them by Friday.\n\nMark", "Mark"),
        ("fix it by friday!!\nMark", "Mark"),
        ("The invoice is wrong.\n- Sami", "Sami"),
        ("The invoice is wrong.\n\nAoife Brennan", "Aoife Brennan"),
        ("The invoice is wrong.\n\nNiamh O'Sullivan", "Niamh O'Sullivan"),
        ("See you then.\n\nxx Portia", "Portia"),
        ("See you then.\n\nRory McDonald", "Rory McDonald"),
        ("See you then.\n\nRuth (St Aidan's Choral Society)", "Ruth"),
    ],
)
def test_a_name_alone_on_the_last_line_names_the_sender(text, name):
    message = parse_message(text)
    assert message.sender_name == name
    assert message.new_text == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "Fix it.\n\nSeriously",
        "Pay the invoice.\n\nCustomer Care",
        "I already spoke to\nMark",
        "Pay now.\n\nP.",
        "Pay now.\n\nFix It Right Now",
        "Mark",
    ],
)
def test_a_last_line_that_is_not_a_personal_name_names_nobody(text):
    assert parse_message(text).sender_name is None


def test_mobile_signatures():
    for footer in ("Sent from my iPhone", "Get Outlook for Android", "Von meinem iPhone gesendet"):
        message = parse_message(f"Call me back.\n\n{footer}")
        assert message.new_text == "Call me back."
        assert message.signature == footer


def test_disclaimer_goes_to_signature():
    text = (
        "Hi team,\nWhere is the invoice?\n\n"
        "Best regards,\nJo Smith\nSenior Manager, Widgets Ltd.\n\n"
        "This email and any attachments are confidential and intended solely for the addressee.\n"
        "If you are not the intended recipient, please delete it.\n"
    )
    message = parse_message(text)
    assert message.new_text == "Hi team,\nWhere is the invoice?\n\nBest regards,"
    assert "This email and any attachments are confidential" in message.signature
    assert "confidential" not in message.new_text
    assert message.signature.startswith("Jo Smith")


def test_disclaimer_without_signoff():
    text = (
        "Your invoice is wrong.\n\n"
        "CONFIDENTIALITY NOTICE: The information in this e-mail is privileged.\n"
        "Do not forward.\n"
    )
    message = parse_message(text)
    assert message.new_text == "Your invoice is wrong."
    assert message.signature.startswith("CONFIDENTIALITY NOTICE")


def test_external_sender_banner_is_removed():
    text = (
        "CAUTION: This email originated from outside of the organization. Do not click links.\n"
        "Hi team,\nWhere is the invoice?"
    )
    message = parse_message(text)
    assert message.new_text == "Hi team,\nWhere is the invoice?"
    assert message.signature.startswith("CAUTION: This email originated")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("data", ["", "   \n\t  ", b"", b"  \r\n "])
def test_empty_input(data):
    with pytest.raises(InputError, match="The message is empty"):
        parse_message(data)


def test_too_large_text_and_bytes():
    with pytest.raises(InputError, match=r"too large: 300001 bytes \(the limit is 262144 bytes\)"):
        parse_message("a" * 300_001)
    with pytest.raises(InputError, match=r"too large: 11 bytes \(the limit is 10 bytes\)"):
        parse_message(b"hello world", max_bytes=10)
    # The limit counts UTF-8 bytes, not characters: 6 characters, 12 bytes.
    with pytest.raises(InputError, match="too large: 12 bytes"):
        parse_message("éééééé", max_bytes=10)
    assert parse_message("hello", max_bytes=5).new_text == "hello"


def test_nul_bytes_raise():
    with pytest.raises(InputError, match="NUL bytes"):
        parse_message(b"Hello\x00world")
    with pytest.raises(InputError, match="NUL characters"):
        parse_message("Hello\x00world")


def test_random_bytes_raise_instead_of_mojibake():
    rng = random.Random(7)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(2, 300)))
        with pytest.raises(InputError, match="could not be decoded"):
            parse_message(data)


def test_control_character_text_raises():
    with pytest.raises(InputError, match="could not be decoded"):
        parse_message("\x01\x02\x03\x04 abc \x05\x06\x07\x08")


def test_binary_mime_part_raises():
    body = base64.b64encode(bytes(range(256))).decode()
    raw = (
        "From: a@example.com\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: base64\n\n{body}\n"
    )
    with pytest.raises(InputError, match="body could not be decoded"):
        parse_message(raw)


def test_multipart_without_boundary_raises():
    raw = "From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\nhello\n"
    expected = r"Malformed MIME message: .*missing or unmatched boundary"
    with pytest.raises(InputError, match=expected):
        parse_message(raw)


def test_multipart_with_boundary_not_found_raises():
    raw = (
        'From: a@example.com\nContent-Type: multipart/alternative; boundary="XYZ"\n\n'
        "--ABC\nContent-Type: text/plain\n\nhello\n--ABC--\n"
    )
    with pytest.raises(InputError, match="Malformed MIME message"):
        parse_message(raw)


def test_multipart_missing_close_boundary_is_tolerated():
    raw = (
        'From: a@example.com\nContent-Type: multipart/mixed; boundary="XYZ"\n\n'
        "--XYZ\nContent-Type: text/plain\n\nTruncated but readable.\n"
    )
    assert parse_message(raw).new_text == "Truncated but readable."


@pytest.mark.parametrize(
    "raw",
    [
        "From: a@example.com\nSubject: hello\n",
        "From: a@example.com\nSubject: hello\n\n   \n",
        b"Received: from x\nFrom: a@example.com\r\n\r\n",
    ],
)
def test_headers_without_body_raise(raw):
    with pytest.raises(InputError, match="headers but no body"):
        parse_message(raw)


def test_only_attachments_raise():
    msg = MIMEMultipart("mixed")
    msg["From"] = "a@example.com"
    image = MIMEBase("image", "png")
    image.set_payload(base64.b64encode(b"\x89PNG").decode())
    image["Content-Transfer-Encoding"] = "base64"
    image.add_header("Content-Disposition", "attachment", filename="x.png")
    msg.attach(image)
    with pytest.raises(InputError, match="no readable text part"):
        parse_message(msg.as_string())


@pytest.mark.parametrize(
    "text",
    [
        "> only a quote\n> of an old message",
        "On Mon, Jan 8, 2024 at 10:00 AM Sam <sam@example.com> wrote:\n> old\n",
        "-- \nDana Reyes\nAcme",
        "Sent from my iPhone",
    ],
)
def test_no_new_text_raises(text):
    with pytest.raises(InputError, match="no new text"):
        parse_message(text)


def test_html_with_only_script_raises():
    with pytest.raises(InputError, match="body is empty"):
        parse_message("<html><head><script>alert(1)</script></head><body> </body></html>")


def test_empty_mime_body_raises():
    raw = raw_message("<html><body><p> </p></body></html>", subtype="html", From="a@example.com")
    with pytest.raises(InputError, match="body is empty"):
        parse_message(raw)


@pytest.mark.parametrize("data", [None, 42, ["text"]])
def test_wrong_type_raises(data):
    with pytest.raises(InputError, match="must be text or bytes"):
        parse_message(data)  # type: ignore[arg-type]


def test_never_another_exception_type():
    rng = random.Random(3)
    seeds = [
        GMAIL_PLAIN,
        raw_message("Hello there.\n", From="Dana <d@example.com>", Subject="Hi"),
        'From: a@example.com\nContent-Type: multipart/mixed; boundary="B"\n\n--B\n'
        "Content-Type: text/html\n\n<p>hi<p>\n--B--\n",
    ]
    for seed in seeds:
        for _ in range(150):
            chars = list(seed)
            for _ in range(rng.randrange(1, 8)):
                if not chars:
                    break
                position = rng.randrange(len(chars))
                action = rng.random()
                if action < 0.4:
                    del chars[position]
                elif action < 0.8:
                    chars.insert(position, rng.choice('\n:<>=-;"\\ \x01é€'))
                else:
                    chars = chars[:position]
            mutated = "".join(chars)
            for data in (mutated, mutated.encode("utf-8", "surrogatepass")):
                try:
                    result = parse_message(data)
                except InputError:
                    continue
                assert result.new_text.strip()


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("Åsa Berg", "asa@example.se"),
        ("Åsa, Ltd", "åsa@exämple.se"),
        ('Dr. J. "Jo" Smith', "jo@example.com"),
        (None, "ünal@example.com"),
    ],
)
def test_format_sender_is_read_back_as_the_same_name_and_address(name, address):
    from app.pipeline.parse import format_sender

    message = parse_message("Where is the invoice?", sender=format_sender(name, address))
    assert (message.sender_name, message.sender_address) == (name, address)


@pytest.mark.parametrize(
    "sent_at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
    ],
)
def test_a_sent_at_no_clock_can_hold_in_utc_is_refused(sent_at):
    with pytest.raises(InputError, match="sent_at is out of range"):
        parse_message("Where is my refund?", sent_at=sent_at)


@pytest.mark.parametrize("levels", [2, 3, 11])
def test_a_bare_forward_of_a_forward_is_read_as_the_first_email(levels):
    raw = "From: Dana <dana@example.com>\nSubject: Refund\n\nWhere is my refund?"
    for level in range(levels):
        raw = (
            f"From: desk{level}@example.com\nSubject: Fwd\nMIME-Version: 1.0\n"
            f"Content-Type: message/rfc822\n\n{raw}"
        )
    message = parse_message(raw)
    assert message.new_text == "Where is my refund?"
    assert message.sender_name == "Dana"


def test_forwards_nested_beyond_reason_are_refused():
    raw = "From: Dana <dana@example.com>\n\nWhere is my refund?"
    for level in range(12):
        raw = f"From: d{level}@x.com\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n{raw}"
    with pytest.raises(InputError):
        parse_message(raw)


def test_entities_and_image_placeholders_left_by_html_conversion_are_cleaned():
    text = (
        "Dan,\n\nAnd while we're on it:&nbsp;\nThe launch was late &amp; wrong.\n\n"
        "Lisa Okafor\nMarketing Manager | Harbourside Kitchens\n&nbsp;\n"
        "T: 0117 496 0831 | M: 07700 900 482\n[cid:image001.png@01DA8F3C.5E2B1A40]"
    )
    m = parse_message(text)
    assert "&" not in m.new_text.replace("late & wrong", "") and "cid:" not in m.body
    assert m.new_text.endswith("The launch was late & wrong.")
    assert m.sender_name == "Lisa Okafor"


def test_a_lowercase_name_over_a_phone_number_signs_the_message():
    m = parse_message("can someone come out this week please\n\njade\n07700 900 117")
    assert m.new_text == "can someone come out this week please"
    assert m.sender_name == "Jade"


@pytest.mark.parametrize("signoff", ["Thanks lovely x", "Thanks again 🙏", "Cheers all"])
def test_a_friendly_sign_off_before_the_name_is_a_sign_off(signoff):
    m = parse_message(f"Hi Gemma,\n\nCan we have a call this week?\n\n{signoff}\nSophie")
    assert m.sender_name == "Sophie"


@pytest.mark.parametrize(
    ("ending", "name"),
    [
        ("Thanks very much,\nSophie Grant\n07912 556 093", "Sophie Grant"),
        (
            "Thanks and have a lovely Christmas,\nRebecca Moss\nProcurement Assistant",
            "Rebecca Moss",
        ),
        ("Thank you again, we'll be recommending you!\nAmy & Josh", "Amy and Josh"),
        ("thanks\ndave", "Dave"),
    ],
)
def test_closing_wishes_couples_and_lower_case_names_sign_the_message(ending, name):
    m = parse_message(f"Hi Nadia,\n\nCould you send your rates?\n\n{ending}")
    assert m.sender_name == name
    assert "Could you send your rates?" in m.new_text and "07912" not in m.new_text


def test_a_comma_inside_a_closing_line_makes_it_prose_not_a_sign_off():
    m = parse_message("Hi,\n\nThanks for the quote, I will book it,\nRuth Ellis")
    assert "I will book it" in m.new_text


@pytest.mark.parametrize("ending", ["Thanks!\nFran x", "Fran xx"])
def test_a_kiss_after_the_name_is_not_part_of_it(ending):
    assert parse_message(f"Hi Ellie,\n\nCan we start at 6?\n\n{ending}").sender_name == "Fran"


def test_a_title_after_a_bar_is_not_part_of_the_name():
    m = parse_message(
        "Jess,\n\nWhen do we launch?\n\nMarcus\n\nMarcus Bellamy | Owner\nBellamy Fitness\n"
        "0161 496 0732"
    )
    assert m.sender_name == "Marcus Bellamy" and "0161" not in m.new_text


@pytest.mark.parametrize(
    ("ending", "name"),
    [
        ("Jess\n@jessdrawsthings", "Jess"),
        ("Mrs. Adaeze Okonkwo\n23 Milton Close", "Mrs. Adaeze Okonkwo"),
    ],
)
def test_a_name_over_a_social_handle_or_a_street_address_signs_the_message(ending, name):
    m = parse_message(f"Hi,\n\nPlease send somebody today.\n\n{ending}")
    assert m.sender_name == name and m.new_text == "Hi,\n\nPlease send somebody today."

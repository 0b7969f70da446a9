#!/usr/bin/env python3
"""Writes the generated mail corpus of the PIMFormats tests: .eml files built with Python's standard `email`
package (an independent writer of MIME), and expected.json, what each message holds, which
MailGeneratedCorpusTests checks the Swift reader against.

Run it from anywhere: `python3 make_corpus.py`. Its output is deterministic (fixed boundaries, dates and ids)
and checked in; the tests do not need Python.
"""
import base64
import json
import os
from email import encoders, policy
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

HERE = os.path.dirname(os.path.abspath(__file__))
CRLF = policy.compat32.clone(linesep="\r\n")
LF = policy.compat32.clone(linesep="\n")
expected = {}


def charset(name, body=BASE64, header=BASE64):
    """A charset that writes its own bytes (Python would turn Shift_JIS into ISO-2022-JP by default)."""
    cs = Charset(name)
    cs.output_charset = name
    cs.output_codec = cs.input_codec
    cs.header_encoding = header
    cs.body_encoding = body
    return cs


def text_part(text, subtype, cs_name, encoding="base64"):
    """A text part in charset `cs_name`, transfer-encoded with `encoding`."""
    part = MIMENonMultipart("text", subtype, charset=cs_name)
    part.set_payload(text.encode(cs_name))
    if encoding == "base64":
        encoders.encode_base64(part)
    elif encoding == "quoted-printable":
        encoders.encode_quopri(part)
    else:
        part["Content-Transfer-Encoding"] = encoding
    return part


def write(name, msg, lines=CRLF, **expect):
    data = msg.as_bytes(policy=lines)
    with open(os.path.join(HERE, name + ".eml"), "wb") as f:
        f.write(data)
    expected[name] = expect


def headers(msg, subject, sender, to, date, message_id="<{}@corpus.example>", name=""):
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = date
    if message_id:
        msg["Message-ID"] = message_id.format(name)


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n% corpus\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def single(name, cs_name, subject, display, body, encoding="base64", lines=CRLF, date=None, header=BASE64, **extra):
    msg = text_part(body, "plain", cs_name, encoding)
    headers(msg, Header(subject, charset(cs_name, header=header)),
            formataddr((display, "sender@corpus.example"), charset=charset(cs_name, header=header)),
            "Customer <customer@corpus.example>", date or "Mon, 02 Mar 2026 09:15:00 +0100", name=name)
    write(name, msg, lines, subject=subject, from_=[[display, "sender@corpus.example"]],
          to=[["Customer", "customer@corpus.example"]], date=extra.pop("utc", "2026-03-02T08:15:00Z"),
          message_id=name + "@corpus.example", text=[body.strip()], attachments=[], **extra)


# Encoded headers and bodies in the charsets mail comes in.
single("latin1-qp", "iso-8859-1", "Grüße aus Köln: Angebot", "Jürgen Müller",
       "Sehr geehrte Damen und Herren,\n\nanbei das Angebot für Straße 5. Größe: 20 m²\n", "quoted-printable",
       lines=LF, header=QP)
single("windows1252-smart-quotes", "windows-1252", "“Quoted” offer — 10 €", "Zoë O’Brien",
       "Dear Sir,\n\nthe “premium” plan costs 10 € — that’s all…\n", "quoted-printable", header=QP)
single("koi8r-russian", "koi8-r", "Привет, мир: заказ 5", "Иван Петров",
       "Здравствуйте!\n\nСчёт во вложении.\n")
single("shift-jis-japanese", "shift_jis", "お見積りのご案内", "山田太郎",
       "いつもお世話になっております。\n見積書をお送りします。\n")
# Python names the Big5 codec "big5_tw" in encoded words (kept: real mail written by Python says so).
single("big5-chinese", "big5", "報價單", "陳大文", "您好，\n附上報價單，請查收。\n")
single("gbk-chinese", "gbk", "报价单：第二季度", "王小明", "您好，\n附件是第二季度的报价单。\n")

# A UTF-16 body (with a byte order mark) and a UTF-8 subject.
msg = text_part("Hello in UTF-16: naïve café, 東京.\n", "plain", "utf-16")
headers(msg, Header("UTF-16 body", "utf-8"), "Sender <sender@corpus.example>",
        "customer@corpus.example", "Tue, 03 Mar 2026 10:00:00 +0000", name="utf16-body")
write("utf16-body", msg, subject="UTF-16 body", from_=[["Sender", "sender@corpus.example"]],
      to=[[None, "customer@corpus.example"]], date="2026-03-03T10:00:00Z",
      message_id="utf16-body@corpus.example", text=["Hello in UTF-16: naïve café, 東京."], attachments=[])

# HTML only: paragraphs, a list, a link, entities, script and style.
html = """<!DOCTYPE html><html><head><title>Newsletter</title><style>p { color: red; }</style>
<script>alert("x")</script></head><body><h1>Spring&nbsp;offers</h1><p>Dear customer,<br>our new
prices &amp; terms:</p><ul><li>Basic &ndash; 10&euro;</li><li>Pro &#8211; 20&#x20AC;</li></ul>
<p>See <a href="https://corpus.example/offers">our offers</a> or write to
<a href="mailto:sales@corpus.example">sales@corpus.example</a>.</p><!-- tracking --></body></html>"""
msg = MIMEText(html, "html", "utf-8")
headers(msg, "HTML only", "Newsletter <news@corpus.example>", "customer@corpus.example",
        "Wed, 04 Mar 2026 12:00:00 -0500", name="html-only")
write("html-only", msg, LF, subject="HTML only", from_=[["Newsletter", "news@corpus.example"]],
      to=[[None, "customer@corpus.example"]], date="2026-03-04T17:00:00Z", message_id="html-only@corpus.example",
      text=["Spring offers\n\nDear customer,\nour new prices & terms:", "- Basic – 10€\n- Pro – 20€",
            "See our offers (https://corpus.example/offers) or write to sales@corpus.example."],
      text_excludes=["alert", "color: red", "tracking", "Newsletter"], attachments=[])

# Nested: mixed [ alternative [ plain, related [ html, inline image ] ], pdf ].
related = MIMEMultipart("related", boundary="==related==")
related.attach(MIMEText('<p>See the <b>logo</b>: <img src="cid:logo@corpus" alt="Logo"></p>', "html", "utf-8"))
image = MIMEImage(PNG, "png")
image["Content-ID"] = "<logo@corpus>"
image.add_header("Content-Disposition", "inline", filename="logo.png")
related.attach(image)
alternative = MIMEMultipart("alternative", boundary="==alternative==")
alternative.attach(MIMEText("See the logo.\n", "plain", "utf-8"))
alternative.attach(related)
msg = MIMEMultipart("mixed", boundary="==mixed==")
msg.preamble = "This is a multi-part message in MIME format."
msg.epilogue = "epilogue text that is not shown"
msg.attach(alternative)
pdf = MIMEApplication(PDF, "pdf")
pdf.add_header("Content-Disposition", "attachment", filename="offer.pdf")
msg.attach(pdf)
headers(msg, "Nested multipart", "Sales <sales@corpus.example>", "customer@corpus.example",
        "Thu, 05 Mar 2026 08:00:00 +0000", name="nested-multipart")
write("nested-multipart", msg, subject="Nested multipart", from_=[["Sales", "sales@corpus.example"]],
      to=[[None, "customer@corpus.example"]], date="2026-03-05T08:00:00Z",
      message_id="nested-multipart@corpus.example", text=["See the logo."],
      text_excludes=["epilogue", "multi-part message"],
      attachments=[["logo.png", "image/png", len(PNG), "logo@corpus", True],
                   ["offer.pdf", "application/pdf", len(PDF), None, False]])

# A forwarded message attached as message/rfc822.
inner = MIMEText("Original question about the invoice.\n", "plain", "utf-8")
headers(inner, "Invoice 42", "Customer <customer@corpus.example>", "sales@corpus.example",
        "Fri, 27 Feb 2026 16:00:00 +0000", name="inner")
msg = MIMEMultipart("mixed", boundary="==forward==")
msg.attach(MIMEText("FYI, see the attached message.\n", "plain", "utf-8"))
msg.attach(MIMEMessage(inner))
headers(msg, "Fwd: Invoice 42", "Sales <sales@corpus.example>", "boss@corpus.example",
        "Fri, 06 Mar 2026 09:00:00 +0000", name="forwarded-rfc822")
inner_size = len(inner.as_bytes(policy=CRLF))
write("forwarded-rfc822", msg, subject="Fwd: Invoice 42", from_=[["Sales", "sales@corpus.example"]],
      to=[[None, "boss@corpus.example"]], date="2026-03-06T09:00:00Z",
      message_id="forwarded-rfc822@corpus.example", text=["FYI, see the attached message."],
      text_excludes=["Original question"], attachments=[["Invoice 42.eml", "message/rfc822", inner_size, None, False]])

# Attachments with RFC 2231 names: non-ASCII, long (written as continuations name*0*=, name*1*=...), and in
# ISO-8859-1; written by the modern API (EmailMessage), which folds long parameters that way.
msg = EmailMessage(policy=policy.SMTP)
msg.set_content("Three files.\n")
long_name = "Angebot für die Müller GmbH – Quartalsbericht 2026 mit allen Anlagen und Preisen (final).pdf"
msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="Übersicht März.pdf")
msg.add_attachment(PDF, maintype="application", subtype="octet-stream", filename=long_name)
resume = MIMEText("plain file\n", "plain", "us-ascii")  # compat32 keeps the ISO-8859-1 name as given
resume.add_header("Content-Disposition", "attachment", filename=("iso-8859-1", "", "résumé.txt"))
msg.attach(resume)
msg.set_boundary("==names==")
msg["Subject"] = "Files with names"
msg["From"] = "Sales <sales@corpus.example>"
msg["To"] = "customer@corpus.example"
msg["Date"] = "Sat, 07 Mar 2026 10:30:00 +0100"
msg["Message-ID"] = "<rfc2231-names@corpus.example>"
write("rfc2231-names", msg, policy.SMTP, subject="Files with names", from_=[["Sales", "sales@corpus.example"]],
      to=[[None, "customer@corpus.example"]], date="2026-03-07T09:30:00Z", message_id="rfc2231-names@corpus.example",
      text=["Three files."], attachments=[["Übersicht März.pdf", "application/pdf", len(PDF), None, False],
                                          [long_name, "application/octet-stream", len(PDF), None, False],
                                          # 7bit: the bytes as sent, with the CRLF of the SMTP form
                                          ["résumé.txt", "text/plain", 12, None, False]])

# Sent by the user (as a Sent folder keeps it): Sender, Reply-To, Cc, Bcc, a reply with References.
msg = MIMEText("Thanks, we will call you tomorrow.\n\n> Can you call me?\n", "plain", "utf-8")
headers(msg, "Re: Call back", formataddr(("Anna Schmidt", "anna@crm.example")),
        '"Lee, Ken" <ken@customer.example>, "Ms. O\'Hara" <ohara@customer.example>',
        "Sun, 08 Mar 2026 18:45:00 +0100", name="sent-by-user")
msg["Sender"] = "Assistant <assistant@crm.example>"
msg["Reply-To"] = "Sales Team: anna@crm.example, sales@crm.example;"
msg["Cc"] = Header("Søren Ås", "utf-8").encode() + " <soren@customer.example>"
msg["Bcc"] = "archive@crm.example"
msg["In-Reply-To"] = "<question-1@customer.example>"
msg["References"] = "<thread-0@customer.example>\r\n <question-1@customer.example>"
msg["User-Agent"] = "CRM Desktop"
write("sent-by-user", msg, subject="Re: Call back", from_=[["Anna Schmidt", "anna@crm.example"]],
      to=[["Lee, Ken", "ken@customer.example"], ["Ms. O'Hara", "ohara@customer.example"]],
      cc=[["Søren Ås", "soren@customer.example"]], bcc=[[None, "archive@crm.example"]],
      reply_to=[[None, "anna@crm.example"], [None, "sales@crm.example"]],
      sender=["Assistant", "assistant@crm.example"], date="2026-03-08T17:45:00Z",
      message_id="sent-by-user@corpus.example", in_reply_to=["question-1@customer.example"],
      references=["thread-0@customer.example", "question-1@customer.example"],
      text=["Thanks, we will call you tomorrow.\n\n> Can you call me?"], attachments=[])

# Received: trace headers before the message's own, a group of undisclosed recipients.
msg = MIMEText("Your order has shipped.\n", "plain", "us-ascii")
msg["Return-Path"] = "<bounces@shop.example>"
msg["Received"] = ("from mail.shop.example (mail.shop.example [192.0.2.1])\r\n\tby mx.crm.example with ESMTPS"
                   " id 4Xy;\r\n\tMon, 09 Mar 2026 07:00:05 +0000 (UTC)")
msg["Delivered-To"] = "anna@crm.example"
headers(msg, "Your order", "Shop <orders@shop.example>", "undisclosed-recipients:;",
        "Mon, 9 Mar 2026 08:00:01 +0100 (CET)", name="received")
write("received", msg, LF, subject="Your order", from_=[["Shop", "orders@shop.example"]], to=[],
      date="2026-03-09T07:00:01Z", message_id="received@corpus.example", text=["Your order has shipped."],
      attachments=[])

# No Message-ID, and obsolete date forms.
msg = MIMEText("No id here.\n", "plain", "us-ascii")
headers(msg, "No id", "someone@corpus.example", "customer@corpus.example", "Tue, 10 Mar 2026 11:00:00 +0000",
        message_id=None)
write("no-message-id", msg, subject="No id", from_=[[None, "someone@corpus.example"]],
      to=[[None, "customer@corpus.example"]], date="2026-03-10T11:00:00Z", message_id=None, text=["No id here."],
      attachments=[])
for name, date, utc in [("date-two-digit-year", "3 Dec 09 10:50 EST", "2009-12-03T15:50:00Z"),
                        ("date-named-zone-comment", "Thu, 3 Dec 2009 10:50:22 PDT (Pacific)", "2009-12-03T17:50:22Z"),
                        ("date-military-zone", "03 Dec 1999 23:59:59 Z", "1999-12-03T23:59:59Z"),
                        ("date-unreadable", "next Tuesday at noon", None)]:
    msg = MIMEText("Date test.\n", "plain", "us-ascii")
    headers(msg, name, "someone@corpus.example", "customer@corpus.example", date, name=name)
    write(name, msg, subject=name, from_=[[None, "someone@corpus.example"]],
          to=[[None, "customer@corpus.example"]], date=utc, message_id=name + "@corpus.example",
          text=["Date test."], attachments=[])

with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(expected)} messages")

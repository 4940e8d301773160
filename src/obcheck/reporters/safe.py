"""Neutralising text from rules and facts for each kind of output: terminals, CSV, Markdown, XML and URIs."""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a reader sees
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}" if ord(char) > 0xFF else f"\\x{ord(char):02x}")


def visible(text: object) -> str:
    """For a terminal or a plain-text file: control characters (escape sequences, bells, newlines that would
    forge a line) are shown as escapes instead of acting."""
    text = str(text)
    # every character _CONTROL matches is in category C or Z, so not printable (tests/test_safe.py checks each):
    # printable text, nearly all of it, skips the regular expression
    return text if text.isprintable() else _CONTROL.sub(_escape, text)


def csv_cell(value: object) -> object:
    """OWASP's advice against formula injection: a text cell that a spreadsheet would read as a formula gets a
    leading apostrophe. Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def markdown(text: object) -> str:
    """Markdown text that stays text: no raw HTML, no emphasis or links from data, no line breaks (headings)."""
    flat = " ".join(visible(text).replace("\\n", " ").split())
    return _MARKDOWN.sub(r"\\\1", flat)


def code(text: object) -> str:
    """A Markdown code span that a backtick in the data cannot close early."""
    flat = " ".join(visible(text).split())
    return f"`` {flat} ``" if "`" in flat else f"`{flat}`"


def link(text: object, url: str) -> str:
    """A Markdown link only to http(s) addresses, the address percent-encoded; any other scheme gives the text alone."""
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return markdown(text)
    return f"[{markdown(text)}]({quote(url, safe=':/?#=&%~+,;@!$*')})"


def xml(text: object) -> str:
    """Characters XML 1.0 cannot hold, shown as escapes (the serialiser escapes <, & and quotes itself)."""
    return _NOT_XML.sub(_escape, str(text))


def uri(path: str) -> str:
    """A file path as a relative URI reference, percent-encoded."""
    return quote(path, safe="/")

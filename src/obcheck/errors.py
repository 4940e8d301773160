"""Located diagnostics shared by every stage: `path:line:col: message`, collected per run."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A located message: `path:line:col: message`."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        # the message's echoed values are cut where they are written (shown); this bounds whatever else gets in
        return f"{printable(self.path)}:{self.line}:{self.col}: {cut(printable(self.message), MAX_MESSAGE)}"


MAX_SHOWN = 80  # an echoed value (a fact value, a key, a list of allowed values) is cut to this many characters
MAX_MESSAGE = 400  # a whole message, as a last bound
MAX_SUGGEST_FROM = 500  # 'did you mean' only among this many choices
MAX_SUGGESTIONS = 500  # and only for this many errors of one file (each costs up to ~10 ms)
_suggestions = itertools.count()


def new_file() -> None:
    """A new file is being read: its errors get suggestions again (source.parse calls this)."""
    global _suggestions
    _suggestions = itertools.count()


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """`text`, or its first characters with an ellipsis and the full length when it is longer than `limit`."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text):,} characters)"


def shown(value: object) -> str:
    """A value echoed in a message: as Python writes it ('text', 12, True), control characters escaped, cut."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print (Python's 4,300-digit limit)
        return "an integer of more than 4,300 digits"
    return cut(printable(text))


def listed(values: Iterable[object], limit: int = MAX_SHOWN) -> str:
    """Allowed values as 'a, b, c', cut with the count when long (an enum of 10,000 values is not printed)."""
    items = [str(v) for v in values]
    text = ", ".join(items)
    if len(text) <= limit:
        return printable(text)
    head = ""
    for item in items:
        if len(head) + len(item) + 2 > limit:
            break
        head += (", " if head else "") + item
    return f"{printable(head)}, … ({len(items):,} values)"


def printable(text: str) -> str:
    """`text` with every character a terminal would not show as itself escaped, as Python writes it (a newline as
    \\n, ESC as \\x1b, U+2028 as \\u2028); the bytes of a name that is not UTF-8 as \\xNN. A newline in a file
    name must not start a forged `path:line:col:` line."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte that is not UTF-8, kept by the file system encoding
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


class InputError(Exception):
    """Bad input: one or more located diagnostics. The CLI prints them all and exits 2."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class InternalError(Exception):
    """A broken invariant inside obcheck or the engine: exit 3, never a partial report."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix when a close match exists, else ''."""
    options = list(choices)
    # difflib takes ~0.2 s against 10,000 values; per error, a file of thousands of mistakes would hang on it. A
    # suggestion is made among at most MAX_SUGGEST_FROM choices, and for the first MAX_SUGGESTIONS errors of a file.
    if len(options) > MAX_SUGGEST_FROM or next(_suggestions) >= MAX_SUGGESTIONS:
        return ""
    match = difflib.get_close_matches(cut(word, 200), options, n=1, cutoff=0.6)
    return f" (did you mean '{cut(printable(match[0]))}'?)" if match else ""

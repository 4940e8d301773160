"""Located diagnostics shared by every stage: `path:line:col: message`, collected per run."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}:{self.col}: {self.message}"


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
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""

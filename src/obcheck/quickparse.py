"""The parse's fast path: the plain block YAML that fact and rule files are written in, read line by line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# libyaml turns each scalar into a Python event and two mark objects, and that was most of a parse's time. This
# reads the common subset of YAML itself: block mappings and sequences with plain keys; plain, single-quoted and
# double-quoted scalars (on one line or, as a mapping's value, folded over several); `>`, `>-`, `|` and `|-`
# block scalars whose lines share one indentation; one-line flow sequences of words; comments. For such a text it
# gives exactly the data and slots that `source._build` gives (tests/test_quickparse.py compares the two on every
# YAML file of the repository, on generated documents and on edited fact files), and None for anything else, which
# libyaml then reads: a tab, a carriage return, a line ending in a space, a document marker or directive, an
# anchor, alias or tag, a flow mapping, a key that is not a plain word, an empty value, a blank line inside a
# scalar, an escape but \" and \\, an indentation it does not expect, or a character YAML or editors treat apart.
#
# A mark here is an int, line * ROW + column (0-based, as libyaml's): source.Lines reads both kinds.
ROW = 1 << 32

# What libyaml takes as printable, less what ends a line for YAML but not for an editor (U+0085, U+2028,
# U+2029), the BOM, a tab and CR: an ASCII text of these bytes, or any text whose lines Python calls printable.
_ASCII_TAKEN = bytes(range(0x20, 0x7F)) + b"\n"
# A key: a plain word of at most 1,000 characters (libyaml refuses one of more than 1,024), then ': ' and the
# rest of the line, or the line's end.
_KEY_TEXT = r"([A-Za-z0-9_][A-Za-z0-9_.\-]{0,999}):(?: (.*))?$"
# Each line as (indentation, '-' if it is a sequence's item, key, the rest after ': ', or else the line's text): a
# match for every line, so that the n-th is the n-th line.
_LINE = re.compile(rf"^( *)(?:(-)(?: |$))?(?:{_KEY_TEXT}|(.*)$)", re.MULTILINE)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")  # a plain scalar starting with one is left to libyaml ...
_PLAIN_DASH = re.compile(r"[-+.][A-Za-z0-9]")  # ... but for a sign or point before a letter or digit
_FOLDED_NOT = frozenset("#-?:")  # a plain scalar's folded line starting with one is left to libyaml
_DOUBLE = re.compile(r'(?:[^"\\]|\\["\\])*')  # a double-quoted line's text up to its closing quote: of the escapes, \" and \\
_UNESCAPE = re.compile(r'\\(["\\])')
_COMMENT = re.compile(r" +#.*")  # after a value, to the line's end
_NUMERIC = frozenset("-+.0123456789")  # a plain scalar starting otherwise is a string or one of the constants
_WORD = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*|\"[A-Za-z0-9_.\- ]*\"|'[A-Za-z0-9_.\- ]*'"  # plain, or quoted
_FLOW = re.compile(rf"\[(?:(?:{_WORD})(?:, (?:{_WORD}))*)?\]")
_FLOW_ITEM = re.compile(_WORD)
_BLOCK_HEADERS = frozenset((">", ">-", "|", "|-"))


class Declined(Exception):
    """The text is outside the subset read here: libyaml decides."""


def parse(
    text: str, constants: dict[str, Any], number: Callable[[str], Any], max_depth: int, max_nodes: int,
) -> tuple[Any, list[Any]] | None:
    """The data and slots `source._build` gives for a text in the subset, or None. A plain scalar's text resolves
    as `source._build` resolves it: through `constants` (true, null, ...), or, starting with a sign, point or digit,
    through `number` (which raises Declined for what it leaves to libyaml)."""
    if text.isascii():
        if text.encode("ascii").translate(None, _ASCII_TAKEN):
            return None
    elif not text.replace("\n", "").isprintable():
        return None
    # A line ending in a space: libyaml drops the space where a scalar ends or folds, which is not worth copying here.
    # No check is needed for a document marker or directive (---, ..., %): only a mapping's key starts a line at
    # column 0 here, and those are not keys.
    if " \n" in text or text.endswith(" "):
        return None
    try:
        return _Reader(text, constants, number, max_depth, max_nodes).document()
    except Declined:
        return None


class _Reader:
    """One text's lines, read top-down; each method reads a node and leaves `i` at the first line after it."""

    def __init__(self, text: str, constants: dict[str, Any], number: Callable[[str], Any], max_depth: int, max_nodes: int) -> None:
        self.text, self.lines, self.constants, self.number = text, text.split("\n"), constants, number
        self.max_depth, self.max_nodes = max_depth - 2, max_nodes - 8  # a margin: libyaml decides near the limits
        self.slots: list[Any] = []
        self.i = 0

    def document(self) -> tuple[Any, list[Any]]:
        """Every line in one loop: the containers open around the current line are a stack of frames."""
        lines, slots, constants, number = self.lines, self.slots, self.constants, self.number
        append = slots.append
        tokens = _LINE.findall(self.text)
        if len(tokens) != len(lines):
            raise Declined  # (never seen) each line is one match
        frames: list[tuple[Any, int, bool, bool, int, int]] = []  # the enclosing containers, as the variables below
        cur: Any = None  # the container the current line belongs to: a dict (a mapping) or a list (a sequence) ...
        col = -1  # ... its keys' or items' column ...
        is_map = indentless = False  # ... whether a mapping; whether a sequence at its parent key's column ...
        j = start = 0  # ... and its slot and start mark
        waiting: str | None = None  # a key of `cur` with nothing after its ':', whose value opens on the next line
        last: str | None = None  # the key of `cur` whose plain scalar the next line may go on (fold into)
        folded: list[str] = []  # that scalar's lines
        skip = 0  # the lines before this one belong to a value already read
        i = -1
        for indent, dash, key, rest, other in tokens:
            i += 1
            if i < skip:
                continue
            at = len(indent)
            if key and at == col and is_map and not dash and waiting is None:
                # the common case, inline: the next key of the current mapping, and a plain scalar on its line
                if key in cur:
                    raise Declined  # the composer reports a duplicate key
                append(key)
                row = i * ROW
                append(row + at)
                if rest and rest[0] not in _INDICATORS and " #" not in rest and ": " not in rest and rest[-1] != ":":
                    append(row + at + len(key) + 2)
                    cur[key] = number(rest) if rest[0] in _NUMERIC else constants.get(rest, rest)
                    last, folded = key, [rest]
                    continue
                last = None
                if not rest or rest[0] == "#" or _COMMENT.fullmatch(rest):
                    waiting = key
                else:
                    cur[key] = self.value(i, at + len(key) + 2, rest, at, len(frames))
                    skip = self.i
                continue
            if not key and not dash:
                if not other or other[0] == "#":
                    last = None  # a blank line or a comment ends a plain scalar
                    continue
                if last is None or at <= col:
                    raise Declined
                # the plain scalar goes on: its lines are folded into one, with a space between each
                if other[0] in _FOLDED_NOT or ": " in other or " #" in other or other[-1] == ":":
                    raise Declined
                folded.append(other)
                text = " ".join(folded)
                cur[last] = number(text) if text[0] in _NUMERIC else constants.get(text, text)
                continue
            last = None
            text = f"{key}:{' ' if rest else ''}{rest}" if key else other  # the line after its indentation and '- '
            if waiting is not None or cur is None:
                # a container opens here: the document's own, or the value of the waiting key
                if cur is None:
                    if at != 0 or dash:
                        raise Declined  # indented, or a sequence: rare at the top of an obcheck file
                elif not (dash and at >= col or at > col):
                    raise Declined  # an empty value
                new: Any = [] if dash else {}
                slot = self.open(len(frames))
                if cur is not None:
                    cur[waiting] = new
                    frames.append((cur, col, is_map, indentless, j, start))
                indentless = bool(dash) and at == col
                cur, col, is_map = new, at, not dash
                j, start = slot, i * ROW + at
                waiting = None
            else:
                # close the containers this line is outside of
                while at < col or at == col and indentless and not dash:
                    slots[j] = (start, len(slots), is_map)
                    if not frames:
                        raise Declined  # left of the document's mapping (not reached: that is at column 0)
                    cur, col, is_map, indentless, j, start = frames.pop()
                if at != col or bool(dash) == is_map:
                    raise Declined  # deeper than its container's entries, or an item beside keys (a key beside items)
            key_at = at
            if dash:
                if not text or text[0] == " ":
                    raise Declined  # an empty item, or one indented further
                if not key:  # a scalar item, on its line
                    cur.append(self.value(i, at + 2, text, at, len(frames), item=True))
                    skip = self.i
                    continue
                # a mapping in the sequence, its first key on the item's line
                new = {}
                slot = self.open(len(frames))
                cur.append(new)
                frames.append((cur, col, is_map, indentless, j, start))
                key_at = at + 2
                cur, col, is_map, indentless = new, key_at, True, False
                j, start = slot, i * ROW + key_at
            elif not key:
                raise Declined  # not a key
            if key in cur:
                raise Declined
            append(key)
            append(i * ROW + key_at)
            if not rest or rest[0] == "#" or _COMMENT.fullmatch(rest):
                waiting = key
            else:
                cur[key] = self.value(i, key_at + len(key) + 2, rest, key_at, len(frames))
                skip = self.i
        if waiting is not None or cur is None:
            raise Declined  # an empty value, or an empty document
        while True:
            slots[j] = (start, len(slots), is_map)
            if not frames:
                break
            cur, col, is_map, indentless, j, start = frames.pop()
        if len(slots) > self.max_nodes:
            raise Declined
        return cur, slots

    def open(self, depth: int) -> int:
        """A container's slot, filled once its end is known; `depth`: the containers already open around it."""
        if depth >= self.max_depth or len(self.slots) > self.max_nodes:
            raise Declined
        self.slots.append(None)
        return len(self.slots) - 1

    def value(self, i: int, col: int, text: str, indent: int, depth: int, item: bool = False) -> Any:
        """The scalar (or flow sequence) at column col of line i, `text` the line from there on; a folded line must
        be indented more than `indent`. A sequence's item (`item`) is taken only on one line."""
        first = text[0]
        if first == "[":
            if item or not _FLOW.fullmatch(text):
                raise Declined
            return self.flow(i, col, text, depth)
        slots = self.slots
        slots.append(i * ROW + col)
        if first == "'" or first == '"':
            return self.quoted(i, text, indent, item)
        if first == ">" or first == "|":
            if item or text not in _BLOCK_HEADERS:
                raise Declined
            return self.block(i, text, indent)
        if first in _INDICATORS and not _PLAIN_DASH.match(text):
            raise Declined
        comment = text.find(" #")
        if comment >= 0:  # a comment ends the scalar, and the line
            text = text[:comment].rstrip(" ")
        if ": " in text or text[-1] == ":":
            raise Declined
        lines, n = self.lines, len(self.lines)
        parts = [text]
        k = i + 1
        if not item and comment < 0:  # a plain scalar goes on over the lines indented more than its mapping
            while k < n:
                line = lines[k]
                more = line.lstrip(" ")
                if not more or more[0] == "#" or len(line) - len(more) <= indent:
                    break
                if more[0] in _FOLDED_NOT or ": " in more or " #" in more or more[-1] == ":":
                    raise Declined
                parts.append(more)
                k += 1
        self.i = k
        text = " ".join(parts) if len(parts) > 1 else text
        return self.number(text) if text[0] in _NUMERIC else self.constants.get(text, text)

    def quoted(self, i: int, text: str, indent: int, item: bool) -> str:
        """A single- or double-quoted scalar starting at `text`, its lines folded into one (no escapes but '', \\"
        and \\\\)."""
        quote = text[0]
        lines, n = self.lines, len(self.lines)
        part, parts = text[1:], []
        while True:
            end = _closing(part, quote)
            if end >= 0:
                parts.append(part[:end])
                if end + 1 < len(part) and not _COMMENT.fullmatch(part, end + 1):
                    raise Declined  # text after the closing quote
                break
            parts.append(part)
            i += 1
            if item or i >= n:
                raise Declined  # a sequence item's second line, or no closing quote
            line = lines[i]
            part = line.lstrip(" ")
            if not part or len(line) - len(part) <= indent:
                raise Declined  # a blank line (a line break in the value), or a line not indented enough
        if len(parts) > 1 and not all(parts):
            raise Declined  # an empty first or last line: YAML folds those otherwise
        self.i = i + 1
        value = " ".join(parts) if len(parts) > 1 else parts[0]
        return value.replace("''", "'") if quote == "'" else _UNESCAPE.sub(r"\1", value) if "\\" in value else value

    def block(self, i: int, header: str, indent: int) -> str:
        """A block scalar (`>`, `>-`, `|` or `|-`) on the lines after line i, all at one indentation."""
        lines, n = self.lines, len(self.lines)
        k = i + 1
        if k >= n:
            raise Declined
        line = lines[k]
        text = line.lstrip(" ")
        at = len(line) - len(text)
        if not text or at <= indent:
            raise Declined  # a leading blank line, or an empty block scalar
        parts = []
        while k < n:
            line = lines[k]
            text = line.lstrip(" ")
            if not text or len(line) - len(text) < at:
                break
            if len(line) - len(text) > at:
                raise Declined  # a more indented line: kept with its line breaks by '>'
            parts.append(text)
            k += 1
        after = k
        while after < n and not lines[after]:
            after += 1
        if after > k and after < n and len(lines[after]) - len(lines[after].lstrip(" ")) >= at:
            raise Declined  # the scalar goes on after a blank line (a line there starting with '#' is no comment)
        if not header.endswith("-") and k >= n:
            raise Declined  # clipped, but no line break after the last line
        self.i = k
        value = (" " if header[0] == ">" else "\n").join(parts)
        return value if header.endswith("-") else value + "\n"

    def flow(self, i: int, col: int, text: str, depth: int) -> list[Any]:
        """A flow sequence of words on one line, `[a, "b"]`."""
        slots = self.slots
        j = self.open(depth + 1)
        data = []
        for word in _FLOW_ITEM.finditer(text):
            slots.append(i * ROW + col + word.start())
            item = word.group()
            if item[0] == '"' or item[0] == "'":
                data.append(item[1:-1])
            else:
                data.append(self.number(item) if item[0] in _NUMERIC else self.constants.get(item, item))
        slots[j] = (i * ROW + col, len(slots), False)
        self.i = i + 1
        return data


def _closing(part: str, quote: str) -> int:
    """The index of the quote that closes a quoted scalar on this line of it, or -1 where it goes on."""
    if quote == "'":
        at = part.find("'")
        while at >= 0 and part.startswith("'", at + 1):  # '' is a quote in the value
            at = part.find("'", at + 2)
        return at
    if "\\" not in part:
        return part.find('"')
    end = _DOUBLE.match(part).end()  # type: ignore[union-attr]  # it matches the empty string
    if end == len(part):
        return -1
    if part[end] != '"':
        raise Declined  # an escape other than \" and \\, or a line ending in one
    return end

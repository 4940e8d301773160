"""Discover and parse input files: safe YAML with every value's `line:col`, no YAML 1.1 surprises."""

from __future__ import annotations

import bisect
import errno
import itertools
import os
import re
import stat
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import BaseResolver

from obcheck import quickparse
from obcheck.errors import Diagnostic, InputError, new_file, printable, shown

# Limits that keep hostile files cheap to reject (documented in docs/limits.md).
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

Loc = tuple[str | int, ...]
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_MAX_INT_DIGITS = 100  # far beyond 2^53 (16 digits), far below Python's 4,300-digit conversion limit
_BOOLS = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_INT_RE = re.compile(r"^[-+]?[0-9]+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$")


class _Limit(Exception):
    """Raised while composing when a file passes MAX_NODES; `_locate` then finds where."""


class _Resolver(BaseResolver):
    """YAML 1.2 core schema: only true/false are booleans (NO, yes, on stay strings), no implicit dates.
    A direct lookup instead of PyYAML's generic resolver table: this runs once per scalar.

    It also counts the nodes as they are composed, so that a file of a million tiny nodes stops at MAX_NODES
    instead of building its whole tree first (explicitly tagged nodes skip the resolver; the converter refuses
    them, and counts every node again). Depth needs no hook: libyaml stops at 1,000 levels, and the converter
    reports the first node deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__()
        self.counted = itertools.count(1).__next__

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:  # no path resolvers are used
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if self.counted() > MAX_NODES:
            raise _Limit
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR
            if value in _BOOLS:
                return _BOOL
            if value in _NULLS:
                return _NULL
            if value[:1] in "-+.0123456789":
                if _INT_RE.match(value):
                    return _INT
                if _FLOAT_RE.match(value):
                    return _FLOAT
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


try:  # libyaml's C parser is many times faster and composes the same node tree
    import yaml._yaml as _cyaml
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None  # type: ignore[assignment, misc]

if CParser is not None:

    class _Composer(CParser, _Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _Resolver.__init__(self)

else:  # pragma: no cover

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
    ):
        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


_EventLoader = yaml.CSafeLoader if CParser is not None else yaml.SafeLoader
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
_END_EVENTS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_DEPTH_MESSAGE = f"nesting deeper than {MAX_DEPTH} levels"
_NODES_MESSAGE = f"more than {MAX_NODES:,} YAML nodes"
_ALIAS_MESSAGE = "YAML aliases (*name) are not supported; write the value out"


# YAML ends a line at these too; editors (VS Code, vim, Notepad++) do not, and show them inside the line.
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")
_EDITOR_BREAK = re.compile(r"\r\n|\r|\n")


class Lines:
    """Turns libyaml's marks into the line and column an editor shows. libyaml also ends lines at U+0085, U+2028
    and U+2029, which would shift every later position by a line; editors count only LF, CR LF and CR. Files
    without those characters (nearly all) keep libyaml's own numbers; the others are counted from the mark's
    character index, by binary search in the editor's line starts."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] | None = None
        if any(ch in text for ch in _YAML_ONLY_BREAKS):
            self.starts = [0] + [m.end() for m in _EDITOR_BREAK.finditer(text)]

    def at(self, mark: Any) -> tuple[int, int]:
        """The 1-based line and column of a libyaml mark, or of quickparse's (an int: such a text has no YAML-only
        line breaks)."""
        if mark.__class__ is int:
            return mark // quickparse.ROW + 1, mark % quickparse.ROW + 1
        if self.starts is None:
            return mark.line + 1, mark.column + 1
        i = bisect.bisect_right(self.starts, mark.index) - 1
        return i + 1, mark.index - self.starts[i] + 1


def _text_position(text: str, index: int) -> tuple[int, int]:
    """The editor's 1-based line and column of a character index (error path: counts the text once)."""
    starts = [0] + [m.end() for m in _EDITOR_BREAK.finditer(text, 0, index)]
    return len(starts), index - starts[-1] + 1


def _locate(text: str, lines: Lines, *, alias: bool = False) -> tuple[int, int, str] | None:
    """Error path only: re-read the file as a stream of events (no tree is built, memory stays flat) and return
    the 1-based line, column and message of the first node past a limit, or of the first alias when alias=True."""
    level = nodes = 0
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            kind = event.__class__
            if alias:
                if kind is yaml.AliasEvent:
                    return (*lines.at(event.start_mark), _ALIAS_MESSAGE)
            elif kind in _NODE_EVENTS:
                nodes += 1
                if level > MAX_DEPTH or nodes > MAX_NODES:
                    return (*lines.at(event.start_mark), _DEPTH_MESSAGE if level > MAX_DEPTH else _NODES_MESSAGE)
                if kind is not yaml.ScalarEvent:
                    level += 1
            elif kind in _END_EVENTS:
                level -= 1
    except yaml.YAMLError:
        pass
    return None


@dataclass
class Document:
    """A parsed YAML file: plain data, plus where each of its nodes starts, to give any value's or key's position.

    `slots` lists the nodes in document order: a scalar is its start mark; a mapping or a sequence is a tuple (start
    mark, index just past its last descendant, is-a-mapping), followed by its entries, for a mapping each key's
    text and start mark and then its value. Keeping only the marks libyaml made anyway costs an append or two per
    node (keeping its events, or a node tree, cost several times more: the garbage collector walks them all); the
    positions themselves are worked out only when asked for (errors, evidence lines)."""

    path: str
    data: Any
    slots: list[Any] = field(default_factory=list, repr=False)
    lines: Lines = field(default_factory=lambda: Lines(""), repr=False)
    # Each mapping's keys (or sequence's items), indexed the first time a position inside it is asked for: a search
    # per lookup made a file with an error on each of 95,000 keys take 108 s (quadratic); with the index it is linear.
    _index: dict[int, Any] = field(default_factory=dict, repr=False)

    def _keys(self, j: int) -> dict[Any, int]:
        """The slot of each key of the mapping at slot j (its first occurrence; the key's mark follows it)."""
        index = self._index.get(j)
        if index is None:
            slots, index, k = self.slots, {}, j + 1
            end = slots[j][1]
            while k < end:
                index.setdefault(slots[k], k)
                value = slots[k + 2]
                k = value[1] if value.__class__ is tuple else k + 3
            self._index[j] = index
        return index

    def _items(self, j: int) -> list[int]:
        """The slot of each item of the sequence at slot j."""
        index = self._index.get(j)
        if index is None:
            slots, index, k = self.slots, [], j + 1
            end = slots[j][1]
            while k < end:
                index.append(k)
                item = slots[k]
                k = item[1] if item.__class__ is tuple else k + 1
            self._index[j] = index
        return index

    def _mapping(self, j: int) -> bool:
        slot = self.slots[j]
        return slot.__class__ is tuple and slot[2]

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The 1-based line and column of `loc` (of its key with key=True), else of its nearest existing parent."""
        slots = self.slots
        if not slots:
            return (1, 1)
        j = 0
        mark = _start(slots[0])
        for i, part in enumerate(loc):
            slot = slots[j]
            if slot.__class__ is not tuple:
                break
            if slot[2]:
                k = self._keys(j).get(part)
                if k is None:
                    break
                if key and i == len(loc) - 1:
                    mark = slots[k + 1]
                    break
                j = k + 2
            elif isinstance(part, int) and 0 <= part < len(items := self._items(j)):
                j = items[part]
            else:
                break
            mark = _start(slots[j])
        return self.lines.at(mark)

    def key_lines(self, loc: Loc) -> dict[str, int]:
        """The 1-based line of every key of the mapping at `loc`: one pass, where `position` per key is quadratic."""
        if not self.slots:
            return {}
        j = 0
        for part in loc:
            if not self._mapping(j) or (k := self._keys(j).get(part)) is None:
                return {}
            j = k + 2
        if not self._mapping(j):
            return {}
        slots, keys = self.slots, self._keys(j)
        if self.lines.starts is None:  # libyaml's lines are the editor's (nearly every file): no call per key
            return {name: m // quickparse.ROW + 1 if (m := slots[k + 1]).__class__ is int else m.line + 1 for name, k in keys.items()}
        return {name: self.lines.at(slots[k + 1])[0] for name, k in keys.items()}

    def error(self, loc: Loc, message: str, *, key: bool = False) -> Diagnostic:
        line, col = self.position(loc, key=key)
        return Diagnostic(self.path, line, col, message)


def _start(slot: Any) -> Any:
    """The start mark of a node's slot: a mapping's or sequence's is the first item of its tuple."""
    return slot[0] if slot.__class__ is tuple else slot


def _tree_slots(node: yaml.Node, slots: list[Any]) -> None:
    """The slots of a composed (and converted, so plain) node tree: the same as the event path records."""
    if node.__class__ is yaml.ScalarNode:
        slots.append(node.start_mark)
        return
    j = len(slots)
    slots.append(None)
    if node.__class__ is yaml.MappingNode:
        for key, value in node.value:
            slots += (key.value, key.start_mark)
            _tree_slots(value, slots)
    else:
        for item in node.value:
            _tree_slots(item, slots)
    slots[j] = (node.start_mark, len(slots), node.__class__ is yaml.MappingNode)


_CWD: tuple[str, Path] = ("", Path())
_FOLDERS: dict[str, str | None] = {}  # what a folder's files are shown under, for the working directory in _CWD


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when they lie below it."""
    global _CWD
    try:
        cwd = os.getcwd()
    except OSError:  # the working folder was deleted: absolute paths still name the file
        return str(path)
    if _CWD[0] != cwd:  # resolving the working directory once, not once a file, saved 5% of a large run
        _CWD = (cwd, Path(cwd).resolve())
        _FOLDERS.clear()  # the folders' names are relative to it
    text = os.fspath(path)
    folder, name = os.path.split(text)
    if name not in ("", ".", "..") and not os.path.islink(text):
        # a file that is no symlink resolves to its folder resolved, and its name: each folder is resolved once (one
        # lstat a file, where resolving the whole path took one a component and a stat: 25 us a call, now 6)
        prefix = _FOLDERS[folder] if folder in _FOLDERS else _FOLDERS.setdefault(folder, _shown_folder(folder))
        return text if prefix is None else prefix + name
    try:
        return str(path.resolve().relative_to(_CWD[1]))
    except (ValueError, RuntimeError, OSError):  # RuntimeError/OSError: a symlink loop cannot be resolved
        return str(path)


def _shown_folder(folder: str) -> str | None:
    """What display_path puts before the name of a file in `folder`; None where the folder is not below the working
    directory (or cannot be resolved), so the path is shown as given."""
    try:
        below = Path(folder or ".").resolve().relative_to(_CWD[1])
    except (ValueError, RuntimeError, OSError):
        return None
    return "" if below == Path() else str(below) + os.sep


def name_problem(path: Path) -> str | None:
    """Why a file or folder name cannot be used, or None. A name that is not UTF-8 (Python keeps its bytes as lone
    surrogates) could not be written into a report, and one with a control character (a newline, ESC) would forge
    lines in it: both are refused where they are found."""
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename it"
    if not name.isprintable() and (bad := next((ch for ch in name if unicodedata.category(ch) in _CONTROL), None)):
        # a newline or escape sequence in a name would travel into every report line that cites the file
        return f"the file name has the control character {printable(bad)}; rename it"
    return None


_CONTROL = ("Cc", "Cf", "Zl", "Zp")


def _not_regular(mode: int) -> str:
    what = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({what}); not read"


def read_text(path: Path, shown: str | None = None) -> str:
    """Read a UTF-8 regular file within the size limit; every failure is a located InputError. Anything but a
    regular file is refused before it is opened (a FIFO would block for ever), and checked again on the open file."""
    shown = shown or display_path(path)
    if problem := name_problem(path):
        raise InputError([Diagnostic(shown, 1, 1, problem)])
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Diagnostic(shown, 1, 1, _not_regular(info.st_mode))])
        if info.st_size > MAX_FILE_BYTES:
            raise InputError([Diagnostic(shown, 1, 1, f"file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")])
        # O_NONBLOCK: should the file have been swapped for a FIFO since the stat, opening it does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise InputError([Diagnostic(shown, 1, 1, _not_regular(opened.st_mode))])
            # bounded: a growing file has no size to check beforehand. The size it has now first: a read of
            # MAX_FILE_BYTES + 1 allocates that much each time (read_text took 76 us CPU a file, now 45)
            raw = handle.read(min(opened.st_size, MAX_FILE_BYTES) + 1)
            if len(raw) > opened.st_size:
                raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
        if len(raw) > MAX_FILE_BYTES:
            raise InputError([Diagnostic(shown, 1, 1, f"file is more than {MAX_FILE_BYTES:,} bytes, the limit")])
    except OSError as exc:
        raise InputError([Diagnostic(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = _text_position(good, len(good))
        raise InputError([Diagnostic(shown, line, col, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded")]) from None
    return text.removeprefix("\ufeff")


def list_folder(folder: Path) -> list[Path]:
    """The entries of a folder, sorted; a folder that cannot be read is a located InputError, never skipped."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise InputError([Diagnostic(display_path(folder), 1, 1, f"cannot read folder: {exc.strerror or exc}")]) from None


def parse(path: Path, text: str | None = None) -> Document:
    """Parse one YAML file into a Document. Raises InputError with `path:line:col` on any problem."""
    shown = display_path(path)
    if text is None:
        text = read_text(path, shown)
    new_file()
    lines = Lines(text)
    built = quickparse.parse(text, _CONSTANTS, _number, MAX_DEPTH, MAX_NODES)
    if built is None and CParser is not None:
        built = _build(text)
    if built is not None:
        return Document(shown, built[0], built[1], lines)
    return _compose(shown, text, lines)


_NOKEY: Any = object()  # the mapping being built waits for its next key
# the plain scalars that are not strings or numbers, with their values (YAML 1.2 core schema, as _Resolver)
_CONSTANTS = {**dict.fromkeys(("true", "True", "TRUE"), True), **dict.fromkeys(("false", "False", "FALSE"), False),
              **dict.fromkeys(_NULLS)}
_ScalarEvent, _MappingStart, _SequenceStart = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent


def _build(text: str) -> tuple[Any, list[Any]] | None:
    """The data and slots of a plain file, built straight from libyaml's events: 35% less time than composing a
    node tree and converting it. Anything else returns None for `_compose` to decide exactly as it always has:
    every error (syntax, limits, aliases, duplicate keys), and the rare file that is valid but not plain (anchors,
    tags, a quoted '<<' key). Plain means: no anchor, tag or alias; scalar keys, none repeated, none '<<';
    containers less than MAX_DEPTH deep; at most MAX_NODES slots (a key takes two, so a file near the limit is
    left to `_compose` to count exactly); integers of at most _MAX_INT_DIGITS characters."""
    lend = _lend_scalars()
    if lend:
        _GLOBALS["ScalarEvent"] = _scalar_fields
    try:
        return _events_to_data(CParser(text).get_event)
    finally:
        if lend:
            _GLOBALS["ScalarEvent"] = _ScalarEvent


_NUMERIC = "-+.0123456789"  # a plain scalar starting otherwise is a string or one of _CONSTANTS


def _number(value: str) -> Any:
    """A plain scalar starting with a sign, point or digit: an int, a float, or the string itself. An integer of
    more than _MAX_INT_DIGITS characters raises quickparse.Declined: the composer refuses it, located."""
    if _INT_RE.match(value):
        if len(value) > _MAX_INT_DIGITS:
            raise quickparse.Declined
        return int(value)
    if _FLOAT_RE.match(value):
        return float(value)
    return value


def _scalar_fields(*fields: Any) -> tuple[Any, ...]:
    """A scalar event as the tuple of what libyaml's parser gives ScalarEvent: anchor, tag, implicit, value, start
    and end marks, style."""
    return fields


_GLOBALS: dict[str, Any] = vars(_cyaml) if CParser is not None else {}  # the C parser's module: where it finds ScalarEvent
_LEND: list[bool] = []  # once known: whether PyYAML's C parser builds scalar events as _lend_scalars expects


def _lend_scalars() -> bool:
    """Whether this parse may lend PyYAML's C parser a cheaper scalar event. Its parser builds every event through
    a Python class whose __init__ sets seven attributes: two thirds of its scalars' cost, 0.17 ms of a file's 0.59 ms of
    events. The class is a global of the yaml._yaml module, so for the length of one parse the scalars are
    built as plain tuples instead: only where this process runs no other thread (another thread's PyYAML parse
    would get tuples), and only after a probe shows that this PyYAML passes the fields in the order read here."""
    if threading.active_count() != 1:
        return False
    if not _LEND:  # probed only here, with no other thread to see the probe's tuples
        _LEND.append(_probe())
    return _LEND[0]


def _probe() -> bool:
    text = "k: 'v'\nl: [x, &a 1, !t y]\n"  # plain, quoted, anchored and tagged scalars, in a mapping and a list
    if _GLOBALS.get("ScalarEvent") is not _ScalarEvent:
        return False
    wanted = [(e.anchor, e.tag, e.implicit, e.value, *_at(e.start_mark), *_at(e.end_mark), e.style)
              for e in _events(text) if e.__class__ is _ScalarEvent]
    _GLOBALS["ScalarEvent"] = _scalar_fields
    try:
        lent = [(*e[:4], *_at(e[4]), *_at(e[5]), e[6]) for e in _events(text) if e.__class__ is tuple]
    except (ValueError, TypeError, AttributeError, IndexError, yaml.YAMLError):
        return False
    finally:
        _GLOBALS["ScalarEvent"] = _ScalarEvent
    return lent == wanted and len(wanted) == 6


def _events(text: str) -> list[Any]:
    get: Callable[[], Any] = CParser(text).get_event
    out = []
    while (event := get()) is not None:
        out.append(event)
    return out


def _at(mark: Any) -> tuple[int, int, int]:
    return mark.index, mark.line, mark.column


def _events_to_data(get: Callable[[], Any]) -> tuple[Any, list[Any]] | None:
    """_build's walk of the events, each scalar a ScalarEvent or the tuple of its fields (_lend_scalars)."""
    try:
        get()  # the stream's start
        if get().__class__ is not yaml.DocumentStartEvent:
            return None  # no document at all
        slots: list[Any] = []
        append = slots.append
        stack: list[Any] = []
        top: list[Any] = []
        cur: Any = top
        key: Any = None  # None while filling a sequence, else the pending key or _NOKEY
        while True:
            event = get()
            kind = event.__class__
            if kind is tuple or kind is _ScalarEvent:
                if kind is tuple:
                    anchor, tag, _, value, mark, _, style = event
                else:
                    anchor, tag, value, mark, style = event.anchor, event.tag, event.value, event.start_mark, event.style
                if anchor is not None or tag is not None:
                    return None
                if key is _NOKEY:
                    key = value
                    if key in cur or key == "<<":
                        return None
                    append(key)
                    append(mark)
                    continue
                append(mark)
                if not style:  # plain, so (untagged) resolved as _Resolver does; quoted scalars are strings
                    if value in _CONSTANTS:
                        value = _CONSTANTS[value]
                    elif value[:1] in _NUMERIC:
                        value = _number(value)
                if len(slots) > MAX_NODES:
                    return None
                if key is None:
                    cur.append(value)
                else:
                    cur[key] = value
                    key = _NOKEY
            elif kind is _MappingStart or kind is _SequenceStart:
                if event.anchor is not None or event.tag is not None or key is _NOKEY:
                    return None
                if len(stack) >= MAX_DEPTH or len(slots) >= MAX_NODES:
                    return None
                value = {} if kind is _MappingStart else []
                if key is None:
                    cur.append(value)
                else:
                    cur[key] = value
                stack.append((cur, key, len(slots), event.start_mark))
                append(None)
                cur = value
                key = _NOKEY if kind is _MappingStart else None
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                cur, key, j, mark = stack.pop()
                slots[j] = (mark, len(slots), kind is yaml.MappingEndEvent)
                if key is not None:
                    key = _NOKEY
            elif kind is yaml.DocumentEndEvent:
                break
            else:  # an alias
                return None
        if get().__class__ is not yaml.StreamEndEvent:
            return None  # a second document
    except (yaml.YAMLError, quickparse.Declined):
        return None
    return top[0], slots


def _compose(shown: str, text: str, lines: Lines) -> Document:
    """Parse by composing libyaml's node tree and converting it: the exact reference for what `_build` declines."""
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = lines.at(mark) if mark else (1, 1)
        if "maximum nesting depth" in (exc.problem or "") and mark:
            # libyaml's own cap (1,000 levels) trips before the converter can report level MAX_DEPTH + 1:
            # find that level in the text up to where libyaml stopped.
            found = _locate(text[: mark.index], lines)
            line, col = found[:2] if found else (line, col)
            raise InputError([Diagnostic(shown, line, col, _DEPTH_MESSAGE)]) from None
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        begun = exc.context_mark
        long_key = begun and mark and mark.line == begun.line and mark.column - begun.column > 1024
        if exc.context == "while scanning a simple key" and long_key:
            what += " (a key may be at most 1,024 characters long, YAML's limit)"
        if exc.context and begun and exc.problem_mark and begun.line != exc.problem_mark.line:
            # e.g. an unclosed [ is found only on a later line: say where it opened
            thing = exc.context.removeprefix("while parsing ").removeprefix("while scanning ")
            thing = thing.removeprefix("a ").removeprefix("an ")
            what += " (the {} began at {}:{})".format(thing, *lines.at(begun))
        raise InputError([Diagnostic(shown, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a raw control byte): at that character
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        line, col = _text_position(text, exc.position)
        message = f"character U+{code:04X} is not allowed in YAML ({exc.reason}); remove it, or write it as an escape in double quotes"
        raise InputError([Diagnostic(shown, line, col, message)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(shown, 1, 1, "YAML error: " + " ".join(str(exc).split()))]) from None
    except (_Limit, RecursionError):
        line, col, message = _locate(text, lines) or (1, 1, _DEPTH_MESSAGE)
        raise InputError([Diagnostic(shown, line, col, message)]) from None
    finally:
        composer.dispose()
    if node is None:
        raise InputError([Diagnostic(shown, 1, 1, "empty file: expected a mapping")])
    doc = Document(shown, None, [], lines)
    doc.data = _Converter(doc, text).convert(node, 0)
    _tree_slots(node, doc.slots)
    return doc


class _Converter:
    """Turns a composed node tree into plain values, refusing what we never accept (aliases, tags, depth)."""

    def __init__(self, doc: Document, text: str) -> None:
        self.doc, self.text = doc, text
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError([Diagnostic(self.doc.path, *self.doc.lines.at(node.start_mark), message)])

    def alias(self, node: yaml.Node) -> InputError:
        """An alias re-uses a node: refusing them rules out alias bombs and hidden sharing. The node knows only
        where its anchor (&name) stands; the message points at the first *name."""
        found = _locate(self.text, self.doc.lines, alias=True)
        if found is None:
            return self.fail(node, _ALIAS_MESSAGE)
        return InputError([Diagnostic(self.doc.path, *found)])

    def convert(self, node: yaml.Node, depth: int) -> Any:
        if depth > MAX_DEPTH:  # reported at the first node too deep (libyaml alone would allow 1,000 levels)
            raise self.fail(node, _DEPTH_MESSAGE)
        seen = self.seen
        if id(node) in seen:
            raise self.alias(node)
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise self.fail(node, _NODES_MESSAGE)
        if isinstance(node, yaml.ScalarNode):  # exact classes: composed nodes are never subclasses
            return self.scalar(node)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        if node.tag != _SEQ:
            raise self.fail(node, f"YAML tag {shown(node.tag)} is not allowed")
        return [self.convert(item, depth + 1) for item in node.value]

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.fail(node, f"YAML tag {shown(node.tag)} is not allowed")
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if id(key_node) in self.seen:  # an alias used as a key (`*a: 1`), or a second use of an anchored key
                raise self.alias(key_node)
            self.seen.add(id(key_node))  # so that a key's anchor used as a value (`&k a: *k`) is refused too
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "mapping keys must be plain strings (no complex or merge keys)")
            key = key_node.value
            if key == "<<" and not key_node.style:  # YAML 1.1 merge key; a quoted '<<' stays an ordinary key
                raise self.fail(key_node, "merge keys (<<) are not supported; write the keys out")
            if key in out:
                first = next(k for k, _ in node.value if k.value == key)
                raise self.fail(key_node, f"duplicate key {shown(key)} (first at line {self.doc.lines.at(first.start_mark)[0]})")
            out[key] = self.convert(value_node, depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        try:
            if tag == _STR:
                return text
            if tag == _INT:
                if len(text) > _MAX_INT_DIGITS:  # Python would refuse to convert it: say why
                    raise self.fail(node, f"an integer of {len(text):,} characters; no supported integer has more than {_MAX_INT_DIGITS}")
                return int(text)
            if tag == _FLOAT:
                return float(text)
            if tag == _BOOL:
                if text.lower() not in ("true", "false"):
                    raise ValueError
                return text.lower() == "true"
            if tag == _NULL:
                return None
        except ValueError:
            raise self.fail(node, f"{shown(text)} is not a valid {tag.rsplit(':', 1)[-1]}") from None
        raise self.fail(node, f"YAML tag {shown(tag)} is not allowed")


STDIN = "-"  # the name that stands for standard input on the command line


def yaml_files(paths: list[Path], *, what: str) -> Iterator[Path]:
    """The .yaml/.yml files a user named, folders walked in sorted order. Symlinks are never followed out of a
    folder nor round in a loop: a symlink that leaves the folder, points back at a folder being walked, or
    cannot be resolved is an error; a symlinked folder inside the folder is not entered (it is walked anyway)."""
    for path in paths:
        if str(path) == STDIN:  # one fact file from standard input, read when it is loaded
            yield path
        elif kind(path) == "folder":
            root = path.resolve()
            found = False
            for dirpath, dirnames, filenames in os.walk(path, followlinks=False, onerror=_unreadable):
                dirnames.sort()
                for name in dirnames:
                    folder = Path(dirpath, name)
                    if folder.is_symlink() and (problem := _symlink_problem(folder, root, dirpath)):
                        raise InputError([Diagnostic(display_path(folder), 1, 1, problem)])
                for name in sorted(filenames):
                    if not name.endswith((".yaml", ".yml")):
                        continue
                    file = Path(dirpath, name)
                    if problem := name_problem(file):
                        raise InputError([Diagnostic(display_path(file), 1, 1, problem)])
                    if file.is_symlink() and (problem := _symlink_problem(file, root, dirpath)):
                        raise InputError([Diagnostic(display_path(file), 1, 1, problem)])
                    if file.exists() and not file.is_file():
                        raise InputError([Diagnostic(display_path(file), 1, 1, _not_regular(file.stat().st_mode))])
                    found = True
                    yield file
            if not found:
                raise InputError([Diagnostic(display_path(path), 1, 1, f"no {what} files (*.yaml) in this folder")])
        elif kind(path) != "missing":
            yield path
        else:
            raise InputError([Diagnostic(display_path(path), 1, 1, "no such file or folder")])


def kind(path: Path) -> str:
    """'folder', 'file' (anything else that is there, the reader decides) or 'missing'. pathlib's is_dir and exists
    raise on a name too long for the system or a parent that cannot be searched: that is a located InputError."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "file" if path.is_symlink() else "missing"  # a dangling symlink: reading it says what is wrong
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "file"  # a symlink loop: reported when it is read
        raise InputError([Diagnostic(display_path(path), 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    return "folder" if stat.S_ISDIR(mode) else "file"


def _unreadable(exc: OSError) -> None:
    """os.walk skips a folder it cannot list unless told: its files would silently be missing from the run."""
    where = display_path(Path(exc.filename)) if exc.filename else "."
    raise InputError([Diagnostic(where, 1, 1, f"cannot read folder: {exc.strerror or exc}")])


def _symlink_problem(link: Path, root: Path, dirpath: str) -> str | None:
    """Why a symlink met while walking `root` must not be followed, or None when it stays inside and is harmless."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:  # dangling: reading it reports the missing file, unless it would leave the folder
        return None if _inside(link, root) else "symlink points outside the folder; not read"
    except (RuntimeError, OSError):  # RuntimeError: Python < 3.13 on a loop; OSError (ELOOP) on 3.13
        return "symlink loop: the link cannot be resolved; not read"
    if not _inside(link, root):
        return "symlink points outside the folder; not read"
    if target.is_dir() and Path(dirpath).resolve().is_relative_to(target):
        return f"symlink loop: points back to {display_path(target)}, a folder it is in; not followed"
    return None


def _inside(file: Path, root: Path) -> bool:
    try:
        file.resolve().relative_to(root)
    except (ValueError, RuntimeError, OSError):
        return False
    return True

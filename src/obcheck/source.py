"""Discover and parse input files: safe YAML with every value's `line:col`, no YAML 1.1 surprises."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import BaseResolver

from obcheck.errors import Diagnostic, InputError

# Limits that keep hostile files cheap to reject (documented in docs/limits.md).
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

Loc = tuple[str | int, ...]
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_BOOLS = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_INT_RE = re.compile(r"^[-+]?[0-9]+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$")


class _Resolver(BaseResolver):
    """YAML 1.2 core schema: only true/false are booleans (NO, yes, on stay strings), no implicit dates.
    A direct lookup instead of PyYAML's generic resolver table: this runs once per scalar."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:  # no path resolvers are used
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
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
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class _Composer(CParser, _Resolver):  # type: ignore[misc,valid-type]
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


@dataclass
class Document:
    """A parsed YAML file: plain data plus the position of every value and mapping key."""

    path: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The position of `loc` (its key with key=True), else of its nearest located parent."""
        table = self.keys if key else self.values
        loc = tuple(loc)
        while loc:
            if loc in table:
                return table[loc]
            if not key and loc in self.keys:
                return self.keys[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))

    def error(self, loc: Loc, message: str, *, key: bool = False) -> Diagnostic:
        line, col = self.position(loc, key=key)
        return Diagnostic(self.path, line, col, message)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when they lie below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path) -> str:
    """Read a UTF-8 file within the size limit; every failure is a located InputError."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError([Diagnostic(shown, 1, 1, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")])
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Diagnostic(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(good, len(good))
        raise InputError([Diagnostic(shown, line, col, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded")]) from None
    return text.removeprefix("\ufeff")


def parse(path: Path, text: str | None = None) -> Document:
    """Parse one YAML file into a Document. Raises InputError with `path:line:col` on any problem."""
    shown = display_path(path)
    if text is None:
        text = read_text(path)
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise InputError([Diagnostic(shown, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(shown, 1, 1, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Diagnostic(shown, 1, 1, f"nesting deeper than {MAX_DEPTH} levels")]) from None
    finally:
        composer.dispose()
    doc = Document(shown, None)
    if node is None:
        raise InputError([Diagnostic(shown, 1, 1, "empty file: expected a mapping")])
    doc.data = _Converter(doc).convert(node, (), 0)
    return doc


class _Converter:
    """Turns a composed node tree into plain values, recording positions and refusing what we never accept."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError([Diagnostic(self.doc.path, node.start_mark.line + 1, node.start_mark.column + 1, message)])

    def convert(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if id(node) in self.seen:
            # An alias re-uses a node: refusing them rules out alias bombs and hidden sharing.
            raise self.fail(node, "YAML aliases (*name) are not supported; write the value out")
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise self.fail(node, f"more than {MAX_NODES:,} YAML nodes")
        self.doc.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail(node, f"YAML tag {node.tag!r} is not allowed")
            return [self.convert(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.fail(node, f"YAML tag {node.tag!r} is not allowed")
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "mapping keys must be plain strings (no complex or merge keys)")
            key = key_node.value
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                first = self.doc.keys[(*loc, key)]
                raise InputError([Diagnostic(self.doc.path, *key_pos, f"duplicate key '{key}' (first at line {first[0]})")])
            self.doc.keys[(*loc, key)] = key_pos
            out[key] = self.convert(value_node, (*loc, key), depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        try:
            if tag == _STR:
                return text
            if tag == _INT:
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
            raise self.fail(node, f"{text!r} is not a valid {tag.rsplit(':', 1)[-1]}") from None
        raise self.fail(node, f"YAML tag {tag!r} is not allowed")


def yaml_files(paths: list[Path], *, what: str) -> Iterator[Path]:
    """The .yaml/.yml files a user named, folders walked in sorted order; symlinks never leave a folder."""
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            found = False
            for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    if not name.endswith((".yaml", ".yml")):
                        continue
                    file = Path(dirpath, name)
                    if file.is_symlink() and not _inside(file, root):
                        raise InputError([Diagnostic(display_path(file), 1, 1, "symlink points outside the folder; not read")])
                    found = True
                    yield file
            if not found:
                raise InputError([Diagnostic(display_path(path), 1, 1, f"no {what} files (*.yaml) in this folder")])
        elif path.exists() or path.is_symlink():
            yield path
        else:
            raise InputError([Diagnostic(display_path(path), 1, 1, "no such file or folder")])


def _inside(file: Path, root: Path) -> bool:
    try:
        file.resolve().relative_to(root)
    except (ValueError, RuntimeError, OSError):
        return False
    return True

"""The event-stream parse against its references: the composed node tree (data, every position, every error) and
PyYAML's own loader on the shipped files.

`source.parse` builds plain files straight from libyaml's events and hands everything else to `source._compose`,
the compose-and-convert path it replaced. The properties here hold for any text: parse gives exactly what
`_compose` gives (the same data, or the same located errors), and every position agrees with one read off the
composed node tree, as positions were found before. The long run:

    OBCHECK_PARSE_EXAMPLES=20000 .venv/bin/python -m pytest -q tests/test_source_events.py -n 0 -p no:cacheprovider
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcheck import source
from obcheck.errors import InputError
from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("OBCHECK_PARSE_EXAMPLES", "150"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 300)
SHIPPED = sorted(ROOT.glob("facts/*.yaml")) + sorted(ROOT.glob("rules/**/*.yaml"))
NAME = "x.yaml"  # parse names the file by its path relative to the working directory (the repository root)


def typed(value: Any) -> Any:
    """A value with each leaf's type made explicit: True == 1 == 1.0 in Python, not in a fact file."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, repr(value))


def locs(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every location in the data, and beside each some that are not there (a position falls back to the parent)."""
    yield from (loc, (*loc, 0)) if not isinstance(data, (dict, list)) else (loc, (*loc, "absent"), (*loc, 0), (*loc, -1))
    if isinstance(data, dict):
        for k, v in data.items():
            yield from locs(v, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from locs(v, (*loc, i))


def tree_positions(text: str, data: Any) -> list[Any]:
    """Every position as the node tree gives it: the mapping's pair with the key, the sequence's item, the mark."""
    node = source._Composer(text).get_single_node()
    lines = source.Lines(text)
    pairs: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def pair(mapping: yaml.MappingNode, key: Any) -> tuple[yaml.Node, yaml.Node] | None:  # the key's first pair
        if id(mapping) not in pairs:
            pairs[id(mapping)] = {}
            for k, v in mapping.value:
                pairs[id(mapping)].setdefault(k.value, (k, v))
        return pairs[id(mapping)].get(key)

    def find(loc: tuple[Any, ...], key: bool) -> tuple[int, int]:
        n, mark = node, node.start_mark
        for i, part in enumerate(loc):
            if isinstance(n, yaml.MappingNode):
                found = pair(n, part)
                if found is None:
                    break
                if key and i == len(loc) - 1:
                    mark = found[0].start_mark
                    break
                n = found[1]
            elif isinstance(n, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(n.value):
                n = n.value[part]
            else:
                break
            mark = n.start_mark
        return lines.at(mark)

    def key_lines(loc: tuple[Any, ...]) -> dict[str, int]:
        n: Any = node
        for part in loc:
            n = (pair(n, part) or (None, None))[1] if isinstance(n, yaml.MappingNode) else None
        return {k.value: lines.at(k.start_mark)[0] for k, _ in n.value} if isinstance(n, yaml.MappingNode) else {}

    return [(loc, find(loc, False), find(loc, True), key_lines(loc)) for loc in locs(data)]


def positions(doc: source.Document) -> list[Any]:
    return [(loc, doc.position(loc), doc.position(loc, key=True), doc.key_lines(loc)) for loc in locs(doc.data)]


def outcome(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except InputError as exc:
        return [str(d) for d in exc.diagnostics]


def assert_as_composed(text: str) -> bool:
    """parse(text) is exactly _compose(text): the same errors, or the same data and positions as the node tree's.
    Returns whether the event path built it (rather than leaving it to _compose)."""
    composed = outcome(lambda t: source._compose(NAME, t, source.Lines(t)), text)
    parsed = outcome(lambda t: source.parse(Path(NAME), t), text)
    built = source._build(text) is not None
    if isinstance(composed, list):
        assert parsed == composed, text
        assert not built, text
        return False
    assert isinstance(parsed, source.Document), (text, parsed)
    assert typed(parsed.data) == typed(composed.data), text
    expected = tree_positions(text, composed.data)
    assert positions(parsed) == expected, text
    assert positions(composed) == expected, text
    return built


# Pieces of YAML that reach every branch: anchors, aliases, tags, merge keys, YAML 1.1 scalars, flow and block
# collections, quotes, odd line breaks, directives, second documents, control characters, huge integers.
PIECES = ["&a ", "*a", "&b ", "*b", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!map ", "!!seq ", "! ",
          "!foo ", "!!merge ", "<<: ", "'<<': ", "? ", ": ", "- ", "\n- ", "\n  ", "\n    ", "[", "]", "{", "}", ", ",
          "'", '"', "|\n  ", ">\n  ", "yes", "NO", "true", "True", "~", "null", "0x1F", "012", "1e5", "-.5", "+3",
          "1_000", "9" * 120, ".inf", "\u2028", "\x85", "\r\n", "\r", "\t", " #c", "---\n", "...\n", "%YAML 1.1\n",
          "%TAG !e! tag:yaml.org,2002:\n", "!e!str ", "a: 1\n", "a: 2\n", "k: v\n", "x", "y: ", "\x00", " ", "\n"]
pieces = st.lists(st.sampled_from(PIECES), max_size=16).map("".join)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
                    st.sampled_from(["NO", "yes", "2024-01-12", "~", "1e5", ".inf", "0x1F", "012", "<<", "", "a\u2028b"]))
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=30)
dumped = st.builds(lambda doc, flow, width: yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow, width=width),
                   trees, st.sampled_from([False, True, None]), st.sampled_from([20, 80]))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A shipped file cut short and edited at a few places."""
    text = draw(st.sampled_from(SHIPPED)).read_text(encoding="utf-8")[: draw(st.sampled_from([300, 3000, 10**6]))]
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:where] + draw(st.sampled_from(PIECES)) + text[where:]
        else:
            text = text[:where] + text[where + draw(st.integers(1, 30)):]
    return text


@PROPERTY
@given(text=st.one_of(pieces, dumped, mutated()))
def test_parse_is_exactly_the_composed_tree(text: str) -> None:
    assert_as_composed(text)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_are_built_from_events_with_the_composed_answers(path: Path) -> None:
    """Every shipped file takes the event path (a file that did not would parse at the old speed), with the data
    and positions the node tree gives."""
    assert assert_as_composed(path.read_text(encoding="utf-8")), f"{path} was left to the composer"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_read_as_pyyaml_reads_them_but_for_yaml_11_dates(path: Path) -> None:
    """PyYAML's own loader agrees on every value, except that it reads a plain 2024-01-12 as a date (YAML 1.1);
    obcheck keeps the text, and its validation reads the date."""
    text = path.read_text(encoding="utf-8")
    ours, theirs = source.parse(path, text).data, yaml.load(text, Loader=yaml.CSafeLoader)

    def same(a: Any, b: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(b, dict):
            assert isinstance(a, dict) and list(a) == list(b), loc
            for k in b:
                same(a[k], b[k], (*loc, k))
        elif isinstance(b, list):
            assert isinstance(a, list) and len(a) == len(b), loc
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                same(x, y, (*loc, i))
        elif isinstance(b, datetime.date):
            assert a == b.isoformat(), loc
        else:
            assert typed(a) == typed(b), loc

    same(ours, theirs, ())


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: 2\n",  # an anchor alone is allowed
        "a: !!str 012\nb: !!int '7'\nc: !!float 1\nd: !!null x\ne: ! 5\n",  # the core tags convert the text
        "'<<': 1\n",  # a quoted << is an ordinary key
        "!!int 5: x\n",  # a key's tag is ignored: keys are their text
        "%TAG !e! tag:yaml.org,2002:\n---\na: !e!str 5\n",
        "[" * 65 + "]" * 65 + "\n",  # an empty sequence at the deepest level allowed (MAX_DEPTH)
    ],
)
def test_valid_files_that_are_not_plain_are_composed(text: str) -> None:
    assert not assert_as_composed(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: *x\n", "a: &x 1\nb: *x\n", "a: &x 1\nb: &x 2\n", "<<: {a: 1}\n", "[1]: x\n", "a: 1\na: 2\n", "a: !foo 1\n",
        "a: !!bool yes\n", "a: !!int x\n", "a: " + "9" * 101 + "\n", "", "# nothing\n", "a: 1\n---\nb: 2\n",
        "a: [1\n", "a: \x01\n", "[" * 65 + "1" + "]" * 65 + "\n", "[" * 1001 + "]" * 1001 + "\n",
        "a: \u2028 [\nb: 1\n",
    ],
)
def test_errors_are_composed_ones(text: str) -> None:
    assert not assert_as_composed(text)


def test_more_nodes_than_the_limit_are_composed_and_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The event path gives up past MAX_NODES slots (a key takes two), and the composer counts the nodes exactly:
    it refuses a file of one more, at that node, and accepts one of fewer nodes but more slots."""
    monkeypatch.setattr(source, "MAX_NODES", 20)
    too_many = "[" + "0," * 20 + "0]\n"  # 22 nodes: the 21st is the item at column 40
    with pytest.raises(InputError) as info:
        source.parse(Path(NAME), too_many)
    (d,) = info.value.diagnostics
    assert (d.line, d.col, d.message) == (1, 40, "more than 200,000 YAML nodes")
    assert not assert_as_composed(too_many)
    assert not assert_as_composed("".join(f"k{i}: {i}\n" for i in range(8)))  # 17 nodes, 25 slots


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a: &x foo\n*x : 3\n", 2, 1),  # an alias used as a key
        ("&k a: *k\n", 1, 7),  # a key's anchor used as its value
        ("&k a: 1\n*k : 2\n", 2, 1),  # an anchored key used again as a key
        ("a: &x [1]\nb: *x\n", 2, 4),
    ],
)
def test_every_alias_is_refused_where_it_stands(text: str, line: int, col: int) -> None:
    """Aliases are refused as values and as keys alike: a key was once let through, its value silently shared."""
    with pytest.raises(InputError) as info:
        source.parse(Path(NAME), text)
    (d,) = info.value.diagnostics
    assert (d.line, d.col) == (line, col) and "aliases (*name) are not supported" in d.message


def test_display_path_matches_resolving_the_whole_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """display_path resolves each folder once and only looks at the file itself: whatever the links, it shows what
    resolving the whole path shows (relative to the working directory, else the path as given)."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    (work / "real" / "sub").mkdir(parents=True)
    outside.mkdir()
    for name in ("a.yaml", "sub/c.yaml"):
        (work / "real" / name).write_text("")
    (outside / "o.yaml").write_text("")
    (work / "link").symlink_to(work / "real")
    (work / "real" / "b.yaml").symlink_to(work / "real" / "sub" / "c.yaml")  # a file link to a file elsewhere
    (work / "real" / "away.yaml").symlink_to(outside / "o.yaml")  # a file link out of the working directory
    (work / "out").symlink_to(outside)  # a folder link out of it
    (work / "loop").symlink_to(work / "loop")
    monkeypatch.chdir(work)

    def reference(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except (ValueError, RuntimeError, OSError):
            return str(path)

    names = ["real/a.yaml", "link/a.yaml", "link/b.yaml", "real/b.yaml", "link/sub/c.yaml", "link/../real/a.yaml",
             "real/away.yaml", "out/o.yaml", "link/missing.yaml", "missing/x.yaml", "a.yaml", "./real/a.yaml",
             "link/.", "link/..", "link/", "loop/x.yaml", "real//a.yaml", str(work / "link" / "a.yaml"),
             str(outside / "o.yaml"), "../outside/o.yaml"]
    for _ in range(2):  # the second time from the folders resolved the first
        assert [source.display_path(Path(n)) for n in names] == [reference(Path(n)) for n in names]
    monkeypatch.chdir(work / "real")  # another working directory: nothing resolved for the first one is reused
    assert [source.display_path(Path(n)) for n in ["a.yaml", "../link/b.yaml", "../out/o.yaml", "sub/c.yaml"]] == [
        "a.yaml", "sub/c.yaml", "../out/o.yaml", "sub/c.yaml"]


def test_lending_scalar_events_gives_the_same_documents_and_leaves_pyyaml_as_it_was(tmp_path: Path) -> None:
    """While it parses, source may lend PyYAML's C parser a cheaper scalar event (a tuple): the documents are the
    same either way, and every parse, good, declined or failed, gives PyYAML its own class back."""
    import yaml._yaml

    assert source._lend_scalars()  # one thread here, and this PyYAML passes the fields as read
    texts = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "facts").glob("*.yaml"))[:8]]
    lent = [source._build(text) for text in texts]  # the event path itself (parse takes quickparse's first)
    source._LEND[:] = [False]
    try:
        own = [source._build(text) for text in texts]
    finally:
        source._LEND.clear()
    assert None not in lent
    assert [(b[0], _positions(b[1])) for b in lent] == [(b[0], _positions(b[1])) for b in own]  # type: ignore[index]
    for text in ("a: 1\nb: [x, 'y']\n", "a: &x 1\nb: *x\n", "a: [1\n", "a: 1\na: 2\n", "- " * 300 + "x\n"):
        file = tmp_path / "f.yaml"
        file.write_text(text)
        try:
            source.parse(file)
        except InputError:
            pass
        assert yaml._yaml.ScalarEvent is yaml.ScalarEvent
    assert yaml.load("a: 'b'", Loader=yaml.CSafeLoader) == {"a": "b"}


def _positions(slots: list[Any]) -> list[Any]:
    """A document's slots with each mark as its position (marks compare by identity)."""
    def at(mark: Any) -> tuple[int, int, int]:
        return mark.index, mark.line, mark.column

    return [s if s is None or isinstance(s, str) else (at(s[0]), *s[1:]) if isinstance(s, tuple) else at(s) for s in slots]


def test_scalar_events_are_not_lent_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread could be parsing with PyYAML's C parser, and would get tuples: never lend then."""
    import threading

    monkeypatch.setattr(source, "_LEND", [])  # not probed yet: a thread alive then must not decide for later
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not source._lend_scalars()
    finally:
        stop.set()
        other.join()
    assert source._lend_scalars()


def test_a_pyyaml_that_passes_scalar_fields_otherwise_is_never_lent_tuples(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml._yaml

    monkeypatch.setattr(source, "_scalar_fields", lambda *fields: fields[::-1])
    assert not source._probe()
    assert yaml._yaml.ScalarEvent is yaml.ScalarEvent

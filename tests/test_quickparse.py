"""quickparse, the parse's fast path, against libyaml's event path: for any text it reads, exactly the same data and
positions; everything else it leaves to libyaml. The long run:

    OBCHECK_PARSE_EXAMPLES=20000 .venv/bin/python -m pytest -q tests/test_quickparse.py -n 0 -p no:cacheprovider
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcheck import quickparse, source
from tests.conftest import ROOT
from tests.test_source_events import assert_as_composed, typed

EXAMPLES = int(os.environ.get("OBCHECK_PARSE_EXAMPLES", "150"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 300)
YAML_FILES = sorted(p for folder in ("facts", "rules", "docs", "tests", "bench") for p in (ROOT / folder).glob("**/*.y*ml")
                    if ".data" not in p.parts)  # not the benchmark's generated thousands


def quick(text: str) -> tuple[Any, list[Any]] | None:
    return quickparse.parse(text, source._CONSTANTS, source._number, source.MAX_DEPTH, source.MAX_NODES)


def position(mark: Any) -> tuple[int, int]:
    return (mark // quickparse.ROW, mark % quickparse.ROW) if isinstance(mark, int) else (mark.line, mark.column)


def shown(slots: list[Any]) -> list[Any]:
    """Slots with each mark as its (line, column): libyaml's marks and quickparse's ints alike."""
    return [s if isinstance(s, str) else (position(s[0]), *s[1:]) if isinstance(s, tuple) else position(s) for s in slots]


def agrees(text: str) -> bool:
    """quickparse reads `text` as the event path does, or leaves it (None). Returns whether it read it."""
    read = quick(text)
    if read is None:
        return False
    built = source._build(text)
    assert built is not None, f"quickparse read a text libyaml refuses or leaves to the composer: {text!r}"
    assert typed(read[0]) == typed(built[0]), text
    assert shown(read[1]) == shown(built[1]), text
    return True


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_reads_as_libyaml_reads_it(path: Path) -> None:
    agrees(path.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff"))


def test_the_shipped_fact_files_take_the_fast_path_but_for_flow_mappings() -> None:
    """The fast path is for the files obcheck ships and users write like them: a fact file it leaves to libyaml
    would parse at the old speed. Only flow mappings ({id: x, ...}) are not read here."""
    left = [p.name for p in sorted((ROOT / "facts").glob("*.yaml")) if not agrees(p.read_text(encoding="utf-8"))]
    assert left == [p.name for p in sorted((ROOT / "facts").glob("*.yaml")) if "- {" in p.read_text(encoding="utf-8")]
    assert len(left) * 5 < len(list((ROOT / "facts").glob("*.yaml")))


def test_generated_agreements_take_the_fast_path(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "12", str(tmp_path)], check=True, capture_output=True)
    files = sorted(tmp_path.glob("*.yaml"))
    assert files and all(agrees(f.read_text(encoding="utf-8")) for f in files)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("a: 1\nb: -2\nc: +3\nd: .5\ne: 1e5\nf: 0x1F\ng: 012\nh: ~\ni: null\nj: true\nk: False\nl: NO\nm: yes\n",
         {"a": 1, "b": -2, "c": 3, "d": 0.5, "e": 100000.0, "f": "0x1F", "g": 12, "h": None, "i": None, "j": True,
          "k": False, "l": "NO", "m": "yes"}),
        ("true: 1\n'x': 2\n", None),  # a quoted key: libyaml's
        ("a: it's\nb: 'it''s'\nc: \"say \\\"hi\\\" \\\\ o\"\nd: a#b\ne: a:b\nf: http://x.org/#p\n",
         {"a": "it's", "b": "it's", "c": 'say "hi" \\ o', "d": "a#b", "e": "a:b", "f": "http://x.org/#p"}),
        ("a: one\n  two\n    three\nb: 'x\n  y'\nc: \"p\n q\"\n", {"a": "one two three", "b": "x y", "c": "p q"}),
        ("a: >-\n  x\n  y\nb: |\n  x\n  y\n\nc: >\n  z\n", {"a": "x y", "b": "x\ny\n", "c": "z\n"}),
        ("a:\n- x\n- k: [y, \"NO\", 'z w', 2]\n  l:\n  - m\nb:\n  - 1\n", {"a": ["x", {"k": ["y", "NO", "z w", 2], "l": ["m"]}], "b": [1]}),
        ("# head\na: 1  # one\nb:  # two\n  # three\n  c: x  # four\n", {"a": 1, "b": {"c": "x"}}),
        ("a: x\u00e9 \u65e5\u672c \U0001f600\n", {"a": "x\u00e9 \u65e5\u672c \U0001f600"}),
    ],
)
def test_read_here_as_libyaml_reads_it(text: str, data: Any) -> None:
    assert agrees(text) == (data is not None)
    if data is not None:
        assert typed(quick(text)[0]) == typed(data)  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\tb\n", "a: 1\r\nb: 2\r\n", "a: 1 \nb: 2\n", "a: x\n---\nb: y\n", "%YAML 1.2\n---\na: 1\n", "\ufeffa: 1\n",
        "a: x\x85y\n", "a: x\u2028y\n", "a: \x7f\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: 1\na: 2\n", "<<: {a: 1}\n",
        "k" * 1001 + ": 1\n", "a:\nb: 1\n", "a:\n", "a: 'x\n\n  y'\n", 'a: "\\n"\n', 'a: "x\\\n  y"\n', "a: >+\n  x\n",
        "a: >2\n  x\n", "a: >\n  x\n    y\n", "a: |\n\n  x\n", "a: [x]  # c\n", "a: {b: 1}\n", "- a\n- b\n", "  a: 1\n",
        "a: - x\n", "a: b: c\n", "a: x:\n", "a: @x\n", "a: `x\n", "a: 'x' y\n", "a: 1\n  b: 2\n", "a:\n  - x\n  b: 1\n",
        "a: x\n  - y\n", "a: x\n  # c\n  y\n", "a: " + "9" * 101 + "\n", "", "# only a comment\n", "a: |\n  x",
        "a:\n  b: 1\n c: 2\n", "a: 'x'\n- y\n", "a: [x, {y: 1}]\n", "a: [x,y]\n", "a: [ x ]\n", "a: \"x\" y\n", "-\n",
        "a: >\n x\n\n # not a comment", "a: |\n  x\n\n  y\n", "a: |-\n  x\n\n\n  # z\nb: 1\n",
    ],
)
def test_left_to_libyaml(text: str) -> None:
    """What the fast path does not read (a tab, CR, a trailing space, markers, special breaks, the BOM, anchors,
    tags, duplicate and over-long keys, empty values, escapes, keep or indented block scalars, flow mappings, ...):
    parse still gives libyaml's answer, data or located error."""
    assert quick(text) is None
    assert_as_composed(text)


# ------------------------------------------------------------------ generated documents

WORDS = ["a", "b.c", "x_y", "k-1", "true", "null", "1", "NO", "on", "x" * 40]
CLEAN_PLAIN = ["word", "two words", "1", "-1", "+1", ".5", "1.5e3", "0x1F", "012", "true", "False", "~", "null", "NO",
               "it's", "a#b", "a:b", "http://x/#y", "x]", "(x)", "\u00e9t\u00e9", "\u65e5\u672c", "-x", ".x"]
PLAIN = [*CLEAN_PLAIN, "{x}", "\u00a0x", "x\u00a0", "a: b", "a #b", "a:", "- x", "#x", "@x", "`x", "%x", "!x", "&x", "*x", "|x", ">x", "?x", "? x", ": x", ",x", "'q'",
         '"q"', "[x]", "9" * 101]
QUOTED = ["'it''s'", "'x'", "''", "'a: b'", "'#x'", '"x"', '""', '"say \\"hi\\""', '"a\\\\b"', '"tab\\t"', '"a\\nb"',
          "'x' # c", '"x"  # c', "'x' y"]
FLOW = ["[x, y]", "[]", "[1, true, null]", '["NO", \'z w\']', "[x,y]", "[x, {a: 1}]", "[x]  # c", "[ x ]"]
BLOCK = [">", ">-", "|", "|-", ">+", "|2", ">-  # c"]
COMMENTS = ["# c", "#", "# a: b", "#- x"]


@st.composite
def documents(draw: st.DrawFn, clean: bool) -> str:
    """A block document of the shapes fact files have, with (unless `clean`) now and then the things the fast path
    must leave to libyaml: odd indentation, every kind of scalar start, folded lines at any depth, comments and blank
    lines anywhere, trailing spaces, tabs, empty values, keep and indented block scalars."""
    lines: list[str] = []
    rate = 0 if clean else draw(st.sampled_from([1, 3, 8, 20]))  # one decision in `rate` (about) is odd

    def odd() -> bool:
        return rate > 0 and draw(st.integers(0, rate)) == 0

    step = draw(st.sampled_from([1, 3] if odd() else [2, 4]))

    def noise() -> None:
        if odd():
            lines.append(draw(st.sampled_from(["", " " * draw(st.integers(0, 6)) + draw(st.sampled_from(COMMENTS))])))

    def folded(prefix: str, col: int, parts: list[str]) -> None:
        lines.append(prefix + parts[0])
        for part in parts[1:]:
            noise()
            lines.append(" " * max(0, col + (draw(st.sampled_from([-2, -1, 0, 1, 2, 4])) if odd() else step)) + part)

    def scalar(prefix: str, col: int, item: bool = False) -> None:
        """A value after `prefix`; a sequence's `item` is read here only on one line."""
        kinds = ["plain", "quoted", "block", "flow"] if odd() else ["plain", "quoted"] if item else ["plain", "quoted", "block", "flow"]
        kind = draw(st.sampled_from(kinds))
        single = item and not odd()
        if kind == "plain":
            words = [draw(st.sampled_from(PLAIN if odd() else CLEAN_PLAIN)) for _ in range(draw(st.integers(1, 1 if single else 3)))]
            if not odd():
                words = [words[0]] + [w for w in words[1:] if w[0].isalpha()]
            folded(prefix, col, words)
        elif kind == "quoted" and odd():
            text = draw(st.sampled_from(QUOTED))
            if draw(st.booleans()) and len(text) > 3:
                cut = draw(st.integers(1, len(text) - 1))
                folded(prefix, col, [text[:cut], text[cut:]])
            else:
                lines.append(prefix + text)
        elif kind == "quoted":
            quote = draw(st.sampled_from(["'", '"']))
            body = [draw(st.sampled_from(["x", "a b", "it''s" if quote == "'" else 'say \\"hi\\"', "#x", "a: b", "- x"]))
                    for _ in range(draw(st.integers(1, 1 if single else 3)))]
            folded(prefix + quote, col, body[:-1] + [body[-1] + quote])
        elif kind == "block":
            lines.append(prefix + draw(st.sampled_from(BLOCK if odd() else BLOCK[:4])))
            inner = col + (draw(st.sampled_from([0, 1, 2, 3])) if odd() else step)
            for _ in range(draw(st.integers(1, 3))):
                more = draw(st.sampled_from([1, -1, 2])) if odd() else 0
                lines.append(" " * max(0, inner + more) + draw(st.sampled_from(["x", "a: b", "# not a comment", "- y", "'q' #"])))
                noise()
        else:
            lines.append(prefix + draw(st.sampled_from(FLOW if odd() else FLOW[:4])))

    def node(col: int, depth: int, prefix: str | None = None) -> None:
        """A mapping at column col (its first key after `prefix`, a sequence item's '- ')."""
        keys = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=not odd()))
        for n, key in enumerate(keys):
            lead = prefix if n == 0 and prefix is not None else " " * col
            noise()
            what = draw(st.sampled_from(["scalar", "scalar", "map", "seq"] if depth < 4 else ["scalar"]))
            if what == "scalar":
                scalar(f"{lead}{key}: ", col)
            elif what == "map":
                lines.append(f"{lead}{key}:" + ("  # c" if odd() else ""))
                node(col + (draw(st.sampled_from([0, 1, 2, 4])) if odd() else step), depth + 1)
            else:
                lines.append(f"{lead}{key}:")
                dash = col + (draw(st.sampled_from([0, 1, 2, -1])) if odd() else draw(st.sampled_from([0, step])))
                for _ in range(draw(st.integers(1, 3))):
                    noise()
                    if draw(st.booleans()):
                        node(dash + 2, depth + 1, " " * max(0, dash) + "- ")
                    else:
                        scalar(" " * max(0, dash) + "- ", dash, item=True)
        if odd():
            lines.append(" " * col + draw(st.sampled_from(["k:", "-", "- x", "k: v\t", "k: v ", "---", "k: \x85", "k: x\r"])))

    node(0, 0)
    # a clipped block scalar at the very end keeps no line break: left to libyaml
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"] if odd() else ["\n", "\n\n"]))


@PROPERTY
@given(text=documents(clean=False))
def test_any_document_reads_as_libyaml_reads_it_or_is_left_to_it(text: str) -> None:
    if agrees(text):
        assert_as_composed(text)


@PROPERTY
@given(text=documents(clean=True))
def test_documents_in_the_subset_are_read_here(text: str) -> None:
    """No needless detour: a document of the shapes fact files have (any scalar but those starting with an
    indicator, folded or not) is read by the fast path, and as libyaml reads it."""
    assert agrees(text), text


def test_mutated_files_read_as_libyaml_reads_them_or_are_left_to_it() -> None:
    """Shipped and generated files edited a character or a line at a time: every text read is read right."""
    rng = random.Random(20261205)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "facts").glob("*.yaml"))[:12]]
    chars = [" ", "  ", "\n", "- ", ": ", " #", "#", "'", '"', "\\", "[", "]", "{", "&", "*", "!", "|", ">", "\t", "\u2028", "-", ":"]
    read = 0
    for _ in range(400):
        text = rng.choice(texts)
        lines = text.split("\n")
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(lines))
            edit = rng.randrange(5)
            if edit == 0:
                lines[k] = " " * rng.choice([1, 2]) + lines[k]
            elif edit == 1:
                lines[k] = lines[k][rng.choice([1, 2]):]
            elif edit == 2:
                at = rng.randint(0, len(lines[k]))
                lines[k] = lines[k][:at] + rng.choice(chars) + lines[k][at:]
            elif edit == 3:
                lines.insert(k, lines[rng.randrange(len(lines))])
            else:
                del lines[k]
        read += agrees("\n".join(lines))
    assert read > 40  # many edits keep a readable file, and those must still read right


def test_an_over_long_integer_is_left_to_libyaml() -> None:
    assert quick("a: " + "9" * 100 + "\n") is not None
    assert quick("a: " + "9" * 101 + "\n") is None


def test_positions_and_key_lines_of_a_fast_document_are_libyamls() -> None:
    text = (ROOT / "facts" / "gb-2024.yaml").read_text(encoding="utf-8")
    doc = source.parse(Path("x.yaml"), text)
    assert isinstance(doc.slots[0][0], int)  # read by quickparse
    composed = source._compose("x.yaml", text, source.Lines(text))
    for loc in [("facts",), ("sources", 3, "url"), ("facts", "legal.binding_strength", "quote"), ("facts", "legal.ratified", "value"), ("parties", 1), ("nope",)]:
        assert doc.position(loc) == composed.position(loc)
        assert doc.position(loc, key=True) == composed.position(loc, key=True)
    assert doc.key_lines(("facts",)) == composed.key_lines(("facts",))
    assert yaml.safe_load(text)["id"] == doc.data["id"]

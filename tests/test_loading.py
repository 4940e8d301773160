"""Parsing and validation: positions, YAML 1.1 surprises disarmed, one located message per error kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from obcheck.errors import InputError
from obcheck.facts import load_agreement
from obcheck.rules import load_catalogue
from obcheck.source import parse
from obcheck.vocabulary import load_vocabulary
from tests.conftest import MINI, ROOT, cli, fact_file, write


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary(MINI / "vocabulary.yaml")


def errors_of(path: Path, vocab) -> list[str]:
    with pytest.raises(InputError) as info:
        load_agreement(path, vocab)
    return [str(d) for d in info.value.diagnostics]


def test_yaml_11_surprises_stay_strings(tmp_path: Path) -> None:
    doc = parse(write(tmp_path / "a.yaml", "a: NO\nb: yes\nc: on\nd: 2024-01-12\ne: true\nf: 012\ng: 1.5\nh: ~\n"))
    assert doc.data == {"a": "NO", "b": "yes", "c": "on", "d": "2024-01-12", "e": True, "f": 12, "g": 1.5, "h": None}


def test_positions_are_one_based_line_and_column(tmp_path: Path) -> None:
    doc = parse(write(tmp_path / "a.yaml", "top:\n  inner: [1, 2]\n"))
    assert doc.position(("top", "inner", 1)) == (2, 14)
    assert doc.position(("top", "inner"), key=True) == (2, 3)


def test_norway_party_code_and_enum_value_no_stay_strings(tmp_path: Path, vocab) -> None:
    path = fact_file(tmp_path / "n.yaml", "  demo.code: {value: NO, source: s1, quote: q, evidence: text}\n")
    agreement = load_agreement(path, vocab)
    assert agreement.parties == ("NO", "UA")
    assert agreement.values == {"demo.code": "NO"}


def test_duplicate_key_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    path = write(tmp_path / "d.yaml", "a: 1\nb: 2\na: 3\n")
    with pytest.raises(InputError) as info:
        parse(path)
    assert str(info.value.diagnostics[0]).endswith("d.yaml:3:1: duplicate key 'a' (first at line 1)")


def test_syntax_error_is_located(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        parse(write(tmp_path / "s.yaml", "a: [1, 2\nb: 3\n"))
    (d,) = info.value.diagnostics
    assert (d.line, d.col) == (2, 2) and "YAML syntax error" in d.message


def test_unsafe_tag_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        parse(write(tmp_path / "t.yaml", "a: !!python/object/apply:os.system ['echo hi']\n"))
    assert "is not allowed" in info.value.diagnostics[0].message


@pytest.mark.parametrize(
    ("body", "where", "fragment"),
    [
        ("  demo.flagg: {value: true, source: s1, quote: q, evidence: text}\n", "9:3", "unknown fact path 'demo.flagg' (did you mean 'demo.flag'?)"),
        ("  demo.flag: {value: 3, source: s1, quote: q, evidence: text}\n", "9:22", "demo.flag is a bool: got 3"),
        ("  demo.level: {value: hihg, source: s1, quote: q, evidence: text}\n", "9:23", "'hihg' is not one of none, low, high (did you mean 'high'?)"),
        ("  demo.flag: {value: true, sorce: s1, quote: q, evidence: text}\n", "9:28", "unknown key 'sorce' (did you mean 'source'?)"),
        ("  demo.flag: {value: true, source: s2, quote: q, evidence: text}\n", "9:36", "unknown source 's2'"),
        ("  demo.flag: {value: true, source: s1, evidence: text}\n", "9:3", "evidence 'text' needs 'quote'"),
        ("  demo.flag: {evidence: unverified}\n", "9:3", "an unverified fact needs a 'note'"),
        ("  demo.flag: {value: true, source: s1, quote: q, evidence: rumour}\n", "9:60", "Input should be 'text', 'official', 'secondary' or 'unverified'"),
        ("  demo.day: {value: 2024-02-30x, source: s1, quote: q, evidence: text}\n", "9:21", "demo.day is a date: expected YYYY-MM-DD"),
        ("  demo.tags: {value: [a, d], source: s1, quote: q, evidence: text}\n", "9:22", "'d' is not one of a, b, c"),
        ("  demo.flag: {value: true, source: s1, quote: " + "w " * 26 + ", evidence: text}\n", "9:47", "quote has 26 words; at most 25"),
    ],
)
def test_fact_errors_are_located(tmp_path: Path, vocab, body: str, where: str, fragment: str) -> None:
    path = fact_file(tmp_path / "f.yaml", body)
    messages = errors_of(path, vocab)
    assert any(f"f.yaml:{where}: " in m and fragment in m for m in messages), messages


def test_missing_header_key_is_reported_at_the_mapping(tmp_path: Path, vocab) -> None:
    path = write(tmp_path / "m.yaml", "id: x-2024\ntitle: T\nkind: treaty\nparties: [UA]\nsources: []\n")
    assert any(m.endswith("m.yaml:1:1: missing required key 'facts'") for m in errors_of(path, vocab))


def test_unverified_value_counts_as_absent(tmp_path: Path, vocab) -> None:
    path = fact_file(tmp_path / "u.yaml", "  demo.flag: {value: true, evidence: unverified, note: Not found in the summary.}\n")
    agreement = load_agreement(path, vocab)
    assert agreement.values == {} and agreement.unverified == {"demo.flag": "Not found in the summary."}


RULE = """id: {id}
title: T
severity: low
tier: one
criterion: {{standard: mini, section: "1", quote: "", url: "https://example.org", evidence_level: seed-only}}
met: {met}
messages: {{met: m, gap: g, unknown: u}}
remediation: r
rationale: r
"""


@pytest.mark.parametrize(
    ("met", "fragment", "col"),
    [
        ("{fact: demo.levle, equals: high}", "unknown fact path 'demo.levle' (did you mean 'demo.level'?)", 13),
        ("{fact: demo.level, equals: hihg}", "'hihg' is not one of none, low, high (did you mean 'high'?)", 33),
        ("{fact: demo.flag, at_least: true}", "at_least does not apply to demo.flag, which is bool", 34),
        ("{fact: demo.flag, ne: true}", "unknown operator 'ne'", 24),
        ("{fact: demo.tags, equals: a}", "equals does not apply to demo.tags, which is list; use one of exists, contains", 32),
        ("{alll: []}", "exactly one of all, any, not, fact; got 'alll' (did you mean 'all'?)", 7),
        ("{fact: demo.flag, equals: true, in: [true]}", "exactly one operator", 6),
    ],
)
def test_rule_errors_are_located(tmp_path: Path, met: str, fragment: str, col: int) -> None:
    pack = tmp_path / "pack"
    write(pack / "vocabulary.yaml", (MINI / "vocabulary.yaml").read_text())
    write(pack / "pack.yaml", (MINI / "pack.yaml").read_text())
    write(pack / "r.yaml", RULE.format(id="r", met=met))
    with pytest.raises(InputError) as info:
        load_catalogue([pack])
    messages = [str(d) for d in info.value.diagnostics]
    assert any(fragment in m for m in messages), messages
    assert any(f":6:{col}: " in m for m in messages), messages


def test_rule_id_must_match_file_name(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write(pack / "vocabulary.yaml", (MINI / "vocabulary.yaml").read_text())
    write(pack / "pack.yaml", (MINI / "pack.yaml").read_text())
    write(pack / "right.yaml", RULE.format(id="wrong", met="{fact: demo.flag, equals: true}"))
    with pytest.raises(InputError) as info:
        load_catalogue([pack])
    assert "right.yaml:1:5: rule id 'wrong' must equal the file name stem 'right'" in str(info.value)


def test_all_errors_of_a_run_are_reported_together_with_exit_2(tmp_path: Path) -> None:
    fact_file(tmp_path / "a.yaml", "  demo.flagg: {value: true, source: s1, quote: q, evidence: text}\n", id="a-2024")
    fact_file(tmp_path / "b.yaml", "  demo.flag: {value: 7, source: s1, quote: q, evidence: text}\n", id="b-2024")
    fact_file(tmp_path / "c.yaml", id="c-2024")
    fact_file(tmp_path / "d.yaml", id="c-2024")
    out = tmp_path / "out.json"
    result = cli("check", tmp_path, "--rules", MINI, "--format", "json", "--output", out)
    assert result.exit_code == 2
    assert "a.yaml:9:3: unknown fact path 'demo.flagg'" in result.stderr
    assert "b.yaml:9:22: demo.flag is a bool: got 7" in result.stderr
    assert "d.yaml:1:5: agreement id 'c-2024' is also used by" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_shipped_vocabulary_loads_and_declares_every_type() -> None:
    vocab = load_vocabulary(ROOT / "rules" / "vocabulary.yaml")
    assert {s.type for s in vocab.paths.values()} == {"bool", "integer", "number", "string", "date", "ordered_enum", "list"} | (
        {"enum"} if any(s.type == "enum" for s in vocab.paths.values()) else set()
    )


@pytest.mark.parametrize("value", ["1e-05", "1.0e+16", "-2.5e-7"])
def test_numbers_durable_cannot_parse_are_refused_with_a_location(tmp_path: Path, vocab, value: str) -> None:
    """durable_rules segfaults on floats printed with an exponent; such values never reach it."""
    path = fact_file(tmp_path / "n.yaml", f"  demo.share: {{value: {value}, source: s1, quote: q, evidence: text}}\n")
    assert any("n.yaml:9:23: demo.share" in m and "outside the supported range" in m for m in errors_of(path, vocab))


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2024-02-29"])
def test_a_rule_on_the_calendars_edge_dates_validates(tmp_path: Path, day: str) -> None:
    """The linter probes the day before and after each date constant: at 0001-01-01 and 9999-12-31 there is none."""
    pack = tmp_path / "pack"
    write(pack / "vocabulary.yaml", (MINI / "vocabulary.yaml").read_text())
    write(pack / "pack.yaml", (MINI / "pack.yaml").read_text())
    write(pack / "r.yaml", RULE.format(id="r", met=f"{{fact: demo.day, at_least: {day}}}"))
    write(pack / "r.cases.yaml", "")
    result = cli("validate", fact_file(tmp_path / "f.yaml"), "--rules", pack)
    assert "Traceback" not in result.output and "not a date" not in result.output, result.output


@pytest.mark.parametrize(("day", "reason"), [("2024-02-30", "day is out of range"), ("0000-06-01", "year 0 is out of range"),
                                             ("2024-13-01", "month must be in 1..12"), ("٢٠٢٤-01-01", "expected YYYY-MM-DD")])
def test_a_date_that_does_not_exist_is_refused_in_a_rule_and_a_fact(tmp_path: Path, vocab, day: str, reason: str) -> None:
    path = fact_file(tmp_path / "f.yaml", f"  demo.day: {{value: '{day}', source: s1, quote: q, evidence: text}}\n")
    assert any("f.yaml:9:21: demo.day is a date" in m and reason in m for m in errors_of(path, vocab))
    pack = tmp_path / "pack"
    write(pack / "vocabulary.yaml", (MINI / "vocabulary.yaml").read_text())
    write(pack / "pack.yaml", (MINI / "pack.yaml").read_text())
    write(pack / "r.yaml", RULE.format(id="r", met=f"{{fact: demo.day, at_most: '{day}'}}"))
    with pytest.raises(InputError) as info:
        load_catalogue([pack])
    assert any(":6:32: demo.day is a date" in str(d) and reason in str(d) for d in info.value.diagnostics), info.value


class _CountingList(list):
    """A document's slots, counting how often one is read."""

    reads = 0

    def __getitem__(self, i):
        type(self).reads += 1
        return super().__getitem__(i)


def test_locating_an_error_at_every_key_reads_each_mapping_once(tmp_path: Path) -> None:
    """Positions come from an index built once per mapping: a search per lookup made a fact file with an error on
    each of its 95,000 keys take 108 s (quadratic). Counted, not timed: a few reads per lookup, not one per key."""
    n = 5_000
    doc = parse(write(tmp_path / "many.yaml", "facts:\n" + "".join(f"  k{i}: {i}\n" for i in range(n))))
    doc.slots = _CountingList(doc.slots)
    _CountingList.reads = 0
    positions = [doc.position(("facts", f"k{i}"), key=True) for i in range(n)]
    positions += [doc.position(("facts", f"k{i}")) for i in range(n)]
    assert positions[0] == (2, 3) and positions[n - 1] == (n + 1, 3) and positions[-1] == (n + 1, 10)
    assert _CountingList.reads <= 20 * n, _CountingList.reads  # a scan per lookup would read ~n * n / 2


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\x85"])
def test_positions_count_lines_as_an_editor_does(tmp_path: Path, odd: str) -> None:
    """YAML also ends lines at U+2028, U+2029 and U+0085; editors do not, and neither do obcheck's positions."""
    doc = parse(write(tmp_path / "a.yaml", f'a: "x{odd}y"\nb:\n  c: [1, 2]\n'))
    assert doc.position(("b", "c", 1)) == (3, 10)
    assert doc.key_lines(("b",)) == {"c": 3} and doc.key_lines(()) == {"a": 1, "b": 2}  # a fact's line, as reported
    with pytest.raises(InputError) as info:
        parse(write(tmp_path / "s.yaml", f'a: "x{odd}y"\nb: [1, 2\nc: 3\n'))
    (d,) = info.value.diagnostics
    assert (d.line, d.col) == (3, 2) and "the flow sequence began at 2:4" in d.message, d

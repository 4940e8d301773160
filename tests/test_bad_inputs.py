"""The bad-input corpus (tests/bad_inputs/): every mistake a hand-edited YAML file can hold gives exit 2 and a
`path:line:col: message`, never a traceback, within a time and memory bound.

Each case runs the real CLI in a subprocess, with its address space capped (RLIMIT_AS) so that a memory blow-up
fails the test instead of the machine, and a timeout so that a hang fails it too. What each case must print
is in tests/bad_inputs/expected.yaml; the limits are documented in docs/limits.md.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bad_inputs"
EXPECTED: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
GOOD_PACK = "tests/bad_inputs/rules/good-pack"  # a valid one-rule pack: the fact cases depend on nothing in rules/
BASE = CORPUS / "ok" / "base.yaml"  # the valid fact file every corpus file varies
TIMEOUT_S = 60  # a generous bound on one run (each takes well under a second); a hang fails, not a slow machine
MEMORY_BYTES = 1 << 30  # RLIMIT_AS of each run
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
Args = list[str]
MAX_LINE = 1000  # every message is one bounded line: echoed values are cut (a path of the temporary folder counts too)


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def obcheck(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI from the repository root, capped in memory and time."""
    return subprocess.run(
        [sys.executable, "-m", "obcheck", *map(str, args)], cwd=ROOT, env=ENV, capture_output=True,
        text=True, encoding="utf-8", errors="replace", timeout=TIMEOUT_S, preexec_fn=_cap_memory,
    )


def assert_refused(
    done: subprocess.CompletedProcess[str], path: str, at: str, fragment: str, count: int = 1
) -> None:
    """Exit 2, the located message, the intended error only, nothing on stdout, no traceback."""
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == 2, output
    located = [line for line in done.stderr.splitlines() if line.startswith(f"{path}:{at}: ")]
    assert located, f"no message at {path}:{at}:\n{done.stderr}"
    assert fragment in located[0], f"expected {fragment!r} in:\n{located[0]}"
    too_long = [line for line in done.stderr.splitlines() if len(line) > MAX_LINE]
    assert not too_long, f"a message of {len(too_long[0]):,} characters: {too_long[0][:200]}"
    summary = f"obcheck: {count} error{'s' if count != 1 else ''}; nothing was "  # 'evaluated or written', or 'written' after a check
    assert summary in done.stderr, done.stderr
    assert done.stdout == "", done.stdout


# Hostile inputs run as their own capped processes; the ordinary mistakes run in-process (the same CLI,
# the same exit code and messages, and any exception escapes as a test failure), which keeps the suite fast.
HOSTILE = {"deep-nesting", "billion-laughs", "custom-tag", "non-utf8", "merge-key"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    if not any(f"/{name}.yaml" in a for a in args for name in HOSTILE):
        from click.testing import CliRunner

        from obcheck.cli import main

        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        finally:
            os.chdir(cwd)
        return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
    return obcheck(*args)


# Cases that build files of megabytes to prove a limit holds at scale: CI runs them after the default suite.
AT_SCALE = {"bare-facts", "many-misspellings", "huge-list-against-huge-enum"}


def cases(section: str) -> list[Any]:
    """The entries of one section of expected.yaml as pytest params."""
    return [pytest.param(name, entry, id=name, marks=[pytest.mark.ci] if name in AT_SCALE else [])
            for name, entry in EXPECTED[section].items()]


# ------------------------------------------------------------------ committed cases


@pytest.mark.parametrize(("name", "entry"), cases("facts"))
def test_a_bad_fact_file_is_refused_at_its_line(name: str, entry: dict[str, Any]) -> None:
    path = f"tests/bad_inputs/facts/{name}.yaml"
    done = run("validate", path, "--rules", GOOD_PACK)
    assert_refused(done, path, entry["at"], entry["message"], entry.get("count", 1))


@pytest.mark.parametrize(("case", "entry"), cases("rules"))
def test_a_bad_rule_is_refused_at_its_line(case: str, entry: dict[str, Any]) -> None:
    pack = f"tests/bad_inputs/rules/{case}"
    done = run("validate", str(BASE.relative_to(ROOT)), "--rules", pack)
    assert_refused(done, f"{pack}/{entry['file']}", entry["at"], entry["message"], entry.get("count", 1))


def test_validate_refuses_what_check_refuses() -> None:
    """Every compile-time limit applies to validate too: a rule validate accepts is a rule check runs."""
    pack = "tests/bad_inputs/rules/in-list-beyond-64-branches"
    entry = EXPECTED["rules"]["in-list-beyond-64-branches"]
    for command in ("validate", "check"):
        done = run(command, str(BASE.relative_to(ROOT)), "--rules", pack)
        assert_refused(done, f"{pack}/{entry['file']}", entry["at"], entry["message"])


@pytest.mark.parametrize(("name", "entry"), cases("cli"))
def test_a_bad_command_line_is_refused(name: str, entry: dict[str, Any]) -> None:
    done = run(*entry["args"])
    output = done.stdout + done.stderr
    assert "Traceback" not in output and done.returncode == 2, output
    assert entry["message"] in done.stderr and done.stdout == "", output


def test_a_revision_never_reaches_git_as_an_option(tmp_path: Path) -> None:
    """diff --rev A..B: an A or B starting with '-' used to reach git archive as an option and truncate a file."""
    victim = tmp_path / "victim.tar"
    victim.write_text("keep")
    for rev in (f"--output={victim}..HEAD", f"HEAD..--output={victim}", f"--remote=x --output={victim}..HEAD"):
        done = obcheck("diff", "--rev", rev)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "is not a revision" in done.stderr and victim.read_text() == "keep"
    assert not (ROOT / "bad-inputs-victim.tar").exists()


@pytest.mark.parametrize("name", EXPECTED["ok"])
def test_a_file_that_only_looks_odd_loads(name: str) -> None:
    """A byte order mark and Windows line ends are not mistakes: such files load."""
    done = run("validate", f"tests/bad_inputs/ok/{name}.yaml", "--rules", GOOD_PACK)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith("ok: 1 fact files"), done.stdout


def test_the_corpus_and_its_expectations_match() -> None:
    """Every committed case has an expectation and every expectation a case: none is silently skipped."""
    assert {p.stem for p in (CORPUS / "facts").glob("*.yaml")} == set(EXPECTED["facts"])
    assert {p.stem for p in (CORPUS / "ok").glob("*.yaml")} == set(EXPECTED["ok"])
    packs = {p.name for p in (CORPUS / "rules").iterdir() if p.is_dir()} - {"good-pack"}
    assert packs == set(EXPECTED["rules"])
    assert all((CORPUS / "rules" / case / "pack.yaml").is_file() for case in packs)
    assert set(BUILDERS) == set(EXPECTED["generated"])


# ------------------------------------------------------------------ cases built in a temporary folder


def _base(**replace: str) -> str:
    text = BASE.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _facts(tmp: Path, *names: str) -> Path:
    """tmp/facts with a valid fact file under each name (ids made unique)."""
    folder = tmp / "facts"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(_base(**{"id: base-2024": f"id: {Path(name).stem}-2024"}), encoding="utf-8")
    return folder


def _validate(path: Path) -> Args:
    return ["validate", str(path), "--rules", GOOD_PACK]


def _fifty_megabytes(tmp: Path) -> Args:
    big = tmp / "big.yaml"
    with big.open("wb") as handle:
        handle.write(_base().encode())
        handle.truncate(50 * 2**20)  # the rest reads as NUL bytes: the size check must come first
    return _validate(big)


def _long_line_error(tmp: Path) -> Args:
    # 'note: word word ... word: oops' on one line of 1,000,012 characters: ': ' ends the scalar at column 1,000,007
    long = tmp / "long.yaml"
    long.write_text(_base(**{"place: Kyiv": "note: " + "word " * 200_000 + ": oops"}), encoding="utf-8")
    return _validate(long)


def _long_key(tmp: Path) -> Args:
    path = tmp / "long-key.yaml"
    path.write_text(_base(**{"place: Kyiv": "k" * 2000 + ": x"}), encoding="utf-8")
    return _validate(path)


def _folder_symlink_loop(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (facts / "loop").symlink_to(".", target_is_directory=True)
    return _validate(facts)


def _subfolder_symlink_loop(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (facts / "sub").mkdir()
    (facts / "sub" / "up").symlink_to("..", target_is_directory=True)
    return _validate(facts)


def _file_symlink_loop(tmp: Path) -> Args:
    facts = _facts(tmp, "good.yaml")
    (facts / "a.yaml").symlink_to("b.yaml")
    (facts / "b.yaml").symlink_to("a.yaml")
    return _validate(facts)


def _file_symlink_outside(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (tmp / "secret.yaml").write_text(_base(**{"id: base-2024": "id: secret-2024"}), encoding="utf-8")
    (facts / "elsewhere.yaml").symlink_to(tmp / "secret.yaml")
    return _validate(facts)


def _folder_symlink_outside(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (tmp / "other").mkdir()
    (tmp / "other" / "x.yaml").write_text(_base(**{"id: base-2024": "id: other-2024"}), encoding="utf-8")
    (facts / "more").symlink_to(tmp / "other", target_is_directory=True)
    return _validate(facts)


def _no_fact_files(tmp: Path) -> Args:
    facts = _facts(tmp)
    (facts / "README.md").write_text("Fact files go here.\n")
    return _validate(facts)


def _same_agreement_id(tmp: Path) -> Args:
    facts = _facts(tmp)
    for name in ("a.yaml", "b.yaml"):
        (facts / name).write_text(_base(), encoding="utf-8")
    return _validate(facts)


def _fifo_in_folder(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    os.mkfifo(facts / "pipe.yaml")  # reading it would block for ever: it must be refused, not opened
    return _validate(facts)


def _unreadable_file(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml", "locked.yaml")
    (facts / "locked.yaml").chmod(0)
    return _validate(facts)


def _pack(folder: Path, *, with_pack_yaml: bool = True, vocabulary: bool = True) -> Path:
    """A copy of the good pack (optionally without pack.yaml), with the vocabulary beside it."""
    folder.mkdir(parents=True)
    good = CORPUS / "rules" / "good-pack"
    for name in ("pack.yaml", "ratified.yaml", "ratified.cases.yaml") if with_pack_yaml else ("ratified.yaml",):
        (folder / name).write_text((good / name).read_text(encoding="utf-8"), encoding="utf-8")
    if vocabulary:
        _copy_vocabulary(folder)
    return folder


def _copy_vocabulary(folder: Path) -> None:
    (folder / "vocabulary.yaml").write_bytes((CORPUS / "rules" / "vocabulary.yaml").read_bytes())


def _rules(rules: Path) -> Args:
    return ["validate", str(BASE), "--rules", str(rules)]


def _pack_missing_pack_yaml(tmp: Path) -> Args:
    return _rules(_pack(tmp / "pack", with_pack_yaml=False))


def _packs_one_missing_pack_yaml(tmp: Path) -> Args:
    packs = tmp / "packs"
    _pack(packs / "a", vocabulary=False)
    _pack(packs / "b", with_pack_yaml=False, vocabulary=False)
    _copy_vocabulary(packs)
    return _rules(packs)


def _pack_folder_symlinks_to_itself(tmp: Path) -> Args:
    (tmp / "packs").mkdir()
    (tmp / "packs" / "self").symlink_to("self", target_is_directory=True)
    return _rules(tmp / "packs" / "self")


def _pack_contains_symlink_cycle(tmp: Path) -> Args:
    packs = tmp / "packs"
    _pack(packs / "a")
    (packs / "a" / "loop").symlink_to(".", target_is_directory=True)
    return _rules(packs)


def _rule_file_symlink_loop(tmp: Path) -> Args:
    pack = _pack(tmp / "pack")
    (pack / "a.yaml").symlink_to("b.yaml")
    (pack / "b.yaml").symlink_to("a.yaml")
    return _rules(pack)


def _fifo_named_directly(tmp: Path) -> Args:
    os.mkfifo(tmp / "pipe.yaml")  # named on the command line: it used to be opened, and wait for a writer for ever
    return _validate(tmp / "pipe.yaml")


def _fifo_in_pack(tmp: Path) -> Args:
    pack = _pack(tmp / "pack")
    os.mkfifo(pack / "extra.yaml")
    return _rules(pack)


def _fifo_as_vocabulary(tmp: Path) -> Args:
    packs = tmp / "packs"
    _pack(packs / "a", vocabulary=False)
    os.mkfifo(packs / "vocabulary.yaml")
    return _rules(packs)


def _fifo_as_cases_file(tmp: Path) -> Args:
    pack = _pack(tmp / "pack")
    (pack / "ratified.cases.yaml").unlink()
    os.mkfifo(pack / "ratified.cases.yaml")  # was taken for a missing cases file; now refused as what it is
    return ["test", "--rules", str(pack), str(BASE)]


def _name_too_long(tmp: Path) -> Args:
    return _validate(tmp / ("n" * 300 + ".yaml"))  # pathlib's exists() raised ENAMETOOLONG: a traceback


def _rules_name_too_long(tmp: Path) -> Args:
    return _rules(tmp / ("r" * 300))


def _device_named_directly(tmp: Path) -> Args:
    return _validate(Path("/dev/zero"))  # endless: read up to the size limit, it used to be refused only as too big


def _unreadable_subfolder(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (facts / "sub").mkdir()
    _facts(facts / "sub", "b.yaml")
    (facts / "sub" / "facts").chmod(0)
    return _validate(facts)


def _unreadable_pack_among_packs(tmp: Path) -> Args:
    packs = tmp / "packs"
    _pack(packs / "a", vocabulary=False)
    _pack(packs / "b", vocabulary=False)
    _copy_vocabulary(packs)
    (packs / "b").chmod(0)
    return _rules(packs)


def _file_name_not_utf8(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (facts / os.fsdecode(b"b\xff.yaml")).write_text(_base(**{"id: base-2024": "id: b-2024"}), encoding="utf-8")
    return _validate(facts)


def _bare_facts(tmp: Path) -> Args:
    # 95,000 facts written as bare values (1.8 MB, within the limits), each an error: located by a search per
    # error, this took 108 s to 265 s; located from a per-mapping index, seconds (the timeout is the bound)
    head = _base().split("facts:\n")[0] + "facts:\n"
    path = tmp / "bare.yaml"
    path.write_text(head + "".join(f"  legal.x{i:06d}: 1\n" for i in range(95_000)), encoding="utf-8")
    return _validate(path)


def _long_string_fact(tmp: Path) -> Args:
    # 32,768 characters but 65,536 UTF-8 bytes: durable_rules' 16-bit length would wrap it to nothing
    path = tmp / "long-string.yaml"
    path.write_text(_base(**{"  legal.ratified:\n    evidence: unverified\n    note: No record of ratification was found.\n": (
        "  legal.instrument_name:\n    value: " + "é" * 32_768 + "\n    source: s1\n    quote: the title\n    evidence: text\n")}),
        encoding="utf-8")
    return _validate(path)


def _long_string_in_rule(tmp: Path) -> Args:
    pack = _pack(tmp / "pack")
    rule = (pack / "ratified.yaml").read_text(encoding="utf-8")
    (pack / "ratified.yaml").write_text(rule.replace("met: {fact: legal.ratified, equals: true}",
                                                     "met: {fact: legal.instrument_name, equals: abc" + "x" * 65_533 + "}"), encoding="utf-8")
    return _rules(pack)


def _newline_in_file_name(tmp: Path) -> Args:
    facts = _facts(tmp, "a.yaml")
    (facts / "b\nfake.yaml:1:1: forged.yaml").write_text(_base(**{"id: base-2024": "id: b-2024"}), encoding="utf-8")
    return _validate(facts)


def _pack_shadows_shipped_pack(tmp: Path) -> Args:
    pack = _pack(tmp / "pack", vocabulary=False)
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text(encoding="utf-8").replace(
        "id: bad-inputs-good-pack", "id: kyiv-security-compact-2022"), encoding="utf-8")
    return ["validate", str(BASE), "--rules", "rules", "--rules", str(pack)]


def _vocabulary_conflict(tmp: Path) -> Args:
    packs = tmp / "packs"
    _pack(packs / "a", vocabulary=False)
    _copy_vocabulary(packs)
    (packs / "a" / "vocabulary.yaml").write_text(
        "# a pack's own vocabulary\nversion: 1\npaths:\n  demo.extra:\n    type: bool\n    meaning: Fine.\n"
        "  legal.ratified:\n    type: string\n    meaning: Not what the shared vocabulary says.\n", encoding="utf-8")
    return _rules(packs)


def _enum_of_ten_thousand(tmp: Path) -> Args:
    pack = _pack(tmp / "pack", vocabulary=False)
    values = ", ".join(f"value-{i:05d}" for i in range(10_000))
    (tmp / "vocabulary.yaml").write_text(f"version: 1\npaths:\n  big.choice:\n    type: enum\n    values: [{values}]\n    meaning: A big enum.\n", encoding="utf-8")
    rule = (pack / "ratified.yaml").read_text(encoding="utf-8")
    (pack / "ratified.yaml").write_text(rule.replace("met: {fact: legal.ratified, equals: true}", "met: {fact: big.choice, equals: other}"), encoding="utf-8")
    return _rules(pack)


def _big_vocabulary(folder: Path, n: int) -> None:
    """The corpus vocabulary plus big.tags, a list of n allowed values."""
    values = ", ".join(f"v{i:06d}" for i in range(n))
    text = (CORPUS / "rules" / "vocabulary.yaml").read_text(encoding="utf-8")
    (folder / "vocabulary.yaml").write_text(text + f"  big.tags:\n    type: list\n    values: [{values}]\n    meaning: Many tags.\n", encoding="utf-8")


def _huge_list_against_huge_enum(tmp: Path) -> Args:
    # 90,000 items checked against 90,000 allowed values: by list search 8 * 10^9 comparisons, by set a moment
    pack = _pack(tmp / "pack", vocabulary=False)
    _big_vocabulary(tmp, 90_000)
    items = ", ".join(f"v{i:06d}" for i in range(89_999)) + ", nope"
    facts = tmp / "huge-list.yaml"
    facts.write_text(_base(**{"  legal.ratified:\n": f"  big.tags: {{value: [{items}], source: s1, quote: q, evidence: text}}\n  legal.ratified:\n"}), encoding="utf-8")
    return ["validate", str(facts), "--rules", str(pack)]


def _many_misspellings(tmp: Path) -> Args:
    # 20,000 values outside a 400-value list in one rule: a 'did you mean' for each (~5 ms) would take minutes
    pack = _pack(tmp / "pack", vocabulary=False)
    _big_vocabulary(tmp, 400)
    rule = (pack / "ratified.yaml").read_text(encoding="utf-8")
    wrong = ", ".join(f"{{fact: big.tags, contains: w{i:06d}}}" for i in range(20_000))
    (pack / "ratified.yaml").write_text(rule.replace("met: {fact: legal.ratified, equals: true}", f"met: {{any: [{wrong}]}}"), encoding="utf-8")
    return _rules(pack)


def _reserved_path_name(tmp: Path) -> Args:
    # legal.ratified.has_0 would be the same engine property as member 0 of a list path legal.ratified: the
    # engine would see one value for two facts (durable said gap where the interpreter said met)
    packs = tmp / "packs"
    _pack(packs / "a", vocabulary=False)
    text = (CORPUS / "rules" / "vocabulary.yaml").read_text(encoding="utf-8")
    (packs / "vocabulary.yaml").write_text(text + "  legal.ratified.has_0:\n    type: bool\n    meaning: Collides.\n", encoding="utf-8")
    return _rules(packs)


BUILDERS: dict[str, Callable[[Path], Args]] = {
    "fifty-megabytes": _fifty_megabytes,
    "long-line-error": _long_line_error,
    "long-key": _long_key,
    "folder-symlink-loop": _folder_symlink_loop,
    "subfolder-symlink-loop": _subfolder_symlink_loop,
    "file-symlink-loop": _file_symlink_loop,
    "file-symlink-outside": _file_symlink_outside,
    "folder-symlink-outside": _folder_symlink_outside,
    "no-fact-files": _no_fact_files,
    "same-agreement-id": _same_agreement_id,
    "fifo-in-folder": _fifo_in_folder,
    "unreadable-file": _unreadable_file,
    "pack-missing-pack-yaml": _pack_missing_pack_yaml,
    "packs-one-missing-pack-yaml": _packs_one_missing_pack_yaml,
    "pack-folder-symlinks-to-itself": _pack_folder_symlinks_to_itself,
    "pack-contains-symlink-cycle": _pack_contains_symlink_cycle,
    "rule-file-symlink-loop": _rule_file_symlink_loop,
    "fifo-named-directly": _fifo_named_directly,
    "fifo-in-pack": _fifo_in_pack,
    "fifo-as-vocabulary": _fifo_as_vocabulary,
    "fifo-as-cases-file": _fifo_as_cases_file,
    "device-named-directly": _device_named_directly,
    "name-too-long": _name_too_long,
    "rules-name-too-long": _rules_name_too_long,
    "unreadable-subfolder": _unreadable_subfolder,
    "unreadable-pack-among-packs": _unreadable_pack_among_packs,
    "file-name-not-utf8": _file_name_not_utf8,
    "bare-facts": _bare_facts,
    "long-string-fact": _long_string_fact,
    "long-string-in-rule": _long_string_in_rule,
    "newline-in-file-name": _newline_in_file_name,
    "pack-shadows-shipped-pack": _pack_shadows_shipped_pack,
    "vocabulary-conflict": _vocabulary_conflict,
    "enum-of-ten-thousand": _enum_of_ten_thousand,
    "huge-list-against-huge-enum": _huge_list_against_huge_enum,
    "many-misspellings": _many_misspellings,
    "reserved-path-name": _reserved_path_name,
}
UNREADABLE = {"unreadable-file", "unreadable-subfolder", "unreadable-pack-among-packs"}


@pytest.mark.parametrize(("name", "entry"), cases("generated"))
def test_a_bad_file_or_folder_is_refused_at_its_line(name: str, entry: dict[str, Any], tmp_path: Path) -> None:
    if name in UNREADABLE and os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading a file, so none can be made unreadable")
    args = BUILDERS[name](tmp_path)
    try:
        done = obcheck(*args)
    finally:
        for path in tmp_path.rglob("*"):  # no 50 MB file left behind in pytest's kept temporary folders
            if path.is_file() and not path.is_symlink() and path.stat().st_size > 2**20:
                path.unlink()
    assert_refused(done, str(tmp_path / entry["file"]) if entry["file"][0] != "/" else entry["file"], entry["at"], entry["message"], entry.get("count", 1))


def test_a_very_long_line_loads(tmp_path: Path) -> None:
    """A valid line of a million characters is not a mistake: it loads (only the 2 MiB file size limits it)."""
    long = tmp_path / "long.yaml"
    long.write_text(_base(**{"place: Kyiv": 'note: "' + "word " * 200_000 + '"'}), encoding="utf-8")
    done = obcheck(*_validate(long))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith("ok: 1 fact files"), done.stdout


# ------------------------------------------------------------------ one bad file stops the run


def test_one_bad_file_in_a_folder_stops_the_report_and_writes_nothing(tmp_path: Path) -> None:
    """check on a folder with one good and one bad file reports the bad one, evaluates nothing, and leaves no
    --output file (nor its temporary file) behind."""
    facts = _facts(tmp_path, "good.yaml")
    (facts / "bad.yaml").write_bytes((CORPUS / "facts" / "unknown-key.yaml").read_bytes())
    shown = str(facts / "bad.yaml")
    entry = EXPECTED["facts"]["unknown-key"]
    assert_refused(obcheck("check", facts, "--rules", GOOD_PACK), shown, entry["at"], entry["message"])
    out = tmp_path / "out.json"
    done = obcheck("check", facts, "--rules", GOOD_PACK, "--format", "json", "--output", out)
    assert_refused(done, shown, entry["at"], entry["message"])
    assert not out.exists() and list(tmp_path.glob(".out.json*")) == []


def test_an_unreadable_folder_is_an_error_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root, so the generated cases above skip there: here listing the folder fails instead."""
    from click.testing import CliRunner

    from obcheck.cli import main

    facts = _facts(tmp_path, "a.yaml")
    (facts / "sub").mkdir()
    _facts(facts / "sub", "b.yaml")
    packs = tmp_path / "packs"
    _pack(packs / "a", vocabulary=False)
    _pack(packs / "b", vocabulary=False)
    _copy_vocabulary(packs)
    locked = {facts / "sub" / "facts", packs / "b"}
    real_scandir, real_iterdir = os.scandir, Path.iterdir

    def scandir(path: Any = ".") -> Any:
        if Path(path) in locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def iterdir(self: Path) -> Any:
        if self in locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "iterdir", iterdir)
    for args, where in (
        (["validate", str(facts), "--rules", GOOD_PACK], facts / "sub" / "facts"),
        (["validate", str(BASE), "--rules", str(packs)], packs / "b"),
    ):
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 2, result.output
        assert f"{where}:1:1: cannot read folder: Permission denied" in result.stderr, result.stderr


def test_a_deleted_working_folder_is_a_clean_error(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(
        ["sh", "-c", f'cd "{gone}" && rmdir "{gone}" && exec "{sys.executable}" -m obcheck check'], env=ENV,
        capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=_cap_memory,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "the working folder no longer exists" in done.stderr and done.stdout == ""

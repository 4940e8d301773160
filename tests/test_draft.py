"""The clause finder: obcheck draft proposes values from an agreement's text, each with its clause, quote and position."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from obcheck.facts import load_agreement
from obcheck.reporters import FORMATS
from obcheck.rules import load_catalogue
from tests.conftest import ROOT, cli, write

pytest.importorskip("spacy")  # the draft extra; installed with the test extra

NAT_TEXT = ROOT / "texts" / "north-atlantic-treaty-1949.txt"


def draft(tmp_path: Path, text: Path, *args: str) -> tuple[Path, dict]:  # type: ignore[type-arg]
    out = tmp_path / "draft.yaml"
    result = cli("draft", text, "--id", "nat-draft", "-o", out, *args)
    assert result.exit_code == 0, result.output
    return out, yaml.safe_load(out.read_text(encoding="utf-8"))


def test_draft_writes_a_valid_fact_file_of_unverified_proposals_with_clause_quote_and_position(tmp_path: Path) -> None:
    out, data = draft(tmp_path, NAT_TEXT)
    vocabulary = load_catalogue([ROOT / "rules"]).vocabulary
    agreement = load_agreement(out, vocabulary)
    assert agreement.values == {}  # nothing counts until a person accepts it
    assert set(data["facts"]) == set(vocabulary.paths)  # every path: the research checklist
    proposed = {path: e for path, e in data["facts"].items() if "proposed" in e}
    assert proposed["activation.consultation"]["value"] == "promised"
    lines = NAT_TEXT.read_text(encoding="utf-8").splitlines()
    for path, entry in proposed.items():
        where = entry["proposed"]
        assert entry["evidence"] == "unverified" and where["text"] == "texts/north-atlantic-treaty-1949.txt"
        assert where["clause"].startswith("Article ") or where["clause"] == "Preamble", path
        assert len(where["quote"].split()) <= 25
        # the position is the cue's first word, on the line the clause heading precedes, and the quote is the text's
        assert lines[where["line"] - 1][where["col"] - 1:].split()[0].lower() in where["quote"].lower()
        assert " ".join(where["quote"].split()) in " ".join(" ".join(lines).split())
        assert any(line.strip() == where["clause"] for line in lines[: where["line"]])


def test_clauses_are_found_in_markdown_and_numbered_paragraphs(tmp_path: Path) -> None:
    text = write(tmp_path / "d.md", "# A draft\n\nThe parties meet.\n\n## Article 2\n\nThey will consult together whenever needed.\n\n"
                                     "3. Each supports Ukraine's inherent right of self-defence under Article 51 of the UN Charter.\n")
    _, data = draft(tmp_path, text)
    assert data["facts"]["activation.consultation"]["proposed"]["clause"] == "Article 2"
    assert data["facts"]["activation.consultation"]["proposed"]["line"] == 7
    assert data["facts"]["legal.art51_referenced"]["proposed"]["clause"] == "Paragraph 3"
    assert data["facts"]["legal.art51_referenced"]["value"] is True


def test_an_existing_file_is_not_overwritten_and_bad_cues_are_located_errors(tmp_path: Path) -> None:
    out, _ = draft(tmp_path, NAT_TEXT)
    again = cli("draft", NAT_TEXT, "--id", "nat-draft", "-o", out)
    assert again.exit_code == 2 and "already exists; not overwritten" in again.stderr
    rules = tmp_path / "rules"
    write(rules / "vocabulary.yaml", (ROOT / "rules" / "vocabulary.yaml").read_text(encoding="utf-8"))
    pack = ROOT / "rules" / "north-atlantic-treaty-art5"
    for f in pack.iterdir():
        write(rules / pack.name / f.name, f.read_text(encoding="utf-8"))
    write(rules / "cues.yaml", "version: 1\ncues:\n  - {fact: activation.consultaton, value: promised, phrases: [x]}\n"
                               "  - {fact: activation.consultation, value: soon, phrases: [x]}\n")
    bad = cli("draft", NAT_TEXT, "--id", "x", "-o", tmp_path / "x.yaml", "--rules", rules)
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "cues.yaml:3:12: unknown fact path 'activation.consultaton' (did you mean 'activation.consultation'?)" in bad.stderr
    assert re.search(r"cues\.yaml:4:\d+: activation\.consultation: 'soon' is not one of none, promised, fixed-deadline", bad.stderr)


def test_a_proposal_belongs_to_an_unverified_value(tmp_path: Path) -> None:
    out, _ = draft(tmp_path, NAT_TEXT)
    text = out.read_text(encoding="utf-8").replace("    evidence: unverified\n    value: promised", "    evidence: text\n    value: promised", 1)
    bad = cli("validate", write(tmp_path / "accepted.yaml", text))
    assert bad.exit_code == 2 and "'proposed' belongs to an unverified value; once accepted, delete it" in bad.stderr


def test_include_proposed_reproduces_the_curated_outcomes_for_the_criteria_the_text_decides(tmp_path: Path) -> None:
    import json

    out, _ = draft(tmp_path / "d", NAT_TEXT)
    provisional = json.loads(cli("check", out, "--include-proposed", "--format", "json").stdout)
    curated = json.loads(cli("check", ROOT / "facts" / "north-atlantic-treaty-1949.yaml", "--format", "json").stdout)
    assert "provisional" in provisional["tool"] and "provisional" not in curated["tool"]
    decided = {(f["pack"], f["rule"]): f["status"] for f in provisional["agreements"][0]["findings"] if f["status"] != "unknown"}
    truth = {(f["pack"], f["rule"]): f["status"] for f in curated["agreements"][0]["findings"]}
    assert decided, "the shipped text (preamble, Articles 1-4) decides at least one criterion"
    assert decided == {key: truth[key] for key in decided}
    plain = json.loads(cli("check", out, "--format", "json").stdout)
    assert {f["status"] for f in plain["agreements"][0]["findings"]} == {"unknown"}  # unaccepted, nothing counts
    facts = provisional["agreements"][0]["facts"]
    assert {fact["evidence_level"] for fact in facts.values()} == {"proposed"}
    assert all(fact["location"].startswith(str(out)) and fact["quote"] for fact in facts.values())


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_labels_a_provisional_report(tmp_path: Path, fmt: str) -> None:
    out, _ = draft(tmp_path, NAT_TEXT)
    shown = cli("check", out, "--include-proposed", "--format", fmt).stdout
    assert "provisional" in shown.lower() and "no person has accepted yet" in shown
    assert "provisional" not in cli("check", out, "--format", fmt).stdout.lower()


def test_the_benchmark_never_scores_a_cue_on_a_document_it_was_written_from() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import draft as bench  # bench/draft.py

    from obcheck.cues import load_all_cues

    vocabulary = load_catalogue([ROOT / "rules"]).vocabulary
    cues = load_all_cues([ROOT / "rules"], vocabulary)
    scores = bench.evaluate(ROOT, cues)
    total = scores["(all)"]
    assert total.labelled == sum(s.labelled for p, s in scores.items() if p != "(all)") and total.right > 0
    texts, _ = bench.labelled(ROOT)
    everywhere = [type(c)(c.index, c.fact, c.value, c.phrases, tuple(texts), c.line) for c in cues]
    nothing = bench.evaluate(ROOT, everywhere)["(all)"]
    assert nothing.right == nothing.wrong == nothing.unjudged == 0  # each cue left out wherever it was written from


def test_worker_processes_include_proposals_as_one_process_does(tmp_path: Path) -> None:
    out, _ = draft(tmp_path / "facts", NAT_TEXT)
    one = cli("check", out.parent, "--include-proposed", "--format", "json").stdout
    two = cli("check", out.parent, "--include-proposed", "--format", "json", "--jobs", "2").stdout
    assert one == two and '"evidence_level": "proposed"' in one


def test_a_text_that_is_not_utf8_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Article 1\nThe parties \xff will consult together.\n")
    result = cli("draft", bad, "--id", "x", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 2 and f"{bad}:2:1: not UTF-8 text (byte 23)" in result.stderr
    assert not (tmp_path / "x.yaml").exists()

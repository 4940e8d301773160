"""Shipped texts: every text-level quote of a document with a text occurs in it, or validate says where it does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from obcheck.errors import InputError
from obcheck.texts import load_texts, normalise
from tests.conftest import ROOT, cli, write

NAT = ROOT / "facts" / "north-atlantic-treaty-1949.yaml"
BUDAPEST = ROOT / "facts" / "budapest-memorandum-1994.yaml"
ARTICLE_4 = "will consult together whenever, in the opinion of any of them, the territorial integrity"


def test_shipped_texts_have_their_source_and_licence_and_the_shipped_quotes_occur_in_them() -> None:
    texts = load_texts(ROOT / "texts")
    assert set(texts) == {"north-atlantic-treaty-1949", "budapest-memorandum-1994"}
    for text in texts.values():
        assert text.meta.source.url.startswith("https://") and text.meta.licence
        raw = Path(text.file).read_text(encoding="utf-8")
        header = "\n".join(line for line in raw.splitlines() if line.startswith("#"))
        assert ("PARTIAL TEXT" in header and "Not shipped" in header) == (not text.meta.complete)  # the header says what is missing
        assert "#" not in text.body  # the header is not part of the text quotes are looked for in
    result = cli("validate")
    assert result.exit_code == 0
    checked = int(re.search(r"; (\d+) text-level quotes? found in 2 shipped texts", result.stdout).group(1))  # type: ignore[union-attr]
    assert checked >= 4


def test_a_changed_quote_fails_validate_at_its_position(tmp_path: Path) -> None:
    original = NAT.read_text(encoding="utf-8")
    assert ARTICLE_4 in original
    changed = write(tmp_path / "nat.yaml", original.replace(ARTICLE_4, ARTICLE_4.replace("any of them", "all of them")))
    result = cli("validate", changed)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = changed.read_text(encoding="utf-8").splitlines()
    errors = [line for line in result.stderr.splitlines() if "does not occur" in line]
    assert len(errors) == original.count(ARTICLE_4)  # each fact quoting the changed sentence
    for error in errors:
        path, line, col, message = error.split(":", 3)
        assert path == str(changed) and "all of them" in lines[int(line) - 1][int(col) - 1:]
        assert "(Article 4) does not occur in texts/north-atlantic-treaty-1949.txt" in message


def test_a_changed_alternative_quote_fails_too(tmp_path: Path) -> None:
    original = BUDAPEST.read_text(encoding="utf-8")
    quote = "to respect the Independence and Sovereignty and the existing borders of Ukraine"
    changed = write(tmp_path / "bm.yaml", original.replace(quote, quote.replace("existing", "present")))
    result = cli("validate", changed)
    assert result.exit_code == 2
    assert re.search(r"bm\.yaml:\d+:\d+: \S+: the quote \(Paragraph 1\) does not occur in texts/budapest-memorandum-1994\.txt", result.stderr)


def test_typography_is_normalised_but_words_are_not(tmp_path: Path) -> None:
    original = NAT.read_text(encoding="utf-8")
    spaced = original.replace("continuous and effective self-help", "continuous  and effective self\u2013help")
    assert cli("validate", write(tmp_path / "a" / "nat.yaml", spaced)).exit_code == 0
    assert normalise("\u201cself\u2014help\u201d  and\n\u2018x\u2019") == "\"self-help\" and 'x'"
    reworded = original.replace("continuous and effective self-help", "continuous and efficient self-help")
    assert cli("validate", write(tmp_path / "b" / "nat.yaml", reworded)).exit_code == 2


def test_only_shipped_parts_and_sources_of_the_same_wording_are_checked() -> None:
    text = load_texts(ROOT / "texts")["north-atlantic-treaty-1949"]
    assert text.covers("Article 4") and text.covers("Article 4, first paragraph") and text.covers("Preamble")
    assert not text.covers("Article 41") and not text.covers("Article 5, first paragraph") and not text.covers("Articles 1-2")
    assert not text.covers(None)  # a partial text cannot tell where an unplaced quote belongs
    assert "wikisource-fr-p17" not in text.meta.sources  # the French authentic text is another wording


def test_a_text_without_meta_or_with_the_wrong_document_is_a_located_error(tmp_path: Path) -> None:
    write(tmp_path / "t" / "x-2024.txt", "Some text.\n")
    with pytest.raises(InputError) as lone:
        load_texts(tmp_path / "t")
    assert str(lone.value.diagnostics[0]).endswith("x-2024.txt:1:1: no x-2024.meta.yaml beside it: record the text's source and licence")
    meta = (ROOT / "texts" / "budapest-memorandum-1994.meta.yaml").read_text(encoding="utf-8")
    write(tmp_path / "t" / "x-2024.meta.yaml", meta)
    result = cli("validate", "--texts", tmp_path / "t")
    assert result.exit_code == 2
    assert re.search(r"x-2024\.meta\.yaml:\d+:11: document 'budapest-memorandum-1994' must equal the text's file name stem 'x-2024'", result.stderr)


def test_explain_points_a_quote_to_its_line_in_the_text() -> None:
    text = load_texts(ROOT / "texts")["north-atlantic-treaty-1949"]
    line = text.locate(ARTICLE_4)
    assert line is not None
    lines = Path(text.file).read_text(encoding="utf-8").splitlines()
    assert lines[line - 1].startswith("The Parties will consult together whenever") and lines[line - 2] == "Article 4"
    assert text.locate("an armed attack against one or more of them") is None  # Article 5 is not shipped
    out = cli("explain", "consultation-within-24h", "north-atlantic-treaty-1949").stdout
    assert f"    in the text: texts/north-atlantic-treaty-1949.txt:{line}\n" in out

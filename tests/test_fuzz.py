"""Fuzzing the loaders: generated YAML and mutated real files may only load or fail with a located obcheck error.

The suite runs a modest number of inputs. The long run (documented in docs/limits.md):

    OBCHECK_FUZZ_EXAMPLES=200000 .venv/bin/python -m pytest -q tests/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcheck.errors import InputError
from obcheck.facts import load_agreement
from obcheck.rules import load_catalogue, load_rule
from tests.conftest import FIXTURES, MINI, ROOT

EXAMPLES = int(os.environ.get("OBCHECK_FUZZ_EXAMPLES", "150"))  # docs/limits.md: the long run sets more
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 300)
SEEDS = sorted((FIXTURES / "corpus").glob("*.yaml")) + [FIXTURES / "ideal-compact.yaml"] + sorted((ROOT / "facts").glob("*.yaml"))[:5]
RULE_SEEDS = sorted(MINI.glob("*.yaml"))


@cache
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue([MINI, ROOT / "rules"]) if (ROOT / "rules" / "kyiv-security-compact-2022" / "pack.yaml").exists() else load_catalogue([MINI])


def only_clean_outcomes(text: str, tmp: Path, kind: str = "facts") -> None:
    path = tmp / "input.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text)
    cat = catalogue()
    try:
        if kind == "facts":
            load_agreement(path, cat.vocabulary)
        else:
            load_rule(path, "mini", ["one"], cat.vocabulary)
    except InputError as exc:
        for d in exc.diagnostics:
            assert d.line >= 1 and d.col >= 1 and d.message and d.path.endswith("input.yaml"), d


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
                    st.sampled_from(["NO", "yes", "on", "2024-01-12", "~", "1e5", ".inf", "0x1F", "legally-binding"]))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)), max_leaves=25)


@FUZZ
@given(doc=documents)
def test_generated_yaml_loads_or_fails_cleanly(doc: object, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    only_clean_outcomes(yaml.safe_dump(doc, allow_unicode=True), tmp_path_factory.mktemp("g"))


@FUZZ
@given(doc=st.fixed_dictionaries({"id": st.text(max_size=10), "title": scalars, "kind": st.sampled_from(["treaty", "x"]),
                                  "parties": st.lists(st.text(max_size=3)), "sources": st.lists(documents, max_size=2),
                                  "facts": st.dictionaries(st.sampled_from(["demo.flag", "legal.ratified", "x.y", "demo.level"]), documents, max_size=3)}))
def test_fact_shaped_documents_load_or_fail_cleanly(doc: object, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    only_clean_outcomes(yaml.safe_dump(doc, allow_unicode=True), tmp_path_factory.mktemp("s"))


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Path]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)).read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "duplicate-line"]))
        if action == "flip" and data:
            data[where] = draw(st.sampled_from(b" \t\n:-[]{}#&*!|>'\"%@`,?\x00\xff\xc3"))
        elif action == "delete" and data:
            del data[where: where + draw(st.integers(1, 40))]
        elif action == "insert":
            data[where:where] = draw(st.sampled_from([b"&a ", b"*a", b"!!python/object:os.system ", b"\t", b": ", b"\n- ", b"<<: ", b"\xef\xbb\xbf"]))
        else:
            lines = bytes(data).split(b"\n")
            i = where % max(1, len(lines))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@FUZZ
@given(data=mutated(SEEDS))
def test_mutated_fact_files_load_or_fail_cleanly(data: bytes, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    only_clean_outcomes(data, tmp_path_factory.mktemp("m"))  # type: ignore[arg-type]


@FUZZ
@given(data=mutated(RULE_SEEDS))
def test_mutated_rule_files_load_or_fail_cleanly(data: bytes, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    only_clean_outcomes(data, tmp_path_factory.mktemp("r"), kind="rules")  # type: ignore[arg-type]


# Fact files of nearly the right shape: each key valid, absent, unknown, or of another plain type.
anything = st.one_of(scalars, st.lists(st.text(max_size=5), max_size=2), st.dictionaries(st.text(max_size=5), scalars, max_size=2))


def mostly(valid: st.SearchStrategy[object], other: st.SearchStrategy[object] = anything) -> st.SearchStrategy[object]:
    """Usually a valid value, sometimes any plain one: most generated files then differ from a valid one in one place."""
    return st.integers(0, 40).flatmap(lambda n: other if n == 0 else valid)


texts = mostly(st.text(max_size=6))


def entry(fields: dict[str, st.SearchStrategy[object]], required: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, object]]:
    """A mapping of `fields` (the required ones mostly present), each valid or not, rarely with a key no model has."""
    needed = {k: mostly(v) for k, v in fields.items() if k in required}
    optional = {k: mostly(v) for k, v in fields.items() if k not in required}
    return mostly(st.fixed_dictionaries(needed, optional=optional), st.fixed_dictionaries({}, optional={**needed, **optional, "extra": anything}))


proposals = entry({"text": texts, "line": st.integers(), "col": st.integers(), "clause": st.none() | texts, "quote": texts},
                  ("text", "line", "col", "quote"))
alternatives = entry({"value": anything, "source": texts, "quote": texts, "evidence": st.sampled_from(["text", "secondary", "unverified"]),
                      "clause": st.none() | texts}, ("value", "source", "quote", "evidence"))
evidence = entry({
    "evidence": st.sampled_from(["text", "official", "secondary", "unverified"]) | st.just("proposed"), "value": anything, "source": texts,
    "clause": texts, "quote": texts, "note": texts, "alternatives": st.lists(alternatives, max_size=2), "contested": st.booleans(),
    "valid_from": texts, "valid_until": texts, "proposed": st.none() | proposals,
}, ("evidence",))
sources = entry({"id": texts, "title": texts, "url": texts, "type": st.sampled_from(["text", "secondary", "press"]),
                 "reliability": st.none() | st.sampled_from(["partisan", "own-text", "rumour"])}, ("id", "title", "url", "type"))
fact_files = st.fixed_dictionaries(
    {"id": texts, "title": texts, "kind": mostly(st.just("treaty")), "parties": st.lists(texts, max_size=2),
     "sources": st.lists(sources, max_size=2), "facts": st.dictionaries(mostly(st.text(max_size=4), st.integers()), evidence, max_size=3)},
    optional={"status": st.none() | st.sampled_from(["draft", "signed", "void"]), "signed": texts, "supersedes": st.lists(texts, max_size=2),
              "place": texts, "note": texts, "ends": texts, "reported": texts, "entry_into_force": texts, "other": anything},
)


@settings(FUZZ, max_examples=EXAMPLES * 20)
@given(data=fact_files)
def test_the_loaders_shape_check_accepts_what_the_fact_file_model_accepts_with_the_same_values(data: dict[str, object]) -> None:
    """facts._contents stands in for file_models.FactFile on every file the parser makes: it must accept exactly
    the data the model accepts (the model then reports why not), with the same values."""
    from pydantic import ValidationError

    from obcheck.facts import _contents
    from obcheck.file_models import FactFile

    try:
        model = FactFile.model_validate(data)
    except ValidationError:
        model = None
    contents = _contents(data)
    assert (contents is None) == (model is None), (data, model)
    if model is not None and contents is not None:
        assert plain(contents) == plain(model.model_dump()) and "sources" in model.model_fields_set


def plain(value: object) -> object:
    """Loaded objects as the data they hold: named tuples as mappings, empty sequences alike."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return plain(value._asdict())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value

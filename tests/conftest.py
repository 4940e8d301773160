"""Shared test helpers: repository paths, an in-process CLI runner, the golden-file switch."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from obcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini-pack"
IDEAL = FIXTURES / "ideal-compact.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def cli(*args: str | Path) -> Result:
    """Run obcheck in-process from the repository root."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test starts with an empty cache of its own (commands run as users run them, cache on): no test reads
    what another wrote, and a test that changes obcheck's behaviour in-process is not answered from the cache."""
    monkeypatch.delenv("OBCHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("OBCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    """A command run in-process tunes the collector for its own process (run.settle_gc); the test process gets the
    collector back as it was, so no test's objects are frozen for the rest of the suite."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


FACT_HEADER = """id: {id}
title: Test agreement
kind: bilateral-agreement
parties: [NO, UA]
signed: 2024-05-31
sources:
  - {{id: s1, title: A source, url: "https://example.org/s1", type: text}}
facts:
"""


def fact_file(path: Path, facts: str = "", id: str = "test-2024") -> Path:
    """A valid fact file with the given `facts:` body (already indented by two spaces)."""
    return write(path, FACT_HEADER.format(id=id) + (facts or "  demo.flag: {value: true, source: s1, quote: q, evidence: text}\n"))

"""The engine registry: each engine's name, whether it can run here, and how to build it for a catalogue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from obcheck.outcomes import Truths
from obcheck.rules import Catalogue


class Engine(Protocol):
    name: str

    def evaluate(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]: ...

    def truths(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], Truths]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class EngineEntry:
    """One engine: its name and help, why it cannot run here (if so), and how to build it."""

    name: str
    help: str
    unavailable: Callable[[], str | None]  # why it cannot run here, or None; imports nothing heavy until asked
    build: Callable[[Catalogue], Engine]
    # what `unavailable` depends on, found without importing the engine: a run may then reuse its answer (cache)
    installed: Callable[[], str] = lambda: ""


def _durable_unavailable() -> str | None:
    from obcheck import engine

    return engine.IMPORT_ERROR


def _durable_installed() -> str:
    """Where durable_rules' modules are and when they were written: importing them (~10 ms) can then be skipped by
    a run that needs no evaluation, yet a reinstalled or removed engine is noticed."""
    import importlib.util
    import os

    out = []
    for module in ("durable_rules_engine", "durable"):
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        try:
            stamp = os.stat(origin).st_mtime_ns if origin else 0
        except OSError:
            stamp = 0
        out.append(f"{module}={origin}@{stamp}")
    return ";".join(out)


def _durable(catalogue: Catalogue) -> Engine:
    from obcheck.compiler import compile_rules
    from obcheck.engine import DurableEngine

    return DurableEngine(compile_rules(list(catalogue.rules()), catalogue.vocabulary), catalogue.vocabulary)


def _python(catalogue: Catalogue) -> Engine:
    from obcheck.interpreter import PythonEngine

    return PythonEngine(list(catalogue.rules()), catalogue.vocabulary)


ENGINES: dict[str, EngineEntry] = {
    "durable": EngineEntry("durable", "the durable_rules engine (the default)", _durable_unavailable, _durable, _durable_installed),
    "python": EngineEntry("python", "obcheck's own interpreter of the same rules (the test oracle)", lambda: None, _python),
}
DEFAULT_ENGINE = "durable"
FALLBACK_ENGINE = "python"


def resolve(name: str, warn: Callable[[str], None] | None = None) -> str:
    """The engine that will run for `name`: itself, or (with a note) the interpreter where it cannot load here."""
    entry = ENGINES[name]
    why = entry.unavailable()
    if why is None:
        return name
    if warn is not None:
        warn(f"obcheck: the {name} engine is not available here ({why}); running on the {FALLBACK_ENGINE} engine")
    return FALLBACK_ENGINE


def make_engine(name: str, catalogue: Catalogue, warn: Callable[[str], None] | None = None) -> Engine:
    """Build the named engine (or its fallback) for every rule of the catalogue."""
    return ENGINES[resolve(name, warn)].build(catalogue)

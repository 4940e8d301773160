"""pytest plugin (entry point `pytest11`): each `<rule>.cases.yaml` of a rule pack is collected, one test item per case."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from obcheck.cases import Case, load_cases
from obcheck.engines import make_engine
from obcheck.rules import Catalogue, load_catalogue


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("obcheck_cases", type="bool", default=True, help="collect obcheck rule cases (<rule>.cases.yaml beside a pack.yaml)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    # Installed, the plugin loads in every project of the environment: it claims only the cases files of an
    # obcheck rule pack (a pack.yaml beside them), so another project's *.cases.yaml is none of its business.
    if not file_path.name.endswith(".cases.yaml") or not (file_path.parent / "pack.yaml").is_file():
        return None
    if not parent.config.getini("obcheck_cases"):
        return None
    return RuleCasesFile.from_parent(parent, path=file_path)


@cache
def _pack(pack_dir: Path) -> tuple[Catalogue, Any]:
    """One catalogue and engine per pack folder, shared by all its cases."""
    catalogue = load_catalogue([pack_dir])
    return catalogue, make_engine("durable", catalogue)


class RuleCasesFile(pytest.File):
    def collect(self) -> Any:
        catalogue, engine = _pack(self.path.parent)
        rule_id = self.path.name.removesuffix(".cases.yaml")
        rule = next((r for r in catalogue.rules() if r.id == rule_id), None)
        if rule is None:
            raise pytest.Collector.CollectError(f"{self.path}: no rule '{rule_id}' beside this cases file")
        for case in load_cases(rule, catalogue):
            yield RuleCase.from_parent(self, name=case.name, case=case, engine=engine)


class RuleCaseFailure(Exception):
    pass


class RuleCase(pytest.Item):
    def __init__(self, *, case: Case, engine: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.engine = case, engine

    def runtest(self) -> None:
        case = self.case
        got = self.engine.evaluate(f"case{case.line}", case.facts)[(case.rule.pack, case.rule.id)]
        if case.todo:
            pytest.skip(f"todo case (a known shortcoming): wants {case.outcome}, gets {got}")
        if problem := case.failure(got):
            raise RuleCaseFailure(problem)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, RuleCaseFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"{self.case.rule.id}: {self.case.name}"

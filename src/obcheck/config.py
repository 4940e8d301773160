"""Configuration: `obcheck.toml` or `[tool.obcheck]` in pyproject.toml, found upwards from the working folder."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obcheck.errors import Diagnostic, InputError, did_you_mean, shown

# key -> (the command-line parameter it sets, the commands it applies to, what it takes, what it means)
KEYS: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "packs": ("packs", ("check", "matrix", "questions"), "list", "the packs to report (ids); default every pack found"),
    "facts": ("paths", ("check", "matrix", "questions", "validate", "test"), "paths", "fact files or folders"),
    "rules": ("rules", ("check", "matrix", "questions", "validate", "test", "explain", "schema"), "paths", "rule pack folders"),
    "format": ("fmt", ("check",), "str", "the report format of `obcheck check`"),
    "fail-on": ("fail_on", ("check",), "str", "exit 1 at or above this outcome: gap, partial, unknown, never"),
    "select": ("select", ("check", "matrix"), "list", "only these rules (ids, pack/id, globs)"),
    "ignore": ("ignore", ("check", "matrix"), "list", "not these rules (ids, pack/id, globs)"),
    "status": ("status", ("check",), "list", "only findings with these outcomes"),
    "severity": ("severity", ("check",), "list", "only findings of these severities"),
    "jobs": ("jobs", ("check",), "int", "worker processes"),
    "engine": ("engine_name", ("check", "matrix", "questions", "test", "diff"), "str", "durable or python"),
    "color": ("color", ("check", "matrix"), "str", "auto, always or never"),
}
FILES = ("obcheck.toml", "pyproject.toml")  # in one folder, obcheck.toml wins (as ruff.toml wins over pyproject.toml)


@dataclass
class Config:
    """The settings found, each with where it was written (file:line), and the folder paths are relative to."""

    file: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's default_map: command -> parameter -> value. Flags given on the command line still win."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in self.values.items():
            param, commands, _, _ = KEYS[key]
            for command in commands:
                out.setdefault(command, {})[param] = value
        return out


def find(start: Path) -> Path | None:
    """The nearest obcheck.toml, or pyproject.toml with a [tool.obcheck] table, from `start` upwards."""
    for folder in (start, *start.parents):
        own = folder / "obcheck.toml"
        if own.is_file():
            return own
        project = folder / "pyproject.toml"
        if project.is_file() and re.search(r"^\[tool\.obcheck\]", _text(project), re.MULTILINE):
            return project
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Diagnostic(str(path), 1, 1, f"cannot read the configuration: {exc}")]) from None


def load(path: Path | None) -> Config:
    if path is None:
        return Config()
    text = _text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _position(str(exc))
        raise InputError([Diagnostic(str(path), line, col, f"TOML syntax error: {str(exc).split(' (at line')[0]}")]) from None
    table = data if path.name == "obcheck.toml" else data.get("tool", {}).get("obcheck", {})
    header = 0 if path.name == "obcheck.toml" else _line_of(text, r"^\[tool\.obcheck\]")
    errors: list[Diagnostic] = []
    config = Config(str(path))
    base = path.parent
    for key, value in table.items():
        line = _line_of(text, rf'^\s*"?{re.escape(key)}"?\s*=', after=header) or header or 1
        if key not in KEYS:
            errors.append(Diagnostic(str(path), line, 1, f"unknown setting {shown(key)}{did_you_mean(key, KEYS)}; one of {', '.join(KEYS)}"))
            continue
        problem, converted = _convert(key, value, base)
        if problem:
            errors.append(Diagnostic(str(path), line, 1, f"{key}: {problem}"))
            continue
        config.values[key] = converted
        config.origins[key] = f"{path}:{line}"
    if errors:
        raise InputError(errors)
    return config


def _choices(key: str) -> tuple[str, ...] | None:
    """The values a setting may take, where they are a closed set (imported on use: most runs need none)."""
    if key == "format":
        from obcheck.reporters import FORMATS

        return tuple(FORMATS)
    if key == "engine":
        from obcheck.engines import ENGINES

        return tuple(ENGINES)
    from obcheck.model import FAIL_ON, OUTCOMES

    return {"fail-on": tuple(FAIL_ON), "status": tuple(OUTCOMES), "color": ("auto", "always", "never"),
            "severity": ("critical", "high", "medium", "low")}.get(key)


def _convert(key: str, value: Any, base: Path) -> tuple[str | None, Any]:
    problem, converted = _typed(key, value, base)
    choices = _choices(key)
    if problem is None and choices is not None:
        for item in converted if isinstance(converted, tuple) else (converted,):
            if item not in choices:
                return f"{shown(item)} is not one of {', '.join(choices)}{did_you_mean(str(item), choices)}", None
    return problem, converted


def _typed(key: str, value: Any, base: Path) -> tuple[str | None, Any]:
    kind = KEYS[key][2]
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64
        return (None, value) if ok else ("a whole number from 1 to 64", None)
    if kind == "str":
        return (None, value) if isinstance(value, str) else (f"a text, not {shown(value)}", None)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        return (f"a list of texts, not {shown(value)}", None)
    if kind == "paths":  # relative to the file that names them, as ruff and mypy read theirs
        return None, tuple(str(base / v) for v in items)
    return None, tuple(items)


def _line_of(text: str, pattern: str, after: int = 0) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if number > after and re.match(pattern, line):
            return number
    return 0


def _position(message: str) -> tuple[int, int]:
    found = re.search(r"at line (\d+), column (\d+)", message)
    return (int(found.group(1)), int(found.group(2))) if found else (1, 1)


def describe(config: Config, defaults: dict[str, Any]) -> str:
    """`obcheck config`: every setting, its effective value, and where it came from."""
    lines = [f"configuration: {config.file or 'none found (obcheck.toml, or [tool.obcheck] in pyproject.toml)'}"]
    for key, (_, commands, _, meaning) in KEYS.items():
        value = config.values.get(key, defaults.get(key))
        shown_value = ", ".join(value) if isinstance(value, tuple) else "" if value is None else str(value)
        origin = config.origins.get(key, "default")
        lines.append(f"  {key:<9} = {shown_value or '(none)':<40} {origin}   ({meaning}; {', '.join(commands)})")
    lines.append("Command-line flags override these.")
    return "\n".join(lines) + "\n"

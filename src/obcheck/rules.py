"""Rule packs: load pack.yaml and one rule a file, parse the closed condition grammar, check it against the vocabulary."""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from obcheck.errors import Diagnostic, InputError, did_you_mean, listed, shown
from obcheck.ids import ID_RE, id_problem
from obcheck.model import OUTCOMES
from obcheck.operators import OPERATORS
from obcheck.source import Document, display_path, kind, list_folder, parse
from obcheck.vocabulary import Vocabulary, date_problem, load_vocabulary

SEVERITIES = ("critical", "high", "medium", "low")
EVIDENCE_LEVELS = ("verbatim-report", "report-quoted-by-secondary", "secondary-summary", "seed-only")
PLACEHOLDER_RE = re.compile(r"\{([a-z0-9_.]+)\}")
RULE_ID_RE = ID_RE  # one id pattern for every kind of id: ids.ID_RE


# ------------------------------------------------------------------ the condition grammar


_V = TypeVar("_V")


def remember(memo: dict[int, _V], obj: object, value: _V) -> _V:
    """memo[id(obj)] = value for as long as `obj` (a rule, a condition) lives: the entry goes with it, so its id is
    never another object's, and a process that loads rules again and again (a server, a test session) does not keep
    what was worked out for every catalogue it ever loaded. The value must not hold `obj` itself."""
    memo[id(obj)] = value
    weakref.finalize(obj, memo.pop, id(obj), None).atexit = False
    return value


@dataclass(frozen=True)
class Predicate:
    """One test of one fact: `path op value` (an operator of operators.py)."""

    path: str
    op: str
    value: Any
    line: int = field(compare=False)  # where it was written does not change what it means
    col: int = field(compare=False)


@dataclass(frozen=True)
class All:
    """Every part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part holds."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The part does not hold."""

    part: Condition


Condition = Predicate | All | AnyOf | Not


def predicates(cond: Condition | None) -> Iterator[Predicate]:
    """Every predicate of a condition, left to right."""
    if cond is None:
        return
    if isinstance(cond, Predicate):
        yield cond
    elif isinstance(cond, Not):
        yield from predicates(cond.part)
    else:
        for part in cond.parts:
            yield from predicates(part)


def describe(cond: Condition) -> str:
    """A condition in plain words, e.g. "legal.binding_strength at least legally-binding and legal.ratified is true"."""
    if isinstance(cond, Predicate):
        value = ", ".join(map(show_value, cond.value)) if isinstance(cond.value, list) else show_value(cond.value)
        return OPERATORS[cond.op].phrase.format(path=cond.path, value=value)
    if isinstance(cond, Not):
        return f"not ({describe(cond.part)})"
    joiner = " and " if isinstance(cond, All) else " or "
    return joiner.join(describe(p) if isinstance(p, (Predicate, Not)) else f"({describe(p)})" for p in cond.parts)


def show_value(value: Any) -> str:
    """A fact value as people write it: true/false, lists comma-separated, None as unknown."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(map(show_value, value)) if value else "none"
    return str(value)


# ------------------------------------------------------------------ models


# The runtime forms of what a pack or rule file states: plain frozen dataclasses, built from the validated pydantic
# models of file_models.py, so that a catalogue read back from the cache needs no pydantic at start-up.


@dataclass(frozen=True)
class StandardRef:
    """The standard a pack encodes: its title, where to read it, its date and authors."""

    title: str
    url: str
    date: str | None = None
    authors: str | None = None
    citation: str | None = None


@dataclass(frozen=True)
class Criterion:
    """The criterion a rule encodes, cited: the standard's section and words, and how well they are sourced."""

    standard: str
    section: str
    quote: str
    url: str
    evidence_level: str  # one of EVIDENCE_LEVELS
    evidence_note: str | None = None
    reliability: str | None = None  # the cited source's reliability class (docs/fact-files.md)

    @property
    def secondary_only(self) -> bool:
        """True when the standard's own words were not read: the criterion rests on secondary or seed sources."""
        return self.evidence_level != "verbatim-report"


@dataclass(frozen=True)
class ThresholdEvidence:
    """How well the rule's threshold is sourced (file_models.ThresholdEvidence says more)."""

    level: str  # one of EVIDENCE_LEVELS or "none"
    note: str


@dataclass(frozen=True)
class Messages:
    """What a finding says for each outcome ({fact.path} placeholders filled from the agreement)."""

    met: str
    gap: str
    unknown: str
    partial: str | None = None
    not_applicable: str | None = None


@dataclass(frozen=True)
class Rule:
    """One loaded rule: its criterion, its conditions for applies/met/partial, and what it says."""

    id: str
    pack: str
    title: str
    severity: str
    tier: str | None
    criterion: Criterion
    applies_when: Condition | None
    met: Condition
    partial: Condition | None
    messages: Messages
    remediation: str
    rationale: str
    file: str
    line: int
    threshold: ThresholdEvidence | None = None  # as written; `threshold_evidence` gives the default

    @property
    def threshold_evidence(self) -> ThresholdEvidence:
        """The evidence behind the met threshold: as stated in the rule, else the criterion's own level."""
        if self.threshold is not None:
            return self.threshold
        return ThresholdEvidence(level=self.criterion.evidence_level, note="as the criterion")

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """Every fact path the rule reads, sorted."""
        conds = (self.applies_when, self.met, self.partial)
        return tuple(sorted({p.path for c in conds for p in predicates(c)}))

    @cached_property
    def expected(self) -> str:
        """What met demands, in words (the findings' `expected`)."""
        return describe(self.met)

    @cached_property
    def citation(self) -> dict[str, Any]:
        """The criterion as report data, with the flag for criteria resting on secondary or seed sources, and the
        evidence behind the met threshold (reports caveat a threshold that rests on secondary sources)."""
        threshold = self.threshold_evidence
        return {**dataclasses.asdict(self.criterion), "secondary_only": self.criterion.secondary_only,
                "threshold": {"level": threshold.level, "note": threshold.note,
                              # worth a caveat: weaker than verbatim, and not already said of the criterion itself
                              "caveat": threshold.level not in ("verbatim-report", self.criterion.evidence_level)}}


@dataclass(frozen=True)
class Pack:
    """A loaded rule pack: the standard it encodes and its rules."""

    id: str
    version: str
    title: str
    tiers: tuple[str, ...]
    standard: StandardRef
    rules: tuple[Rule, ...]
    directory: str


@dataclass(frozen=True)
class Catalogue:
    """Every loaded pack and the vocabulary they share."""

    vocabulary: Vocabulary
    packs: tuple[Pack, ...]

    def rules(self) -> Iterator[Rule]:
        for pack in self.packs:
            yield from pack.rules


# ------------------------------------------------------------------ loading


def load_catalogue(dirs: list[Path]) -> Catalogue:
    """Load every pack below the given folders (a pack folder, or a folder of packs with vocabulary.yaml)."""
    errors: list[Diagnostic] = []
    vocabulary: Vocabulary | None = None
    pack_dirs: list[Path] = []
    for root in dirs:
        try:
            is_folder = kind(root) == "folder"
        except InputError as exc:
            errors.extend(exc.diagnostics)
            continue
        if not is_folder:
            errors.append(Diagnostic(display_path(root), 1, 1, "rules folder not found"))
            continue
        try:  # a folder that cannot be listed would hide its packs: the run must not go on without them
            subs = [p for p in list_folder(root) if p.is_dir() and not p.name.startswith(".")]
            if not (root / "pack.yaml").is_file():
                for sub in subs:
                    list_folder(sub)
        except InputError as exc:
            errors.extend(exc.diagnostics)
            continue
        for vocab_file in _vocabulary_files(root):
            try:
                loaded = load_vocabulary(vocab_file)
                vocabulary = loaded if vocabulary is None else vocabulary.merged(loaded)
            except InputError as exc:
                errors.extend(exc.diagnostics)
        found = [root] if (root / "pack.yaml").is_file() else sorted(p.parent for p in root.glob("*/pack.yaml"))
        if root not in found:
            # a subfolder with rule files but no pack.yaml would otherwise be skipped, its rules never run
            for sub in subs:
                if sub not in found and any(sub.glob("*.yaml")) and not (sub / "pack.yaml").is_file():
                    errors.append(Diagnostic(display_path(sub), 1, 1, "folder has YAML files but no pack.yaml: add one, or move the files out"))
        if not found:
            errors.append(Diagnostic(display_path(root), 1, 1, "no rule pack here: expected pack.yaml in this folder or its subfolders"))
        pack_dirs.extend(found)
    if vocabulary is None and not errors:
        errors.append(Diagnostic(display_path(dirs[0]) if dirs else ".", 1, 1, "no vocabulary.yaml found for the rules"))
    if errors or vocabulary is None:
        raise InputError(errors)
    packs = []
    for pack_dir in pack_dirs:
        try:
            packs.append(load_pack(pack_dir, vocabulary))
        except InputError as exc:
            errors.extend(exc.diagnostics)
    seen: dict[str, str] = {}
    for pack in packs:
        if pack.id in seen:
            meta = Path(pack.directory) / "pack.yaml"
            errors.append(Diagnostic(display_path(meta), *_id_position(meta), f"pack id '{pack.id}' is also used by {seen[pack.id]}"))
        seen[pack.id] = pack.directory
    if errors:
        raise InputError(errors)
    return Catalogue(vocabulary, tuple(sorted(packs, key=lambda p: p.id)))


def _id_position(file: Path) -> tuple[int, int]:
    """Where a loaded file states its id. Error path only, so the file is parsed again."""
    try:
        return parse(file).position(("id",))
    except InputError:  # changed since it was read: point at the file
        return (1, 1)


def _vocabulary_files(root: Path) -> list[Path]:
    """vocabulary.yaml in the folder, its pack subfolders, or (for a lone pack folder) its parent."""
    own = sorted(root.glob("vocabulary.yaml")) + sorted(root.glob("*/vocabulary.yaml"))
    if not own and (root / "pack.yaml").is_file() and (root.parent / "vocabulary.yaml").is_file():
        own = [root.parent / "vocabulary.yaml"]
    return own


def _symlinked_folders(pack_dir: Path) -> list[Diagnostic]:
    """Rules are read from the pack folder itself; a symlinked folder inside it (a loop or a way out) is reported."""
    out = []
    for entry in sorted(pack_dir.iterdir()):
        if entry.is_symlink():
            try:
                target = entry.resolve(strict=True)
            except (OSError, RuntimeError):
                if not entry.name.endswith((".yaml", ".yml")):  # a YAML file's loop is reported when it is read
                    out.append(Diagnostic(display_path(entry), 1, 1, "symlink loop: the link cannot be resolved; not read"))
                continue
            if target.is_dir():
                kind = "symlink loop: points back to a folder it is in" if pack_dir.resolve().is_relative_to(target) else "symlink to a folder"
                out.append(Diagnostic(display_path(entry), 1, 1, f"{kind}; not followed"))
    return out


def rule_files(pack_dir: Path) -> list[Path]:
    return sorted(
        p for p in pack_dir.glob("*.yaml")
        if p.name not in ("pack.yaml", "vocabulary.yaml") and not p.name.endswith(".cases.yaml")
    )


def load_pack(pack_dir: Path, vocabulary: Vocabulary) -> Pack:
    list_folder(pack_dir)  # unreadable: its rules would silently be missing
    from obcheck.file_models import PackFile
    from obcheck.validation import load_model

    doc, meta = load_model(pack_dir / "pack.yaml", PackFile, "pack.yaml")
    errors: list[Diagnostic] = _symlinked_folders(pack_dir)
    if problem := id_problem("pack", meta.id):
        errors.append(doc.error(("id",), problem))
    for i, tier in enumerate(meta.tiers):  # tiers head report columns and name HTML anchors, like ids
        if problem := id_problem("tier", tier):
            errors.append(doc.error(("tiers", i), problem))
    if meta.standard.date is not None and (problem := date_problem(meta.standard.date)):
        errors.append(doc.error(("standard", "date"), f"standard.date must be a date: {problem}"))
    rules = []
    for file in rule_files(pack_dir):
        try:
            rules.append(load_rule(file, meta.id, meta.tiers, vocabulary))
        except InputError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise InputError(errors)
    standard = StandardRef(**meta.standard.model_dump())
    return Pack(meta.id, meta.version, meta.title, tuple(meta.tiers), standard, tuple(rules), display_path(pack_dir))


def load_rule(path: Path, pack: str, tiers: list[str], vocabulary: Vocabulary, text: str | None = None) -> Rule:
    from obcheck.file_models import RuleFile
    from obcheck.validation import load_model

    doc, model = load_model(path, RuleFile, "a rule file", text)
    parser = _ConditionParser(doc, vocabulary)
    applies = parser.parse(model.applies_when, ("applies_when",)) if model.applies_when is not None else None
    met = parser.parse(model.met, ("met",))
    partial = parser.parse(model.partial, ("partial",)) if model.partial is not None else None
    errors = parser.errors
    if model.id != path.name.removesuffix(".yaml"):
        errors.append(doc.error(("id",), f"rule id {shown(model.id)} must equal the file name stem {shown(path.name.removesuffix('.yaml'))}"))
    if problem := id_problem("rule", model.id):
        errors.append(doc.error(("id",), problem))
    if tiers and model.tier not in tiers:
        errors.append(doc.error(("tier",), f"tier {shown(model.tier)} is not one of the pack's tiers: {listed(tiers)}{did_you_mean(str(model.tier), tiers)}"))
    if not model.criterion.url.startswith(("https://", "http://")):
        errors.append(doc.error(("criterion", "url"), "the criterion needs a citation url (https://...)"))
    if model.partial is not None and model.messages.partial is None:
        errors.append(doc.error(("messages",), "the rule has a 'partial' condition but no 'partial' message"))
    if model.applies_when is not None and model.messages.not_applicable is None:
        errors.append(doc.error(("messages",), "the rule has 'applies_when' but no 'not_applicable' message"))
    if (threshold := model.threshold_evidence) is not None:
        strength = (*EVIDENCE_LEVELS, "none")
        if strength.index(threshold.level) < strength.index(model.criterion.evidence_level):
            errors.append(doc.error(("threshold_evidence", "level"), f"the threshold cannot rest on stronger evidence ({threshold.level}) than the criterion itself ({model.criterion.evidence_level})"))
        if not threshold.note.strip():
            errors.append(doc.error(("threshold_evidence", "note"), "say where the threshold comes from"))
    for outcome in OUTCOMES:
        text_ = getattr(model.messages, outcome)
        for name in PLACEHOLDER_RE.findall(text_ or ""):
            if vocabulary.spec(name) is None:
                errors.append(doc.error(("messages", outcome), f"message placeholder: {vocabulary.unknown_path(name)}"))
    if errors:
        raise InputError(errors)
    return Rule(
        model.id, pack, model.title, model.severity, model.tier, Criterion(**model.criterion.model_dump()), applies, met, partial,
        Messages(**model.messages.model_dump()), model.remediation, model.rationale, doc.path, doc.position(("id",))[0],
        None if threshold is None else ThresholdEvidence(threshold.level, threshold.note),
    )


class _ConditionParser:
    """Parses `all`/`any`/`not`/predicate mappings, collecting located errors instead of stopping at the first."""

    def __init__(self, doc: Document, vocabulary: Vocabulary) -> None:
        self.doc, self.vocabulary = doc, vocabulary
        self.errors: list[Diagnostic] = []

    def fail(self, loc: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        self.errors.append(self.doc.error(loc, message, key=key))

    def parse(self, raw: Any, loc: tuple[str | int, ...]) -> Condition:
        if not isinstance(raw, dict):
            self.fail(loc, "a condition is a mapping: all, any, not, or fact with one operator")
            return All(())
        if "fact" in raw:
            return self.predicate(raw, loc)
        keys = list(raw)
        if len(keys) != 1 or keys[0] not in ("all", "any", "not"):
            extra = [k for k in keys if k not in ("all", "any", "not")]
            name = extra[0] if extra else keys[1] if len(keys) > 1 else ""
            hint = did_you_mean(str(name), ("all", "any", "not", "fact"))
            self.fail((*loc, name) if name else loc, f"a condition has exactly one of all, any, not, fact; got {shown(name)}{hint}", key=True)
            return All(())
        (key,) = keys
        if key == "not":
            return Not(self.parse(raw["not"], (*loc, "not")))
        items = raw[key]
        if not isinstance(items, list) or not items:
            self.fail((*loc, key), f"{shown(key)} takes a non-empty list of conditions")
            return All(())
        parts = tuple(self.parse(item, (*loc, key, i)) for i, item in enumerate(items))
        return All(parts) if key == "all" else AnyOf(parts)

    def predicate(self, raw: dict[str, Any], loc: tuple[str | int, ...]) -> Condition:
        path = raw["fact"]
        ops = [k for k in raw if k != "fact"]
        for k in ops:
            if k not in OPERATORS:
                self.fail((*loc, k), f"unknown operator {shown(k)}{did_you_mean(str(k), OPERATORS)}", key=True)
        ops = [k for k in ops if k in OPERATORS]
        if len(ops) != 1:
            if len(ops) > 1 or not self.errors:
                self.fail(loc, f"a predicate takes exactly one operator ({', '.join(OPERATORS)}); got {len(ops)}")
            return All(())
        op, value = ops[0], raw[ops[0]]
        line, col = self.doc.position((*loc, op))
        if not isinstance(path, str) or self.vocabulary.spec(path) is None:
            self.fail((*loc, "fact"), self.vocabulary.unknown_path(str(path)))
            return All(())
        self.check_operand(path, op, value, (*loc, op))
        return Predicate(path, op, value, line, col)

    def check_operand(self, path: str, op: str, value: Any, loc: tuple[str | int, ...]) -> None:
        """The operand must be what the operator takes, and the operator must apply to the path's type."""
        spec = self.vocabulary.spec(path)
        assert spec is not None
        operator, kind = OPERATORS[op], spec.type
        if kind not in operator.types:
            fitting = [o.name for o in OPERATORS.values() if kind in o.types]
            self.fail(loc, f"{op} does not apply to {path}, which is {kind}; use one of {', '.join(fitting)}")
            return
        if operator.operand == "true":
            if value is not True:
                self.fail(loc, f"{op} takes the value true")
        elif operator.operand == "count":
            if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000):
                self.fail(loc, f"{op} takes a whole number from 0 to 10000")
        elif operator.operand == "member":
            if value not in (spec.values or ()):
                self.fail(loc, f"{path}: {shown(value)} is not one of {listed(spec.values or ())}{did_you_mean(str(value), spec.values or ())}")
        elif operator.operand == "values":
            if not isinstance(value, list) or not value:
                self.fail(loc, f"{op} takes a non-empty list of values")
                return
            for i, item in enumerate(value):
                if problem := self.vocabulary.check(path, item):
                    self.fail((*loc, i), problem)
        elif problem := self.vocabulary.check(path, value):
            self.fail(loc, problem)

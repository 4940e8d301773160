"""Explanations in plain words (pure): what a rule demands, and why it gave an agreement its outcome."""

from __future__ import annotations

import textwrap
from pathlib import Path

from obcheck.errors import Diagnostic, InputError, did_you_mean, shown
from obcheck.facts import Agreement, load_agreement
from obcheck.interpreter import evaluate, outcome
from obcheck.outcomes import Truth
from obcheck.rules import All, Catalogue, Condition, Not, Predicate, Rule, describe, show_value
from obcheck.texts import Text
from obcheck.vocabulary import Vocabulary

TRUTH = {True: "TRUE", False: "FALSE", None: "UNKNOWN"}


def _tree(cond: Condition, indent: int = 1) -> list[str]:
    pad = "  " * indent
    if isinstance(cond, Predicate):
        return [f"{pad}- {describe(cond)}"]
    if isinstance(cond, Not):
        return [f"{pad}- not:", *_tree(cond.part, indent + 1)]
    head = "all of:" if isinstance(cond, All) else "any of:"
    return [f"{pad}- {head}", *(line for p in cond.parts for line in _tree(p, indent + 1))]


def explain_rule(rule: Rule, vocabulary: Vocabulary) -> str:
    c = rule.criterion
    lines = [f"{rule.id}: {rule.title}", f"pack {rule.pack}; severity {rule.severity}" + (f"; tier {rule.tier}" if rule.tier else "") + f"; {rule.file}", ""]
    secondary = " This criterion rests on secondary or seed sources, not on the standard's own words." if c.secondary_only else ""
    lines.append(f"The standard ({c.section}; evidence {c.evidence_level}; {c.url}) says:")
    lines.append(f'  "{c.quote}"' if c.quote else "  (its own words were not read; see the citation)")
    if secondary:
        lines.append(secondary.strip())
    lines.append("")
    if rule.applies_when is not None:
        lines += ["It applies only when:", *_tree(rule.applies_when), "otherwise the outcome is not_applicable.", ""]
    lines += ["It is MET when:", *_tree(rule.met)]
    if rule.partial is not None:
        lines += ["Otherwise it is PARTIAL when:", *_tree(rule.partial)]
    lines += [
        "Otherwise it is a GAP.",
        "It is UNKNOWN whenever a fact needed to decide this is absent or marked unverified; unknown never counts as met.",
        "",
        "Facts it reads:",
        *(f"  {p}: {vocabulary.paths[p].meaning}" for p in rule.paths),
        "",
        *textwrap.wrap(f"Remediation: {rule.remediation}", 100),
        *textwrap.wrap(f"Why these conditions: {rule.rationale}", 100),
    ]
    return "\n".join(lines) + "\n"


def explain_outcome(rule: Rule, agreement: Agreement, vocabulary: Vocabulary, text: Text | None = None) -> str:
    """Each condition with the fact it saw (location and source quote, and where the quote stands in the document's
    shipped text, if any) and its truth value, then the decision."""
    values = agreement.values
    result = outcome(rule, values, vocabulary)
    lines = [f"{rule.id} on {agreement.id} ({agreement.file}): {result.upper()}", ""]

    def show(cond: Condition, indent: int) -> None:
        pad = "  " * indent
        truth: Truth = evaluate(cond, values, vocabulary)
        if isinstance(cond, Predicate):
            lines.append(f"{pad}- {describe(cond)}: {TRUTH[truth]}")
            fact = agreement.facts.get(cond.path)
            if fact is not None:
                clause = f", {fact.evidence.clause}" if fact.evidence.clause else ""
                lines.append(f"{pad}    seen: {show_value(fact.value)} at {agreement.file}:{fact.line} ({fact.evidence.evidence} evidence; {fact.source.title}{clause})")
                lines.append(f'{pad}    "{fact.evidence.quote}" <{fact.source.url}>')
                if text is not None and fact.evidence.quote and (found := text.locate(fact.evidence.quote)) is not None:
                    lines.append(f"{pad}    in the text: {text.file}:{found}")
            elif cond.path in agreement.unverified:
                lines.append(f"{pad}    seen: unverified ({agreement.unverified[cond.path]})")
            else:
                lines.append(f"{pad}    seen: not stated in the fact file")
            return
        if isinstance(cond, Not):
            lines.append(f"{pad}- not: {TRUTH[truth]}")
            show(cond.part, indent + 1)
            return
        lines.append(f"{pad}- {'all' if isinstance(cond, All) else 'any'} of: {TRUTH[truth]}")
        for part in cond.parts:
            show(part, indent + 1)

    for label, cond in (("applies when", rule.applies_when), ("met when", rule.met), ("partial when", rule.partial)):
        if cond is None:
            continue
        lines.append(f"{label}: {TRUTH[evaluate(cond, values, vocabulary)]}")
        show(cond, 1)
        lines.append("")
    lines.append(f"Decision: {_because(rule, values, vocabulary, result)}")
    if result != "met":
        from obcheck.remedies import explain_lines

        lines += ["", *explain_lines(rule, values, vocabulary)]
    return "\n".join(lines) + "\n"


def _because(rule: Rule, values: dict[str, object], vocabulary: Vocabulary, result: str) -> str:
    applies = evaluate(rule.applies_when, values, vocabulary) if rule.applies_when is not None else True
    met = evaluate(rule.met, values, vocabulary)
    if result == "not_applicable":
        return "not_applicable, because the rule does not apply."
    if applies is None:
        return "unknown, because whether the rule applies cannot be decided from the facts."
    if result == "met":
        return "met, because the met condition holds."
    if met is None:
        return "unknown, because the met condition cannot be decided: a fact it needs is absent or unverified."
    if result == "partial":
        return "partial, because the met condition fails and the partial condition holds."
    if result == "unknown":
        return "unknown, because the met condition fails and the partial condition cannot be decided."
    return "gap, because the met condition fails" + (" and so does the partial condition." if rule.partial is not None else ".")



def find_rule(catalogue: Catalogue, name: str) -> Rule:
    """The one rule named RULE or PACK/RULE, or a located error that says which names would do."""
    matches = [r for r in catalogue.rules() if name in (r.id, f"{r.pack}/{r.id}")]
    if len(matches) == 1:
        return matches[0]
    if matches:
        problem = f"{shown(name)} names {len(matches)} rules ({', '.join(f'{r.pack}/{r.id}' for r in matches)}): write PACK/RULE"
    else:
        names = [r.id for r in catalogue.rules()] + [f"{r.pack}/{r.id}" for r in catalogue.rules()]
        problem = f"no rule {shown(name)}{did_you_mean(name, names)}"
    raise InputError([Diagnostic("<command line>", 1, 1, problem)])


def find_agreement(name: str, fact_paths: list[Path], vocabulary: Vocabulary) -> Agreement:
    """An agreement by fact file, or by id among the fact files."""
    from obcheck.run import load_all

    try:
        named_file = Path(name).is_file()
    except OSError:  # a name too long for the system, or one that cannot be searched: it is not a file, so an id
        named_file = False
    if named_file:
        return load_agreement(Path(name), vocabulary)
    by_id = {a.id: a for a in load_all(fact_paths, vocabulary)}
    if name not in by_id:
        raise InputError([Diagnostic("<command line>", 1, 1, f"no agreement {shown(name)}{did_you_mean(name, by_id)}")])
    return by_id[name]

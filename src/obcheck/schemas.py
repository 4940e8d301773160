"""JSON Schemas (pure) for fact, rule and cases files, from the models and the vocabulary, for editors' YAML language servers."""

from __future__ import annotations

import json
from typing import Any

from obcheck.cases import CasesFile
from obcheck.fact_types import FACT_TYPES
from obcheck.file_models import FactFile, RuleFile
from obcheck.operators import OPERATORS, Operator
from obcheck.vocabulary import PathSpec, Vocabulary

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def value_schema(spec: PathSpec) -> dict[str, Any]:
    """The JSON Schema of one fact path's values."""
    return FACT_TYPES[spec.type].schema(spec.values or [])


def operand_schema(operator: Operator, spec: PathSpec) -> dict[str, Any]:
    """What an operator takes on one fact path."""
    value = value_schema(spec)
    schemas: dict[str, dict[str, Any]] = {
        "value": value,
        "values": {"type": "array", "items": value, "minItems": 1},
        "member": value.get("items", value),
        "true": {"const": True},
        "count": {"type": "integer", "minimum": 0, "maximum": 10_000},
    }
    return schemas[operator.operand]


def _base(model: Any, title: str) -> dict[str, Any]:
    schema: dict[str, Any] = model.model_json_schema()
    schema["$schema"] = DIALECT
    schema["title"] = title
    return schema


def facts_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    schema = _base(FactFile, "obcheck fact file")
    evidence_ref = schema["properties"]["facts"]["additionalProperties"]
    schema["properties"]["facts"] = {
        "type": "object",
        "description": "Fact paths from rules/vocabulary.yaml, each with its value and evidence.",
        "additionalProperties": False,
        "properties": {
            path: {"allOf": [evidence_ref, {"properties": {"value": value_schema(spec)}}], "description": spec.meaning}
            for path, spec in vocabulary.paths.items()
        },
    }
    return schema


def _condition_defs(vocabulary: Vocabulary) -> dict[str, Any]:
    predicates = []
    for path, spec in vocabulary.paths.items():
        ops = {op.name: operand_schema(op, spec) for op in OPERATORS.values() if spec.type in op.types}
        predicates.append({
            "type": "object", "description": spec.meaning,
            "properties": {"fact": {"const": path}, **ops},
            "required": ["fact"], "additionalProperties": False, "minProperties": 2, "maxProperties": 2,
        })
    return {
        "condition": {
            "oneOf": [
                {"type": "object", "properties": {"all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}}}, "required": ["all"], "additionalProperties": False},
                {"type": "object", "properties": {"any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}}}, "required": ["any"], "additionalProperties": False},
                {"type": "object", "properties": {"not": {"$ref": "#/$defs/condition"}}, "required": ["not"], "additionalProperties": False},
                {"$ref": "#/$defs/predicate"},
            ]
        },
        "predicate": {"oneOf": predicates},
    }


def rules_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    schema = _base(RuleFile, "obcheck rule file")
    schema.setdefault("$defs", {}).update(_condition_defs(vocabulary))
    for key in ("applies_when", "met", "partial"):
        schema["properties"][key] = {"$ref": "#/$defs/condition"}
    schema["description"] = f"One rule a file; operators: {', '.join(OPERATORS)}."
    return schema


def cases_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    schema = _base(CasesFile, "obcheck rule cases file")
    case = schema["$defs"]["CaseModel"]
    case["properties"]["facts"] = {
        "type": "object", "additionalProperties": False,
        "properties": {path: {**value_schema(spec), "description": spec.meaning} for path, spec in vocabulary.paths.items()},
    }
    return schema


def render_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


SCHEMAS = {"facts": facts_schema, "rules": rules_schema, "cases": cases_schema}

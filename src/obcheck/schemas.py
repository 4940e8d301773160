"""JSON Schemas (pure) for fact, rule and cases files, from the models and the vocabulary, for editors' YAML language servers."""

from __future__ import annotations

import json
from typing import Any

from obcheck.cases import CasesFile
from obcheck.facts import FactFile
from obcheck.rules import OPERATORS, RuleFile
from obcheck.vocabulary import PathSpec, Vocabulary

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def value_schema(spec: PathSpec) -> dict[str, Any]:
    """The JSON Schema of one fact path's values."""
    kind = spec.type
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "integer":
        return {"type": "integer"}
    if kind == "number":
        return {"type": "number"}
    if kind == "string":
        return {"type": "string"}
    if kind == "date":
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if kind == "list":
        return {"type": "array", "items": {"enum": list(spec.values or [])}, "uniqueItems": True}
    return {"enum": list(spec.values or [])}


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
        value = value_schema(spec)
        ops: dict[str, Any] = {"exists": {"const": True}}
        if spec.type == "list":
            ops["contains"] = value["items"]
        else:
            ops.update({"equals": value, "not_equals": value, "in": {"type": "array", "items": value, "minItems": 1},
                        "not_in": {"type": "array", "items": value, "minItems": 1}})
            if spec.type in ("integer", "number", "date", "ordered_enum"):
                ops.update({"at_least": value, "at_most": value})
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

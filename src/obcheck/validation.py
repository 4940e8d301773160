"""Validation helpers shared by the loaders: strict frozen models and pydantic errors mapped to `path:line:col`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from obcheck.errors import Diagnostic, InputError, cut, did_you_mean, printable, shown
from obcheck.ids import ID_RE, ID_RULE, MAX_ID_LENGTH, id_message, id_problem
from obcheck.source import Document, parse

M = TypeVar("M", bound=BaseModel)

# The id pattern lives in ids.py, which start-up can import without pydantic; the loaders take it from here too.
__all__ = ["ID_RE", "ID_RULE", "MAX_ID_LENGTH", "StrictModel", "id_message", "id_problem", "load_model", "pydantic_diagnostics", "validate"]


def load_model(path: Path, model: type[M], what: str, text: str | None = None) -> tuple[Document, M]:
    """Parse a YAML file and validate it as `model`; every problem becomes a located InputError."""
    doc = parse(path, text)
    return doc, validate(doc, model, what)


def validate(doc: Document, model: type[M], what: str) -> M:
    """A parsed file's data validated as `model`; every problem becomes a located InputError."""
    if not isinstance(doc.data, dict):
        raise InputError([doc.error((), f"{what} is a mapping of {', '.join(model.model_fields)}; got a {type(doc.data).__name__}")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(pydantic_diagnostics(doc, exc, model)) from None


class StrictModel(BaseModel):
    """Unknown keys are errors, types are not coerced, loaded objects do not change."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def pydantic_diagnostics(
    doc: Document, exc: ValidationError, model: type[BaseModel], prefix: tuple[str | int, ...] = ()
) -> list[Diagnostic]:
    """Map pydantic errors onto the YAML positions of the offending keys or values."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])  # the models use no validator functions, so every part is a key or an index
        at = (*prefix, *loc)
        kind = err["type"]
        if kind == "extra_forbidden" and loc:
            known = _model_at(model, loc[:-1])
            fields = list(known.model_fields) if known else []
            out.append(doc.error(at, f"unknown key {shown(loc[-1])}{did_you_mean(str(loc[-1]), fields)}", key=True))
        elif kind == "missing" and loc:
            out.append(doc.error(at[:-1], f"missing required key {shown(loc[-1])}"))
        else:
            where = ".".join(str(p) for p in loc)
            got = err.get("input")
            echo = f"; got {shown(got)}" if not isinstance(got, (dict, list)) else ""
            out.append(doc.error(at, f"{cut(printable(where))}: {err['msg']}{echo}"))
    return out


def _model_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested model class that `loc` points into (through lists, dicts and optionals)."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, str) and part in model.model_fields:
            model = _inner_model(model.model_fields[part].annotation)
        # list indices and dict keys keep the element model found above
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(getattr(annotation, "__args__", ())):
        found = _inner_model(arg)
        if found:
            return found
    return None

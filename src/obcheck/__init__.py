"""obcheck: check agreements against the obligations a standard demands (library API: check, load_catalogue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from obcheck.model import AgreementReport, Finding, Outcome, Report
    from obcheck.rules import Catalogue, load_catalogue
    from obcheck.run import check

__all__ = ["AgreementReport", "Catalogue", "Finding", "Outcome", "Report", "__version__", "check", "load_catalogue"]

# Imported on first use, so `obcheck --help` and `import obcheck` stay cheap.
_LAZY = {
    "check": "obcheck.run", "load_catalogue": "obcheck.rules", "Catalogue": "obcheck.rules",
    "Report": "obcheck.model", "AgreementReport": "obcheck.model", "Finding": "obcheck.model", "Outcome": "obcheck.model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'obcheck' has no attribute {name!r}")

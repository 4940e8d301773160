"""obcheck: check agreements against the obligations a standard demands."""

__version__ = "0.1.0"

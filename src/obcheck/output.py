"""Output: a report is written whole or not at all, through a temporary file that replaces the target at the end."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Self


class AtomicOutput:
    """Collects the pieces of one output in a temporary file beside the target (or in the temporary folder for
    standard output). On a clean exit it replaces the target (or copies to standard output); on an exception, a
    signal, or `discard()`, the temporary file is removed and an earlier target stays as it was."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self.discarded = False
        self._handle: IO[str] | None = None
        self._tmp = ""

    def __enter__(self) -> Self:
        target = self.target
        directory = (target.parent if str(target.parent) else Path(".")) if target is not None else Path(tempfile.gettempdir())
        fd, self._tmp = tempfile.mkstemp(prefix=f".{target.name[:64] if target else 'obcheck'}.", suffix=".tmp", dir=directory)
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, piece: str) -> None:
        assert self._handle is not None
        if piece:
            self._handle.write(piece)

    def discard(self) -> None:
        self.discarded = True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._handle is not None
        try:
            if kind is not None or self.discarded:
                self._handle.close()
                return
            if self.target is not None:  # durable before it replaces the old file; for stdout it is only a buffer
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
                os.replace(self._tmp, self.target)
                return
            self._handle.close()
            with open(self._tmp, encoding="utf-8") as handle:
                while block := handle.read(1 << 20):
                    sys.stdout.write(block)
            sys.stdout.flush()
        finally:
            Path(self._tmp).unlink(missing_ok=True)


def write_output(text: str, target: Path | None) -> None:
    """One whole text, atomically."""
    with AtomicOutput(target) as out:
        out.write(text)

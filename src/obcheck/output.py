"""Output: a report is written whole or not at all, through a temporary file that replaces the target at the end."""

from __future__ import annotations

import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from obcheck.errors import Diagnostic, InputError

_PENDING: set[str] = set()  # temporary files of outputs under way


def remove_pending() -> None:
    """Remove every temporary output file: a signal ends the run (called by the CLI's signal handling)."""
    for path in list(_PENDING):
        Path(path).unlink(missing_ok=True)
        _PENDING.discard(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _refuse(target: Path, why: str) -> InputError:
    return InputError([Diagnostic(str(target), 1, 1, why)])


def check_target(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output that would replace one of the run's own inputs, or that cannot be a file."""
    try:
        info = target.stat()
    except FileNotFoundError:
        if not target.parent.is_dir() and str(target.parent):
            raise _refuse(target, "cannot write the output: its folder does not exist") from None
        return
    except OSError as exc:
        raise _refuse(target, f"cannot write the output: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(target, "cannot write the output: it is a folder")
    for path in inputs:
        try:
            if os.path.samefile(path, target):
                raise _refuse(target, f"the output would replace an input of this run ({path}); choose another file")
        except OSError:
            continue


class AtomicOutput:
    """Collects the pieces of one output in a temporary file beside the target (or in the temporary folder for
    standard output and for targets that are not regular files). On a clean exit it replaces a regular target
    (keeping its mode; a new file gets the umask's mode), copies into a device or FIFO (never replacing the
    node), or copies to standard output; on an exception, a signal, or `discard()`, the temporary file is
    removed and an earlier target stays as it was. Failing writes become located errors (exit 2)."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self.discarded = False
        self._handle: IO[str] | None = None
        self._tmp = ""
        self._special = False  # a device or FIFO: written into, never replaced

    def __enter__(self) -> Self:
        target = self.target
        if target is not None and target.is_symlink():
            target = self.target = Path(os.path.realpath(target))  # replace what the link points to, not the link
        if target is not None and target.exists() and not target.is_file():
            self._special = True
        directory = Path(tempfile.gettempdir()) if target is None or self._special else (target.parent if str(target.parent) else Path("."))
        name = target.name[:64] if target is not None else "obcheck"  # the temporary name must fit where the target's did
        while True:
            # named and registered before it exists, so a signal at any point leaves nothing remove_pending() misses
            self._tmp = str(directory / f".{name}.{secrets.token_hex(4)}.tmp")
            _PENDING.add(self._tmp)
            try:
                fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                break
            except FileExistsError:
                _PENDING.discard(self._tmp)
            except OSError as exc:
                _PENDING.discard(self._tmp)
                raise _refuse(target or Path("<stdout>"), f"cannot write the output: {exc.strerror}") from None
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, piece: str) -> None:
        assert self._handle is not None
        if piece:
            try:
                self._handle.write(piece)
            except OSError as exc:
                raise _refuse(self.target or Path("<stdout>"), f"cannot write the output: {exc.strerror}") from None

    def discard(self) -> None:
        self.discarded = True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._handle is not None
        try:
            if kind is not None or self.discarded:
                self._handle.close()
                return
            self._commit()
        finally:
            Path(self._tmp).unlink(missing_ok=True)
            _PENDING.discard(self._tmp)

    def _commit(self) -> None:
        assert self._handle is not None
        target = self.target
        where = target or Path("<stdout>")
        try:
            if target is not None and not self._special:
                self._handle.flush()
                os.fsync(self._handle.fileno())  # durable before it replaces the old file
                self._handle.close()
                mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
                os.chmod(self._tmp, mode)
                os.replace(self._tmp, target)
                return
            self._handle.close()
            with open(self._tmp, encoding="utf-8") as source:
                if target is None:
                    if sys.stdout is None:  # started with standard output closed: nothing can be delivered
                        raise OSError("standard output is closed")
                    _copy(source, sys.stdout)
                else:
                    with open(target, "w", encoding="utf-8", newline="\n") as sink:
                        _copy(source, sink)
        except OSError as exc:
            if target is None and isinstance(exc, BrokenPipeError):
                # the reader went away: say so once, and keep Python's exit-time flush from saying it again
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise _refuse(where, f"cannot write the output: {exc.strerror or exc}") from None


def _copy(source: IO[str], sink: IO[str]) -> None:
    while block := source.read(1 << 20):
        sink.write(block)
    sink.flush()


def write_output(text: str, target: Path | None) -> None:
    """One whole text, atomically."""
    with AtomicOutput(target) as out:
        out.write(text)

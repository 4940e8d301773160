"""The content-hash cache: loaded catalogues and agreement reports kept between runs, keyed by what made them."""

# As ruff and mypy keep theirs: an entry is found again only by the hash of everything its value depends on (the
# file's bytes and displayed name, the rules' bytes, obcheck's own code, the run's options), so a stale entry is
# never looked up, only left behind (`obcheck cache clear` removes them). Entries are written to a temporary file
# and renamed into place, so concurrent runs and --jobs workers never see half an entry. An entry that is
# truncated, corrupt or written for another key is ignored and rebuilt; entries are unpickled with a whitelist
# of obcheck's own plain data classes, so a planted file cannot run code.

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obcheck import __version__

FOLDER = ".obcheck_cache"  # beside the configuration file, else in the working folder
ENV = "OBCHECK_CACHE_DIR"  # overrides the location (as RUFF_CACHE_DIR and MYPY_CACHE_DIR do)
LAYOUT = "v1"  # a change of entry format gets a folder of its own
MAGIC = b"obcheck-cache\x00v1\x00"
DIGEST = 32
TAG_NOTE = "# This folder is obcheck's cache (obcheck cache clear removes it)."

# What an entry may contain besides builtins: the classes of a Catalogue and of an AgreementReport.
_ALLOWED = {
    "obcheck.model": {"AgreementReport", "Finding", "Outcome", "Rendered"},
    "obcheck.rules": {"Catalogue", "Pack", "Rule", "StandardRef", "Criterion", "ThresholdEvidence", "Messages",
                      "All", "AnyOf", "Not", "Predicate"},
    "obcheck.vocabulary": {"Vocabulary", "PathSpec"},
}


class _Unpickler(pickle.Unpickler):
    """Refuses any class outside the whitelist: only data obcheck wrote can come back."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def digest(*parts: bytes | str) -> bytes:
    """One key from several parts; each is length-prefixed, so ('ab', 'c') and ('a', 'bc') differ."""
    h = hashlib.blake2b(digest_size=DIGEST)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


_CODE: bytes | None = None


def code_version() -> bytes:
    """obcheck's version and its own source files' sizes and modification times: an edited checkout (a developer's,
    or a test's) never reads entries its previous code wrote. Python's version too (pickles follow its classes), and
    where the libraries that decide what loads are installed and when (a pydantic or PyYAML upgrade may accept or
    refuse other files), found without importing them."""
    global _CODE
    if _CODE is None:
        import importlib.util

        package = Path(__file__).resolve().parent
        parts: list[bytes | str] = [__version__, sys.version]
        files = sorted(package.rglob("*.py"))
        for library in ("pydantic", "pydantic_core", "yaml"):
            spec = importlib.util.find_spec(library)
            if spec is not None and spec.origin:
                files.append(Path(spec.origin))
        for file in files:
            info = file.stat()
            parts += [str(file), f"{info.st_size}:{info.st_mtime_ns}"]
        _CODE = digest(*parts)
    return _CODE


def default_folder(config_file: str | None = None) -> Path:
    """$OBCHECK_CACHE_DIR, else .obcheck_cache beside the configuration file in use, else in the working folder."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return (Path(config_file).parent if config_file else Path.cwd()) / FOLDER


@dataclass
class Cache:
    """Entries of one kind ('catalogue', 'report') under a cache folder; every failure to read or write is a miss."""

    folder: Path
    _made: set[Path] = field(default_factory=set, repr=False)  # folders known to exist: one mkdir each per run

    def _path(self, kind: str, key: bytes) -> Path:
        name = key.hex()
        return self.folder / LAYOUT / kind / name[:2] / name[2:]

    def get(self, kind: str, key: bytes) -> Any:
        """The value stored under `key`, or None: missing, truncated, corrupt or foreign entries alike."""
        try:
            with open(self._path(kind, key), "rb") as handle:
                blob = handle.read()
        except OSError:
            return None
        head = len(MAGIC) + 2 * DIGEST
        if len(blob) <= head or not blob.startswith(MAGIC) or blob[len(MAGIC):len(MAGIC) + DIGEST] != key:
            return None
        payload = memoryview(blob)[head:]
        if hashlib.blake2b(payload, digest_size=DIGEST).digest() != blob[len(MAGIC) + DIGEST:head]:
            return None
        try:
            return _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # noqa: BLE001 - whatever a damaged entry raises, it is a miss, never a crash
            return None

    def put(self, kind: str, key: bytes, value: Any) -> None:
        """Store `value` under `key`: written beside its place and renamed into it, so a reader sees all or nothing.
        A folder that cannot be written (read-only, full disk) only means the next run works again."""
        path = self._path(kind, key)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        blob = MAGIC + key + hashlib.blake2b(payload, digest_size=DIGEST).digest() + payload
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        try:
            if path.parent not in self._made:
                self._prepare()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            with open(temporary, "xb") as handle:
                handle.write(blob)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def is_cache(self) -> bool:
        """Whether the folder is an obcheck cache: it holds the tag obcheck wrote when it made it."""
        try:
            return TAG_NOTE in (self.folder / "CACHEDIR.TAG").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False

    def _prepare(self) -> None:
        """A new cache folder says what it is: CACHEDIR.TAG for backup tools, a .gitignore so it is never committed.
        A folder that exists, holds something and is not a cache (`--cache-dir .` by mistake) is never written into:
        its own .gitignore must not be replaced."""
        if self.is_cache():
            return
        if self.folder.exists() and any(self.folder.iterdir()):
            raise OSError(f"{self.folder} is not empty and not an obcheck cache")
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text("# made by obcheck\n*\n", encoding="utf-8")
        (self.folder / "CACHEDIR.TAG").write_text(f"Signature: 8a477f597d28d172789f06886806bc55\n{TAG_NOTE}\n", encoding="utf-8")

    def clear(self) -> int:
        """Remove every entry (the whole folder); returns the number of entries there were. Only a folder obcheck
        made (it holds obcheck's tag) is removed: a mistyped --cache-dir must never delete a project."""
        if not self.is_cache():
            if self.folder.exists():
                raise OSError(f"{self.folder} is not an obcheck cache (no CACHEDIR.TAG of obcheck's); not removed")
            return 0
        count = sum(1 for p in (self.folder / LAYOUT).rglob("*") if p.is_file() and not p.name.startswith("."))
        shutil.rmtree(self.folder)
        return count

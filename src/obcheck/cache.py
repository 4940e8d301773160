"""The content-hash cache: loaded catalogues and agreement reports kept between runs, keyed by what made them."""

# As ruff and mypy keep theirs: an entry is found again only by the hash of everything its value depends on (the
# file's bytes and displayed name, the rules' bytes, obcheck's own code, the run's options), so a stale entry is
# never looked up, only left behind (`obcheck cache clear` removes them). Entries are rows of one SQLite database
# per cache folder (a file each cost ~0.5 ms to create, ~10% of a cold run), written in batches, one transaction
# each, so concurrent runs and --jobs workers never see half an entry. An entry that is truncated, corrupt or
# written for another key is ignored and rebuilt, a database that is damaged or not one is replaced; entries are
# unpickled with a whitelist of obcheck's own plain data classes, so a planted row cannot run code.

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import sqlite3
import sys
import zlib
from pathlib import Path
from typing import Any

from obcheck import __version__

FOLDER = ".obcheck_cache"  # beside the configuration file, else in the working folder
ENV = "OBCHECK_CACHE_DIR"  # overrides the location (as RUFF_CACHE_DIR and MYPY_CACHE_DIR do)
LAYOUT = "v2"  # a change of storage gets a folder of its own (v1: a file per entry), of entry format a new MAGIC
DATABASE = "cache.sqlite"
MAGIC = b"obcheck-cache\x00v3\x00"  # v3: the payload's check is a CRC-32 (v2: BLAKE2b)
DIGEST = 32
CHECK = 4  # bytes of an entry's payload check
PAGE_SIZE = 16384
BUSY_SECONDS = 5.0  # how long a read or write waits for another process's lock; longer means something is stuck
BATCH = 256  # entries written in one transaction, at most ...
BATCH_BYTES = 4 << 20  # ... and bytes: what a run holds in memory before writing
HELD_BYTES = 4 * BATCH_BYTES  # what a run holds at most while another process writes, before it waits its turn
LISTED_AFTER = 64  # misses after which a run reads the list of stored keys (Cache._missed)
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


def _begin(db: sqlite3.Connection, wait: bool) -> bool:
    """Take the write lock before anything is read (never a deadlock with another writer). Without `wait`, False
    where another process holds it, at once instead of after SQLite's busy handler."""
    if wait:
        db.execute("BEGIN IMMEDIATE")
        return True
    db.execute("PRAGMA busy_timeout = 0")
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY:
            return False
        raise
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    return True


class Cache:
    """Entries of several kinds ('catalogue', 'report', 'engine') in a cache folder's database. Every failure to read
    or write is a miss or a skipped write, never an error. Writes wait for commit() (or a full batch)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._pending: dict[tuple[str, bytes], bytes] = {}
        self._pending_bytes = 0
        self._reads = True  # False once the database cannot be read this run (locked past the timeout, I/O error)
        self._writes = True  # False once it cannot be written (read-only, full disk, locked, not a cache)
        self._replaced = False  # a damaged database is replaced once a run, never in a loop
        self._prepared = False  # the folder is known to be obcheck's cache (checked before the first write)
        self._misses = 0
        self._stored: set[tuple[str, bytes]] | None = None  # every (kind, key) in the database, once LISTED_AFTER misses

    def __repr__(self) -> str:
        return f"Cache({str(self.folder)!r})"

    @property
    def file(self) -> Path:
        return self.folder / LAYOUT / DATABASE

    def get(self, kind: str, key: bytes) -> Any:
        """The value stored under `key`, or None: missing, truncated, corrupt or foreign entries alike, and whatever
        cannot be read (a locked, unreadable or damaged database)."""
        blob: object = self._pending.get((kind, key))
        if blob is None:
            if self._stored is not None and (kind, key) not in self._stored:
                return None  # a miss without a query (another run's entries written since are missed: rebuilt)
            try:
                db = self._open(create=False)
                if db is None:
                    return None
                # fetchall, not fetchone: the statement runs to its end, so no read lock outlives the lookup (a
                # statement left half-read would hold one and keep other processes' commits waiting)
                rows = db.execute("SELECT v FROM entries WHERE kind = ? AND k = ?", (kind, key)).fetchall()
                if not rows:
                    self._missed(db)
            except sqlite3.Error as exc:
                self._failed(exc, writing=False)
                return None
            if not rows:
                return None
            blob = rows[0][0]
        return _value(blob, key)

    def _missed(self, db: sqlite3.Connection) -> None:
        """A run that misses often (a cold one) lists the stored keys once and asks the database only for those: a
        miss cost a query and its locking, ~17-50 us, where listing 10,000 keys from the primary key's index took 4 ms.
        A run served from the cache, or checking a file or two, never lists a large cache's keys."""
        self._misses += 1
        if self._misses == LISTED_AFTER:
            self._stored = set(db.execute("SELECT kind, k FROM entries").fetchall())

    def put(self, kind: str, key: bytes, value: Any) -> None:
        """Store `value` under `key`, written at the next commit: every BATCH entries or BATCH_BYTES by itself, and
        when the run calls commit() or close()."""
        if not self._writes:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        blob = MAGIC + key + checksum(payload) + payload
        self._pending[(kind, key)] = blob
        self._pending_bytes += len(blob)
        if len(self._pending) >= BATCH or self._pending_bytes >= BATCH_BYTES:
            # A full batch waits for no one: if another process (a --jobs worker, another run) holds the write lock,
            # it stays pending and goes with the next. Waiting cost a --jobs 2 run at N = 10,000 1.5 s of 14.9:
            # SQLite's busy handler sleeps in steps of up to 100 ms. Past HELD_BYTES, or at the end, it waits.
            self.commit(wait=self._pending_bytes >= HELD_BYTES)

    def commit(self, wait: bool = True) -> None:
        """Write the pending entries in one transaction: other runs see all of them at once, or (a read-only folder,
        a full disk, a database locked past the timeout) none, and this run stops writing and goes on. Without
        `wait`, while another process holds the write lock they stay pending instead."""
        for _attempt in range(2):  # the second into the fresh database that replaced a damaged one
            if not self._pending or not self._writes:
                break
            try:
                db = self._open(create=True)
                if db is None:
                    break
                if not _begin(db, wait):
                    return  # another process is writing: these go with the next batch
                db.executemany("INSERT OR REPLACE INTO entries (kind, k, v) VALUES (?, ?, ?)",
                               [(kind, key, blob) for (kind, key), blob in self._pending.items()])
                db.execute("COMMIT")
                if self._stored is not None:
                    self._stored.update(self._pending)
                break
            except sqlite3.Error as exc:
                if not self._failed(exc, writing=True):
                    break
        self._pending.clear()  # written, or not to be written by this run
        self._pending_bytes = 0

    def close(self) -> None:
        """Commit what is pending and let the database go."""
        self.commit()
        self._disconnect()

    def _open(self, create: bool) -> sqlite3.Connection | None:
        """The connection, opened on first use. A read never creates the database (nor the folder); a write creates
        both, only in a folder that is obcheck's cache. Raises sqlite3.Error for _failed to judge."""
        path = self.file
        if create and not self._prepared:
            try:
                self._prepare()
                path.parent.mkdir(exist_ok=True)
            except OSError:
                self._writes = False
                return None
            self._prepared = True
        if self._db is not None or not self._reads:
            return self._db
        if not create and not path.is_file():
            return None
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            # The rollback journal (SQLite's default, named so that nothing else decides), not WAL: WAL keeps an index
            # in shared memory beside the file, which network file systems do not share safely and a read-only
            # folder cannot hold (its readers fail), and it writes each entry twice, to the log and then the database
            # (a cold fill of 1,000 x 45 KB: 0.13-0.18 s against 0.03-0.05 s). Its gain, readers that never wait on a
            # writer, is small here: writers hold the lock for one batch (a few MB, tens of ms), and runs sharing the
            # file measured the same either way.
            db.execute("PRAGMA journal_mode = DELETE")
            # No fsync (synchronous=NORMAL made that fill 0.23-0.35 s): it is a cache. A process that dies loses
            # nothing it committed (the system holds it); a power loss may lose the last entries or damage the file,
            # which is then replaced (_failed), and each entry carries its key and checksum, so even a damaged page
            # that SQLite does not notice is a miss, never a wrong report.
            db.execute("PRAGMA synchronous = OFF")
            # Entries are ~45 KB: 16 KB pages fill as fast as 64 KB ones (4 KB: 1.5-2 x the CPU) with a quarter less
            # disk. Only a new database takes it.
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, "
                       "PRIMARY KEY (kind, k))")
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    def _failed(self, exc: sqlite3.Error, writing: bool) -> bool:
        """After a failed read or write: whether to try the write again. A file that is not a database or is damaged
        (truncated, overwritten) is removed, once a run and only in obcheck's own cache folder, and the next write
        starts a fresh one; else a failed write stops this run's writes, and a failed read (locked past the timeout,
        an I/O error) all use of the cache: a run is never kept waiting twice."""
        self._disconnect()
        damaged = getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
        if damaged and not self._replaced and self.is_cache():
            self._replaced = True
            try:
                # its journal too: one left by a writer of the damaged file must not be played back into the new one
                for file in (self.file, self.file.with_name(DATABASE + "-journal")):
                    file.unlink(missing_ok=True)
                return True
            except OSError:
                pass
        if writing and not damaged:
            self._writes = False
        else:
            self._reads = self._writes = False
        return False

    def _disconnect(self) -> None:
        self._stored, self._misses = None, 0  # the list is of this connection's database (a damaged one is replaced)
        if self._db is not None:
            try:
                self._db.close()  # a transaction left open is rolled back
            except sqlite3.Error:
                pass
            self._db = None

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
        self._pending.clear()
        self._disconnect()
        count = sum(1 for p in (self.folder / "v1").rglob("*") if p.is_file())  # an older obcheck's files, if any
        try:
            db = sqlite3.connect(f"{self.file.as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
            try:
                count += db.execute("SELECT count(*) FROM entries").fetchall()[0][0]
            finally:
                db.close()
        except sqlite3.Error:
            pass  # no database, or a damaged one: its entries are not counted, and it is removed all the same
        shutil.rmtree(self.folder)
        return count


def checksum(payload: bytes | memoryview) -> bytes:
    """An entry's check against damage: a torn write, a flipped bit, a page SQLite does not notice is bad. A CRC, not
    a cryptographic hash: with no secret in it, BLAKE2b (which v2 used) stopped no one who can write the cache
    either (what stops a planted entry is the unpickler's whitelist), and it cost 51 us an entry of 45 KB against
    11, on every write of a cold run and every read of a warm one."""
    return zlib.crc32(payload).to_bytes(CHECK, "little")


def _value(blob: object, key: bytes) -> Any:
    """A stored entry's value if it is whole and was written for `key`; else None."""
    if not isinstance(blob, bytes):
        return None
    head = len(MAGIC) + DIGEST + CHECK
    if len(blob) <= head or not blob.startswith(MAGIC) or blob[len(MAGIC):len(MAGIC) + DIGEST] != key:
        return None
    payload = memoryview(blob)[head:]
    if checksum(payload) != blob[len(MAGIC) + DIGEST:head]:
        return None
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - whatever a damaged entry raises, it is a miss, never a crash
        return None

"""The content-hash cache: the same bytes with and without it, never trusted when damaged, cleared on request."""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import obcheck.cache
import obcheck.findings
from obcheck.cache import MAGIC, Cache, checksum, digest
from tests.conftest import MINI, ROOT, cli, fact_file

FORMATS = ["json", "text", "markdown", "csv", "sarif"]
# A few shipped documents cover what a report can hold: a signed agreement, a reported draft, sources that disagree
# (alternatives), a contested fact. The whole of facts/ would only repeat them, more slowly.
SMALL = [ROOT / "facts" / f"{name}.yaml" for name in
         ("gb-2024", "us-guarantees-2025", "be-2024", "coalition-paris-declaration-2026", "budapest-memorandum-1994")]


def run(*args: str | Path) -> tuple[int, str]:
    result = cli("check", *args)
    return result.exit_code, result.stdout


def entries(folder: Path) -> list[tuple[str, bytes, bytes]]:
    """Every row of the cache's database: (kind, key, stored entry)."""
    if not Cache(folder).file.exists():
        return []
    db = sqlite3.connect(Cache(folder).file)
    try:
        return sorted(db.execute("SELECT kind, k, v FROM entries").fetchall())
    finally:
        db.close()


def rewrite(folder: Path, rows: list[tuple[str, bytes, object]]) -> None:
    """Store these entries as they are, past the cache's checks: damage, or a planted entry."""
    db = sqlite3.connect(Cache(folder).file)
    with db:
        db.executemany("UPDATE entries SET v = ? WHERE kind = ? AND k = ?", [(v, kind, k) for kind, k, v in rows])
    db.close()


def served_from_the_cache(monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> tuple[int, str]:
    """A run that fails if it evaluates any agreement: every report must come from the cache."""
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("evaluated although cached")

    with monkeypatch.context() as patch:
        patch.setattr(obcheck.findings, "agreement_report", broken)
        return run(*args)


@pytest.mark.parametrize("fmt", FORMATS)
def test_cold_warm_and_uncached_runs_print_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    cache = tmp_path / "cache"
    uncached = run(*SMALL, "--format", fmt, "--no-cache")
    cold = run(*SMALL, "--format", fmt, "--cache-dir", cache)
    assert entries(cache), "the cold run stored nothing"
    warm = run(*SMALL, "--format", fmt, "--cache-dir", cache)
    assert uncached == cold == warm
    assert "gb-2024" in warm[1]


def test_a_warm_run_evaluates_nothing_and_a_changed_file_is_evaluated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = tmp_path / "facts"
    for name in ("alpha-2024.yaml", "beta-2025.yaml"):
        (facts / name).parent.mkdir(exist_ok=True)
        (facts / name).write_bytes((ROOT / "tests" / "fixtures" / "corpus" / name).read_bytes())
    cache = tmp_path / "cache"
    cold = run(facts, "--rules", MINI, "--format", "json", "--cache-dir", cache)

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("evaluated although cached")

    monkeypatch.setattr(obcheck.findings, "agreement_report", broken)
    assert run(facts, "--rules", MINI, "--format", "json", "--cache-dir", cache) == cold  # every report from the cache
    alpha = facts / "alpha-2024.yaml"
    alpha.write_text(alpha.read_text() + "\n# an edit\n")
    result = cli("check", facts, "--rules", MINI, "--format", "json", "--cache-dir", cache)
    assert result.exit_code == 3 and "evaluated although cached" in result.stderr  # the edited file is evaluated again


def test_a_changed_rule_changes_the_report(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    for file in MINI.rglob("*"):
        if file.is_file():
            (rules / file.relative_to(MINI)).parent.mkdir(parents=True, exist_ok=True)
            (rules / file.relative_to(MINI)).write_bytes(file.read_bytes())
    corpus = ROOT / "tests" / "fixtures" / "corpus"
    cache = tmp_path / "cache"
    before = run(corpus, "--rules", rules, "--format", "json", "--cache-dir", cache)
    rule = rules / "simple.yaml"
    text = rule.read_text()
    assert "severity: low" in text
    rule.write_text(text.replace("severity: low", "severity: critical"))
    after = run(corpus, "--rules", rules, "--format", "json", "--cache-dir", cache)
    assert after == run(corpus, "--rules", rules, "--format", "json", "--no-cache")
    assert after != before


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "empty", "text", "planted"])
def test_a_damaged_or_planted_entry_is_ignored_and_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    cache = tmp_path / "cache"
    expected = run(*SMALL, "--format", "json", "--cache-dir", cache)
    rows = entries(cache)
    assert len(rows) == len(SMALL) + 2  # a report each, the catalogue, the engine
    marker = tmp_path / "pwned"
    damaged: list[tuple[str, bytes, object]] = []
    for i, (kind, key, blob) in enumerate(rows):
        value: object
        if damage == "truncated":
            value = blob[: len(blob) // 2]
        elif damage == "flipped":
            value = blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:])
        elif damage == "foreign":  # a whole, valid entry written for another key
            value = rows[(i + 1) % len(rows)][2]
        elif damage == "empty":
            value = b""
        elif damage == "text":  # SQLite keeps whatever type it is given
            value = blob.decode("latin-1")
        else:  # an entry with the right key and checksum whose pickle would run a command
            payload = pickle.dumps(_Planted(str(marker)))
            value = MAGIC + key + checksum(payload) + payload
        damaged.append((kind, key, value))
    rewrite(cache, damaged)
    assert run(*SMALL, "--format", "json", "--cache-dir", cache) == expected
    assert not marker.exists()
    assert entries(cache) == rows  # rebuilt ...
    assert served_from_the_cache(monkeypatch, *SMALL, "--format", "json", "--cache-dir", cache) == expected  # ... and served


@pytest.mark.parametrize("damage", ["garbage", "truncated", "header", "empty"])
def test_a_damaged_database_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """A database file that is not one, or is cut short or overwritten, is a miss and is replaced, never a crash."""
    cache = tmp_path / "cache"
    expected = run(*SMALL, "--format", "json", "--cache-dir", cache)
    file = Cache(cache).file
    data = file.read_bytes()
    damaged = {
        "garbage": os.urandom(len(data)),
        "truncated": data[: len(data) // 2],
        "header": data[:100] + os.urandom(len(data) - 100),  # a database's header over garbage
        "empty": b"",
    }[damage]
    file.write_bytes(damaged)
    assert run(*SMALL, "--format", "json", "--cache-dir", cache) == expected
    assert len(entries(cache)) == len(SMALL) + 2
    assert served_from_the_cache(monkeypatch, *SMALL, "--format", "json", "--cache-dir", cache) == expected


def test_a_damaged_database_outside_a_cache_is_left_alone(tmp_path: Path) -> None:
    """Replacing means deleting a file: only in a folder that holds obcheck's tag. Elsewhere the run is uncached."""
    folder = tmp_path / "project"
    file = Cache(folder).file
    file.parent.mkdir(parents=True)
    file.write_bytes(b"not a database" * 100)
    assert run(*SMALL, "--format", "json", "--cache-dir", folder) == run(*SMALL, "--format", "json", "--no-cache")
    assert file.read_bytes() == b"not a database" * 100 and not Cache(folder).is_cache()


class _Planted:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.path}",))


def test_the_unpickler_refuses_anything_but_obcheck_data(tmp_path: Path) -> None:
    store = Cache(tmp_path)
    key = digest("k")
    store.put("report", key, {"a": [1, 2.5, None, ("x",)]})
    assert store.get("report", key) == {"a": [1, 2.5, None, ("x",)]}
    store.put("report", key, _Planted(str(tmp_path / "pwned")))
    assert store.get("report", key) is None and not (tmp_path / "pwned").exists()
    store.commit()
    assert Cache(tmp_path).get("report", key) is None and not (tmp_path / "pwned").exists()  # nor once stored


def test_writes_wait_for_a_commit_or_a_full_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(obcheck.cache, "BATCH", 3)
    store = Cache(tmp_path / "cache")
    keys = [digest(str(i)) for i in range(4)]
    for i, key in enumerate(keys[:2]):
        store.put("report", key, i)
    assert store.get("report", keys[0]) == 0  # this run sees its own pending entries ...
    assert Cache(tmp_path / "cache").get("report", keys[0]) is None  # ... others only once they are committed
    store.put("report", keys[2], 2)  # a full batch commits by itself
    assert [Cache(tmp_path / "cache").get("report", k) for k in keys] == [0, 1, 2, None]
    store.put("report", keys[3], 3)
    store.commit()
    assert Cache(tmp_path / "cache").get("report", keys[3]) == 3


def test_a_full_batch_waits_for_no_other_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While another process writes (a --jobs worker), a full batch stays pending and goes with a later one, without
    waiting out SQLite's busy handler; past HELD_BYTES, and at the end, the run waits its turn."""
    import threading
    import time

    monkeypatch.setattr(obcheck.cache, "BATCH", 2)
    monkeypatch.setattr(obcheck.cache, "HELD_BYTES", 10_000)
    store = Cache(tmp_path / "cache")
    store.put("report", digest("first"), 0)
    store.commit()
    other = sqlite3.connect(store.file, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    keys = [digest(str(i)) for i in range(4)]
    started = time.perf_counter()
    for i, key in enumerate(keys):
        store.put("report", key, i)
    assert time.perf_counter() - started < 1  # no busy wait (the timeout is 5 s)
    assert len(store._pending) == 4 and store._writes  # kept, and still writing
    assert [store.get("report", k) for k in keys] == [0, 1, 2, 3]  # this run sees them meanwhile
    other.execute("COMMIT")
    store.put("report", digest("after"), 4)  # the lock is free: the batch goes, with those held
    assert not store._pending and [Cache(tmp_path / "cache").get("report", k) for k in keys] == [0, 1, 2, 3]
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, other.execute, ("ROLLBACK",)).start()  # the other writer finishes a little later
    store.put("report", digest("big"), os.urandom(20_000))
    store.put("report", digest("bigger"), os.urandom(20_000))  # a full batch past HELD_BYTES: it waits its turn
    assert not store._pending and Cache(tmp_path / "cache").get("report", digest("big")) is not None
    other.close()


def test_a_run_that_misses_often_lists_the_stored_keys_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After LISTED_AFTER misses a run asks the database only for keys it holds; what it finds is unchanged, what it
    writes itself is found, and another run's later entries are misses (rebuilt), never wrong values."""
    monkeypatch.setattr(obcheck.cache, "LISTED_AFTER", 3)
    folder = tmp_path / "cache"
    writer = Cache(folder)
    stored = [digest(f"stored {i}") for i in range(3)]
    for i, key in enumerate(stored):
        writer.put("report", key, i)
    writer.commit()
    store = Cache(folder)
    queries: list[str] = []
    assert [store.get("report", digest(f"absent {i}")) for i in range(2)] == [None, None]
    assert store._db is not None
    store._db.set_trace_callback(queries.append)
    assert store.get("report", digest("absent 2")) is None and len(queries) == 2  # the third miss, then the list
    queries.clear()
    assert [store.get("report", digest(f"absent {i}")) for i in range(3, 10)] == [None] * 7 and queries == []
    assert [store.get("report", k) for k in stored] == [0, 1, 2] and len(queries) == 3
    assert store.get("catalogue", stored[0]) is None  # the kind is part of the key
    store.put("report", digest("own"), "own")
    store.commit()
    writer.put("report", digest("later"), "later")
    writer.commit()
    assert store.get("report", digest("own")) == "own"
    assert store.get("report", digest("later")) is None  # written after the list: a miss
    assert Cache(folder).get("report", digest("later")) == "later"  # a run that starts now finds it


@pytest.mark.parametrize("refusal", ["read-only", "full"])
def test_a_database_that_refuses_writes_still_serves_reads(tmp_path: Path, refusal: str) -> None:
    """SQLite's own errors for a read-only file and a full disk (this test runs as any user, root included)."""
    store = Cache(tmp_path / "cache")
    store.put("report", digest("old"), "old")
    store.commit()
    db = store._db
    assert db is not None
    if refusal == "read-only":
        db.execute("PRAGMA query_only = ON")
    else:
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchall()[0][0]}")
    store.put("report", digest("new"), os.urandom(100_000))
    store.close()  # no error
    assert store.get("report", digest("new")) is None and store.get("report", digest("old")) == "old"
    assert Cache(tmp_path / "cache").get("report", digest("old")) == "old"


def test_a_locked_database_is_a_miss_not_a_wait_or_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock held past the busy timeout: a miss and a skipped write, and the run stops using the cache (it would
    otherwise wait out the timeout once per file)."""
    cache = tmp_path / "cache"
    expected = run(*SMALL, "--format", "json", "--cache-dir", cache)
    rows = entries(cache)
    kind, key, _ = rows[0]
    monkeypatch.setattr(obcheck.cache, "BUSY_SECONDS", 0.05)
    other = sqlite3.connect(Cache(cache).file, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the run waits
    store = Cache(cache)
    try:
        assert store.get(kind, key) is None
        store.put("report", digest("new"), "new")
        store.commit()  # no error
        assert run(*SMALL, "--format", "json", "--cache-dir", cache) == expected
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.get(kind, key) is None  # the lock is gone, but this run gave up on the cache
    assert entries(cache) == rows and Cache(cache).get(kind, key) is not None  # the next one uses it


def test_a_run_that_stops_keeps_what_it_worked_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    real = obcheck.findings.agreement_report
    calls = []

    def third_fails(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise ZeroDivisionError("stopped")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(obcheck.findings, "agreement_report", third_fails)
    assert run(*SMALL, "--format", "json", "--cache-dir", cache)[0] == 3
    assert sorted(kind for kind, _, _ in entries(cache)) == ["catalogue", "engine", "report", "report"]


def test_no_cache_writes_nothing_and_a_read_only_cache_still_runs(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = run(*SMALL, "--format", "json", "--no-cache", "--cache-dir", cache)
    assert not cache.exists()
    cache.mkdir()
    cache.chmod(0o500)
    try:
        assert run(*SMALL, "--format", "json", "--cache-dir", cache) == expected
    finally:
        cache.chmod(0o700)


def test_jobs_with_the_cache_print_the_same_bytes(tmp_path: Path) -> None:
    """Workers fill and read the cache as a serial run does: JSON (workers render, the cache keeps the lines) cold and
    warm under --jobs; text (the cache keeps findings) filled serially and read by workers."""
    cache = str(tmp_path / "cache")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

    def out(fmt: str, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "obcheck", "check", *map(str, SMALL), "--format", fmt, *args],
                              capture_output=True, text=True, cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    json_runs = [out("json", "--jobs", "2", "--cache-dir", cache)]
    assert sum(kind == "report" for kind, _, _ in entries(Path(cache))) == len(SMALL)  # each worker committed as it exited
    json_runs += [out("json", "--jobs", "2", "--cache-dir", cache), out("json", "--no-cache")]
    text_runs = [out("text", "--cache-dir", cache), out("text", "--jobs", "2", "--cache-dir", cache), out("text", "--no-cache")]
    assert len(set(json_runs)) == 1 and len(set(text_runs)) == 1 and "gb-2024" in json_runs[0]


def test_concurrent_runs_share_one_cache_safely(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "obcheck", "check", *map(str, SMALL), "--format", "json", "--cache-dir", str(cache)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env) for _ in range(3)]
    outs = [r.communicate()[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0, 0]
    assert len(set(outs)) == 1 and outs[0] == run(*SMALL, "--format", "json", "--no-cache")[1]
    assert sorted(p.name for p in cache.rglob("*")) == [".gitignore", "CACHEDIR.TAG", "cache.sqlite", "v2"]  # no journal left
    rows = entries(cache)
    assert len(rows) == len(SMALL) + 2 and all(Cache(cache).get(kind, key) is not None for kind, key, _ in rows)


def test_cache_clear_and_dir(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run(*SMALL, "--format", "json", "--cache-dir", cache)
    n = len(entries(cache))
    assert cli("cache", "dir", "--cache-dir", cache).stdout.strip() == str(cache)
    result = cli("cache", "clear", "--cache-dir", cache)
    assert result.exit_code == 0 and f"removed {n:,} cache entries" in result.stdout and not cache.exists()
    assert "no cache at" in cli("cache", "clear", "--cache-dir", cache).stdout


def test_cache_clear_refuses_a_folder_that_is_not_a_cache(tmp_path: Path) -> None:
    precious = tmp_path / "project"
    fact_file(precious / "keep.yaml", "")
    (precious / "v2").mkdir()  # looks like a cache's layout, but obcheck did not make it
    result = cli("cache", "clear", "--cache-dir", precious)
    assert result.exit_code == 2 and "is not an obcheck cache" in result.stderr
    assert (precious / "keep.yaml").exists()


def test_a_folder_that_is_not_a_cache_is_never_written_into(tmp_path: Path) -> None:
    """`--cache-dir .` by mistake: the project's own .gitignore must survive, and the run still works."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".gitignore").write_text("build/\n")
    expected = run(*SMALL, "--format", "json", "--no-cache")
    assert run(*SMALL, "--format", "json", "--cache-dir", project) == expected
    assert (project / ".gitignore").read_text() == "build/\n" and sorted(p.name for p in project.iterdir()) == [".gitignore"]
    empty = tmp_path / "empty"
    empty.mkdir()
    run(*SMALL, "--format", "json", "--cache-dir", empty)  # an empty folder becomes a cache
    assert Cache(empty).is_cache() and entries(empty)


def test_the_default_location_is_beside_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OBCHECK_CACHE_DIR")
    assert cli("cache", "dir").stdout.strip() == str(ROOT / ".obcheck_cache")
    monkeypatch.chdir(tmp_path)
    assert cli("--isolated", "cache", "dir").stdout.strip() == str(tmp_path / ".obcheck_cache")
    monkeypatch.setenv("OBCHECK_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cli("cache", "dir").stdout.strip() == str(tmp_path / "elsewhere")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_entry_a_run_writes_can_be_read_back(tmp_path: Path, fmt: str) -> None:
    """A class missing from the unpickler's whitelist would make every warm run a silent miss."""
    cache = tmp_path / "cache"
    run(*SMALL, "--format", fmt, "--cache-dir", cache)
    store = Cache(cache)
    kinds = set()
    for kind, key, _ in entries(cache):
        assert store.get(kind, key) is not None, (kind, key.hex())
        kinds.add(kind)
    assert kinds == {"catalogue", "report", "engine"}


def test_the_catalogue_key_reads_only_where_the_loader_reads(tmp_path: Path) -> None:
    """A rule folder's YAML and its subfolders', and a lone pack's vocabulary beside it: `--rules /` must not walk
    the disk to compute a key."""
    from obcheck.run import _catalogue_files

    rules = tmp_path / "rules"
    for name in ("vocabulary.yaml", "p/pack.yaml", "p/r.yaml", "p/deeper/x.yaml"):
        fact_file(rules / name, "")
    assert [p.relative_to(rules).as_posix() for p in _catalogue_files([rules])] == ["p/pack.yaml", "p/r.yaml", "vocabulary.yaml"]
    lone = [p.relative_to(rules).as_posix() for p in _catalogue_files([rules / "p"])]  # two levels below it, as any rule folder
    assert lone == ["p/deeper/x.yaml", "p/pack.yaml", "p/r.yaml", "vocabulary.yaml"]

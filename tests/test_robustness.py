"""Nothing lost, nothing silent: --jobs, --keep-going, signals mid-write, and byte-identical output however it runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MINI, ROOT, cli, fact_file

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def corpus(folder: Path, n: int, order: list[int] | None = None) -> Path:
    """n small agreements, written in the given order (file-system listing order follows creation on many systems)."""
    for i in order or range(n):
        flag = "true" if i % 3 else "false"
        fact_file(folder / f"a{i:05d}.yaml", f"  demo.flag: {{value: {flag}, source: s1, quote: q, evidence: text}}\n", id=f"a{i:05d}-2024")
    return folder


def obcheck(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "obcheck", *map(str, args)], capture_output=True, text=True, env=env or ENV, cwd=ROOT)


@pytest.mark.parametrize("fmt", ["json", "text"])  # json: workers render; text: workers send findings back
def test_jobs_output_is_byte_identical_to_serial(tmp_path: Path, fmt: str) -> None:
    facts = corpus(tmp_path / "facts", 60)
    serial = obcheck("check", facts, "--rules", MINI, "--format", fmt)
    parallel = obcheck("check", facts, "--rules", MINI, "--format", fmt, "--jobs", "2")
    assert serial.returncode == parallel.returncode == 0, parallel.stderr
    assert serial.stdout == parallel.stdout and "a00059-2024" in serial.stdout


def test_output_ignores_hash_seed_and_listing_order(tmp_path: Path) -> None:
    forward = corpus(tmp_path / "f", 20)
    backward = corpus(tmp_path / "b", 20, order=list(reversed(range(20))))
    outs = {
        obcheck("check", folder, "--rules", MINI, "--format", "json", env={**ENV, "PYTHONHASHSEED": seed}).stdout.replace(str(folder), "X")
        for folder, seed in ((forward, "1"), (backward, "2"), (forward, "3"))
    }
    assert len(outs) == 1 and '"a00019-2024"' in outs.pop()


def test_a_bad_file_stops_the_report_unless_keep_going(tmp_path: Path) -> None:
    facts = corpus(tmp_path / "facts", 3)
    fact_file(facts / "a00001.yaml", "  demo.flag: {value: maybe, source: s1, quote: q, evidence: text}\n", id="a00001-2024")
    refused = cli("check", facts, "--rules", MINI)
    assert refused.exit_code == 2 and refused.stdout == "" and "a00001.yaml:9:22: demo.flag is a bool" in refused.stderr
    kept = cli("check", facts, "--rules", MINI, "--keep-going")
    assert kept.exit_code == 2 and "a00000-2024" in kept.stdout and "a00002-2024" in kept.stdout
    assert "a00001-2024" not in kept.stdout and "the good files were reported (--keep-going)" in kept.stderr


def mid_write(tmp_path: Path, *args: str, group: bool = False) -> tuple[subprocess.Popen[str], Path]:
    """A check of 1,500 agreements into tmp_path/report.json (holding an earlier report), returned once its
    temporary output exists: the run is mid-write. `group`: in a session of its own, as a terminal's job is.
    Its temporary folder is tmp_path/tmp, so a test can see what the run left there."""
    facts = corpus(tmp_path / "facts", 1500)
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "report.json"
    out.write_text("earlier report\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "obcheck", "check", str(facts), "--rules", str(MINI), "--output", str(out), "--engine", "python", *args],
        env={**ENV, "TMPDIR": str(tmp_path / "tmp")}, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=group,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".report.json.*.tmp")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    return proc, out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_run_killed_mid_write_leaves_the_earlier_output_unchanged(tmp_path: Path, sig: signal.Signals) -> None:
    proc, out = mid_write(tmp_path, "--format", "json")
    assert proc.poll() is None, "the run finished before it could be interrupted; make the corpus larger"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in err
    assert out.read_text() == "earlier report\n"
    assert list(tmp_path.glob(".report.json.*")) == []


def test_a_file_that_grows_after_its_size_is_taken_is_read_whole_and_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # read_text reads the size fstat gave, then the rest up to the limit: a file appended to between the two is
    # read whole, and one that grows past the limit is refused, never cut short
    from obcheck import source
    from obcheck.errors import InputError

    real = os.fstat

    def stale(fd: int) -> os.stat_result:
        info = list(real(fd))
        info[6] = 10  # st_size as it was before the file grew
        return os.stat_result(info)

    monkeypatch.setattr(source.os, "fstat", stale)
    small = tmp_path / "small.yaml"
    small.write_text("id: x\n" + "# grown\n" * 1000, encoding="utf-8")
    assert source.read_text(small) == small.read_text(encoding="utf-8")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (source.MAX_FILE_BYTES + 5))
    monkeypatch.setattr(source.Path, "stat", lambda self, **_: os.stat_result([0o100644, 0, 0, 1, 0, 0, 10, 0, 0, 0]))
    with pytest.raises(InputError, match="more than 2,097,152 bytes"):
        source.read_text(big)


def _texts(items: object) -> list[str]:
    from obcheck.model import Rendered

    out = [item.text for item in items if isinstance(item, Rendered)]  # type: ignore[attr-defined]
    return out


def test_jobs_send_texts_through_the_pipe_when_no_spool_can_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # --jobs workers spool rendered texts to files (run._work); with no temporary folder to write, they come back
    # with the items instead: the same report, never a failed run
    import tempfile

    from obcheck.reporters.json_report import line
    from obcheck.run import start

    facts = corpus(tmp_path / "facts", 12)
    serial = _texts(start([facts], [MINI], "python", render=line).items)

    def full(*_: object, **__: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    assert _texts(start([facts], [MINI], "python", jobs=2, render=line).items) == serial and len(serial) == 12


def test_a_worker_spools_a_chunk_or_sends_it_whole(tmp_path: Path) -> None:
    from obcheck import run
    from obcheck.reporters.json_report import line
    from obcheck.rules import load_catalogue

    files = [str(f) for f in sorted(corpus(tmp_path / "facts", 5).iterdir())]
    run._WORKER["evaluator"] = run._Evaluator(load_catalogue([MINI]), "python", run.Options(), render=line)
    try:
        name, whole, lengths = run._work(files, str(tmp_path / "no-such-folder"))  # cannot be written: sent whole
        assert name is None and lengths == [] and len(_texts(whole)) == 5 and all(_texts(whole))
        (tmp_path / "spool").mkdir()
        name, shells, lengths = run._work(files, str(tmp_path / "spool"))
        assert name is not None and _texts(shells) == [""] * 5 and sum(lengths) == Path(name).stat().st_size
        assert list(run._unspool(name, lengths)) == _texts(whole) and not Path(name).exists()
    finally:
        run._WORKER.pop("evaluator").close()

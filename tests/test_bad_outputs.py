"""The CLI/OS part of the bad-input corpus: outputs that must not be written, written where they cannot be,
interrupted runs, and values that must not reach a subprocess as options. Each case: the documented exit code,
a located one-line message, no traceback, nothing damaged."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MINI, ROOT, fact_file
from tests.test_robustness import ENV, mid_write, obcheck

FACT = ROOT / "tests" / "fixtures" / "corpus" / "alpha-2024.yaml"


def refused(done: subprocess.CompletedProcess[str], where: str, fragment: str) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"{where}:1:1: ") and fragment in first, done.stderr
    assert len(first) < 300


@pytest.mark.parametrize("victim", [
    FACT, MINI / "vocabulary.yaml", MINI / "simple.yaml", MINI / "simple.cases.yaml", MINI / "pack.yaml",
], ids=["fact-file", "vocabulary", "rule", "cases", "pack"])
def test_output_naming_an_input_is_refused(victim: Path, tmp_path: Path) -> None:
    # a copy of the inputs, so a failure of this test cannot damage the repository
    pack = tmp_path / "pack"
    pack.mkdir()
    for f in MINI.iterdir():
        (pack / f.name).write_bytes(f.read_bytes())
    fact = tmp_path / FACT.name
    fact.write_bytes(FACT.read_bytes())
    target = fact if victim == FACT else pack / victim.name
    before = target.read_bytes()
    done = obcheck("check", fact, "--rules", pack, "-o", target)
    refused(done, str(target), "would replace an input of this run")
    assert target.read_bytes() == before


def test_output_to_a_hard_link_of_an_input_is_refused(tmp_path: Path) -> None:
    fact = fact_file(tmp_path / "a.yaml", id="a-2024")
    os.link(fact, tmp_path / "alias.txt")
    refused(obcheck("check", fact, "--rules", MINI, "-o", tmp_path / "alias.txt"), str(tmp_path / "alias.txt"), "would replace an input")


def test_output_to_the_null_device_writes_into_it_and_leaves_the_node() -> None:
    done = obcheck("check", FACT, "--rules", MINI, "-o", os.devnull)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_output_to_a_full_device_fails_cleanly() -> None:
    refused(obcheck("check", FACT, "--rules", MINI, "-o", "/dev/full"), "/dev/full", "No space left on device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_output_to_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    done = obcheck("check", FACT, "--rules", MINI, "-o", fifo)
    out, _ = reader.communicate(timeout=30)
    assert done.returncode == 0 and out.startswith("alpha-2024: ")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "report.txt"
    refused(obcheck("check", FACT, "--rules", MINI, "-o", target), str(target), "its folder does not exist")


def test_output_named_at_the_length_limit_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("r" * 255)  # the temporary file's name must still fit beside it
    done = obcheck("check", FACT, "--rules", MINI, "-o", target)
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith("alpha-2024: ")


def test_replacing_a_report_keeps_its_mode_and_a_new_one_honours_the_umask(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("earlier")
    os.chmod(old, 0o640)
    assert obcheck("check", FACT, "--rules", MINI, "-o", old).returncode == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    new = tmp_path / "new.txt"
    done = subprocess.run(["sh", "-c", f'umask 027 && exec "$0" -m obcheck check {FACT} --rules {MINI} -o {new}', sys.executable],
                          capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(new.stat().st_mode) == 0o640


def test_closed_standard_output_is_an_error_not_a_silent_success() -> None:
    done = subprocess.run([sys.executable, "-m", "obcheck", "check", str(FACT), "--rules", str(MINI)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
                          preexec_fn=lambda: os.close(1))
    refused(subprocess.CompletedProcess([], done.returncode, "", done.stderr), "<stdout>", "standard output is closed")


def test_a_revision_starting_with_a_dash_never_reaches_git_as_an_option(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    done = obcheck("diff", "--rev", f"--output={victim}..HEAD")
    refused(done, "<command line>", "is not a revision")
    assert victim.read_text() == "keep me"


def test_new_below_a_regular_file_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = obcheck("new", "agreement", "xx-2026", "--facts", blocker / "facts", "--rules", MINI)
    refused(done, str(blocker / "facts" / "xx-2026.yaml"), "cannot create its folder")


@pytest.mark.parametrize(("sig", "fmt"), [(signal.SIGHUP, "text"), (signal.SIGINT, "text"), (signal.SIGINT, "json")])
def test_jobs_run_interrupted_ends_promptly_without_traceback(tmp_path: Path, sig: signal.Signals, fmt: str) -> None:
    # json: the workers' rendered texts travel in spool files (run._work), which must not outlive the run
    proc, out = mid_write(tmp_path, "--format", fmt, "--jobs", "2", group=True)
    time.sleep(0.3)  # the workers are up and busy
    assert proc.poll() is None, "the run finished before it could be interrupted; make the corpus larger"
    os.killpg(proc.pid, sig)  # as a terminal does: the whole process group gets it
    started = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 15
    assert proc.returncode != 0 and "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines()[-1].startswith("obcheck: interrupted")
    assert out.read_text() == "earlier report\n"
    assert list(tmp_path.glob(".report.json.*")) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_fewer_agreements_than_jobs_start_no_idle_workers(tmp_path: Path) -> None:
    from obcheck.run import start

    started: list[int] = []
    import multiprocessing.pool

    original = multiprocessing.pool.Pool.__init__

    def spy(self: object, processes: int | None = None, *args: object, **kwargs: object) -> None:
        started.append(processes or 0)
        original(self, processes, *args, **kwargs)  # type: ignore[arg-type]

    pytest.MonkeyPatch().setattr(multiprocessing.pool.Pool, "__init__", spy)
    try:
        run = start([FACT], [MINI], "python", jobs=64)
        assert [a.id for a in run.report().agreements] == ["alpha-2024"]
    finally:
        pytest.MonkeyPatch().undo()
        multiprocessing.pool.Pool.__init__ = original  # type: ignore[method-assign]
    assert started == [1]


def test_matrix_sends_no_colour_to_a_dumb_terminal() -> None:
    env = {**ENV, "TERM": "dumb"}
    done = subprocess.run(["script", "-qec", f"{sys.executable} -m obcheck matrix {ROOT / 'tests/fixtures/corpus'} --rules {MINI}", "/dev/null"],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0 and "script" in done.stderr:
        pytest.skip("no `script` to give the run a terminal")
    assert "alpha-2024" in done.stdout and "\x1b[" not in done.stdout


def test_explain_with_a_name_too_long_for_a_file_is_a_clean_error() -> None:
    done = obcheck("explain", "binding-status", "x" * 300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("<command line>:1:1: no agreement 'xxxx") and len(done.stderr.splitlines()[0]) < 200

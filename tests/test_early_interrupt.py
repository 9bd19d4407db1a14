"""Ctrl-C early in `nb1s blackbox` and `nb1s reproduce blackbox`: one line, exit 130.

An early interrupt used to print a worker's traceback after the one line: a worker the
local pool was still starting outlived the command and failed on the pool's unlinked
semaphores, and the fork server died in its imports with a KeyboardInterrupt. Each case
starts the command in its own session and sends SIGINT to its whole process group, as a
terminal's Ctrl-C does (fork server and workers included), at one moment of the start:
while the program imports, as soon as the pool's fork server exists, as soon as its
first worker exists, and twice in a row (an impatient user). The index is SYNTHETIC
(the smoke profile's).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from blackbox_helpers import build_full_index

from nb1s.harness.executors.process_pool import WORKER_LOG


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_index(tmp_path_factory.mktemp("early"))


def _family(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _server(pid: int) -> psutil.Process | None:
    """The pool's fork server among the command's children, if it exists yet."""
    for proc in _family(pid):
        try:
            if "multiprocessing.forkserver" in " ".join(proc.cmdline()):
                return proc
        except psutil.Error:
            continue
    return None


def _worker(pid: int) -> bool:
    server = _server(pid)
    try:
        return server is not None and bool(server.children())
    except psutil.Error:
        return False


def _importing(pid: int) -> bool:
    """nb1s's compiled extension is mapped: the program imports its modules (the CLI's
    own come after it), past the interpreter's start, where no program can answer a
    signal."""
    try:
        return "/enumerate/_core" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


#: when the first SIGINT is sent (a check of the running command), and how many
MOMENTS: dict[str, tuple[Callable[[int], object], int]] = {
    "importing": (_importing, 1),
    "server-started": (_server, 1),
    "first-worker": (_worker, 1),
    "first-worker-twice": (_worker, 2),
}


def _commands(index: Path, out: Path) -> dict[str, tuple[list[str], str]]:
    """argv and the resume command each must name."""
    blackbox = ["blackbox", "TPE", "--space", "1", "--seeds", "0-39", "--evaluations", "280",
                "--workers", "2", "--data-dir", str(index), "--out", str(out)]
    reproduce = ["reproduce", "blackbox", "--profile", "smoke", "--workers", "2",
                 "--out", str(out)]
    return {"blackbox": (blackbox, "nb1s " + " ".join(blackbox)),
            "reproduce-blackbox": (reproduce, "nb1s " + " ".join(reproduce))}


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("command", ["blackbox", "reproduce-blackbox"])
def test_an_early_ctrl_c_prints_only_the_resume_line(index: Path, tmp_path: Path,
                                                     command: str, moment: str) -> None:
    out = tmp_path / "out"
    argv, resume = _commands(index, out)[command]
    ready, presses = MOMENTS[moment]
    proc = subprocess.Popen([sys.executable, "-m", "nb1s.harness.cli.app", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ready(proc.pid):
            assert proc.poll() is None, f"ended before {moment}: {proc.communicate()[1]}"
            assert time.monotonic() < deadline, f"never reached {moment}"
            time.sleep(0.01)
        for press in range(presses):
            if press:
                time.sleep(0.1)
            os.killpg(proc.pid, signal.SIGINT)  # the whole group, as a terminal does
        stopped = time.monotonic()
        # read to the end: until every process holding the pipe (workers too) is gone
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert time.monotonic() - stopped < 30, "Ctrl-C took longer than seconds"
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err[-3000:]
    assert lines[0].startswith("nb1s: interrupted") and f"resume with: {resume}" in lines[0]
    # nothing of the command is left running, and its workers printed nothing either
    time.sleep(0.2)
    left = [p for p in psutil.process_iter(["pid"]) if _session(p) == proc.pid]
    assert not left, [p.cmdline() for p in left]
    for log in out.rglob(WORKER_LOG):
        text = log.read_text(errors="replace")
        assert "Traceback" not in _without_cut_worker_starts(text), text[-3000:]


#: the tracebacks a worker log may hold after an interrupt: those of multiprocessing's own
#: fork-server machinery that nb1s's stop cut mid-way, never a task's. A worker whose start
#: the interrupt cut (its preparation data never sent: `EOFError: Ran out of input`), or
#: the fork server itself, killed by `stop_server` while it still imported its preload
#: modules (printing is cut with it). A known limit, in docs/interrupting-and-resuming.md.
_MACHINERY = "/multiprocessing/forkserver.py"


#: this checkout: a frame under it is nb1s's code (the package maps onto its folders)
_CHECKOUT = str(Path(__file__).resolve().parents[1])


def _without_cut_worker_starts(text: str) -> str:
    """`text` without the tracebacks that pass through multiprocessing's fork server (see
    `_MACHINERY`) and show no frame of this checkout; any other traceback stays."""
    blocks = text.split("Traceback (most recent call last):")
    kept = [blocks[0]] + ["Traceback (most recent call last):" + b for b in blocks[1:]
                          if _MACHINERY not in b or _CHECKOUT in b]
    return "".join(kept)


def _session(proc: psutil.Process) -> int | None:
    """The session of a live process (None: gone, or a zombie nobody reaped yet)."""
    try:
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return os.getsid(proc.pid)
    except (OSError, psutil.Error):
        return None

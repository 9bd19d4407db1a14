"""nb1s on a real Slurm cluster (`make engines`: a single-node cluster with accounting).

One flow over `nb1s reproduce fig2 --profile smoke --executor slurm`, so the ten runs are
paid for once: Ctrl-C once a run is complete (every task cancelled, exit 130), a resume
cancelled from outside with scancel (one line, exit 1, no wait without end), a resume to
the end (only the missing runs submitted; the same records and PASS as the local
executor). Then what is refused before anything is written or submitted: a request no
node can fit, a GPU on a cluster without GPUs, a partition without nodes. And the
black-box grid as one CPU-only array, byte for byte the local seed files. Skipped, with
the reason, where no cluster answers.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from engine_flow import (
    assert_equals_local,
    complete_runs,
    fig2_args,
    interrupt,
    records,
    run,
    start,
    wait_until,
)
from engines import slurm_reason, squeue_names

REASON = slurm_reason()
pytestmark = [pytest.mark.engines,
              pytest.mark.skipif(REASON is not None, reason=f"Slurm: {REASON}")]


def _arrays(out: Path) -> dict[str, int]:
    """Array id -> number of tasks submitit submitted into OUT/slurm."""
    counts: dict[str, int] = {}
    for pkl in (out / "slurm").glob("*_submitted.pkl"):
        array = pkl.name.split("_", 1)[0]
        counts[array] = counts.get(array, 0) + 1
    return counts


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("slurm")
    out, data = root / "fig2", root / "data"
    argv = fig2_args(out, data, "--executor", "slurm")
    seen: dict[str, Any] = {"out": out, "data": data}
    # 1. Ctrl-C once a run is complete
    proc = start(argv)
    wait_until(lambda: len(complete_runs(out)) >= 1, 600, "a first run completes", proc)
    seen["ctrl_c"] = interrupt(proc)
    wait_until(lambda: not squeue_names(), 60, "Slurm lists no nb1s task after Ctrl-C")
    seen["complete_after_ctrl_c"] = complete_runs(out)
    seen["arrays_after_ctrl_c"] = _arrays(out)
    # 2. a resume, its array cancelled from outside nb1s
    proc = start(argv)
    wait_until(lambda: bool(squeue_names()), 120, "the resumed array is queued", proc)
    ids = sorted({j.split("_", 1)[0] for j in squeue_names()})
    subprocess.run(["scancel", *ids], check=True, timeout=30)
    _, err = proc.communicate(timeout=180)
    seen["external"] = (proc.returncode, err)
    # 3. a resume to the end
    before = _arrays(out)
    done = run(argv)
    seen["final"] = done
    seen["new_arrays"] = {a: n for a, n in _arrays(out).items() if a not in before}
    seen["result"] = json.loads(done.stdout) if done.stdout.strip() else {}
    return seen


def test_ctrl_c_cancels_every_slurm_task_and_says_how_to_resume(flow: dict[str, Any]) -> None:
    code, err, seconds = flow["ctrl_c"]
    assert code == 130, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "resume with: nb1s " in lines[0], err
    assert "Slurm was asked to cancel" in lines[0]
    assert seconds < 30
    (first,) = flow["arrays_after_ctrl_c"].values()
    assert first == 10  # all ten runs of Figure 2's smoke profile in one array


def test_a_job_cancelled_outside_nb1s_is_one_line_and_no_endless_wait(
        flow: dict[str, Any]) -> None:
    code, err = flow["external"]
    lines = [x for x in err.splitlines() if x.strip()]
    assert code == 1 and len(lines) == 1, err
    assert "Slurm ended run" in lines[0] and "CANCELLED" in lines[0], err
    assert "the same command resumes the rest" in lines[0]


def test_resume_submits_only_the_missing_runs_and_equals_the_local_run(
        flow: dict[str, Any]) -> None:
    done, result, out = flow["final"], flow["result"], flow["out"]
    assert done.returncode == 0, done.stderr
    skipped = result["run"]["skipped"]
    missing = set(result["run"]["started"]) | set(result["run"]["resumed"])
    assert set(flow["complete_after_ctrl_c"]) <= set(skipped)
    assert len(skipped) + len(missing) == 10 and len(missing) < 10
    assert list(flow["new_arrays"].values()) == [len(missing)]  # only they were submitted
    assert_equals_local(out, result)
    assert len(records(out)) == 10


def test_a_cpu_only_run_asks_slurm_for_no_gpu(flow: dict[str, Any]) -> None:
    scripts = list((flow["out"] / "slurm").glob("*_submission.sh"))
    assert scripts
    for script in scripts:
        text = script.read_text()
        assert "--gpus" not in text and "--gres" not in text, text
        assert "#SBATCH --cpus-per-task=1" in text and "#SBATCH --mem=4GB" in text, text


@pytest.mark.parametrize(("option", "expected"), [
    (["--slurm-cpus", "4096"], "4096 CPUs per task, its largest node has"),
    (["--slurm-gpus", "1"], "1 GPU(s) per task, its nodes have none"),
    (["--slurm-partition", "moon"], "partition moon has no nodes"),
])
def test_a_request_no_node_can_fit_is_refused_before_submitting(
        flow: dict[str, Any], tmp_path: Path, option: list[str], expected: str) -> None:
    before = _arrays(tmp_path / "o")
    done = run(fig2_args(tmp_path / "o", flow["data"], "--executor", "slurm", *option),
               timeout=300)
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "cannot fit one task" in lines[0] or "has no nodes" in lines[0]
    assert expected in lines[0], lines[0]
    assert _arrays(tmp_path / "o") == before == {}  # nothing was submitted
    assert not (tmp_path / "o").exists()  # refused before any data or folder was written


def test_blackbox_smoke_on_slurm_writes_the_local_seed_files_byte_for_byte(
        tmp_path: Path) -> None:
    """The black-box grid as one CPU-only array: every seed file equals the local run's."""
    from engine_flow import NB1S

    files = {}
    for where, extra in (("slurm", ["--executor", "slurm"]), ("local", [])):
        out = tmp_path / where
        done = run([*NB1S, "reproduce", "blackbox", "--profile", "smoke", "--out", str(out),
                    "--json", *extra], timeout=600)
        assert done.returncode == 0, done.stderr
        files[where] = {str(p.relative_to(out)): p.read_bytes()
                        for p in sorted(out.rglob("seed-*.npy"))}
        if where == "slurm":
            assert json.loads(done.stdout)["run"]["executor"] == "slurm"
    assert len(files["slurm"]) == 14 and files["slurm"] == files["local"]

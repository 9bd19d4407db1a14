"""The house's guarantees for the blackbox, bohb (fig5/14/15) and fanova (fig16) kinds.

Each test is one integrity case of issue 19 as a new user met it: a second command into
a busy results folder, damaged or deleted record files, a lost settings file, inputs far
beyond the machine, Ctrl-C, `nb1s diff` on every kind's folder, and children that must
run the parent's code. Index and logs are SYNTHETIC (the smoke profile's data).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from blackbox_helpers import build_full_index

from nb1s.harness.blackbox_runs.grid import (
    RUN_FILE,
    load_records,
    record_problem,
    run_blackbox_grid,
    seed_file,
)
from nb1s.harness.errors import UserError
from nb1s.harness.guards.folder_lock import LOCK_FILE, folder_lock


def nb1s(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # wide enough that the diff table's cells are not wrapped
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, check=False, cwd=cwd, timeout=600,
                          env={**os.environ, "COLUMNS": "250"})


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_index(tmp_path_factory.mktemp("guarantees"))


# --- one owner per results folder -----------------------------------------------------

@pytest.mark.parametrize("command", [
    ["blackbox", "RS", "--space", "1", "--seeds", "0", "--evaluations", "5"],
    ["reproduce", "blackbox", "--profile", "smoke"],
    ["reproduce", "fig5", "--profile", "smoke"],
    ["reproduce", "fig16", "--profile", "smoke"],
])
def test_a_second_command_into_a_busy_results_folder_is_refused(tmp_path: Path,
                                                                command: list[str]) -> None:
    out = tmp_path / "busy"
    with folder_lock(out, "a running nb1s"):
        proc = nb1s(*command, "--out", str(out))
        written = sorted(p.name for p in out.iterdir())
    assert proc.returncode == 2, proc.stdout[-500:] + proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "is in use by pid" in lines[0] and "a running nb1s" in lines[0]
    assert written == [LOCK_FILE]  # nothing else written


def test_the_lock_is_reentrant_in_one_process_and_leaves_no_empty_folder(
        tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    with folder_lock(out, "outer"), folder_lock(out, "inner (the runner below a kind)"):
        assert (out / LOCK_FILE).is_file()
    assert not (tmp_path / "a").exists()  # created for the lock only: removed again
    kept = tmp_path / "kept"
    with folder_lock(kept, "writes something"):
        (kept / "plan.json").write_text("{}")
    assert (kept / "plan.json").is_file()


# --- record files verified by content, settings that one deletion cannot lose ---------

def _damage(path: Path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:-40])
    elif how == "random":
        path.write_bytes(np.random.default_rng(0).bytes(path.stat().st_size))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "wrong dtype":
        np.save(path, np.zeros(15))
    elif how == "other seed":
        np.save(path, load_records(path.parent / f"seed-{len(DAMAGE) + 1}.npy"))
    elif how == "fewer records":
        np.save(path, load_records(path)[:5])


DAMAGE = ("truncated", "random", "empty", "wrong dtype", "other seed", "fewer records")


def test_damaged_seed_files_are_run_again_never_counted_finished(index: Path,
                                                                 tmp_path: Path) -> None:
    data = index
    seeds = list(range(1, len(DAMAGE) + 2))
    first = run_blackbox_grid("RS", 1, seeds, 15, tmp_path, data_dir=data)
    assert first["ran"] == len(seeds)
    before = {s: load_records(seed_file(tmp_path, 1, "RS", s)) for s in seeds}
    for seed, how in zip(seeds, DAMAGE, strict=False):
        _damage(seed_file(tmp_path, 1, "RS", seed), how)
        assert record_problem(seed_file(tmp_path, 1, "RS", seed), seed, "RS", 15), how
    again = run_blackbox_grid("RS", 1, seeds, 15, tmp_path, data_dir=data)
    assert (again["ran"], again["skipped"]) == (len(DAMAGE), 1)
    assert len(again["damaged"]) == len(DAMAGE)
    for seed in seeds:  # the runs again give the records the first run wrote
        np.testing.assert_array_equal(load_records(seed_file(tmp_path, 1, "RS", seed)),
                                      before[seed])
    assert run_blackbox_grid("RS", 1, seeds, 15, tmp_path, data_dir=data)["ran"] == 0


def test_seed_files_without_their_run_file_are_refused(index: Path, tmp_path: Path) -> None:
    data = index
    run_blackbox_grid("RS", 1, [0, 1], 15, tmp_path, data_dir=data)
    (tmp_path / "ss1" / "RS" / RUN_FILE).unlink()
    with pytest.raises(UserError, match="settings they were run with are unknown"):
        run_blackbox_grid("RS", 1, [0, 1, 2], 20, tmp_path, data_dir=data)
    assert not seed_file(tmp_path, 1, "RS", 2).exists()


# --- inputs bounded before anything is allocated or written ---------------------------

@pytest.mark.parametrize("args", [
    ["--evaluations", "1000000000", "--seeds", "0"],
    ["--seeds", "0-99999999"],
])
def test_a_grid_larger_than_the_machine_is_refused_with_its_estimate(tmp_path: Path,
                                                                     args: list[str]) -> None:
    out = tmp_path / "big"
    started = time.perf_counter()
    proc = nb1s("blackbox", "RS", "--space", "1", *args, "--out", str(out))
    assert proc.returncode == 2 and time.perf_counter() - started < 60
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "too large for this machine" in lines[0]
    assert "of seed files" in lines[0] and "of CPU time" in lines[0]
    assert not out.exists()


def test_the_estimate_grows_with_seeds_and_evaluations() -> None:
    from nb1s.harness.blackbox_runs.budget import estimate

    small = estimate([("RS", 280)], 10)
    assert estimate([("RS", 280)], 20).disk_bytes > small.disk_bytes
    assert estimate([("RS", 560)], 10).memory_bytes > small.memory_bytes
    assert estimate([("SMAC", 280)], 10).cpu_seconds > small.cpu_seconds
    assert estimate([("HB", 280)], 10).disk_bytes > small.disk_bytes  # rungs of budgets


# --- Ctrl-C --------------------------------------------------------------------------

def test_ctrl_c_stops_nb1s_blackbox_within_seconds_and_names_the_resume_command(
        index: Path, tmp_path: Path) -> None:
    out = tmp_path / "stop"
    argv = [sys.executable, "-m", "nb1s.harness.cli.app", "blackbox", "TPE", "--space", "1",
            "--seeds", "0-39", "--evaluations", "280", "--workers", "2", "--data-dir",
            str(index), "--out", str(out), "--json"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    folder = out / "ss1" / "TPE"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and not (
            folder.is_dir() and any(folder.glob("seed-*.npy"))):
        time.sleep(0.2)
    time.sleep(0.5)  # mid-run: seeds finished, the workers inside the next ones
    assert proc.poll() is None, proc.communicate()[1][-2000:]
    proc.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - stopped < 15, "Ctrl-C took longer than seconds"
    assert proc.returncode == 130, err[-2000:]
    lines = [x for x in err.splitlines() if x.startswith("nb1s: interrupted: stopped: ")]
    assert len(lines) == 1 and "Traceback" not in err, err[-2000:]
    assert "resume with: nb1s blackbox TPE --space 1 --seeds 0-39" in lines[0]
    # whatever finished is valid; nothing half-written is left behind
    for path in (out / "ss1" / "TPE").glob("seed-*.npy"):
        seed = int(path.stem.split("-")[1])
        assert record_problem(path, seed, "TPE", 280) is None
    assert not list((out / "ss1" / "TPE").glob(".*.tmp"))


# --- children run exactly the parent's code -------------------------------------------

def test_children_import_the_parents_nb1s_not_the_current_directorys(tmp_path: Path) -> None:
    from nb1s.harness.executors.base import Job, child_env

    other = tmp_path / "another-checkout"
    (other / "nb1s").mkdir(parents=True)
    (other / "nb1s" / "__init__.py").write_text("raise ImportError('the wrong checkout')\n")
    job = Job("probe", ("enumerate", "--space", "1", "--json"), tmp_path / "log")
    ours = subprocess.run(job.argv(), capture_output=True, text=True, cwd=other,
                          env=child_env(), check=False)
    assert ours.returncode == 0, ours.stderr[-1000:]
    # what children did before: `python -m` puts the current directory first
    naive = subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", "enumerate",
                            "--space", "1", "--json"], capture_output=True, text=True,
                           cwd=other, check=False)
    assert naive.returncode != 0 and "the wrong checkout" in naive.stderr


# --- nb1s diff on every kind's folder ------------------------------------------------

def test_diff_of_a_blackbox_folder_fails_on_a_deleted_or_damaged_planned_seed(
        tmp_path: Path) -> None:
    out = tmp_path / "bb"
    done = nb1s("reproduce", "blackbox", "--profile", "smoke", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    clean = nb1s("diff", str(out))
    assert clean.returncode == 0 and "Traceback" not in clean.stderr
    seed_file(out / "blackbox", 1, "RE", 0).unlink()
    np.save(seed_file(out / "blackbox", 1, "RS", 0), np.zeros(3))
    proc = nb1s("diff", str(out))  # the human view, without --json
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "planned seeds finished" in proc.stdout and "2 missing" in proc.stdout
    assert "ss1/RE/seed-0" in proc.stdout
    doc = json.loads((out / "diff.json").read_text())
    row = next(r for r in doc["rows"] if r["kind"] == "runs")
    assert row["outcome"] == "failed" and "ss1/RS/seed-0 (" in row["note"]


def _fig5_folder(results: Path) -> None:
    """A fig5 smoke results folder with fabricated, complete BOHB logs and black-box seeds."""
    from blackbox_helpers import fabricate_blackbox_side
    from test_bohb_analysis import fabricate

    from nb1s.harness.execution.runner import bind_results
    from nb1s.harness.experiments.bohb.kind import KIND
    from nb1s.harness.recipe.catalog import load_recipe

    plan = KIND.plan(load_recipe("fig5"), "smoke", "paper")
    bind_results(plan, results)
    for cs in (1, 2, 3):
        for opt in ("darts", "gdas", "pcdarts"):
            fabricate(results, opt, [0.05, 0.004, 0.02, 0.03, 0.01], [1, 1, 2, 2, 2], True, cs,
                      space=3)  # the smoke profile's space
    fabricate_blackbox_side(results, plan)


def test_diff_of_a_fig5_folder_renders_and_fails_on_a_missing_run(tmp_path: Path) -> None:
    from nb1s.harness.experiments.bohb.settings import log_folder

    _fig5_folder(tmp_path)
    whole = nb1s("diff", str(tmp_path))  # without --json: the human view
    assert whole.returncode == 0 and "Traceback" not in whole.stderr, whole.stderr[-2000:]
    assert "NOT CHECKABLE" in whole.stdout and (tmp_path / "diff.md").is_file()
    (log_folder(tmp_path, 2, 3, "gdas", 1) / "results.json").unlink()
    part = nb1s("diff", str(tmp_path))
    assert part.returncode == 1 and "Traceback" not in part.stderr, part.stderr[-2000:]
    assert "planned runs finished" in part.stdout and "cs2/ss3/gdas/seed-1" in part.stdout
    summary = json.loads((tmp_path / "bohb-summary.json").read_text())
    assert summary["status"] == "partial" and summary["missing_runs"] == ["cs2/ss3/gdas/seed-1"]


def test_diff_of_a_fig5_folder_fails_on_a_deleted_or_damaged_blackbox_seed(
        tmp_path: Path) -> None:
    """The black-box side of a fig5 folder is checked as `reproduce blackbox` folders are
    (the shared `blackbox_runs.grid.missing_seed_files`): re-derived from the seed files."""
    _fig5_folder(tmp_path)
    clean = nb1s("diff", str(tmp_path), "--json")
    assert clean.returncode == 0, clean.stderr[-2000:]
    row = next(r for r in json.loads(clean.stdout)["rows"]
               if r["metric"] == "planned black-box seeds finished")
    assert row["outcome"] == "checked" and row["note"] == "all present"
    seed_file(tmp_path / "blackbox", 3, "RE", 0).unlink()
    np.save(seed_file(tmp_path / "blackbox", 3, "TPE", 2), np.zeros(3))  # not records
    short = seed_file(tmp_path / "blackbox", 3, "RS", 1)
    np.save(short, np.load(short)[:-1])  # a record array, one evaluation short
    proc = nb1s("diff", str(tmp_path))  # the human view, without --json
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "planned black-box seeds finished" in proc.stdout and "3 missing" in proc.stdout
    doc = json.loads((tmp_path / "diff.json").read_text())
    row = next(r for r in doc["rows"] if r["metric"] == "planned black-box seeds finished")
    assert row["outcome"] == "failed"
    assert "blackbox/ss3/RE/seed-0," in row["note"]
    assert "blackbox/ss3/RS/seed-1 (holds 149 records, not 150)" in row["note"]
    assert "blackbox/ss3/TPE/seed-2 (" in row["note"]
    summary = json.loads((tmp_path / "bohb-summary.json").read_text())
    assert summary["status"] == "partial" and summary["missing_runs"] == []
    assert len(summary["missing_blackbox_seeds"]) == 3


def test_partial_fig5_figures_say_partial_in_their_title(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from nb1s.harness.experiments.bohb import settings as bohb_settings
    from nb1s.harness.experiments.bohb.kind import KIND
    from nb1s.harness.experiments.bohb.settings import log_folder
    from nb1s.harness.experiments.kind import Request
    from nb1s.harness.recipe.catalog import load_recipe

    titles: list[str] = []

    def record(curves: object, title: str, *args: object) -> list[Path]:
        titles.append(title)
        return []

    monkeypatch.setattr("nb1s.harness.experiments.bohb.plot.plot_figure", record)
    _fig5_folder(tmp_path)
    request = Request(load_recipe("fig5"), "smoke", "paper", tmp_path)
    KIND.diff(request)
    assert titles and not any("partial" in t for t in titles)
    (log_folder(tmp_path, 1, 3, "darts", 1) / "results.json").unlink()
    titles.clear()
    KIND.diff(request)
    assert titles and all("partial: 1 BOHB runs missing" in t for t in titles)
    assert bohb_settings.SUMMARY == "bohb-summary.json"


def test_diff_of_a_fig16_folder_renders_without_json(tmp_path: Path) -> None:
    out = tmp_path / "fig16"
    done = nb1s("reproduce", "fig16", "--profile", "smoke", "--out", str(out), "--json",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    proc = nb1s("diff", str(out))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "NOT CHECKABLE" in proc.stdout
    os.remove(out / "fanova.json")
    gone = nb1s("diff", str(out))
    assert gone.returncode == 2 and len(gone.stderr.strip().splitlines()) == 1


def test_ctrl_c_stops_reproduce_fig5_within_seconds_and_names_the_resume_command(
        tmp_path: Path) -> None:
    """The BOHB side trains in this process (smoke): the stop waits for the epoch end of
    the running evaluation, then exits without the interpreter's slow teardown."""
    out = tmp_path / "fig5"
    proc = subprocess.Popen([sys.executable, "-m", "nb1s.harness.cli.app", "reproduce", "fig5",
                             "--profile", "smoke", "--out", str(out), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and not any(
            (out / "bohb").glob("cs*/ss*/*/seed-*/evaluations/config-*")):
        time.sleep(0.2)
    assert time.monotonic() < deadline, "no BOHB evaluation started"
    time.sleep(1.0)
    assert proc.poll() is None, proc.communicate()[1][-2000:]
    proc.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    _, err = proc.communicate(timeout=120)
    seconds = time.monotonic() - stopped
    assert proc.returncode == 130, err[-2000:]
    assert seconds < 30, f"Ctrl-C took {seconds:.0f} s"  # 75 s before; ~2 s when idle
    line = err.strip().splitlines()[-1]
    assert f"resume with: nb1s reproduce fig5 --profile smoke --out {out}" in line


def test_the_architecture_page_shows_a_real_kind_verbatim() -> None:
    """docs/architecture.md's "Adding an experiment kind" example is the text of a kind
    that exists (the page once imported modules nobody had written)."""
    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page[page.index("## Adding an experiment kind"):]
    block = section[section.index("```python\n") + len("```python\n"):]
    block = block[:block.index("   ```\n")]
    shown = "\n".join(line[3:] for line in block.splitlines())
    real = (root / "harness" / "experiments" / "correlation" / "kind.py").read_text(
        encoding="utf-8")
    assert shown.strip() == real.strip()
    assert '"correlation": "nb1s.harness.experiments.correlation.kind:KIND"' in (
        root / "harness" / "experiments" / "registry.py").read_text(encoding="utf-8")


def test_cannot_run_answers_have_one_constructor_and_exit_3(tmp_path: Path) -> None:
    from nb1s.harness.experiments.dispatch import exit_code_for
    from nb1s.harness.experiments.result import KindResult
    from nb1s.harness.recipe.catalog import load_recipe

    root = Path(__file__).resolve().parent.parent / "harness"
    builders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                if re.search(r"""status["']?\s*[:=]\s*["']cannot-run["']""",
                             p.read_text(encoding="utf-8"))]
    assert builders == ["experiments/result.py"]
    blocked = [{"variant": "v", "label": "l", "reason": "r"}]
    answer = KindResult.cannot_run(load_recipe("fig16"), blocked, tmp_path, profile="smoke")
    assert answer.status == "cannot-run" and answer.to_json()["blocked"] == blocked
    assert answer.to_json()["profile"] == "smoke" and exit_code_for(answer) == 3


def test_the_profile_is_decided_in_the_plan_only() -> None:
    """No module but the plan compares a profile's name (issue 19: 10 comparisons in 5
    modules before); kinds ask `profile_block` / `profile_labels`."""
    from nb1s.harness.recipe.catalog import load_recipe
    from nb1s.harness.recipe.plan import profile_block, profile_labels

    root = Path(__file__).resolve().parent.parent / "harness"
    comparing = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                       if any(f'{op} "smoke"' in p.read_text(encoding="utf-8")
                              for op in ("==", "!=")))
    assert comparing == []  # recipe/plan.py compares with its SMOKE constant
    assert profile_block(load_recipe("fig5"), "paper") is None
    assert profile_block(load_recipe("fig5"), "smoke") is not None
    assert profile_labels("smoke") == ["smoke", "synthetic"] and profile_labels("paper") == []


def test_only_the_plan_header_applies_a_profile_block() -> None:
    """Every kind takes the profile's replacement block from `plan_header` (issue 19: the
    profile applied once); no module outside recipe/plan.py asks `profile_block` itself."""
    import re

    root = Path(__file__).resolve().parent.parent / "harness"
    calling = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if re.search(r"\bprofile_block\(", p.read_text(encoding="utf-8")))
    assert calling == ["recipe/plan.py"]


def test_a_black_box_optimizer_registered_at_runtime_runs_and_is_verified(
        index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One registration (an entry in BLACKBOX_OPTIMIZERS) and the grid runs it, counts
    its records by the entry's own facts and re-runs a damaged seed of it."""
    from nb1s.harness.blackbox_runs.budget import records_per_seed
    from nb1s.optimizers.discrete import BLACKBOX_OPTIMIZERS
    from nb1s.optimizers.discrete.random_search import random_search
    from nb1s.optimizers.discrete.registry import BlackBoxOptimizer

    monkeypatch.setitem(BLACKBOX_OPTIMIZERS, "RS2",
                        BlackBoxOptimizer(name="RS2", vectorised=True, runner=random_search,
                                          seconds_per_seed=0.05, color="k", marker="o"))
    done = run_blackbox_grid("RS2", 1, [0, 1], 12, tmp_path, data_dir=index)
    assert done["ran"] == 2 and len(load_records(seed_file(tmp_path, 1, "RS2", 1))) == 12
    np.save(seed_file(tmp_path, 1, "RS2", 1), load_records(seed_file(tmp_path, 1, "RS2", 1))[:3])
    again = run_blackbox_grid("RS2", 1, [0, 1], 12, tmp_path, data_dir=index)
    assert (again["ran"], again["skipped"]) == (1, 1)
    assert records_per_seed("RS2", 10) == 10 and records_per_seed("HB", 10) == 270

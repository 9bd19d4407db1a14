"""Every command's bad-input path, table-driven: one line on stderr, exit 2, no traceback,
nothing half-written (issue 11's list and issue 12's careless-user cases).

Each row is a real `nb1s` invocation in a subprocess. `{data}` expands to the shared
SYNTHETIC index and digits, `{tmp}` to this test's folder, `{imm}` to a `chattr +i`
(immutable) folder: the one way to get a real permission error as root. `absent` names
paths that must not exist afterwards (nothing was written, or nothing was prepared).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

NB1S = [sys.executable, "-m", "nb1s.harness.cli.app"]
SEARCH = ["search", "darts", "--space", "1", "--data-dir", "{data}/nb101", "--cifar-dir",
          "{data}/digits", "--epochs", "1", "--set", "max_batches_per_epoch=1"]
SMOKE = ["--profile", "smoke"]

# (id, argv, message fragment, paths that must not exist afterwards)
CASES: list[tuple[str, list[str], str, list[str]]] = [
    ("validate-binary", ["validate", "{tmp}/binary.yaml"], "not a UTF-8 text file", []),
    ("run-binary", ["run", "{tmp}/binary.yaml"], "not a UTF-8 text file", []),
    ("search-immutable-out", [*SEARCH, "--out", "{imm}/run"], "Operation not permitted",
     ["{imm}/run"]),
    ("digits-immutable-out", ["cifar", "digits", "--out", "{imm}/digits"],
     "Operation not permitted", ["{imm}/digits"]),
    ("synth-immutable-out", ["data", "synth", "--models", "3", "--out", "{imm}/x.tfrecord"],
     "Operation not permitted", ["{imm}/x.tfrecord"]),
    ("import-immutable-into", ["data", "import", "{tmp}/small.tfrecord", "--into",
                               "{imm}/nb101"], "Operation not permitted", ["{imm}/nb101"]),
    ("fig6-immutable-out", ["reproduce", "fig6", *SMOKE, "--out", "{imm}/fig6"],
     "Operation not permitted", ["{imm}/fig6"]),
    ("diff-immutable-report", ["diff", "{tmp}/results", "--report", "{imm}/r.md"],
     "Operation not permitted", ["{imm}/r.md"]),
    ("search-out-is-a-file", [*SEARCH, "--out", "{tmp}/afile"], "is a file", []),
    ("search-out-under-a-file", [*SEARCH, "--out", "{tmp}/afile/sub"], "which is a file", []),
    ("synth-out-is-a-folder", ["data", "synth", "--models", "3", "--out", "{tmp}"],
     "is a folder", []),
    ("search-out-empty", [*SEARCH, "--out", ""], "current directory", []),
    ("search-out-dataset", [*SEARCH, "--out", "{data}/digits"], "is a data set", []),
    ("search-negative-lr", [*SEARCH, "--out", "{tmp}/r", "--set", "learning_rate=-1"],
     "learning_rate=-1.0 must be > 0", ["{tmp}/r"]),
    ("search-nan-lr", [*SEARCH, "--out", "{tmp}/r", "--set", "learning_rate=nan"],
     "must be a finite number", ["{tmp}/r"]),
    ("search-zero-layers", [*SEARCH, "--out", "{tmp}/r", "--set", "layers=0"],
     "layers=0 must be >= 1", ["{tmp}/r"]),
    ("fixed-architecture-out-of-range",
     ["search", "fixed", "--space", "1", "--data-dir", "{data}/nb101", "--cifar-dir",
      "{data}/digits", "--out", "{tmp}/r", "--set", "architecture=99999999"],
     "must be a config id", ["{tmp}/r"]),
    ("diff-against-wrong-shape", ["diff", "{tmp}/results", "--against", "{tmp}/other.json"],
     "is not an nb1s aggregate", []),
    ("check-reference-wrong-shape", ["check", "darts", "--recipe", "fig2", *SMOKE, "--out",
                                     "{tmp}/c", "--reference", "{tmp}/other.json"],
     "is not an nb1s aggregate", ["{tmp}/c"]),
    ("check-gate-against-bogus", ["check", "darts", "--recipe", "fig2", *SMOKE, "--out",
                                  "{tmp}/c", "--gate-against", "bogus"],
     "--gate-against 'bogus'", ["{tmp}/c"]),
    ("check-out-is-a-reproduce-folder", ["check", "darts", "--recipe", "fig2", *SMOKE,
                                         "--out", "{tmp}/results"],
     "holds results of `nb1s run`/`reproduce`", ["{tmp}/results/data"]),
    ("run-gpus-abc", ["run", "fig2", *SMOKE, "--out", "{tmp}/x", "--gpus", "abc"],
     "expected GPU ids", ["{tmp}/x"]),
    ("run-negative-timeout", ["run", "fig2", *SMOKE, "--out", "{tmp}/x", "--timeout-min",
                              "-5"], "positive number of minutes", ["{tmp}/x"]),
    ("run-slurm-without-slurm", ["run", "fig2", *SMOKE, "--out", "{tmp}/x", "--executor",
                                 "slurm"], "no Slurm is reachable", ["{tmp}/x"]),
    ("reproduce-unknown-executor", ["reproduce", "fig2", *SMOKE, "--out", "{tmp}/x",
                                    "--executor", "k8s"], "unknown executor", ["{tmp}/x"]),
    ("run-unknown-optimizer", ["run", "{tmp}/fig2.yaml", *SMOKE, "--out", "{tmp}/x"],
     "nothing was run", ["{tmp}/x"]),
    # the analysis kinds own their --out like the search kinds (issue 12, gap 2)
    ("fig6-out-is-a-file", ["reproduce", "fig6", *SMOKE, "--out", "{tmp}/afile"], "is a file",
     []),
    ("fig6-out-empty", ["reproduce", "fig6", *SMOKE, "--out", ""], "current directory",
     ["{tmp}/plan.json", "{tmp}/data"]),
    ("fig6-out-dataset", ["reproduce", "fig6", *SMOKE, "--out", "{data}/digits"],
     "is a data set", ["{data}/digits/plan.json", "{data}/digits/data"]),
    ("fig6-out-is-a-search-run", ["reproduce", "fig6", *SMOKE, "--out", "{tmp}/arun"],
     "holds a single search run", ["{tmp}/arun/plan.json", "{tmp}/arun/data"]),
    ("fig6-out-is-a-check-folder", ["reproduce", "fig6", *SMOKE, "--out", "{tmp}/checked"],
     "holds results of `nb1s check`", ["{tmp}/checked/data"]),
    ("fig3-out-is-a-search-run", ["reproduce", "fig3", *SMOKE, "--out", "{tmp}/arun"],
     "holds a single search run", ["{tmp}/arun/plan.json", "{tmp}/arun/data"]),
    ("fig3-out-dataset", ["reproduce", "fig3", *SMOKE, "--out", "{data}/nb101"],
     "is a data set", ["{data}/nb101/plan.json", "{data}/nb101/data"]),
    ("fig17-out-is-a-check-folder", ["reproduce", "fig17", *SMOKE, "--out", "{tmp}/checked"],
     "holds results of `nb1s check`", ["{tmp}/checked/data"]),
    ("fig17-out-under-a-file", ["reproduce", "fig17", *SMOKE, "--out", "{tmp}/afile/sub"],
     "which is a file", []),
    ("data-info-damaged-index", ["data", "info", "--data-dir", "{tmp}/damaged"],
     "re-run `nb1s data import`", []),
]


@pytest.fixture(scope="module")
def world(search_data: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, Path]]:
    """The inputs every case refers to, built once."""
    import numpy as np
    from harness_fixtures import write_results

    from nb1s.harness.nb101.store import metric_file
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord
    from nb1s.harness.recipe.catalog import recipes_dir

    tmp = tmp_path_factory.mktemp("bad-input")
    (tmp / "binary.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary")
    (tmp / "afile").write_text("not a folder\n")
    (tmp / "other.json").write_text(json.dumps({"some": "other json"}))
    (tmp / "arun").mkdir()
    (tmp / "arun" / "run.json").write_text(json.dumps({"status": "complete"}))
    (tmp / "checked").mkdir()
    (tmp / "checked" / "plan.json").write_text(json.dumps({"command": "check", "runs": []}))
    write_synthetic_tfrecord(tmp / "small.tfrecord", models=3, seed=0)
    write_results(tmp / "results", {("darts", 1): [[0.1, 0.02], [0.3, 0.04]]})
    (tmp / "results" / "aggregate.json").write_text("{ corrupt")
    text = (recipes_dir() / "fig2.yaml").read_text()
    (tmp / "fig2.yaml").write_text(text.replace("optimizer: gdas", "optimizer: nosuch", 1))
    shutil.copytree(search_data["nb101"], tmp / "damaged")
    name = metric_file(108, "final_test_accuracy")
    column = np.load(tmp / "damaged" / name)
    column[:] = 0.0
    np.save(tmp / "damaged" / name, column)
    imm = tmp / "immutable"
    imm.mkdir()
    subprocess.run(["chattr", "+i", str(imm)], check=True)
    yield {"tmp": tmp, "imm": imm, "data": search_data["root"]}
    subprocess.run(["chattr", "-i", str(imm)], check=False)


def _expand(text: str, world: dict[str, Path]) -> str:
    return text.format(tmp=world["tmp"], imm=world["imm"], data=world["data"])


@pytest.mark.parametrize("case_id, argv, fragment, absent", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
        world: dict[str, Path], case_id: str, argv: list[str], fragment: str,
        absent: list[str]) -> None:
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin"}
    if case_id == "run-slurm-without-slurm":  # a CI machine may run Slurm (make engines)
        env["PATH"] = os.path.dirname(sys.executable)
    proc = subprocess.run([*NB1S, *(_expand(a, world) for a in argv)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=world["tmp"])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1 and lines[0].startswith("nb1s: error:"), proc.stderr
    assert fragment in lines[0], lines[0]
    for path in absent:
        assert not Path(_expand(path, world)).exists(), path
    assert not list(world["imm"].iterdir())  # no temporary file left behind


def test_diff_ignores_a_corrupt_cached_aggregate(world: dict[str, Path]) -> None:
    proc = subprocess.run([*NB1S, "diff", str(world["tmp"] / "results"), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["aggregate"]["runs_used"] == [
        "darts/space1/seed0", "darts/space1/seed1"]

"""The record comparisons behind the engine checks, and the BOHB process's `ast.parse` lock.

`bench/fig5_engines.py` compares Figure 5's smoke results of two executors record by
record (docs/cluster-and-container.md has its measured result): what the machine measures
(time stamps, search seconds) and where the results folder lies must not count, a loss,
a configuration or one byte of a black-box seed file must.
"""

from __future__ import annotations

import ast
import json
import threading
import time
from pathlib import Path

import numpy as np
from fig5_engines import first_difference

from nb1s.harness.guards import ast_parse


def _results(out: Path, loss: float = 0.25, finished: float = 10.0, seed_byte: int = 0,
             search_s: float = 3.0) -> Path:
    run = out / "bohb/cs1/ss3/darts/seed-1"
    (run / "evaluations/e0").mkdir(parents=True)
    (run / "configs.json").write_text(json.dumps([[0, 0, 0], {"lr": 0.1},
                                                  {"model_based_pick": False}]) + "\n")
    info = {"config": {"lr": 0.1}, "search_time_s": search_s,
            "run_directory": str(out.resolve() / "bohb/cs1/ss3/darts/seed-1/evaluations/e0")}
    (run / "results.json").write_text(json.dumps(
        [[0, 0, 0], 1.0, {"submitted": 1.0, "finished": finished},
         {"loss": loss, "info": info}, None]) + "\n")
    (run / "evaluations/e0/epochs.jsonl").write_text(json.dumps(
        {"epoch": 1, "config_id": 7, "wall_time_s": search_s}) + "\n")
    np.savez(run / "evaluations/e0/arch_weights.npz", alpha=np.ones(3))
    seeds = out / "blackbox/RS/space3"
    seeds.mkdir(parents=True)
    np.save(seeds / "seed-0.npy", np.array([1, 2, seed_byte], dtype=np.int64))
    return out


def test_fig5_records_ignore_the_machine_and_see_every_search_difference(
        tmp_path: Path) -> None:
    base = _results(tmp_path / "a")
    # other folder, other times: the same records
    assert first_difference(base, _results(tmp_path / "b", finished=99.0,
                                           search_s=8.0)) is None
    loss = first_difference(base, _results(tmp_path / "c", loss=0.26))
    assert loss == "BOHB: bohb/cs1/ss3/darts/seed-1/results.json differs"
    seed = first_difference(base, _results(tmp_path / "d", seed_byte=1))
    assert seed == "black-box: blackbox/RS/space3/seed-0.npy differs"
    missing = _results(tmp_path / "e")
    (missing / "blackbox/RS/space3/seed-0.npy").unlink()
    assert "the files differ" in str(first_difference(base, missing))
    assert "has no BOHB records" in str(first_difference(tmp_path / "none", base))


def test_ast_parse_is_one_at_a_time_once_the_bohb_guard_is_set() -> None:
    """CPython 3.11's AST constructor fails two threads parsing at once (gh-106905): in a
    BOHB run Pyro4's and numpy's ast.literal_eval do. With the guard a parse waits while
    another holds the lock, and gives the same result; setting it twice wraps once."""
    ast_parse.serialize_ast_parse()
    wrapped = ast.parse
    ast_parse.serialize_ast_parse()
    assert ast.parse is wrapped
    got: list[object] = []
    with ast_parse._LOCK:  # another thread's parse in progress
        worker = threading.Thread(target=lambda: got.append(ast.literal_eval("{'a': (1, 2)}")))
        worker.start()
        time.sleep(0.3)
        assert got == []  # literal_eval waited for the lock
    worker.join(timeout=10)
    assert got == [{"a": (1, 2)}]

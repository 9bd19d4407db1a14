"""Verdicts that can fail: perturbed results never pass, too few seeds never pass.

The review measured on the shipped `fig2-smoke-paper.json` (2 seeds per group) that every
`final` row still passed with each final value multiplied by 5 or set to 0, because a row
passed when Welch's p was large. These tests replay exactly those perturbations against
the stored reference and pin that they now fail (exact rule) or are undecided
(statistical rule), never pass; and that an identical copy passes, counted as exact.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nb1s.harness.experiments.search_curves.diff import FINAL_METRICS, diff_aggregates
from nb1s.harness.experiments.search_curves.reference_curves import CURVES_DIR
from nb1s.harness.recipe.schema import DiffSpec
from nb1s.harness.report.verdict import exit_code, outcome_of, verdict

STORED = CURVES_DIR / "fig2-smoke-paper.json"


def nb1s(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, check=False, timeout=300)


def _stored() -> dict[str, Any]:
    agg: dict[str, Any] = json.loads(STORED.read_text(encoding="utf-8"))["aggregate"]
    return agg


def _perturbed(agg: dict[str, Any], f: Callable[[float], float]) -> dict[str, Any]:
    """A copy with every final value of every metric replaced by f(value)."""
    out = copy.deepcopy(agg)
    for g in out["groups"]:
        for metric in FINAL_METRICS:
            final = g["metrics"][metric]["final"]
            final["values"] = [None if v is None else f(v) for v in final["values"]]
    return out


def test_the_stored_smoke_reference_against_itself_passes_exactly() -> None:
    ref = _stored()
    rows = diff_aggregates(copy.deepcopy(ref), ref, DiffSpec())
    assert len(rows) == 5 * 4 and {outcome_of(r) for r in rows} == {"exact"}
    v = verdict(rows, ["smoke", "synthetic"])
    assert v["status"] == "pass" and v["counts"]["exact"] == 20
    assert v["line"].startswith("PASS: 20 exact; 0 failed, 0 underpowered")
    assert exit_code(v["status"]) == 0


@pytest.mark.parametrize("name,f", [("x5", lambda v: 5 * v), ("x0", lambda v: 0.0)])
def test_perturbed_finals_fail_under_the_exact_rule(name: str, f: Callable[[float], float]
                                                    ) -> None:
    ref = _stored()
    rows = diff_aggregates(_perturbed(ref, f), ref, DiffSpec())
    finals = [r for r in rows if r["kind"] == "final"]
    assert len(finals) == 15 and all(r["pass"] is False for r in finals), name
    assert all("must be bit-identical" in r["note"] for r in finals)
    v = verdict(rows, ["smoke", "synthetic"])
    assert v["status"] == "fail" and v["failed"] == 15 and exit_code(v["status"]) == 1


@pytest.mark.parametrize("name,f", [("x5", lambda v: 5 * v), ("x0", lambda v: 0.0)])
def test_perturbed_finals_are_undecided_without_the_exact_rule(
        name: str, f: Callable[[float], float]) -> None:
    # the stored data cut to two seeds and treated as a non-deterministic profile: no exact
    # rule, so the statistical rows decide, and two seeds are below min_seeds: never a pass
    ref = _first_seeds(_stored(), 2)
    spec = DiffSpec(exact_profiles=[])
    rows = diff_aggregates(_perturbed(ref, f), ref, spec)
    finals = [r for r in rows if r["kind"] == "final"]
    assert not any(r["pass"] for r in finals), name
    assert {r["outcome"] for r in finals} == {"underpowered"}
    v = verdict(rows, ["smoke", "synthetic"])
    assert v["status"] == "no-decision" and exit_code(v["status"]) == 4
    assert exit_code(v["status"], allow_undecided=True) == 0
    # lowering the minimum to two seeds makes the x5/x0 rows decide: they fail
    decided = diff_aggregates(_perturbed(ref, f), ref, DiffSpec(exact_profiles=[],
                                                                min_seeds=2))
    test_rows = [r for r in decided if r["kind"] == "final" and r["metric"] == "test_regret"]
    assert not any(r["pass"] for r in test_rows)
    assert verdict(decided, [])["status"] in ("fail", "consistent", "no-decision")
    # with the stored four seeds the statistics decide on their own: never a pass, and the
    # verdict fails (x0 is far beyond the margin; x5 fails on at least one metric)
    full = _stored()
    four = diff_aggregates(_perturbed(full, f), full, spec)
    assert not any(r["pass"] for r in four if r["kind"] == "final"), name
    assert verdict(four, [])["status"] == "fail"


def _first_seeds(agg: dict[str, Any], n: int) -> dict[str, Any]:
    """A copy of an aggregate keeping each group's first n seeds."""
    out = copy.deepcopy(agg)
    for g in out["groups"]:
        g["seeds"], g["n"] = g["seeds"][:n], n
        g["config_ids_final"] = g["config_ids_final"][:n]
        for m in g["metrics"].values():
            m["per_seed"] = m["per_seed"][:n]
            m["final"]["values"] = m["final"]["values"][:n]
    return out


def _seeds(agg: dict[str, Any], n: int, f: Callable[[float], float]) -> dict[str, Any]:
    """A copy of the first group widened to n seeds (small spread), finals through f."""
    out = copy.deepcopy(agg)
    g = out["groups"][0]
    out["groups"] = [g]
    g["seeds"], g["n"] = list(range(n)), n
    for metric in FINAL_METRICS:
        base = g["metrics"][metric]["final"]["values"][0]
        g["metrics"][metric]["final"]["values"] = [f(base * (1 + 0.01 * k)) for k in range(n)]
    return out


@pytest.mark.parametrize("name,f", [("x5", lambda v: 5 * v), ("x0", lambda v: 0.0)])
def test_perturbations_with_enough_seeds_fail_on_the_statistics(
        name: str, f: Callable[[float], float]) -> None:
    ref = _seeds(_stored(), 6, lambda v: v)
    ref["profile"] = "paper"
    res = _seeds(_stored(), 6, f)
    res["profile"], res["groups"][0]["seeds"] = "paper", list(range(10, 16))  # other seeds
    spec = DiffSpec()
    rows = diff_aggregates(res, ref, spec)
    test = next(r for r in rows if r["kind"] == "final" and r["metric"] == "test_regret")
    assert test["outcome"] == "failed" and "beyond x1.25" in test["note"], name
    same = diff_aggregates(_seeds(_stored(), 6, lambda v: v) | {"profile": "paper"}, ref, spec)
    # the unperturbed copy with the same seeds is exact; with other seeds, equivalent
    assert outcome_of(same[0]) == "exact"
    other = _seeds(_stored(), 6, lambda v: v)
    other["profile"], other["groups"][0]["seeds"] = "paper", list(range(10, 16))
    row = diff_aggregates(other, ref, spec)[0]
    assert row["outcome"] == "equivalent" and row["p_equiv"] < spec.equivalence_alpha


def test_verdict_counts_rows_by_how_they_passed() -> None:
    rows = [{"pass": True, "outcome": "exact"}, {"pass": True, "outcome": "equivalent"},
            {"pass": True}, {"pass": None, "outcome": "not checkable"}]
    v = verdict(rows, [])
    assert v["status"] == "pass" and v["rows"] == 3
    assert v["line"] == ("PASS: 1 exact, 1 equivalent, 1 checked; 0 failed, 0 underpowered, "
                         "1 not checkable")
    v = verdict([*rows, {"pass": None, "outcome": "underpowered"}], [])
    assert v["status"] == "no-decision" and v["line"].startswith("NO DECISION: 1 rows")
    v = verdict([*rows, {"pass": False}, {"pass": None, "outcome": "underpowered"}], ["smoke"])
    assert v["status"] == "fail" and v["failed"] == 1 and "[smoke" in v["line"]
    assert verdict([{"pass": None, "outcome": "not checkable"}], [])["status"] == \
        "not-checkable"
    assert exit_code("not-checkable") == 0 and exit_code("no-reference") == 0


def test_the_stored_reference_is_clean() -> None:
    record = json.loads(STORED.read_text(encoding="utf-8"))
    text = STORED.read_text(encoding="utf-8")
    assert '"/' not in text and "/tmp" not in text  # no host paths
    assert not record["aggregate"]["provenance"]["git_hash"].endswith("-dirty")
    # the note is the command that made it; extra words live in `context`, not hand edits
    assert record["note"] == ("produced by `nb1s reproduce fig2 --profile smoke --protocol "
                              "paper --seeds 0-3 --store-reference`")
    assert all(g["seeds"] == [0, 1, 2, 3] for g in record["aggregate"]["groups"])


def test_diff_command_exit_codes_for_no_decision_and_its_overrides(tmp_path: Path) -> None:
    from harness_fixtures import aggregate_of, write_results

    def results(name: str, factor: float, seeds: int) -> Path:
        curves = {("darts", 1): [[0.05, 0.02 * factor * (1 + 0.05 * k)] for k in range(seeds)]}
        write_results(tmp_path / name, curves, profile="paper")
        if name.startswith("ref"):  # a reference folder is read through its aggregate.json
            (tmp_path / name / "aggregate.json").write_text(
                json.dumps(aggregate_of(tmp_path / name)))
        return tmp_path / name

    ref, x5 = results("ref", 1.0, 2), results("x5", 5.0, 2)
    proc = nb1s("diff", str(x5), "--against", str(ref), "--json")
    out = json.loads(proc.stdout)
    assert out["verdict"]["status"] == "no-decision" and proc.returncode == 4, proc.stderr
    # regrets and band undecided; the one-shot error (0.5 in every fixture run) is exact
    assert out["verdict"]["counts"]["underpowered"] == 3 and out["verdict"]["counts"]["exact"] == 1
    proc = nb1s("diff", str(x5), "--against", str(ref), "--allow-undecided", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"]["status"] == "no-decision"
    proc = nb1s("diff", str(x5), "--against", str(ref), "--min-seeds", "2", "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["verdict"]["status"] == "fail"
    proc = nb1s("diff", str(x5), "--against", str(ref), "--min-seeds", "1")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    # three seeds each: the x5 shift is decided without any override
    proc = nb1s("diff", str(results("x5-3", 5.0, 3)), "--against", str(results("ref-3", 1.0, 3)))
    assert proc.returncode == 1 and "FAIL:" in proc.stdout
    # a x8 margin accepts a x5 ratio (never a FAIL); a margin of at most 1 is one line, exit 2
    proc = nb1s("diff", str(tmp_path / "x5-3"), "--against", str(tmp_path / "ref-3"),
                "--margin", "8", "--json")
    out = json.loads(proc.stdout)
    assert out["verdict"]["status"] != "fail" and out["tolerances"]["margin"] == 8.0
    proc = nb1s("diff", str(tmp_path / "x5-3"), "--against", str(tmp_path / "ref-3"),
                "--margin", "1")
    assert proc.returncode == 2 and "--margin" in proc.stderr and "Traceback" not in proc.stderr


def test_bookkeeping_rows_alone_never_pass() -> None:
    """Complete runs and the right recipe identity are not a reproduction: no reference."""
    runs = {"kind": "runs", "pass": True}
    identity = {"kind": "provenance", "pass": True}
    assert verdict([runs, identity], [])["status"] == "no-reference"
    assert verdict([{**runs, "pass": False}, identity], [])["status"] == "fail"
    final = {"kind": "final", "pass": True, "outcome": "exact"}
    assert verdict([runs, identity, final], [])["status"] == "pass"

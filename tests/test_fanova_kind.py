"""The fanova kind (fig16): hpbandster logs in, importances, plots and a diff out.

The smoke profile writes synthetic BOHB logs with hpbandster's own logger and analyses
them end to end; stored logs are read back with hpbandster's reader; the paper's
statement is checked only on paper-profile real data and fails on anti-correlated surfaces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.fanova import compute
from nb1s.harness.experiments.fanova.bohb_logs import find_run, read_run
from nb1s.harness.experiments.fanova.reproduce import claim_rows
from nb1s.harness.experiments.fanova.smoke import write_synthetic_run
from nb1s.harness.experiments.fanova.space import CS2
from nb1s.harness.experiments.kind import Request
from nb1s.harness.experiments.registry import kind_for
from nb1s.harness.recipe.catalog import recipes_dir
from nb1s.harness.recipe.schema import parse_recipe

NAMES = ["cutout_prob", "learning_rate", "weight_decay"]
BOUNDS = {n: (CS2[n][0], CS2[n][1]) for n in NAMES}


def _recipe():  # type: ignore[no-untyped-def]
    return parse_recipe(recipes_dir() / "fig16.yaml")


def test_a_stored_hpbandster_log_is_read_per_budget(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "bohb" / "ss2" / "cs2" / "darts" / "seed-1", 2,
                              [1.0, 2.0], seed=1, iterations=4)
    lines = (run / "results.json").read_text().splitlines()
    budgets = [json.loads(line)[1] for line in lines]
    data = read_run(run, NAMES, BOUNDS)
    assert sorted(data) == sorted(set(budgets))
    assert sum(len(d.losses) for d in data.values()) == len(lines)
    for d in data.values():
        for name, (lo, hi) in BOUNDS.items():
            assert ((d.values[name] >= lo) & (d.values[name] <= hi)).all()
    assert find_run(tmp_path, 2, 2, "darts", 1) == run
    assert find_run(tmp_path, 1, 2, "darts", 1) is None
    assert find_run(tmp_path, 2, 2, "darts", 2) is None


def test_the_synthetic_log_is_deterministic(tmp_path: Path) -> None:
    a = write_synthetic_run(tmp_path / "a", 1, [1.0, 2.0], seed=3, iterations=4)
    b = write_synthetic_run(tmp_path / "b", 1, [1.0, 2.0], seed=3, iterations=4)
    for name in ("configs.json", "results.json"):
        assert (a / name).read_text() == (b / name).read_text()
    assert '"synthetic": true' in (a / "results.json").read_text()


def test_a_run_without_a_space_folder_is_found_by_its_info(tmp_path: Path) -> None:
    run = write_synthetic_run(tmp_path / "bohb" / "cs2" / "darts" / "seed-1", 3, [1.0, 2.0],
                              seed=1, iterations=2)
    assert find_run(tmp_path, 3, 2, "darts", 1) == run
    assert find_run(tmp_path, 2, 2, "darts", 1) is None


def test_a_broken_log_is_one_clear_error(tmp_path: Path) -> None:
    run = tmp_path / "bohb" / "ss1" / "cs2" / "darts" / "seed-1"
    run.mkdir(parents=True)
    (run / "configs.json").write_text("not json\n")
    (run / "results.json").write_text("[1, 2]\n")
    with pytest.raises(UserError, match="damaged"):
        read_run(run, NAMES, BOUNDS)


def test_smoke_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no fig5 smoke results here: synthetic logs are written
    kind = kind_for("fanova")
    out = tmp_path / "fig16"
    result = kind.reproduce(Request(recipe=_recipe(), profile="smoke", protocol="paper",
                                    results=out, progress=False,
                                    options={"bohb_results": str(tmp_path / "no-fig5")}))
    # an explicit folder without runs: nothing to analyse
    assert result.status == "cannot-run" and result.exit_code() == 3
    assert "SS1" in result.to_json()["blocked"][0]["label"]
    typed = kind.reproduce(Request(recipe=_recipe(), profile="smoke", protocol="paper",
                                   results=out, progress=False))
    assert (typed.status, typed.verdict, typed.exit_code()) == ("complete", "not-checkable", 0)
    result = typed.to_json()
    assert result["status"] == "complete", result
    assert result["labels"] == ["smoke", "synthetic"]
    assert result["diff"]["verdict"]["status"] == "not-checkable"
    assert all(Path(p).is_file() for p in result["plots"]) and len(result["plots"]) == 4
    doc = json.loads((out / "fanova.json").read_text())
    assert [e["space"] for e in doc["spaces"]] == [1, 2, 3]
    assert doc["source"]["synthetic_logs_written"]
    for entry in doc["spaces"]:
        for b in entry["budgets"]:
            assert b["status"] == "analysed" and b["evaluations"] >= 4
            shares = {n: m["importance"]["individual"] for n, m in b["single"].items()}
            # a few dozen evaluations: only the bookkeeping is tested here, the values
            # in test_fanova_compute.py
            assert all(0 <= s <= 1 for s in shares.values()) and sum(shares.values()) <= 1
            assert len(b["pair"]["mean"]) == len(b["pair"]["y"]) == 20
    assert "NOT A REPRODUCTION" not in (out / "fanova.md").read_text()
    assert "SMOKE, SYNTHETIC" in (out / "fanova.md").read_text()
    again = kind.diff(Request(recipe=_recipe(), profile="smoke", protocol="paper",
                              results=out))
    assert again.verdict == "not-checkable" and again.status == "diffed"
    kind.render(result)
    with pytest.raises(UserError, match="--against does not apply"):
        kind.reproduce(Request(recipe=_recipe(), profile="smoke", protocol="paper",
                               results=out, against=tmp_path))


def test_the_paper_profile_without_fig5_runs_cannot_run(tmp_path: Path) -> None:
    result = kind_for("fanova").reproduce(Request(
        recipe=_recipe(), profile="paper", protocol="paper", results=tmp_path / "out",
        progress=False, options={"bohb_results": str(tmp_path)})).to_json()
    assert result["status"] == "cannot-run" and len(result["blocked"]) == 3
    assert "SS2" in result["blocked"][1]["label"] and str(tmp_path) in result["blocked"][0][
        "reason"]
    assert not (tmp_path / "out").exists()  # nothing written for an analysis that cannot run


def test_missing_fanova_is_a_cannot_run_answer_before_any_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise compute.FanovaMissing("No module named 'pyrfr'")

    monkeypatch.setattr(compute, "load_fanova", missing)
    monkeypatch.chdir(tmp_path)
    smoke = kind_for("fanova").reproduce(Request(recipe=_recipe(), profile="smoke",
                                                 protocol="paper", results=tmp_path / "o"))
    assert smoke.status == "cannot-run" and smoke.exit_code() == 3
    assert smoke.to_json()["blocked"][0]["reason"].startswith("fanova not installed")
    assert not (tmp_path / "o").exists()
    # with stored runs, it stops before reading them
    write_synthetic_run(tmp_path / "fig5" / "bohb" / "ss1" / "cs2" / "darts" / "seed-1", 1,
                        [25.0, 50.0, 100.0], seed=1, iterations=3)
    stored = kind_for("fanova").reproduce(Request(
        recipe=_recipe(), profile="paper", protocol="paper", results=tmp_path / "p",
        options={"bohb_results": str(tmp_path / "fig5")}))
    assert stored.status == "cannot-run" and not (tmp_path / "p").exists()
    # without any run, the answer is cannot-run, installed or not
    nothing = kind_for("fanova").reproduce(Request(
        recipe=_recipe(), profile="paper", protocol="paper", results=tmp_path / "q",
        options={"bohb_results": str(tmp_path / "empty")}))
    assert nothing.status == "cannot-run"


def _result(means: list[float | None], labels: list[str], profile: str = "paper") -> dict:
    return {"labels": labels, "recipe": {"profile": profile},
            "surface_correlation": [{"budget": b, "mean_spearman": m}
                                    for b, m in zip((25.0, 50.0, 100.0), means, strict=True)]}


def test_the_claim_passes_fails_or_is_not_checkable() -> None:
    assert claim_rows(_result([0.4, 0.3, 0.6], []))[0]["pass"] is True
    failed = claim_rows(_result([0.4, -0.3, 0.6], []))[0]  # one anti-correlated budget
    assert failed["pass"] is False and failed["outcome"] == "failed"
    # 0.001 is no correlation: it used to pass as "positive"
    assert claim_rows(_result([0.4, 0.001, 0.6], []))[0]["outcome"] == "failed"
    weak = claim_rows(_result([0.4, 0.2, 0.6], []))[0]
    assert weak["pass"] is None and weak["outcome"] == "underpowered"
    assert claim_rows(_result([0.4, 0.299, 0.6], []))[0]["pass"] is None
    assert claim_rows(_result([0.4, 0.1, 0.6], []))[0]["outcome"] == "failed"
    assert claim_rows(_result([0.4, 0.11, 0.6], []))[0]["outcome"] == "underpowered"
    smoke = claim_rows(_result([0.4, 0.2, 0.6], ["smoke", "synthetic"], "smoke"))[0]
    assert smoke["pass"] is None and smoke["outcome"] == "not checkable"
    lonely = claim_rows(_result([0.4, None, 0.6], []))[0]
    assert lonely["pass"] is None and lonely["outcome"] == "underpowered"


def test_missing_fanova_reaches_the_user_as_one_line_and_exit_3(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from nb1s.harness.cli import app as cli

    def command(**_: object) -> None:
        raise compute.FanovaMissing("No module named 'pyrfr'")

    monkeypatch.setattr(cli, "app", command)
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fanova not installed" in err and "Traceback" not in err


def test_figure16_colour_bars_and_marginal_axes_say_what_they_show(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from nb1s.harness.experiments.fanova import plot

    drawn: list[Any] = []

    def keep(fig: Any, out_dir: Path, stem: str) -> list[Path]:
        drawn.append(fig)
        return [out_dir / f"{stem}.png"]

    monkeypatch.setattr(plot, "save_figure", keep)
    x = np.geomspace(1e-5, 1e-3, 4).tolist()
    y = np.linspace(0, 1, 4).tolist()
    single = {name: {"x": [0.1, 0.2], "mean": [0.1, 0.2], "std": [0.0, 0.0],
                     "importance": {"individual": 0.5}} for name in
              ("learning_rate", "weight_decay", "cutout_prob")}
    budget = {"status": "analysed", "budget": 25.0, "single": single,
              "pair": {"names": ["weight_decay", "cutout_prob"], "x": x, "y": y,
                       "mean": np.random.default_rng(0).random((4, 4)).tolist()},
              "incumbent": {"config": {"learning_rate": 0.1, "weight_decay": 1e-4,
                                       "cutout_prob": 0.5}}}
    result = {"spaces": [{"space": 1, "budgets": [budget]}], "labels": []}
    plot.plot_pairs(result, tmp_path, "fig16")
    plot.plot_marginals(result, tmp_path, "fig16")
    bars = [ax for ax in drawn[0].axes if ax.get_label() == "<colorbar>"]
    assert bars and all(plot.LOSS_LABEL in ax.get_ylabel() for ax in bars)
    assert all(plot.LOSS_LABEL in ax.get_ylabel() for ax in drawn[1].axes)


def test_diff_re_checks_the_bohb_runs_the_analysis_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nb1s diff` fails its bookkeeping row when an analysed run changed, went or its
    folder went after the analysis (re-derived from the runs, not from fanova.json)."""
    monkeypatch.chdir(tmp_path)
    kind = kind_for("fanova")
    out = tmp_path / "fig16"
    kind.reproduce(Request(recipe=_recipe(), profile="smoke", protocol="paper",
                           results=Path("fig16"), progress=False))  # relative, as the CLI's
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the diff re-checks the runs from any directory
    request = Request(recipe=_recipe(), profile="smoke", protocol="paper", results=out,
                      progress=False)
    doc = json.loads((out / "fanova.json").read_text())
    runs = {e["space"]: Path(e["run"]) for e in doc["spaces"]}

    def runs_row() -> tuple[dict[str, Any], Any]:
        result = kind.diff(request)
        rows = json.loads((out / "diff.json").read_text())["rows"]
        return next(r for r in rows if r["metric"] == "analysed BOHB runs unchanged"), result

    row, result = runs_row()
    assert row["outcome"] == "checked" and "3 runs re-checked" in row["note"]
    assert result.verdict == "not-checkable" and result.exit_code() == 0
    # one loss rewritten, same number of lines: bohb.json's count still agrees
    log = runs[2] / "results.json"
    lines = log.read_text().splitlines()
    first = json.loads(lines[0])
    first[3]["loss"] = float(first[3]["loss"]) + 0.25
    log.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    row, result = runs_row()
    assert row["outcome"] == "failed" and f"SS2: the log of {runs[2]} changed" in row["note"]
    assert result.verdict == "fail" and result.exit_code() == 1
    log.write_text("\n".join(lines) + "\n")  # restored: it passes again
    assert runs_row()[0]["outcome"] == "checked"
    log.write_text("\n".join(lines[:-1]) + "\n")  # a line lost: damaged against bohb.json
    row, _ = runs_row()
    assert row["outcome"] == "failed" and "SS2:" in row["note"] and "damaged" in row["note"]
    log.write_text("\n".join(lines) + "\n")
    for name in ("results.json", "configs.json"):
        (runs[3] / name).unlink()
    row, _ = runs_row()
    assert row["outcome"] == "failed" and row["note"] == f"SS3: the BOHB run {runs[3]} is gone"
    source = Path(doc["source"]["bohb_results"])
    import shutil

    shutil.rmtree(source)
    row, result = runs_row()
    assert row["outcome"] == "failed" and row["note"].startswith(
        f"the BOHB results folder {source} that fanova.json records is gone")
    assert row["note"].endswith("the 3 analysed runs cannot be re-checked")
    assert result.exit_code() == 1

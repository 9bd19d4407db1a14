"""Document models of the blackbox, bohb and fanova kinds' files, and fig16's input checks.

Every file these kinds read is validated on the way in: a damaged or wrong-schema file is
one line and exit 2 (one case per kind through the real `nb1s` command), a BOHB log cut
by a kill at its last line still resumes, and Figure 16 re-checks the fig5 BOHB runs it
is given (incomplete: partial; damaged or of other settings: refused). Logs and indexes
are SYNTHETIC (the smoke profile's data, hpbandster's own logger).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_kind_guarantees import nb1s  # the same whole-command runner

from nb1s.harness.blackbox_runs.bohb_log import BohbLog, LoggedResult
from nb1s.harness.blackbox_runs.documents import RUN_FILE
from nb1s.harness.blackbox_runs.grid import GridSettings, _check_run_file
from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import bind_results
from nb1s.harness.experiments.bohb.curves import read_evaluations
from nb1s.harness.experiments.bohb.master import read_log
from nb1s.harness.experiments.fanova.smoke import write_synthetic_run
from nb1s.harness.experiments.kind import Request
from nb1s.harness.experiments.registry import kind_for
from nb1s.harness.recipe.catalog import load_recipe


def one_line_exit_2(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    err = proc.stderr.strip()
    assert proc.returncode == 2, proc.stdout[-500:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and len(err.splitlines()) == 1, err
    for word in words:
        assert word in err, err


def result_line(cid: list[int], budget: float, loss: float) -> str:
    info = {"config": {"weight_decay": 1e-4}, "test_regret": loss - 0.01,
            "search_time_s": 10.0, "nb101_train_time_s": 5.0}
    return json.dumps([cid, budget, {"submitted": 0.0, "finished": 1.0},
                       {"loss": loss, "info": info}, None])


def write_log(folder: Path, results_text: str) -> BohbLog:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configs.json").write_text(
        "".join(json.dumps([[0, 0, k], {"weight_decay": 1e-4}, {}]) + "\n" for k in range(3)))
    (folder / "results.json").write_text(results_text)
    return BohbLog(folder)


# --- the BOHB log (bohb, fanova and table2 --configuration-from read it) -----------------

def test_a_line_cut_by_a_kill_at_the_end_is_left_out_and_resumes(tmp_path: Path) -> None:
    text = result_line([0, 0, 0], 1.0, 0.1) + "\n" + result_line([0, 0, 1], 1.0, 0.2) + "\n"
    log = write_log(tmp_path, text + '[[0, 0, 2], 1.0, {"sub')
    assert [e.config_id for e in log.read_results()] == [[0, 0, 0], [0, 0, 1]]
    assert len(read_log(tmp_path)) == 2 and len(read_evaluations(tmp_path)) == 2
    with pytest.raises(UserError, match=r"results.json line 3 is damaged"):
        log.read_results(cut_tail=False)  # an analysis of a finished run takes no cut line


@pytest.mark.parametrize(("line", "problem"), [
    ("not json", r"line 2 is damaged \(not JSON"),
    (json.dumps([[0, 0, 1], "25", {}, {"loss": 0.2, "info": {}}, None]),
     r"line 2 is damaged or not a LoggedResult document \(budget"),
    (json.dumps([[0, 0, 1], 1.0, {}]), r"line 2 is damaged or not a LoggedResult"),
])
def test_a_damaged_or_foreign_line_elsewhere_is_one_line(tmp_path: Path, line: str,
                                                         problem: str) -> None:
    text = result_line([0, 0, 0], 1.0, 0.1) + "\n" + line + "\n" + \
        result_line([0, 0, 2], 1.0, 0.3) + "\n"
    write_log(tmp_path, text)
    for reader in (read_log, read_evaluations):
        with pytest.raises(UserError, match=problem) as err:
            reader(tmp_path)
        assert "\n" not in str(err.value)


def test_an_evaluation_info_without_what_the_figures_need_is_refused(tmp_path: Path) -> None:
    bare = json.dumps([[0, 0, 0], 1.0, {}, {"loss": 0.1, "info": {"config": {}}}, None])
    write_log(tmp_path, bare + "\n")
    with pytest.raises(UserError, match=r"not a EvaluationInfo document \(test_regret"):
        read_evaluations(tmp_path)


def test_a_log_line_round_trips_in_hpbandsters_format() -> None:
    line = result_line([1, 0, 2], 50.0, 0.25)
    entry = LoggedResult.model_validate_json(line)
    assert json.dumps(entry.line()) == line and entry.ok


def test_a_wrong_schema_bohb_record_is_one_line(tmp_path: Path) -> None:
    log = write_log(tmp_path, result_line([0, 0, 0], 1.0, 0.1) + "\n")
    (tmp_path / "bohb.json").write_text(json.dumps({"cs": 2, "status": "complete"}))
    with pytest.raises(UserError, match=r"bohb.json is damaged or not a BohbRunRecord"):
        log.read_record()


# --- one damaged file per kind, through the real command: one line, exit 2 ---------------

def test_blackbox_a_damaged_run_file_is_one_line(tmp_path: Path) -> None:
    settings = GridSettings("RS", 1, 5, "one_random_repeat", str(tmp_path), None, True)
    _check_run_file(tmp_path, settings)
    first = (tmp_path / RUN_FILE).read_text()
    assert first.startswith('{\n "format": "nb1s-blackbox-run",\n "optimizer": "RS"')
    _check_run_file(tmp_path, settings)  # the same settings: accepted, file unchanged
    assert (tmp_path / RUN_FILE).read_text() == first
    (tmp_path / RUN_FILE).write_text('{"format": "nb1s-blackbox-run", "space": "1"}\n')
    with pytest.raises(UserError, match=r"blackbox-run.json is damaged or not a "
                                        r"BlackboxRunSettings document"):
        _check_run_file(tmp_path, settings)
    (tmp_path / RUN_FILE).write_text(first[:40])
    with pytest.raises(UserError, match=r"is damaged \(not JSON"):
        _check_run_file(tmp_path, settings)


def test_blackbox_diff_of_a_wrong_schema_summary_is_one_line_exit_2(tmp_path: Path) -> None:
    kind = kind_for("blackbox")
    plan = kind.plan(load_recipe("blackbox"), "smoke", "paper")
    bind_results(plan, tmp_path)
    ident = {"name": plan.recipe, "version": plan.version, "profile": "smoke",
             "protocol": "paper"}
    (tmp_path / "summary.json").write_text(json.dumps(
        {"recipe": ident, "labels": [], "settings": {}, "data": {"directory": "x"},
         "regret_reference": "r", "spaces": {}, "plots": []}))
    one_line_exit_2(nb1s("diff", str(tmp_path)), "summary.json", "BlackboxSummary",
                    "data.synthetic")


def test_bohb_diff_of_a_damaged_result_log_is_one_line_exit_2(tmp_path: Path) -> None:
    from test_kind_guarantees import _fig5_folder

    from nb1s.harness.experiments.bohb.settings import log_folder

    _fig5_folder(tmp_path)
    log = log_folder(tmp_path, 2, 3, "darts", 1) / "results.json"
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[1][:30], *lines[2:]]) + "\n")
    one_line_exit_2(nb1s("diff", str(tmp_path)), "results.json line 2 is damaged")


def test_fanova_diff_of_a_wrong_schema_result_is_one_line_exit_2(tmp_path: Path) -> None:
    kind = kind_for("fanova")
    plan = kind.plan(load_recipe("fig16"), "smoke", "paper")
    bind_results(plan, tmp_path)
    ident = {"name": plan.recipe, "version": plan.version, "profile": "smoke",
             "protocol": "paper"}
    (tmp_path / "fanova.json").write_text(json.dumps(
        {"recipe": ident, "labels": [], "settings": {}, "source": {},
         "spaces": [{"space": 1, "run": "x", "budgets": [{"budget": "25"}]}],
         "surface_correlation": []}))
    one_line_exit_2(nb1s("diff", str(tmp_path)), "fanova.json", "FanovaResult")


# --- Figure 16 re-checks the BOHB runs it is given ----------------------------------------

def bohb_source(root: Path, budgets: tuple[float, ...] = (1.0, 2.0), **kw: int) -> Path:
    """Finished (synthetic) CS2 DARTS seed-1 runs of SS1-SS3 in fig5's layout."""
    for space in (1, 2, 3):
        write_synthetic_run(root / "bohb" / "cs2" / f"ss{space}" / "darts" / "seed-1", space,
                            list(budgets), 1, **kw)
    return root


def fig16(source: Path, out: Path, profile: str = "smoke", protocol: str = "paper"
          ) -> dict:  # type: ignore[type-arg]
    """The fanova kind's answer as its `--json` document."""
    return kind_for("fanova").reproduce(Request(
        recipe=load_recipe("fig16"), profile=profile, protocol=protocol,  # type: ignore[arg-type]
        results=out, progress=False, options={"bohb_results": str(source)})).to_json()


def run_of(source: Path, space: int) -> Path:
    return source / "bohb" / "cs2" / f"ss{space}" / "darts" / "seed-1"


def test_an_incomplete_input_run_is_not_analysed_and_the_result_says_partial(
        tmp_path: Path) -> None:
    from nb1s.harness.experiments.fanova.plot import _tag

    source = bohb_source(tmp_path / "fig5")
    (run_of(source, 3) / "bohb.json").unlink()  # SS3's BOHB run never finished
    result = fig16(source, tmp_path / "out")
    assert result["status"] == "partial", result
    assert {row["space"] for row in result["spaces"]} == {1, 2}
    doc = json.loads((tmp_path / "out" / "fanova.json").read_text())
    assert [e["space"] for e in doc["spaces"]] == [1, 2]
    assert len(doc["missing_runs"]) == 1 and doc["missing_runs"][0].startswith("SS3: ")
    assert "incomplete (no bohb.json" in doc["missing_runs"][0]
    assert "PARTIAL: 1 space(s)" in _tag(["smoke"], len(doc["missing_runs"]))
    assert "PARTIAL" not in _tag(["smoke"], 0)
    # no run usable at all: cannot run, and the answer says why
    for space in (1, 2):
        (run_of(source, space) / "bohb.json").unlink()
    nothing = fig16(source, tmp_path / "none")
    assert nothing["status"] == "cannot-run"
    assert all("incomplete" in b["reason"] for b in nothing["blocked"])
    assert not (tmp_path / "none").exists()


def test_a_whole_log_without_a_record_is_analysed_and_named(tmp_path: Path) -> None:
    """hpbandster logs without nb1s's bohb.json (the original code's, or a lost record)
    count as complete when they hold every evaluation fig5 plans (smoke: 5), and the
    result says they were judged by that count alone."""
    source = tmp_path / "fig5"
    for space in (1, 2, 3):
        run = write_synthetic_run(run_of(source, space), space, [1.0, 2.0], 1, iterations=2)
        (run / "bohb.json").unlink()
    result = fig16(source, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "fanova.json").read_text())
    assert doc["missing_runs"] == [] and [e["space"] for e in doc["spaces"]] == [1, 2, 3]
    assert doc["source"]["runs_without_record"] == [str(run_of(source, s)) for s in (1, 2, 3)]
    assert any("judged complete by their evaluation count alone" in n
               for n in result["diff"]["notes"])
    # one evaluation fewer than a whole run: incomplete, not analysed
    log = run_of(source, 3) / "results.json"
    log.write_text("".join(line + "\n" for line in log.read_text().splitlines()[:-1]))
    part = fig16(source, tmp_path / "part")
    assert part["status"] == "partial" and {r["space"] for r in part["spaces"]} == {1, 2}
    missing = json.loads((tmp_path / "part" / "fanova.json").read_text())["missing_runs"]
    assert missing == [f"SS3: the BOHB run in {run_of(source, 3)} is incomplete "
                       "(no bohb.json; 4 of 5 evaluations logged)"]


def test_a_complete_input_run_whose_log_changed_afterwards_is_refused(tmp_path: Path) -> None:
    source = bohb_source(tmp_path / "fig5")
    log = run_of(source, 2) / "results.json"
    log.write_text("".join(line + "\n" for line in log.read_text().splitlines()[:-1]))
    with pytest.raises(UserError, match=r"ss2/darts/seed-1/results.json is damaged: "
                                        r"\d+ successful evaluations, but bohb.json "
                                        r"recorded \d+"):
        fig16(source, tmp_path / "out")
    assert not (tmp_path / "out" / "fanova.json").exists()


def test_input_runs_of_other_settings_are_refused(tmp_path: Path) -> None:
    # BOHB budgets other than the recipe's (smoke: 1/2 epochs)
    other = bohb_source(tmp_path / "budgets", budgets=(1.0, 2.0, 4.0))
    with pytest.raises(UserError, match=r"other settings than the recipe expects "
                                        r"\(budgets 1/2/4, expected 1/2\)"):
        fig16(other, tmp_path / "o1")
    # a run recorded as another configuration space than its folder says
    source = bohb_source(tmp_path / "cs")
    record = run_of(source, 1) / "bohb.json"
    record.write_text(record.read_text().replace('"cs": 2', '"cs": 1'))
    with pytest.raises(UserError, match=r"\(cs 1, expected 2\)"):
        fig16(source, tmp_path / "o2")
    # a bare folder of runs recorded under the original protocol's loss switches (cutout
    # never applied, one random NB101 repeat): not what a paper-protocol fig16 analyses
    switched = bohb_source(tmp_path / "switches")
    for space in (1, 2, 3):
        record = run_of(switched, space) / "bohb.json"
        doc = json.loads(record.read_text())
        doc["protocol"] = {"cutout_applied": False, "nb101_repeat": "one_random"}
        record.write_text(json.dumps(doc, indent=2) + "\n")
    with pytest.raises(UserError, match=r"cutout_applied False, expected True; "
                                        r"nb101_repeat 'one_random', expected 'mean'"):
        fig16(switched, tmp_path / "o4")
    assert fig16(switched, tmp_path / "o5", protocol="original")["status"] == "complete"
    # a (non-synthetic) run of other BOHB iterations than fig5's smoke profile (2)
    longer = bohb_source(tmp_path / "iterations")
    record = run_of(longer, 2) / "bohb.json"
    doc = json.loads(record.read_text())
    record.write_text(json.dumps({**doc, "synthetic": False}, indent=2) + "\n")
    with pytest.raises(UserError, match=r"ss2/darts/seed-1 was run with other settings .*"
                                        r"\(iterations 16, expected 2\)"):
        fig16(longer, tmp_path / "o6")
    # a log without a record that holds evaluations at a budget the recipe does not have
    stray = bohb_source(tmp_path / "stray")
    log = run_of(stray, 1) / "results.json"
    log.write_text(log.read_text().replace(", 2.0, {", ", 3.0, {", 1))
    (run_of(stray, 1) / "bohb.json").unlink()
    with pytest.raises(UserError, match=r"evaluations at budgets 3, the recipe has 1/2"):
        fig16(stray, tmp_path / "o7")
    # a results folder of the fig5 recipe under another protocol
    folder = bohb_source(tmp_path / "protocol")
    fig5 = kind_for("bohb")
    bind_results(fig5.plan(load_recipe("fig5"), "smoke", "original"), folder)
    with pytest.raises(UserError, match=r"protocol 'original', expected 'paper'"):
        fig16(folder, tmp_path / "o3")
    assert not any((tmp_path / name / "fanova.json").exists()
                   for name in ("o1", "o2", "o3", "o4", "o6", "o7"))


def test_fig16_refuses_a_damaged_fig5_run_in_one_line_exit_2(tmp_path: Path) -> None:
    """Through the command: the default input is fig5's results folder of the profile."""
    source = bohb_source(tmp_path / "results" / "fig5-smoke-paper")
    record = run_of(source, 1) / "bohb.json"
    record.write_text(record.read_text()[:-20])
    proc = nb1s("reproduce", "fig16", "--profile", "smoke", "--out", str(tmp_path / "out"),
                cwd=tmp_path)
    one_line_exit_2(proc, "bohb.json is damaged")


def test_summaries_keep_their_on_disk_format(tmp_path: Path) -> None:
    """bohb-summary.json (indent 2) and bohb.json keep the bytes they always had."""
    from test_bohb_analysis import derive, request
    from test_kind_guarantees import _fig5_folder

    from nb1s.harness.experiments.bohb.kind import KIND
    from nb1s.harness.experiments.bohb.runs import finish_one
    from nb1s.harness.experiments.bohb.settings import bohb_settings, log_folder

    _fig5_folder(tmp_path)
    derive(request(tmp_path))
    text = (tmp_path / "bohb-summary.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2) + "\n"
    assert text.startswith('{\n  "recipe": "fig5",\n  "profile": "smoke"')
    plan = KIND.plan(load_recipe("fig5"), "smoke", "paper")
    settings = bohb_settings(plan.settings)
    record = {"cs": 2, "space": 3, "optimizer": "darts", "seed": 1,
              "settings": settings.as_dict(), "protocol": {}, "workers": 1}
    done = finish_one(tmp_path, record, settings)
    assert done["status"] == "complete" and done["evaluations"] == 5
    written = (log_folder(tmp_path, 2, 3, "darts", 1) / "bohb.json").read_text()
    assert written == json.dumps(done, indent=2) + "\n"


def test_these_kinds_parse_no_json_themselves() -> None:
    """Files of the blackbox, bohb and fanova kinds (and what they share) go through the
    document models and documents.py, never a json.loads/json.dumps of their own; the one
    exception hashes an in-memory aggregate, no file."""
    import re

    root = Path(__file__).resolve().parents[1] / "harness"
    folders = ["experiments/blackbox", "experiments/bohb", "experiments/fanova",
               "experiments/search_curves", "blackbox_runs"]
    allowed = {"experiments/search_curves/reference_share.py"}
    found = [f"{path.relative_to(root)}:{n}" for folder in folders
             for path in sorted((root / folder).glob("*.py"))
             if str(path.relative_to(root)) not in allowed
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"\bjson\.(loads?|dumps?)\(", line)]
    assert found == []


def test_the_smoke_index_record_is_a_document(tmp_path: Path) -> None:
    """The blackbox and fig5 smoke profiles reuse their synthetic index while its
    smoke.json covers the spaces; a damaged one is one line, not a KeyError."""
    from nb1s.harness.execution.smoke_data import _index_covers

    (tmp_path / "provenance.json").write_text("{}\n")
    meta = tmp_path / "smoke.json"
    meta.write_text(json.dumps({"spaces": [1, 3], "synthetic": True, "seed": 0}) + "\n")
    assert _index_covers(tmp_path, [3]) and not _index_covers(tmp_path, [2])
    meta.write_text(json.dumps({"spaces": "1,3", "synthetic": True, "seed": 0}) + "\n")
    with pytest.raises(UserError, match=r"smoke.json is damaged or not a SmokeIndexMeta "
                                        r"document \(spaces"):
        _index_covers(tmp_path, [3])

"""Typed result documents: validated reads, refused tampering, round trips, the schema page.

Every document a run or a results folder holds is a pydantic model (`nb1s.harness.documents`).
These tests pin that a damaged, hand-edited or foreign file is refused with one line (exit 2
through the CLI), that reading and writing a document changes nothing, that the stored
reference curves still read, that the aggregate is handed to the diff in memory, and that
docs/run-schema.md is the page the models generate.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness_fixtures import write_results, write_run

from nb1s.harness.errors import UserError
from nb1s.harness.report.documents import Aggregate
from nb1s.harness.search.documents import EpochRecord, RunMeta
from nb1s.harness.search.results_directory import ResultsDirectory
from nb1s.harness.search.run_directory import RunDirectory

CURVES = {("darts", 1): [[0.1, 0.02], [0.3, 0.04]]}


def _tamper_epoch(run: Path, line: int, key: str, value: object) -> None:
    lines = (run / "epochs.jsonl").read_text().splitlines()
    record = json.loads(lines[line])
    record[key] = value
    lines[line] = json.dumps(record)
    (run / "epochs.jsonl").write_text("\n".join(lines) + "\n")


def test_a_run_reads_typed(tmp_path: Path) -> None:
    write_run(tmp_path, [0.3, 0.1, 0.05])
    run = RunDirectory(tmp_path).read()
    assert isinstance(run.meta, RunMeta) and run.meta.optimizer == "darts"
    assert run.synthetic and [r.epoch for r in run.epochs] == [0, 1, 2]
    assert isinstance(run.epochs[0], EpochRecord)
    assert run.series("test_regret") == [0.3, 0.1, 0.05]
    assert run.series("no_such_key") == [None, None, None]


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("test_regret", "0.1", "test_regret: Input should be a valid number"),
    ("config_id", 1.5, "config_id"),
    ("epoch", None, "epoch"),
])
def test_a_tampered_epoch_record_is_refused(tmp_path: Path, key: str, value: object,
                                            problem: str) -> None:
    write_run(tmp_path, [0.3, 0.1, 0.05])
    RunDirectory(tmp_path).read()  # intact: reads
    _tamper_epoch(tmp_path, 1, key, value)
    with pytest.raises(UserError, match=r"epochs\.jsonl line 2 is damaged") as err:
        RunDirectory(tmp_path).read()
    assert problem in str(err.value) and "\n" not in str(err.value)


def test_a_tampered_or_foreign_run_json_is_refused(tmp_path: Path) -> None:
    write_run(tmp_path, [0.3, 0.1])
    meta = json.loads((tmp_path / "run.json").read_text())
    (tmp_path / "run.json").write_text(json.dumps({**meta, "space": "one"}))
    with pytest.raises(UserError, match=r"run.json is damaged or not a RunMeta document "
                                        r"\(space: Input should be a valid integer\)"):
        RunDirectory(tmp_path).read_meta()
    (tmp_path / "run.json").write_text(json.dumps({"status": "complete", "some": "other"}))
    with pytest.raises(UserError, match="not a RunMeta document"):
        RunDirectory(tmp_path).read_meta()
    (tmp_path / "run.json").write_text(json.dumps({**meta, "status": "finished"}))
    with pytest.raises(UserError, match="status"):
        RunDirectory(tmp_path).read_meta()
    (tmp_path / "run.json").write_text("{ truncated")
    with pytest.raises(UserError, match="is damaged \\(not JSON"):
        RunDirectory(tmp_path).read_meta()


def test_aggregation_refuses_a_tampered_run(tmp_path: Path) -> None:
    from nb1s.harness.experiments.search_curves.aggregate import aggregate_document

    write_results(tmp_path, CURVES)
    assert aggregate_document(tmp_path).group("darts", 1) is not None
    _tamper_epoch(tmp_path / "runs" / "darts" / "space1" / "seed1", 0, "test_regret", "0.3")
    with pytest.raises(UserError, match=r"seed1/epochs\.jsonl line 1 is damaged"):
        aggregate_document(tmp_path)


def _nb1s_error(*argv: str) -> str:
    """Run `nb1s ARGV` in a subprocess; assert one stderr line and exit 2; return it."""
    proc = subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *argv],
                          capture_output=True, text=True, timeout=300)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("nb1s: error:"), proc.stderr
    return lines[0]


def test_nb1s_diff_refuses_a_tampered_document_in_one_line(tmp_path: Path) -> None:
    write_results(tmp_path, CURVES)
    good = json.loads((tmp_path / "plan.json").read_text())
    (tmp_path / "plan.json").write_text(json.dumps({**good, "version": "2"}))
    assert "plan.json is damaged" in _nb1s_error("diff", str(tmp_path))
    (tmp_path / "plan.json").write_text(json.dumps(good))
    _tamper_epoch(tmp_path / "runs" / "darts" / "space1" / "seed0", 1, "valid_regret", "x")
    line = _nb1s_error("diff", str(tmp_path))
    assert "seed0/epochs.jsonl line 2 is damaged" in line and "valid_regret" in line


def test_documents_round_trip_unchanged(tmp_path: Path) -> None:
    """Reading and writing back a document gives the same JSON (extras and absences kept)."""
    write_run(tmp_path, [0.3, 0.1])
    folder = RunDirectory(tmp_path)
    before_meta = json.loads(folder.run_file.read_text())
    before_epochs = [json.loads(line) for line in folder.epochs_file.read_text().splitlines()]
    folder.write_meta(folder.read_meta())
    folder.write_epochs(folder.read_epochs())
    assert json.loads(folder.run_file.read_text()) == before_meta  # "fixture": kept
    assert [json.loads(line) for line in folder.epochs_file.read_text().splitlines()] \
        == before_epochs


def test_the_stored_reference_curves_read_as_aggregates() -> None:
    from nb1s.harness.experiments.search_curves.reference_curves import CURVES_DIR

    files = sorted(CURVES_DIR.glob("*.json"))
    assert files
    for path in files:
        raw = json.loads(path.read_text())["aggregate"]
        agg = Aggregate.model_validate(raw)
        assert agg.to_json() == raw  # nothing added, nothing lost
        assert agg.groups and agg.groups[0].metrics["test_regret"].final.n >= 1
        broken = {**raw, "groups": [{**raw["groups"][0], "space": "1"}]}
        with pytest.raises(Exception, match="space"):
            Aggregate.model_validate(broken)


def test_the_diff_uses_the_aggregate_it_is_given(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Within one process the aggregate travels in memory: diff_results neither
    re-aggregates nor reads aggregate.json when it is handed one."""
    from nb1s.harness.experiments.search_curves import reproduce
    from nb1s.harness.recipe.catalog import load_recipe

    write_results(tmp_path, CURVES)
    agg = reproduce.aggregate_document(tmp_path)
    (tmp_path / "aggregate.json").write_text("{ not read")

    def refuse(*_: object) -> None:
        raise AssertionError("aggregated again")

    monkeypatch.setattr(reproduce, "aggregate_document", refuse)
    monkeypatch.setattr(ResultsDirectory, "read_aggregate", refuse)
    diff = reproduce.diff_results(tmp_path, load_recipe("fig2"), aggregate=agg)
    assert diff["aggregate"]["runs_used"] == agg.runs_used
    assert (tmp_path / "aggregate.json").read_text() == "{ not read"
    written = ResultsDirectory(tmp_path).read_diff()
    assert written.verdict.status == diff["verdict"]["status"]


def test_the_schema_page_is_generated_from_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.experiments import schema_doc

    page = schema_doc.DOC_PATH.read_text(encoding="utf-8")
    assert page == schema_doc.render(), \
        "docs/run-schema.md is stale: run `python -m nb1s.harness.experiments.schema_doc`"
    assert schema_doc.main(["--check"]) == 0
    # a model change the page does not show is caught
    field = EpochRecord.model_fields["test_regret"]
    monkeypatch.setattr(field, "description", "something else")
    assert schema_doc.render() != page
    assert schema_doc.main(["--check"]) == 1

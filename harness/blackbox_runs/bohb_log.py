"""One BOHB run folder: hpbandster's result log and nb1s's record of the finished run.

    <run>/configs.json   hpbandster `json_result_logger`: one JSON list per line,
                         [config_id, config, config_info] (`LoggedConfig`)
    <run>/results.json   one JSON list per line, [config_id, budget, timestamps, result,
                         exception] (`LoggedResult`); `result.info` is what the
                         evaluation returned (`EvaluationInfo` for nb1s's BOHB worker)
    <run>/bohb.json      written by nb1s when every planned evaluation is in the log
                         (`BohbRunRecord`): which run it is, its BOHB settings and protocol
    <run>/replay/        the previous log while an interrupted run is replayed

Three readers need these files: the `bohb` kind (Figures 5/14/15; it also writes them),
the `fanova` kind (Figure 16 reads the CS2 DARTS runs) and Table 2's
`--configuration-from` (the SS3 incumbent). Kinds never import each other, so the models
live here, one layer below `experiments`. Reading validates every line (`documents.py`):
a damaged or foreign log stops a command with one line naming the file and line, never a
`KeyError` later. One exception keeps resume working: the LAST line of a log that does
not end in a newline and is not JSON was cut by a kill while hpbandster appended it, and
is left out (`cut_tail`); the same text anywhere else is damage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from nb1s.harness.documents import (
    Document,
    parse_json,
    read_document,
    read_text,
    to_json_text,
    validate_document,
    write_checked,
)
from nb1s.harness.errors import UserError

CONFIGS_FILE = "configs.json"
RESULTS_FILE = "results.json"
RECORD_FILE = "bohb.json"
LOG_FILES = (CONFIGS_FILE, RESULTS_FILE)
REPLAY = "replay"


def _from_list(data: Any, names: tuple[str, ...], optional: int = 0) -> Any:
    """A log line's JSON list as a dict of `names` (the last `optional` may be absent)."""
    if not isinstance(data, list):
        return data  # a dict is validated as it is; anything else fails with its type
    if not len(names) - optional <= len(data) <= len(names):
        raise ValueError(f"a list of {len(names)} values ({', '.join(names)}), "
                         f"got {len(data)}")
    return dict(zip(names, data, strict=False))


class LoggedConfig(Document):
    """One line of `configs.json`: a configuration BOHB sampled (hpbandster's format)."""

    config_id: list[int] = Field(description="hpbandster's (iteration, bracket, index)")
    config: dict[str, Any] = Field(description="the sampled hyperparameters")
    config_info: Any = Field(None, description="the sampler's notes (model-based pick, "
                                               "`default_configuration`)")

    @model_validator(mode="before")
    @classmethod
    def _line(cls, data: Any) -> Any:
        return _from_list(data, ("config_id", "config", "config_info"), optional=1)

    def line(self) -> list[Any]:
        """The JSON list hpbandster writes."""
        return [self.config_id, self.config, self.config_info]


class EvaluationResult(Document):
    """`result` of a logged evaluation: what the worker's `compute` returned."""

    loss: float | None = Field(description="what BOHB minimised (NB101 validation error)")
    info: Any = Field(None, description="the worker's info (`EvaluationInfo` for nb1s)")


class LoggedResult(Document):
    """One line of `results.json`: one evaluation of a configuration at a budget."""

    config_id: list[int] = Field(description="the configuration (`LoggedConfig`)")
    budget: float = Field(description="search epochs")
    timestamps: dict[str, float] | None = Field(description="hpbandster's `submitted`, "
                                                            "`started`, `finished` (s)")
    result: EvaluationResult | None = Field(description="null when the evaluation failed")
    exception: str | None = Field(description="the failure's traceback, else null")

    @model_validator(mode="before")
    @classmethod
    def _line(cls, data: Any) -> Any:
        return _from_list(data, ("config_id", "budget", "timestamps", "result", "exception"))

    @property
    def ok(self) -> bool:
        """Finished with a loss (what BOHB and every figure count)."""
        return self.result is not None and self.exception is None

    def line(self) -> list[Any]:
        """The JSON list hpbandster writes."""
        result = None if self.result is None else self.result.to_json()
        return [self.config_id, self.budget, self.timestamps, result, self.exception]


class EvaluationInfo(Document):
    """`result.info` of one evaluation of nb1s's BOHB worker (`bohb/evaluation.py`).

    The figures need the configuration, the test regret and the two times; the rest says
    where the numbers came from (absent in logs written before it was recorded)."""

    config: dict[str, Any] = Field(description="the configuration evaluated")
    test_regret: float = Field(description="NB101 test error minus the search's reference")
    search_time_s: float = Field(description="wall time of the `nb1s search`")
    nb101_train_time_s: float = Field(description="NB101 training time of the final "
                                                  "architecture at 108 epochs")
    test_error: float | None = Field(None, description="NB101 test error at 108 epochs")
    valid_error: float | None = Field(None, description="NB101 validation error (the loss)")
    valid_regret: float | None = Field(None, description="validation error minus reference")
    space: int | None = Field(None, description="search space")
    cs: int | None = Field(None, description="configuration space")
    optimizer: str | None = Field(None, description="one-shot optimizer")
    seed: int | None = Field(None, description="the BOHB run's seed")
    budget: float | None = Field(None, description="search epochs")
    search_settings: dict[str, Any] = Field(default_factory=dict,
                                            description="every `--set` of the search")
    nb101_repeat: int | None = Field(None, description="the NB101 repeat read (null: mean)")
    architecture: int | None = Field(None, description="the final architecture's config id")
    nb101_hash: str | None = Field(None, description="its NAS-Bench-101 hash")
    run_directory: str | None = Field(None, description="the search's run directory")
    synthetic: bool = Field(False, description="NB101 data was synthetic")


def successive_halving_budgets(min_budget: float, max_budget: float, eta: float
                               ) -> list[float]:
    """The budgets hpbandster derives from (min, max, eta): 25, 50, 100 for the paper."""
    steps = -int(np.log(min_budget / max_budget) / np.log(eta)) + 1
    return [float(max_budget * eta ** -k) for k in range(steps - 1, -1, -1)]


def successive_halving_brackets(min_budget: float, max_budget: float, eta: float,
                                iterations: int) -> list[list[tuple[int, float]]]:
    """Per iteration, (configurations, budget) of each rung: hpbandster's arithmetic."""
    budgets = successive_halving_budgets(min_budget, max_budget, eta)
    steps = len(budgets)
    out = []
    for i in range(iterations):
        s = steps - 1 - (i % steps)
        n0 = int(np.floor(steps / (s + 1)) * eta ** s)
        ns = [max(int(n0 * eta ** -k), 1) for k in range(s + 1)]
        out.append(list(zip(ns, budgets[-s - 1:], strict=True)))
    return out


def planned_evaluations(min_budget: float, max_budget: float, eta: float,
                        iterations: int) -> int:
    """Function evaluations of a whole BOHB run (280 for the paper's settings)."""
    return sum(n for rungs in successive_halving_brackets(min_budget, max_budget, eta,
                                                          iterations) for n, _ in rungs)


class BohbSettingsRecord(Document):
    """BOHB's settings as `bohb.json` records them (`bohb.master.BohbSettings`)."""

    eta: float = Field(description="successive-halving factor")
    min_budget: float = Field(description="smallest budget (epochs)")
    max_budget: float = Field(description="largest budget (epochs)")
    iterations: int = Field(description="BOHB iterations")
    top_n_percent: int | None = Field(None, description="KDE: share of good configurations")
    num_samples: int | None = Field(None, description="KDE: samples per proposal")
    random_fraction: float | None = Field(None, description="share of random proposals")
    bandwidth_factor: float | None = Field(None, description="KDE bandwidth factor")
    min_bandwidth: float | None = Field(None, description="KDE minimum bandwidth")
    min_points_in_model: int | None = Field(None, description="null: hyperparameters + 1")

    def budgets(self) -> list[float]:
        return successive_halving_budgets(self.min_budget, self.max_budget, self.eta)


class BohbRunRecord(Document):
    """`bohb.json`: a BOHB run all of whose planned evaluations are in its log."""

    cs: int = Field(description="configuration space")
    space: int = Field(description="search space")
    optimizer: str = Field(description="one-shot optimizer BOHB tuned")
    seed: int = Field(description="BOHB's seed")
    settings: BohbSettingsRecord = Field(description="BOHB's settings")
    protocol: dict[str, Any] = Field(default_factory=dict,
                                     description="the paper-vs-original switches "
                                                 "(`bohb.protocol.BohbProtocol`)")
    workers: int = Field(description="parallel workers")
    status: str = Field(description="`complete`")
    evaluations: int = Field(description="successful evaluations in results.json")
    synthetic: bool | None = Field(None, description="true for fig16's synthetic smoke logs "
                                                     "(absent in fig5's records)")


def _lines(path: Path, model: type[Any], cut_tail: bool) -> list[Any]:
    """Every non-empty line of `path` as `model`; see the module docstring for `cut_tail`."""
    text = read_text(path)
    lines = text.splitlines()
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        source = f"{path} line {number}"
        try:
            data = parse_json(line, source)
        except UserError:
            if cut_tail and number == len(lines) and not text.endswith("\n"):
                continue  # hpbandster was killed while appending this line
            raise
        out.append(validate_document(data, model, source))
    return out


@dataclass(frozen=True)
class BohbLog:
    """The files of one BOHB run folder (see the module docstring)."""

    path: Path

    @property
    def configs_file(self) -> Path:
        return self.path / CONFIGS_FILE

    @property
    def results_file(self) -> Path:
        return self.path / RESULTS_FILE

    @property
    def record_file(self) -> Path:
        return self.path / RECORD_FILE

    @property
    def replay(self) -> BohbLog:
        """The previous log kept while an interrupted run is replayed."""
        return BohbLog(self.path / REPLAY)

    def has_log(self) -> bool:
        return self.results_file.is_file() and self.configs_file.is_file()

    def read_configs(self, cut_tail: bool = True) -> list[LoggedConfig]:
        """configs.json (none when it does not exist yet)."""
        if not self.configs_file.is_file():
            return []
        return _lines(self.configs_file, LoggedConfig, cut_tail)

    def read_results(self, cut_tail: bool = True) -> list[LoggedResult]:
        """results.json in the order hpbandster logged it (none when it does not exist)."""
        if not self.results_file.is_file():
            return []
        return _lines(self.results_file, LoggedResult, cut_tail)

    def configs_by_id(self) -> dict[tuple[int, ...], dict[str, Any]]:
        return {tuple(c.config_id): c.config for c in self.read_configs()}

    def successful(self) -> list[LoggedResult]:
        """The evaluations that finished with a result, in log order."""
        return [r for r in self.read_results() if r.ok]

    def write_log(self, configs: list[LoggedConfig], results: list[LoggedResult]) -> None:
        """Both log files, atomically, in hpbandster's format (json.dumps per line)."""
        from nb1s.atomic import atomic_write_text

        self.path.mkdir(parents=True, exist_ok=True)
        for path, docs in ((self.configs_file, configs), (self.results_file, results)):
            atomic_write_text(path, "".join(to_json_text(d.line()) + "\n" for d in docs))

    def has_record(self) -> bool:
        return self.record_file.is_file()

    def read_record(self) -> BohbRunRecord | None:
        """bohb.json, None when the run has not finished (no file)."""
        return read_document(self.record_file, BohbRunRecord) if self.has_record() else None

    def write_record(self, record: dict[str, Any]) -> BohbRunRecord:
        """Validate and write bohb.json (keys in the order they were built)."""
        return write_checked(self.record_file, record, BohbRunRecord, indent=2)

"""The documents of a results folder that every experiment kind shares: `aggregate.json`
(search curves over seeds) and `diff.json` (rows, verdict, notes).

They live below the experiments so that `search.results_directory.ResultsDirectory` can
read and write them typed, and so that a search recipe's aggregate can be handed from the
aggregation to the diff and the plots in memory. Stored reference curves
(`harness/references/curves/*.json`) embed an aggregate and are read with the same model.
Descriptions are the schema page's "meaning" column (docs/run-schema.md).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document

#: bumped when a key of aggregate.json or diff.json changes meaning
RESULTS_SCHEMA_VERSION = 1


class Summary(Document):
    """mean, std (ddof 1) and sem (ddof 0 / sqrt n) of per-seed values (None: no finite)."""

    values: list[float | None] = Field(description="one value per seed (null: not finite)")
    n: int = Field(description="finite values")
    mean: float | None = Field(description="mean of the finite values")
    std: float | None = Field(description="sample std (ddof 1; 0 for one value)")
    sem: float | None = Field(description="population std (ddof 0) / sqrt(n)")


class MetricCurves(Document):
    """One metric of one group, per epoch over the seeds."""

    mean: list[float | None] = Field(description="per-epoch mean over seeds")
    std: list[float | None] = Field(description="per-epoch sample std (ddof 1)")
    sem: list[float | None] = Field(description="per-epoch population std / sqrt(n)")
    band: list[float | None] = Field(description="`std` or `sem`, whichever the plan's `band` "
                                                 "names")
    per_seed: list[list[float | None]] = Field(description="[seed][epoch] values")
    final: Summary = Field(description="the per-seed values at `final_epoch_index`")


class AggregateGroup(Document):
    """One variant on one space: its seeds' curves."""

    variant: str = Field(description="the recipe's variant name")
    label: str = Field(description="legend label")
    optimizer: str | None = Field(None, description="registered optimizer")
    space: int = Field(description="search space")
    seeds: list[int] | None = Field(None, description="the seeds aggregated, in plan order")
    n: int | None = Field(None, description="number of seeds")
    epochs: list[int] = Field(default_factory=list, description="0..truncated_to-1")
    truncated_to: int | None = Field(None, description="the shortest run's record count")
    final_epoch_index: int | None = Field(None, description="where `final` is read")
    metrics: dict[str, MetricCurves] = Field(description="`test_regret`, `valid_regret`, "
                                                         "`oneshot_valid_error`, "
                                                         "`oneshot_train_error`")
    config_ids_final: list[int | None] = Field(default_factory=list,
                                               description="each seed's final config id")
    config_ids: list[list[int | None]] = Field(
        default_factory=list, description="each seed's reported config id per epoch (when "
        "its architecture last changed: paper claim gdas_premature_convergence)")
    wall_time_s: list[float | None] = Field(default_factory=list, description="each seed's "
                                            "cumulative search wall time, seconds")
    epochs_run: list[int] = Field(default_factory=list, description="each seed's search "
                                  "epochs (records minus the epoch-0 record)")


class RecipeCheck(Document):
    """Which recipe identity the runs recorded, against the plan's (`identity_check`)."""

    expected: dict[str, Any] = Field(description="the plan's {name, version, profile, "
                                                 "protocol}")
    recorded: int = Field(description="runs that record an identity")
    unrecorded: list[str] = Field(description="runs that record none")
    mismatched: list[dict[str, Any]] = Field(description="runs of another identity")
    ok: bool = Field(description="no run records another identity")


class Aggregate(Document):
    """`aggregate.json`: per variant and space, mean/std/SEM over seeds per epoch."""

    schema_version: int = Field(RESULTS_SCHEMA_VERSION, description="`1`")
    recipe: str = Field(description="recipe name")
    version: int = Field(description="recipe version")
    title: str | None = Field(None, description="the recipe's title")
    profile: str | None = Field(None, description="`paper` or `smoke`")
    protocol: str | None = Field(None, description="`paper` or `original`")
    labels: list[str] = Field(default_factory=list, description="`smoke`, `synthetic`, ...")
    synthetic: bool = Field(False, description="any run read synthetic data")
    band: str | None = Field(None, description="`std` or `sem`")
    final_epoch: str | None = Field(None, description="`last` or `last_saved`")
    std_convention: str | None = Field(None, description="what `std` and `sem` are")
    groups: list[AggregateGroup] = Field(description="one per variant and space")
    missing_runs: list[str] = Field(default_factory=list, description="planned runs not "
                                                                      "complete")
    runs_used: list[str] = Field(default_factory=list, description="runs aggregated")
    records_sha256: str | None = Field(None, description="sha256 over the used runs' "
                                                         "run.json + epochs.jsonl")
    blocked: list[dict[str, Any]] = Field(default_factory=list,
                                          description="variants that could not run, and why")
    provenance: dict[str, Any] = Field(default_factory=dict,
                                       description="versions, git hash, device and data of "
                                                   "the first run")
    recipe_check: RecipeCheck | None = Field(None, description="see RecipeCheck")
    partial: bool | None = Field(None, description="true when the run was interrupted")

    def group(self, variant: str, space: int) -> AggregateGroup | None:
        """The group of `variant` on `space`, if the aggregate has one."""
        for g in self.groups:
            if g.variant == variant and g.space == space:
                return g
        return None


class DiffSummary(Document):
    """What was compared: the results' identity and completeness."""

    recipe: str = Field(description="recipe name")
    version: int = Field(description="recipe version")
    title: str | None = Field(None, description="the recipe's title")
    profile: str | None = Field(None, description="`paper` or `smoke`")
    protocol: str | None = Field(None, description="`paper` or `original`")
    labels: list[str] = Field(default_factory=list, description="`smoke`, `synthetic`, ...")
    synthetic: bool = Field(False, description="any input was synthetic")
    band: str | None = Field(None, description="`std`/`sem` (`-` for analyses)")
    final_epoch: str | None = Field(None, description="`last`/`last_saved` (`-` for "
                                                      "analyses)")
    missing_runs: list[str] = Field(default_factory=list, description="planned runs not "
                                                                      "complete")
    blocked: list[dict[str, Any]] = Field(default_factory=list,
                                          description="variants that could not run")
    runs_used: list[str] | None = Field(None, description="search recipes: the runs the "
                                                          "aggregate used")
    records_sha256: str | None = Field(None, description="search recipes: sha256 over those "
                                                         "runs' records")


class DiffRow(Document):
    """One compared quantity; the remaining keys depend on `kind` (docs/verdicts.md)."""

    kind: str = Field(description="`runs`, `final`, `anytime`, `paper`, `provenance`, "
                                  "`claim`, ...")
    passed: bool | None = Field(None, alias="pass", description="`pass`: the row's decision "
                                                                "(with `outcome`)")
    note: str | None = Field(None, description="why, in words")


class Verdict(Document):
    """The decision over all rows (`report.verdict.verdict`)."""

    status: str = Field(description="`pass`, `fail`, `no-decision`, `consistent`, `not-checkable` "
                                    "or `no-reference`")


class Diff(Document):
    """`diff.json`: every row, the verdict and the notes (`diff.md` is rendered from it)."""

    aggregate: DiffSummary = Field(description="what was compared")
    reference: str = Field(description="the reference file, or `none`")
    tolerances: dict[str, Any] = Field(description="the decision rules used")
    rows: list[DiffRow] = Field(description="one per compared quantity")
    verdict: Verdict = Field(description="the decision")
    notes: list[str] = Field(default_factory=list, description="what was not compared, "
                                                               "and why")
    claims: list[dict[str, Any]] = Field(default_factory=list,
                                         description="the paper's claims this recipe checks")
    runtimes: list[dict[str, Any]] = Field(default_factory=list, description=(
        "measured search hours per 50 epochs beside the paper's footnote 4"))


class ReferenceCurves(Document):
    """A stored reference (`harness/references/curves/RECIPE-PROFILE-PROTOCOL.json`): the
    aggregate of an actual nb1s run and where it came from."""

    reference_kind: str = Field(description="`nb1s-run`")
    stored_at: str = Field(description="UTC, ISO 8601")
    host: dict[str, Any] = Field(description="platform and Python of the machine")
    note: str = Field(description="the command that made it")
    context: str | None = Field(None, description="the user's `--note`")
    provenance: dict[str, Any] | None = Field(None, description=(
        "exported references (`nb1s reference export`): device, versions, commit, seeds, "
        "recipe identity, data checksums and the aggregate's sha256"))
    aggregate: Aggregate = Field(description="the aggregate (host paths cut to file names)")

"""The documents of one search run directory: `run.json` and the records of `epochs.jsonl`.

These models are the format (docs/run-schema.md is generated from them by
`python -m nb1s.harness.search.schema_doc`). The writer (`run_writer`) and every reader go
through `RunDirectory`, which validates what it reads: a hand-edited `test_regret: "0.1"` or
a run.json of some other program is refused with one line instead of being aggregated.
Field descriptions are the schema page's "meaning" column, so they say what a reader needs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.optimizers.builtin import BUILTIN_NAMES

#: bumped when a key of run.json or of an epoch record changes meaning
SCHEMA_VERSION = 1

RunState = Literal["running", "complete", "interrupted", "diverged"]


class RegretMinimum(Document):
    """The minimum every regret of the run is measured against (`tracker.regret_minimum`)."""

    reference: str = Field(description="`min_of_means`, `min_single_repeat` or "
                                       "`published_constants`")
    test: float = Field(description="minimum test error")
    valid: float = Field(description="minimum validation error")
    source: str = Field(description="where the two numbers come from")


class Tracking(Document):
    """What the tracker measured the run against, and which snapshots it kept."""

    regret_reference: str = Field(description="the option that chose `regret_minimum`")
    regret_minimum: RegretMinimum = Field(description="{`reference`, `test`, `valid`, "
                                                      "`source`}")
    snapshot_epochs: list[int] = Field(
        default_factory=list, description="epochs with a kept `checkpoint_epoch{E}.pt`; "
                                          "empty by default")


class RecipeIdentity(Document):
    """Which recipe started a run (`--recipe-meta`); exactly these four keys."""

    name: str = Field(description="recipe name, e.g. `fig2`")
    version: int = Field(description="the recipe's `version`")
    profile: str = Field(description="`paper` or `smoke`")
    protocol: str = Field(description="`paper` or `original`")


class ImageSplit(Document):
    """How the images were split between weight and architecture steps."""

    name: str = Field(description="the `data_split` option")
    weights: int = Field(description="images of the weight split")
    architecture: int = Field(description="images of the architecture split")


class ImageData(Document):
    """The image data a run trained on."""

    path: str = Field(description="the image folder")
    kind: str = Field(description="`cifar10` or `digits`")
    synthetic: bool = Field(description="true for digits (a stand-in, not CIFAR-10)")
    checksum: str | None = Field(None, description="sha256 of the decoded images and labels; "
                                                   "`--resume` must match it")
    split: ImageSplit | None = Field(None, description="{`name`, `weights`, `architecture`: "
                                                       "image counts}")


class NB101Data(Document):
    """The NB101 store's provenance (the store's `provenance.json`, kept whole)."""

    synthetic: bool = Field(False, description="true when the index was generated, not "
                                               "imported from the official file")


class RunData(Document):
    """The inputs of a run, so every number can be traced to its data."""

    nb101: NB101Data = Field(description="the NB101 store's provenance: source file "
                                         "name/size/sha256, `official_file`, budgets, "
                                         "**`synthetic`**")
    cifar10: ImageData = Field(description="`path`, `kind` (`cifar10` or `digits`), "
                                           "**`synthetic`** (true for digits), `checksum`, "
                                           "`split`")


class Stop(Document):
    """One early stop of a run that was later resumed."""

    status: str = Field(description="`interrupted` or `diverged`")
    stopped_at_epoch: int | None = Field(None, description="last epoch saved")
    stop_reason: str | None = Field(None, description="why it stopped")
    stopped_at: str | None = Field(None, description="when (UTC)")


class RunMeta(Document):
    """`run.json`: a search run's settings, provenance and state."""

    schema_version: int = Field(SCHEMA_VERSION, description="`1`; bumped when a key changes "
                                                            "meaning")
    optimizer: str = Field(description="registered name: "
                                       + ", ".join(f"`{n}`" for n in BUILTIN_NAMES)
                                       + ", or a plugin's")
    space: int = Field(description="search space 1, 2 or 3")
    seed: int = Field(description="seeds weights, architecture logits, Gumbel samples, data "
                                  "order and augmentation")
    epochs: int = Field(description="search epochs (the method's default unless `--epochs`)")
    hyperparameters: dict[str, Any] = Field(description="**every** field of "
                                                        "`nb1s.optimizers.Hyperparameters`, "
                                                        "defaults included")
    options: dict[str, Any] = Field(description="`preset` (`paper`/`original`) and the value "
                                                "of every paper-vs-original switch (README "
                                                "table)")
    tracking: Tracking | None = Field(None, description="`regret_reference`, "
                                                        "`regret_minimum` {`reference`, "
                                                        "`test`, `valid`, `source`} and "
                                                        "`snapshot_epochs` (list of epochs "
                                                        "with a kept "
                                                        "`checkpoint_epoch{E}.pt`; empty by "
                                                        "default)")
    nb1s_version: str | None = Field(None, description="package version")
    results_version: int | None = Field(
        None, description="version of the search results the code produces "
                          "(`optimizers/results_version.py`), bumped only when a search "
                          "records different numbers for the same settings, seed and data; "
                          "`--resume` must match it, not `nb1s_version` "
                          "(docs/interrupting-and-resuming.md)")
    git_hash: str | None = Field(None, description="`git describe --always --dirty` of the "
                                                   "checkout (null outside git)")
    torch_version: str | None = Field(None, description="torch version")
    cuda_version: str | None = Field(None, description="CUDA version (null on CPU)")
    device: str | None = Field(None, description="the training device (`cpu` or `cuda:0 (GPU "
                                                 "name)`)")
    parameter_count: int | None = Field(None, description="trainable parameters of the "
                                                          "supernet (architecture logits "
                                                          "excluded)")
    data: RunData = Field(description="`nb101`: the NB101 store's provenance (source file, "
                                      "budgets, **`synthetic`**); `cifar10`: `path`, `kind` "
                                      "(`cifar10` or `digits`), **`synthetic`** (true for "
                                      "digits), `checksum` (sha256 of the decoded images and "
                                      "labels; `--resume` must match it), `split` {`name`, "
                                      "`weights`, `architecture`: image counts}")
    recipe: RecipeIdentity | None = Field(None, description="optional: {`name`, `version`, "
                                                            "`profile`, `protocol`} of the "
                                                            "recipe that started the run "
                                                            "(below)")
    status: RunState = Field(description="`running` until the last epoch is recorded, then "
                                         "`complete`; `interrupted` (SIGINT/SIGTERM) or "
                                         "`diverged` (non-finite loss) when it stopped early "
                                         "(docs/interrupting-and-resuming.md)")
    started_at: str | None = Field(None, description="UTC, ISO 8601")
    finished_at: str | None = Field(None, description="UTC, ISO 8601 (null while running)")
    stopped_at_epoch: int | None = Field(None, description="present while "
                                                           "`interrupted`/`diverged`: last "
                                                           "epoch saved; moved into `stops` "
                                                           "on `--resume`")
    stop_reason: str | None = Field(None, description="present while stopped: why")
    stopped_at: str | None = Field(None, description="present while stopped: when (UTC)")
    stops: list[Stop] = Field(default_factory=list, description="present after a resume of a "
                                                                "stopped run: its earlier "
                                                                "stops")
    resumed_at: list[str] = Field(default_factory=list, description="present after a "
                                                                    "`--resume`: when each "
                                                                    "resume started")
    resumed_with_nb1s_version: list[str | None] = Field(
        default_factory=list, description="present after a `--resume`: the package version "
                                          "of each resume (parallel to `resumed_at`); "
                                          "`nb1s_version` stays the one that started the run")

    @property
    def synthetic(self) -> bool:
        """True when any input (NB101 data or images) was synthetic or a stand-in."""
        images = self.data.cifar10
        return self.data.nb101.synthetic or images.synthetic or images.kind == "digits"


class BudgetErrors(Document):
    """Mean errors of an architecture at one other NB101 budget."""

    test_error_mean: float = Field(description="mean test error over the repeats")
    valid_error_mean: float = Field(description="mean validation error over the repeats")


class EpochRecord(Document):
    """One line of `epochs.jsonl`: the architecture after an epoch and what it scores."""

    epoch: int = Field(description="0..E")
    config_id: int = Field(description="discrete architecture as a `nb1s.enumerate` config "
                                       "id: argmax op, top-k parents of the logits; for "
                                       "`random_ws`/`enas` the architecture chosen by "
                                       "screening samples")
    nb101_hash: str = Field(description="its NAS-Bench-101 hash (loose ends pruned)")
    test_error_mean: float = Field(description="mean over the 3 NB101 repeats at 108 epochs "
                                               "(error = 1 - accuracy)")
    valid_error_mean: float = Field(description="as `test_error_mean`, on validation")
    test_error_repeats: list[float] = Field(description="each repeat (3 floats)")
    valid_error_repeats: list[float] = Field(description="each repeat (3 floats)")
    test_regret: float = Field(description="mean error minus `run.json` "
                                           "`tracking.regret_minimum`")
    valid_regret: float = Field(description="as `test_regret`, on validation")
    budgets: dict[str, BudgetErrors] | None = Field(
        None, description="only when the NB101 data has other budgets: {\"4\": "
                          "{`test_error_mean`, `valid_error_mean`}, ...}")
    oneshot_train_error: float | None = Field(None, description="top-1 error of the supernet "
                                                                "on the weight-split batches "
                                                                "during the epoch (null at "
                                                                "epoch 0)")
    oneshot_valid_error: float | None = Field(None, description="top-1 error in eval mode on "
                                                                "the architecture split after "
                                                                "the epoch (`max_eval_batches` "
                                                                "may limit it)")
    selection_valid_error: float | None = Field(
        None, description="`random_ws`/`enas`: one-shot error of the reported architecture on "
                          "the whole architecture split (the final round of the screening); "
                          "null for the other methods")
    train_loss: float | None = Field(None, description="mean cross-entropy of the weight steps "
                                                       "(null at epoch 0)")
    lr: float | None = Field(None, description="weight learning rate used during the epoch "
                                               "(null at epoch 0); with "
                                               "`enas_lr_schedule=per_batch` the rate changes "
                                               "every minibatch and this is the epoch's "
                                               "nominal value")
    temperature: float | None = Field(None, description="Gumbel temperature used during the "
                                                        "epoch (GDAS; null otherwise and at "
                                                        "epoch 0)")
    wall_time_s: float | None = Field(None, description="cumulative seconds of search "
                                                        "(training + evaluation) up to this "
                                                        "epoch, kept across resumes")
    peak_memory_mb: float | None = Field(None, description="peak GPU memory allocated by "
                                                           "torch, or the process's peak RSS "
                                                           "on CPU")

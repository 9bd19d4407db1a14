"""What a plan will run and roughly cost, before anything runs (`nb1s plan`, `reproduce`).

One row per search run (a BOHB run, a seed of a search grid) or per black-box seed batch,
with its settings and the data it reads, and two estimates that size the work; neither is
ever a result:

- GPU-hours: the paper's footnote-4 runtimes (50 search epochs of each optimizer on the
  paper's GPU, `runtimes_50_epochs` in harness/references/paper.yaml) scaled by the run's
  epochs and by its training images against the paper's 25,000 (half of CIFAR-10's 50,000
  training images trains the weights). It is the paper's GPU, not the user's.
- CPU-seconds: measured on this machine (`measure.py`, only with `--measure`): the median
  seconds of a search step times the run's steps, or of one black-box seed times the seeds.

Why here, beside the kinds: the rows follow each kind's plan (`Plan.runs` for search grids,
`Plan.settings` for the BOHB and black-box grids); a kind names its row builder as its
`cost_rows` (bohb: `bohb_rows`, blackbox: `blackbox_grid_rows`, default `search_rows`),
so nothing here asks a kind's name, and the kinds stay independent of each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.method_defaults import method_defaults
from nb1s.harness.recipe.plan import DataNeeds, Plan, RunSpec
from nb1s.harness.references import paper
from nb1s.optimizers.config import Hyperparameters

#: training images of CIFAR-10 (data_batch_1..5) and of the BOHB split (data_batch_1..4)
CIFAR_TRAIN = {"original": 50_000, "bohb_20k": 40_000}
#: the smoke profile's images: scikit-learn's 1797 digits minus the sixth kept for testing
DIGITS_TRAIN = 1797 - round(1797 / 6)
#: epochs and weight-split images of the footnote-4 runtimes (50 epochs, 25k images)
PAPER_EPOCHS = 50
PAPER_WEIGHT_IMAGES = 25_000


@dataclass(frozen=True)
class PlannedRun:
    """One row of a plan: what runs, with which settings, on which data, at what cost.

    `steps`: weight steps of one search run (0 for black-box rows); `evaluations`: per seed
    of a black-box row, or the BOHB run's one-shot evaluations. `measure_key` names the
    measurement (`measure.py`) that prices its CPU time.
    """

    key: str
    kind: str  # "search" | "bohb" | "blackbox"
    optimizer: str
    space: int
    seeds: list[int]
    settings: dict[str, Any]
    data: str
    epochs: int = 0
    steps: int = 0
    evaluations: int = 0
    gpu_hours: float | None = None
    gpu_basis: str = ""
    measure_key: str = ""
    cpu_seconds: float | None = None


@dataclass(frozen=True)
class PlanCost:
    """Every row, the totals and what the estimates rest on (JSON of `nb1s plan`)."""

    recipe: str
    profile: str
    protocol: str
    kind: str
    data: str
    runs: list[PlannedRun]
    blocked: list[dict[str, str]]
    paper_gpu: str
    gpu_source: str
    settings: dict[str, Any] = field(default_factory=dict)
    measured: dict[str, dict[str, Any]] = field(default_factory=dict)
    cpu_note: str = "not measured (add --measure to time a step of each run on this machine)"

    @property
    def gpu_hours(self) -> float | None:
        known = [r.gpu_hours for r in self.runs if r.gpu_hours is not None]
        return round(sum(known), 2) if known else None

    @property
    def cpu_seconds(self) -> float | None:
        known = [r.cpu_seconds for r in self.runs if r.cpu_seconds is not None]
        return round(sum(known), 1) if known else None

    def as_dict(self) -> dict[str, Any]:
        return {"recipe": self.recipe, "profile": self.profile, "protocol": self.protocol,
                "kind": self.kind, "data": self.data, "runs": [asdict(r) for r in self.runs],
                "count": len(self.runs), "seeds": sum(len(r.seeds) for r in self.runs),
                "blocked": self.blocked, "settings": self.settings,
                "total": {"gpu_hours": self.gpu_hours, "cpu_seconds": self.cpu_seconds},
                "gpu": {"device": self.paper_gpu, "source": self.gpu_source,
                        "basis": "hours x epochs / 50 x weight-split images / 25,000 "
                                 "(the paper's GPU, not this machine's)"},
                "cpu": {"note": self.cpu_note, "measured": self.measured}}


def data_line(data: DataNeeds) -> str:
    """The data a plan reads, in one line."""
    spaces = ",".join(str(s) for s in data.spaces) or "-"
    if data.synthetic:
        index = f"SYNTHETIC NB101 index of spaces {spaces} (built by nb1s)"
        images = "; digits images (scikit-learn, NOT CIFAR-10)" if data.images else ""
        return index + (" with budgets 4/12/36/108" if data.all_budgets else "") + images
    index = ("nasbench_full index (budgets 4/12/36/108)" if data.all_budgets
             else "NAS-Bench-101 index (nasbench_only108 or full)")
    images = "; CIFAR-10 python batches" if data.images else ""
    return f"{index} of spaces {spaces}{images}"


def footnote4() -> tuple[dict[str, float], str, str]:
    """(hours per optimizer for 50 epochs, the GPU, the source) from paper.yaml."""
    ref = paper()["runtimes_50_epochs"]
    return ({str(k): float(v) for k, v in ref["hours"].items()}, str(ref["gpu"]),
            str(ref["source"]))


def weight_images(synthetic: bool, split: str, train_portion: float) -> int:
    """Images the weights train on per epoch (the weight half of the search split).

    A split without an image count here is refused, not costed as `original`: a new
    `data_split` value gets its count in `CIFAR_TRAIN` or the estimate would be wrong.
    """
    if split not in CIFAR_TRAIN:
        raise UserError(f"data_split {split!r} has no training-image count for the cost "
                        f"estimate (known: {', '.join(CIFAR_TRAIN)})")
    n = DIGITS_TRAIN if synthetic else CIFAR_TRAIN[split]
    return math.floor(train_portion * n)


def _gpu(optimizer: str, epochs: int, images: int, hours: Mapping[str, float]
         ) -> tuple[float | None, str]:
    per50 = hours.get(optimizer)
    if per50 is None:
        return None, f"no footnote-4 runtime for {optimizer!r}"
    value = per50 * epochs / PAPER_EPOCHS * images / PAPER_WEIGHT_IMAGES
    return round(value, 4), (f"{per50:g} h x {epochs}/{PAPER_EPOCHS} epochs x "
                             f"{images}/{PAPER_WEIGHT_IMAGES} images")


def _search_row(spec: RunSpec, plan: Plan, line: str, hours: Mapping[str, float]
                ) -> PlannedRun:
    hp = {**(method_defaults(spec.optimizer) or {}), **spec.hyperparameters}
    split = spec.options.get("data_split", "original")
    images = weight_images(plan.data.synthetic, split, float(hp.get("train_portion", 0.5)))
    batch = int(hp.get("batch_size", Hyperparameters.batch_size))
    per_epoch = math.ceil(images / batch)
    cap = hp.get("max_batches_per_epoch")
    if isinstance(cap, int) and cap > 0:
        per_epoch = min(per_epoch, cap)
    gpu, basis = _gpu(spec.optimizer, spec.epochs, images, hours)
    return PlannedRun(spec.key, "search", spec.optimizer, spec.space, [spec.seed],
                      {**spec.settings(), "epochs": spec.epochs}, line, epochs=spec.epochs,
                      steps=per_epoch * spec.epochs, gpu_hours=gpu, gpu_basis=basis,
                      measure_key=f"search:{spec.variant}:{spec.space}")


def hyperband_schedule(low: float, high: float, eta: int, iterations: int
                       ) -> tuple[int, float]:
    """(evaluations, summed budgets) of `iterations` successive-halving brackets.

    hpbandster's HyperBand/BOHB bracket arithmetic, as `bohb_log` writes it once for the
    BOHB kinds (budgets high * eta^-k; iteration i runs bracket s = S - 1 - i mod S with
    floor(S / (s + 1)) * eta^s configurations at its lowest budget, divided by eta per
    rung). For fig5 (25-100 epochs, eta 2, 64 iterations) it gives the paper's 280
    evaluations.
    """
    from nb1s.harness.blackbox_runs.bohb_log import successive_halving_brackets

    rungs = [r for bracket in successive_halving_brackets(low, high, eta, iterations)
             for r in bracket]
    return sum(n for n, _ in rungs), sum(n * budget for n, budget in rungs)


#: a kind's cost rows: (plan, data line, footnote-4 hours) -> rows; a kind names its own as
#: `cost_rows` (read with a default like `busy`: a grid of searches, `search_rows`)
CostRows = Callable[[Plan, str, Mapping[str, float]], "list[PlannedRun]"]


def search_rows(plan: Plan, line: str, hours: Mapping[str, float]) -> list[PlannedRun]:
    """One row per planned search run (the search-grid kinds)."""
    return [_search_row(spec, plan, line, hours) for spec in plan.runs]


def bohb_rows(plan: Plan, line: str, hours: Mapping[str, float]) -> list[PlannedRun]:
    """One row per BOHB run, then the black-box side's rows (the `bohb` kind)."""
    s = plan.settings
    budgets = [float(b) for b in s["budgets"]]
    evaluations, epochs = hyperband_schedule(min(budgets), max(budgets), int(s["eta"]),
                                             int(s["iterations"]))
    images = weight_images(plan.data.synthetic, "bohb_20k", 0.5)
    rows = []
    for cs in s["configuration_spaces"]:
        for space in s["spaces"]:
            for opt in s["optimizers"]:
                for seed in s["bohb_seeds"]:
                    gpu, basis = _gpu(str(opt), int(epochs), images, hours)
                    settings: dict[str, Any] = {
                        k: s[k] for k in ("budgets", "eta", "iterations", "workers") if k in s}
                    rows.append(PlannedRun(
                        f"bohb/cs{cs}/space{space}/{opt}/seed{seed}", "bohb", str(opt),
                        int(space), [int(seed)], {"configuration_space": cs, **settings},
                        line, epochs=int(epochs), evaluations=evaluations, gpu_hours=gpu,
                        gpu_basis=f"{evaluations} evaluations, {epochs:g} epochs in all: "
                                  + basis))
    rows += _blackbox_rows(
        [str(o) for o in s["blackbox_optimizers"]], [int(x) for x in s["spaces"]],
        list(range(int(s.get("blackbox_repetitions", 0)))),
        int(s.get("blackbox_evaluations", 0)),
        dict(s.get("blackbox_evaluations_by_optimizer") or {}), line, prefix="blackbox/")
    return rows


def blackbox_grid_rows(plan: Plan, line: str, hours: Mapping[str, float]
                       ) -> list[PlannedRun]:
    """One row per (space, optimizer) seed batch of a black-box grid (the `blackbox` kind;
    CPU only, so no footnote-4 hours)."""
    del hours
    s = plan.settings
    return _blackbox_rows([str(o) for o in s["optimizers"]], [int(x) for x in s["spaces"]],
                          [int(x) for x in s["seeds"]], int(s["evaluations"]),
                          dict(s.get("evaluations_by_optimizer") or {}), line)


def _blackbox_rows(optimizers: list[str], spaces: list[int], seeds: list[int],
                   evaluations: int, by_optimizer: Mapping[str, Any], line: str,
                   prefix: str = "") -> list[PlannedRun]:
    if not seeds or evaluations < 1:
        return []
    rows = []
    for space in spaces:
        for opt in optimizers:
            n = int(by_optimizer.get(opt, evaluations))
            rows.append(PlannedRun(
                f"{prefix}space{space}/{opt}", "blackbox", opt, space, list(seeds),
                {"evaluations": n}, line, evaluations=n,
                gpu_basis="CPU only (table look-ups)", measure_key=f"blackbox:{opt}:{n}"))
    return rows


def plan_cost(plan: Plan) -> PlanCost:
    """The rows of `plan` with their GPU estimates (CPU times come from `with_cpu`)."""
    from nb1s.harness.experiments.registry import registered

    hours, gpu, source = footnote4()
    line = data_line(plan.data)
    kind = registered(plan.kind)
    rows_of: CostRows = getattr(kind, "cost_rows", search_rows)
    rows = rows_of(plan, line, hours)
    return PlanCost(plan.recipe, plan.profile, plan.protocol, plan.kind, line, rows,
                    [{"variant": b.variant, "label": b.label, "reason": b.reason}
                     for b in plan.blocked], gpu, source, dict(plan.settings))


def with_cpu(cost: PlanCost, measured: Mapping[str, dict[str, Any]], note: str) -> PlanCost:
    """`cost` with every row's CPU seconds from `measured[row.measure_key]["seconds"]`:
    per step times its steps plus one process start-up (`run start-up`) for a search row,
    per seed times its seeds for a black-box row. Evaluation passes and NAS-Bench-101
    look-ups between epochs are not in it: a lower bound of a search run's time."""
    rows = []
    startup = float(measured.get("run start-up", {}).get("seconds", 0.0))
    for r in cost.runs:
        m = measured.get(r.measure_key)
        if m is None:
            rows.append(r)
            continue
        if r.kind == "search":
            seconds = startup + float(m["seconds"]) * r.steps
        else:
            seconds = float(m["seconds"]) * len(r.seeds)
        rows.append(_replace(r, cpu_seconds=round(seconds, 1)))
    return PlanCost(cost.recipe, cost.profile, cost.protocol, cost.kind, cost.data, rows,
                    cost.blocked, cost.paper_gpu, cost.gpu_source, cost.settings,
                    dict(measured), note)


def _replace(row: PlannedRun, **changes: Any) -> PlannedRun:
    from dataclasses import replace

    return replace(row, **changes)


def summary_line(cost: PlanCost, seeds_option: str = "") -> str:
    """One line for the start of `reproduce`: runs, seeds and the estimates."""
    seeds = sum(len(r.seeds) for r in cost.runs)
    parts = [f"plan: {cost.recipe} ({cost.profile} profile, {cost.protocol} protocol): "
             f"{len(cost.runs)} runs" + (f", {seeds} seeds" if seeds != len(cost.runs) else "")]
    if cost.gpu_hours is not None:
        parts.append(f"~{cost.gpu_hours:g} GPU-hours on the paper's {cost.paper_gpu} "
                     "(footnote 4, scaled)")
    if cost.cpu_seconds is not None:
        parts.append(f"~{cost.cpu_seconds:g} CPU-seconds measured here")
    parts.append(f"details: nb1s plan {cost.recipe} --profile {cost.profile} --protocol "
                 f"{cost.protocol}{seeds_option}")
    return "; ".join(parts)

"""Side by side with the ORIGINAL black-box scripts of automl/nasbench-1shot1 (issue 21).

The released RS, RE and REINFORCE (and, with `--library`, TPE, HyperBand and BOHB) run
unmodified beside nb1s's on the same SYNTHETIC NAS-Bench-101 data and the same seeds;
per checkpoint, the per-seed best validation error found so far and the test error of
that incumbent are compared between the two sides with a two-sample Kolmogorov-Smirnov
test and a Welch t-test (scipy), Holm-corrected over every test of the table
(the Holm step of nb1s's verdicts). Only the random numbers differ between the two
sides, so they must agree in distribution; a control row (the original's RE against
nb1s's RS) shows the same tests do tell two different optimizers apart.

    python bench/original_blackbox.py --original PATH [--nasbench-src PATH] --space 3 \
        --seeds 200 [--rl-seeds 100] [--json] [--work DIR]
    python bench/original_blackbox.py --original PATH --library --space 2 --seeds 40

Where the code comes from (nb1s ships none of it): `--original` or `$NB1S_ORIGINAL_SRC`,
a checkout of github.com/automl/nasbench-1shot1 (the folder holding `optimizers/` and
`nasbench_analysis/`) or a bare git directory of it (extracted with `git archive`);
Google's `nasbench.api` from `--nasbench-src` or `$NB1S_NASBENCH_SRC`, loaded as
`bench/google_real.py` does. Without either, the script says so in one line and exits 2.
REINFORCE also needs `tensorflow-probability` (0.25, with `tf-keras`) importable.

The data: `nb1s.harness.nb101.synthetic.write_synthetic_tfrecord` writes every NB101 graph
of the space in the official tfrecord format (108 epochs, or 4/12/36/108 with `--library`
for HB/BOHB); Google's `api.NASBench` reads that file for the original, nb1s's importer
builds its index from the same file for nb1s. Both sides query one random repeat per
evaluation (the original's `api.NASBench.query`; nb1s's `one_random_repeat`). The numbers
are invented (SYNTHETIC): agreement here says the two implementations behave alike, not
anything about NAS-Bench-101.

How the original runs here. The algorithm code is the checkout's, executed from its own
files; only these shims are added around it:
- RS/RE (`run_regularized_evolution.py`) and REINFORCE (`run_reinforce.py`): the script's
  leading imports, functions and classes are executed from its file; its command-line
  part (argparse, one `api.NASBench`, the loop over seeds) is replaced by this script's
  loop, which does what that part does per seed (`np.random.seed(seed)`, then
  `regularized_evolution(cycles, 100, 10)`, `random_search(cycles)`, or a new
  `REINFORCEOptimizer` driven by `run_reinforce(lr 0.1, momentum 0.9)`);
- TPE/HB/BOHB (`run_tpe.py`, `run_hyperband.py`, `run_bohb.py`) run whole, as `__main__`,
  with their own command line (`--search_space --seed --n_iters --data_dir`);
- library shims: numpy 2 removed `np.int` (the scripts call `astype(np.int)`), restored
  as `int`; `seaborn` (a plotting import of `nasbench_analysis/utils.py`, only
  `set_style` is called) and `IPython` (`from IPython import embed`, never called) are
  stand-ins; TensorFlow 2's eager mode is the TF1 scripts' `enable_eager_execution`;
  the NB101 file is read once and the loaded `api.NASBench` is handed to every later
  `api.NASBench(path)` of the same file (the library scripts build one per run); Pyro4
  serializes with pickle during HB/BOHB runs (ConfigSpace 1.x values that its default
  serializer refuses would leave the job waiting forever; nb1s's `pyro` engine does the
  same);
- defects of the released code, each named in the reference
  (docs/blackbox.md#side-by-side-with-the-original-scripts-benchoriginal_blackboxpy):
  `SearchSpace.sample_with_loose_ends` does not exist; it is bound to the existing
  `sample(with_loose_ends=True, upscale=False)`; `optimizers/utils.py` uses names it
  never imports (`ConfigSpace`, `api`, `search_space`, `SearchSpace3`, `INPUT`, ...),
  which are set on that module; on master only SS2's objective appends to `run_history`,
  so REINFORCE's evaluations are taken from `run_reinforce`'s returned trace (the
  architecture queried again after each step, as the script does) and the library
  optimizers are compared on SS2;
- seeding: the scripts seed only numpy. Python's `random` (sampling, RE's tournament,
  NB101's repeat draw), TensorFlow (REINFORCE's samples) and hyperopt are seeded here
  with the run's seed as well (`random.seed`, `tf.random.set_seed`, hyperopt's
  `HYPEROPT_FMIN_SEED`), so the bench is repeatable; the original left them unseeded,
  which changes single runs, not their distribution. hpbandster and ConfigSpace sampling
  stay unseeded.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import logging
import os
import random
import runpy
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import google_real

ENV = "NB1S_ORIGINAL_SRC"
#: checkpoints (evaluations) of RS/RE/RL and TPE; HB/BOHB: the same x 108 epochs
CHECKPOINTS = (50, 100, 150, 200, 280)
MAX_BUDGET = 108
RE_POPULATION, RE_TOURNAMENT = 100, 10
RL_LEARNING_RATE, RL_MOMENTUM = 0.1, 0.9
ALPHA = 0.05
SCRIPTS = {
    "RS": "optimizers/regularized_evolution/run_regularized_evolution.py",
    "RE": "optimizers/regularized_evolution/run_regularized_evolution.py",
    "RL": "optimizers/reinforce/run_reinforce.py",
    "TPE": "optimizers/tpe/run_tpe.py",
    "HB": "optimizers/hyperband/run_hyperband.py",
    "BOHB": "optimizers/bohb/run_bohb.py",
}
LIBRARY = ("TPE", "HB", "BOHB")
Records = npt.NDArray[np.void]

def original_dir(given: str | os.PathLike[str] | None) -> Path | None:
    """The checkout folder holding `optimizers/` and `nasbench_analysis/`, or None."""
    raw = given if given is not None else os.environ.get(ENV)
    if not raw:
        return None
    path = Path(raw).expanduser()
    if (path / SCRIPTS["RE"]).is_file():
        return path
    git = path / ".git" if (path / ".git" / "HEAD").is_file() else path
    if (git / "HEAD").is_file() and (git / "objects").is_dir():
        return google_real.extract_from_git(git, ("optimizers", "nasbench_analysis"),
                                            "nb1s-original-src-")
    return None


def commit_of(given: str | os.PathLike[str] | None) -> str | None:
    """The checkout's commit, when it is a git checkout (for the report)."""
    raw = given if given is not None else os.environ.get(ENV)
    if not raw:
        return None
    path = Path(raw).expanduser()
    git = path / ".git" if (path / ".git").exists() else path
    done = subprocess.run(["git", f"--git-dir={git}", "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


# -- the data ---------------------------------------------------------------------------

def prepare_data(work: Path, space: int, full: bool) -> tuple[Path, Path]:
    """(tfrecord, nb1s index) of every NB101 graph of `space`, SYNTHETIC, built once."""
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    name = f"ss{space}-{'full' if full else 'only108'}"
    tfrecord, index = work / f"{name}.tfrecord", work / f"{name}-index"
    if not tfrecord.is_file():
        write_synthetic_tfrecord(tfrecord, spaces=[space], full=full, seed=0)
    if not (index / "provenance.json").is_file():
        import_tfrecord(tfrecord, index, verify_sha256=False)
    return tfrecord, index


# -- the original, loaded ---------------------------------------------------------------

class Original:
    """The checkout's modules, loaded with the shims of the module docstring."""

    def __init__(self, src: Path, api: Any, tfrecord: Path) -> None:
        self.src, self.api, self.tfrecord = src, api, tfrecord
        _library_shims()
        sys.path.insert(0, str(src))
        import nasbench_analysis.utils  # noqa: F401  (subclasses api.NASBench: before the cache)
        from nasbench_analysis.search_spaces.search_space import SearchSpace

        # the missing method of the released RE script (reference: black-box scripts)
        SearchSpace.sample_with_loose_ends = (
            lambda self: self.sample(with_loose_ends=True, upscale=False))
        self.nasbench = google_real.open_dataset(api, tfrecord, seed=0)
        _share_loaded_dataset(api, tfrecord, self.nasbench)
        self._modules: dict[str, types.ModuleType] = {}

    def search_space(self, space: int) -> Any:
        module = __import__(f"nasbench_analysis.search_spaces.search_space_{space}",
                            fromlist=["x"])
        return getattr(module, f"SearchSpace{space}")()

    def definitions(self, name: str) -> types.ModuleType:
        """The script's leading imports, functions and classes, executed from its file."""
        if name not in self._modules:
            path = self.src / SCRIPTS[name]
            tree = ast.parse(path.read_text(), str(path))
            body: list[ast.stmt] = []
            for node in tree.body:
                if not isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef,
                                         ast.ClassDef, ast.Expr)):
                    break  # the command-line part starts here
                body.append(node)
            module = types.ModuleType(f"original_{path.stem}")
            module.__file__ = str(path)
            exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"),
                 module.__dict__)
            self._modules[name] = module
        return self._modules[name]

    def run(self, name: str, space: int, seed: int, evaluations: int,
            work: Path) -> Records:
        """One seed of the original optimizer `name`: its evaluations as nb1s records."""
        _seed_everything(seed)
        with contextlib.redirect_stdout(io.StringIO()):
            if name in ("RS", "RE"):
                models = self._run_re_rs(name, space, evaluations)
            elif name == "RL":
                models = self._run_rl(space, seed, evaluations)
            else:
                models = self._run_library(name, space, seed, evaluations, work)
        return to_records(models, seed, cut_epochs=(evaluations * MAX_BUDGET
                                                    if name in ("HB", "BOHB") else None))

    def _run_re_rs(self, name: str, space: int, evaluations: int) -> list[Any]:
        module = self.definitions(name)
        module.nasbench = self.nasbench  # type: ignore[attr-defined]
        module.search_space = self.search_space(space)  # type: ignore[attr-defined]
        if name == "RE":
            return list(module.regularized_evolution(
                cycles=evaluations, population_size=RE_POPULATION, sample_size=RE_TOURNAMENT))
        return list(module.random_search(cycles=evaluations))

    def _run_rl(self, space: int, seed: int, evaluations: int) -> list[Any]:
        import ConfigSpace
        import tensorflow as tf

        module = self.definitions("RL")
        search_space = self.search_space(space)
        module.nasbench, module.search_space = self.nasbench, search_space  # type: ignore[attr-defined]
        _provide_missing_names(self.api, search_space)
        cs = search_space.get_configuration_space()
        cat_variables = [len(h.choices) for h in list(cs.values())
                         if type(h) is ConfigSpace.hyperparameters.CategoricalHyperparameter]
        tf.random.set_seed(seed)  # unseeded in the original
        optimizer = module.REINFORCEOptimizer(reward=module.Reward(search_space),
                                              cat_variables=cat_variables,
                                              momentum=RL_MOMENTUM)
        return list(module.run_reinforce(optimizer=optimizer, learning_rate=RL_LEARNING_RATE,
                                         max_time=5e6, num_steps=evaluations,
                                         log_every_n_steps=100))

    def _run_library(self, name: str, space: int, seed: int, evaluations: int,
                     work: Path) -> list[Any]:
        # HB/BOHB: n_iters brackets; 75 of them already cover the plots' 280 x 108 epochs
        # (docs/blackbox.md#differences-from-the-original), and the first brackets do not depend
        # on how many follow
        iterations = evaluations if name == "TPE" else -(-evaluations * 75 // 280)
        argv = [str(self.src / SCRIPTS[name]), "--search_space", str(space),
                "--seed", str(seed), "--n_iters", str(iterations),
                "--data_dir", str(self.tfrecord), "--output_path", str(work / "out")]
        saved = sys.argv
        sys.argv = argv
        os.environ["HYPEROPT_FMIN_SEED"] = str(seed)
        from nb1s.optimizers.discrete.hyperband import pyro_pickle

        _quiet_logging()
        try:
            with pyro_pickle():  # as nb1s's own `pyro` engine runs hpbandster
                done = runpy.run_path(argv[0], run_name="__main__")
        finally:
            sys.argv = saved
        return list(done["search_space"].run_history)


def _library_shims() -> None:
    """numpy 2's missing `np.int`; stand-ins for seaborn and IPython (see the docstring)."""
    import matplotlib

    matplotlib.use("Agg")  # before the IPython stand-in, which pyplot would look into
    if "int" not in np.__dict__:
        setattr(np, "int", int)  # noqa: B010  (the released code's alias of int)
    seaborn = types.ModuleType("seaborn")
    seaborn.set_style = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    sys.modules.setdefault("seaborn", seaborn)
    ipython = types.ModuleType("IPython")
    ipython.embed = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    ipython.get_ipython = lambda: None  # type: ignore[attr-defined]
    sys.modules.setdefault("IPython", ipython)


def _share_loaded_dataset(api: Any, tfrecord: Path, loaded: Any) -> None:
    """Later `api.NASBench(path)` calls of the same file get the already loaded dataset."""
    real = api.NASBench

    def nasbench(path: str, seed: int | None = None) -> Any:
        if Path(path).resolve() == tfrecord.resolve():
            return loaded
        return real(path, seed)

    api.NASBench = nasbench


def _provide_missing_names(api: Any, search_space: Any) -> None:
    """The names `optimizers/utils.py` uses and never imports (REINFORCE's trace)."""
    import ConfigSpace
    import optimizers.utils as utils
    from nasbench_analysis import utils as nb_utils
    from nasbench_analysis.search_spaces.search_space_3 import SearchSpace3

    names = {"ConfigSpace": ConfigSpace, "np": np, "api": api, "search_space": search_space,
             "SearchSpace3": SearchSpace3, "INPUT": nb_utils.INPUT,
             "OUTPUT": nb_utils.OUTPUT, "CONV1X1": nb_utils.CONV1X1}
    for key, value in names.items():
        setattr(utils, key, value)


def _seed_everything(seed: int) -> None:
    np.random.seed(seed)  # what the scripts do
    random.seed(seed)  # unseeded in the original (sampling, tournament, NB101 repeats)


def _quiet_logging() -> None:
    """The library scripts call logging.basicConfig(INFO); hpbandster then logs per job.
    Set for the rest of the process (nothing to restore: the bench runs only scripts)."""
    if not logging.getLogger().handlers:  # the scripts' basicConfig(INFO) is then a no-op
        logging.basicConfig(level=logging.WARNING)
    for name in ("hpbandster", "Pyro4", "hyperopt"):
        logging.getLogger(name).setLevel(logging.WARNING)


def to_records(models: Sequence[Any], seed: int, cut_epochs: int | None = None) -> Records:
    """The original's `Model` objects (accuracies) as nb1s records (errors), in query order;
    `cut_epochs`: keep the evaluations whose cumulative budget is within it (HB/BOHB)."""
    from nb1s.optimizers.discrete.objective import Evaluation
    from nb1s.optimizers.discrete.records import records_from_sequence

    out = records_from_sequence(  # config ids -1: the original keeps matrices, not ids
        seed, np.full(len(models), -1),
        [int(getattr(m, "budget", None) or MAX_BUDGET) for m in models],
        Evaluation(np.array([1.0 - float(m.validation_accuracy) for m in models]),
                   np.array([1.0 - float(m.test_accuracy) for m in models]),
                   np.array([float(m.training_time) for m in models])))
    if cut_epochs is not None:
        out = out[np.cumsum(out["budget"]) <= cut_epochs]
    return out


# -- nb1s -------------------------------------------------------------------------------

def run_nb1s(name: str, space: int, index: Path, seeds: list[int],
             evaluations: int) -> Records:
    """nb1s's optimizer on its index of the same file, one random repeat per query."""
    from nb1s.harness.blackbox_runs.objective import budgets_needed, nb101_objective
    from nb1s.harness.nb101.store import NB101Store
    from nb1s.optimizers.discrete import run_blackbox

    objective = nb101_objective(NB101Store(index), space, budgets=budgets_needed(name))
    return run_blackbox(name, space, objective, seeds, evaluations).records


# -- comparison -------------------------------------------------------------------------

def at_checkpoints(records: Records, seeds: list[int], checkpoints: Sequence[int],
                   by_epochs: bool) -> dict[str, npt.NDArray[np.float64]]:
    """Per seed and checkpoint: the best validation error so far and its test error (the
    first of equal validation errors); checkpoints count evaluations, or x 108 epochs."""
    from nb1s.harness.blackbox_runs.curves import incumbent_test_error

    best = np.full((len(seeds), len(checkpoints)), np.nan)
    test = np.full_like(best, np.nan)
    limits = np.asarray(checkpoints) * (MAX_BUDGET if by_epochs else 1)
    for i, seed in enumerate(seeds):
        rec = records[records["seed"] == seed]
        rec = rec[np.argsort(rec["index"], kind="stable")]
        spent = np.cumsum(rec["budget"]) if by_epochs else np.arange(1, len(rec) + 1)
        last = np.searchsorted(spent, limits, side="right") - 1  # last row within each limit
        seen = last >= 0
        best[i, seen] = np.minimum.accumulate(rec["valid_error"])[last[seen]]
        test[i, seen] = incumbent_test_error(rec, "best_validation")[last[seen]]
    return {"best_valid_error": best, "incumbent_test_error": test}


def compare(original: Records, nb1s: Records, seeds: list[int], checkpoints: Sequence[int],
            by_epochs: bool, label: str) -> list[dict[str, Any]]:
    """One row per checkpoint and metric: means, KS and Welch p-values (uncorrected)."""
    from scipy import stats

    a = at_checkpoints(original, seeds, checkpoints, by_epochs)
    b = at_checkpoints(nb1s, seeds, checkpoints, by_epochs)
    rows = []
    for metric in a:
        for j, point in enumerate(checkpoints):
            x, y = a[metric][:, j], b[metric][:, j]
            x, y = x[np.isfinite(x)], y[np.isfinite(y)]
            rows.append({"optimizer": label, "checkpoint": point, "metric": metric,
                         "seeds": [len(x), len(y)],
                         "original_mean": float(np.mean(x)), "nb1s_mean": float(np.mean(y)),
                         "ks_p": float(stats.ks_2samp(x, y).pvalue),
                         "welch_p": float(stats.ttest_ind(x, y, equal_var=False).pvalue)})
    return rows


def holm(rows: list[dict[str, Any]], alpha: float = ALPHA) -> None:
    """Holm-adjusted p-values over every KS and Welch test of `rows` (in place), by the
    verdicts' own Holm step (`nb1s.harness.report.decision.holm`)."""
    from nb1s.harness.report.decision import holm as holm_adjusted

    pvalues = [r[k] for r in rows for k in ("ks_p", "welch_p")]
    if not pvalues:
        return
    adjusted = holm_adjusted(np.array(pvalues))
    reject = adjusted <= alpha
    for i, row in enumerate(rows):
        row["ks_p_holm"], row["welch_p_holm"] = float(adjusted[2 * i]), float(adjusted[2 * i + 1])
        row["differ"] = bool(reject[2 * i] or reject[2 * i + 1])


def side_by_side(original: Original, names: list[str], space: int, index: Path,
                 seeds_of: Callable[[str], list[int]], evaluations: int, work: Path,
                 log: Callable[[str], None]) -> dict[str, Any]:
    """Run both sides for every optimizer; the rows (Holm over the agreement rows; the
    control row is corrected on its own) and the timings."""
    runs: dict[str, tuple[Records, Records]] = {}
    seconds: dict[str, dict[str, float]] = {}
    for name in names:
        seeds = seeds_of(name)
        start = time.perf_counter()
        theirs = np.concatenate([original.run(name, space, s, evaluations, work)
                                 for s in seeds])
        middle = time.perf_counter()
        ours = run_nb1s(name, space, index, seeds, evaluations)
        seconds[name] = {"original": round(middle - start, 2),
                         "nb1s": round(time.perf_counter() - middle, 2)}
        runs[name] = (theirs, ours)
        log(f"{name}: {len(seeds)} seeds, original {seconds[name]['original']} s, "
            f"nb1s {seconds[name]['nb1s']} s")
    rows = []
    for name, (theirs, ours) in runs.items():
        rows += compare(theirs, ours, seeds_of(name), CHECKPOINTS, name in ("HB", "BOHB"),
                        name)
    holm(rows)
    control: list[dict[str, Any]] = []
    if "RE" in runs and "RS" in runs:  # power: the same tests on two different optimizers
        control = compare(runs["RE"][0], runs["RS"][1], seeds_of("RE"), CHECKPOINTS, False,
                          "control: original RE vs nb1s RS")
        holm(control)
    per_seed = {name: {side: sorted({int(np.sum(r["seed"] == s)) for s in seeds_of(name)})
                       for side, r in (("original", runs[name][0]), ("nb1s", runs[name][1]))}
                for name in runs}
    return {"rows": rows, "control": control, "seconds": seconds,
            "evaluations_per_seed": per_seed,
            "agree": not any(r["differ"] for r in rows),
            "min_ks_p": min((r["ks_p"] for r in rows), default=None),
            "min_welch_p": min((r["welch_p"] for r in rows), default=None)}


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| optimizer | checkpoint | metric | seeds | original mean | nb1s mean | KS p | "
             "Welch p | KS p (Holm) | Welch p (Holm) |", "|---" * 10 + "|"]
    for r in rows:
        lines.append(f"| {r['optimizer']} | {r['checkpoint']} | {r['metric']} | "
                     f"{r['seeds'][0]}/{r['seeds'][1]} | {r['original_mean']:.5f} | "
                     f"{r['nb1s_mean']:.5f} | {r['ks_p']:.3g} | {r['welch_p']:.3g} | "
                     f"{r['ks_p_holm']:.3g} | {r['welch_p_holm']:.3g} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--original", help=f"automl/nasbench-1shot1 checkout (or ${ENV})")
    parser.add_argument("--nasbench-src", help="google-research/nasbench checkout "
                        "(or $NB1S_NASBENCH_SRC)")
    parser.add_argument("--space", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=200, help="seeds per optimizer")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--rl-seeds", type=int, default=None,
                        help="REINFORCE's seeds (default --seeds; the original takes about "
                        "10 s per seed on TensorFlow)")
    parser.add_argument("--evaluations", type=int, default=280)
    parser.add_argument("--optimizers", default=None,
                        help="comma-separated (default RS,RE,RL; with --library TPE,HB,BOHB)")
    parser.add_argument("--library", action="store_true",
                        help="TPE, HB and BOHB (four-budget data; use --space 2)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the synthetic tfrecord and index (kept; default a "
                        "temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    src = original_dir(args.original)
    if src is None:
        print(f"original_blackbox: no automl/nasbench-1shot1 checkout (--original or ${ENV});"
              " skipped", file=sys.stderr)
        return 2
    api = google_real.load(args.nasbench_src)
    if api is None:
        print("original_blackbox: no google-research/nasbench checkout (--nasbench-src or "
              f"${google_real.ENV}); skipped", file=sys.stderr)
        return 2
    names = (args.optimizers.split(",") if args.optimizers
             else list(LIBRARY if args.library else ("RS", "RE", "RL")))
    full = any(n in ("HB", "BOHB") for n in names)
    work = args.work or Path(tempfile.mkdtemp(prefix="nb1s-original-bb-"))
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tfrecord, index = prepare_data(work, args.space, full)
    original = Original(src, api, tfrecord)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    rl_seeds = seeds[:args.rl_seeds] if args.rl_seeds is not None else seeds
    load = os.getloadavg()[0]

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    result = side_by_side(original, names, args.space, index,
                          lambda n: rl_seeds if n == "RL" else seeds, args.evaluations,
                          work, log)
    result.update({"space": args.space, "evaluations": args.evaluations,
                   "data": f"SYNTHETIC NAS-Bench-101 tfrecord of every SS{args.space} graph "
                           f"({'4/12/36/108' if full else '108'} epochs, seed 0)",
                   "original_commit": commit_of(args.original),
                   "seconds_total": round(time.perf_counter() - start, 1),
                   "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
                   "command": "python bench/original_blackbox.py " + " ".join(
                       sys.argv[1:] if argv is None else argv)})
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(table(result["rows"]))
        print(f"\ncontrol (original RE vs nb1s RS, Holm on its own rows):\n"
              f"{table(result['control'])}" if result["control"] else "")
        print(f"evaluations per seed (distinct counts): {result['evaluations_per_seed']}")
        print(f"agree in distribution at every checkpoint: {result['agree']} "
              f"(smallest uncorrected KS p {result['min_ks_p']:.3g}, Welch p "
              f"{result['min_welch_p']:.3g}); {result['data']}; load average "
              f"{result['load_average']}")
    return 0 if result["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())

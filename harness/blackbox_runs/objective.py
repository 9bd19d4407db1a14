"""NAS-Bench-101 as the black-box optimizers' objective: config id -> one repeat's errors.

The optimizer layer (`nb1s.optimizers.discrete`) never opens a file; it evaluates through
an `Objective`. Here the harness builds one from the imported NB101 index: for each epoch
budget the index holds, a per-space table [hashes of the space, 3 repeats] of validation
error, test error and NB101 training time (1 - accuracy, `final_*` fields, as the
original's `objective_function` reads them), in front of the enumerator's config id ->
hash map. `TableObjective` then applies the repeat policy with the run's seeded draws.
HB and BOHB need all four budgets (4/12/36/108, the full NB101 file); the other
optimizers query 108 epochs only.
"""

from __future__ import annotations

import numpy as np

from nb1s.harness.errors import UserError
from nb1s.harness.nb101.store import NB101Store
from nb1s.optimizers.discrete import RepeatPolicy, RepeatTable, TableObjective

#: NB101 epoch budgets HB and BOHB evaluate at (eta 3 from 4 to 108,
#: docs/original-code.md#black-box-optimizers).
HYPERBAND_BUDGETS = (4, 12, 36, 108)
#: Optimizers that evaluate at lower budgets than 108 epochs.
MULTI_FIDELITY = ("HB", "BOHB")

#: Accepted spellings of the repeat policy (recipe fig5's `nb101_repeat` uses the short ones).
POLICY_NAMES = {"one_random_repeat": RepeatPolicy.ONE_RANDOM_REPEAT,
                "one_random": RepeatPolicy.ONE_RANDOM_REPEAT,
                "mean_of_repeats": RepeatPolicy.MEAN_OF_REPEATS,
                "mean": RepeatPolicy.MEAN_OF_REPEATS}


def repeat_policy(name: str) -> RepeatPolicy:
    """The policy called `name`; UserError naming the choices otherwise."""
    try:
        return POLICY_NAMES[str(name)]
    except KeyError:
        raise UserError(f"unknown repeat policy {name!r}: choose one_random_repeat or "
                        f"mean_of_repeats") from None


def budgets_needed(optimizer: str) -> tuple[int, ...]:
    """The NB101 budgets an optimizer queries (HB/BOHB: four, the rest: 108)."""
    return HYPERBAND_BUDGETS if optimizer in MULTI_FIDELITY else (108,)


def space_tables(store: NB101Store, space: int, budget: int) -> RepeatTable:
    """[H, 3] validation error, test error and training time of every hash of `space`.

    Rows follow the enumerator's per-space index (`LookupIndex.hashes`). An index that
    lacks some of the space's architectures is refused (UserError), as `space_errors` does.
    """
    index = store.space_index(space)
    rows = store.rows_of(index.hashes)
    if (rows < 0).any():
        missing = int((rows < 0).sum())
        example = index.hashes[np.flatnonzero(rows < 0)[0]].decode("ascii")
        raise UserError(f"the NAS-Bench-101 index in {store.directory} lacks {missing} of the "
                        f"{len(rows)} architectures of search space {space} (e.g. {example}); "
                        f"import the complete official file (or synthesize with --spaces "
                        f"{space} --full)")
    valid = 1.0 - np.asarray(store.metric(budget, "final_validation_accuracy")[rows])
    test = 1.0 - np.asarray(store.metric(budget, "final_test_accuracy")[rows])
    time = np.asarray(store.metric(budget, "final_training_time")[rows], dtype=np.float64)
    return RepeatTable(valid_error=valid, test_error=test, train_time=time)


def nb101_objective(store: NB101Store, space: int,
                    policy: RepeatPolicy = RepeatPolicy.ONE_RANDOM_REPEAT,
                    budgets: tuple[int, ...] = (108,)) -> TableObjective:
    """The `Objective` of `space` on `store` at `budgets` (each must be in the index).

    A missing budget is a UserError that says which file has it: HB/BOHB need the full
    NB101 file (4/12/36/108 epochs), `nasbench_only108` has 108 only.
    """
    absent = [b for b in budgets if b not in store.budgets]
    if absent:
        raise UserError(f"the NAS-Bench-101 index in {store.directory} has budgets "
                        f"{', '.join(map(str, store.budgets))} epochs, this run needs "
                        f"{', '.join(map(str, absent))} too: import nasbench_full.tfrecord "
                        f"(or synthesize with --full)")
    index = store.space_index(space)
    tables = {int(b): space_tables(store, space, int(b)) for b in budgets}
    return TableObjective(positions=index.config_hash.astype(np.int64), tables=tables,
                          policy=policy, hashes=index.hashes, synthetic=store.synthetic)

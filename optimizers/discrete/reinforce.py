"""REINFORCE over independent categoricals (RL), the NAS-Bench-1Shot1 baseline
(docs/original-code.md#black-box-optimizers).

One categorical per hyperparameter, logits initialised to 0. Each step samples one
architecture, takes reward = validation accuracy (1 - validation error), updates the
bias-corrected exponential moving average baseline (momentum 0.9: numerator and
denominator both decay, baseline = numerator / denominator) with that reward *first*,
then ascends advantage * grad log p(sample) with learning rate 0.1, as the original
does. A sample whose reward is <= 0.001 is redrawn (those rejected draws are neither
recorded nor counted as time; NB101 has no such architecture, so this never fires on it).

Vectorised across seeds: logits are [seeds, F], all hyperparameters' choices side by side
(`FlatChoices`), softmax and sampling done per segment with `reduceat`; the gradient of
log softmax is written in closed form (one-hot(sample) - softmax), which the tests check
against torch autograd.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import SearchSpace

from .encoding import DiscreteEncoding, encoding_for
from .objective import Evaluation, Objective
from .records import Trajectory, records_from_grid
from .streams import DECISIONS, REPEATS, check_seeds, generators, predraw

NAME = "RL"
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FlatChoices:
    """All hyperparameters' choices side by side on one axis of length F = sum(cards).

    A flat layout instead of a padded [H, max card] one: SS3 has 52 choices but 11 x 15
    padded slots, and every array operation of a step touches only the 52.
    """

    cardinalities: IntArray  # [H]
    starts: IntArray  # [H] first flat slot of each hyperparameter
    owner: IntArray  # [F] hyperparameter of each flat slot
    local: IntArray  # [F] choice index within its hyperparameter

    @classmethod
    def of(cls, cardinalities: npt.ArrayLike) -> FlatChoices:
        card = np.asarray(cardinalities, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(card)[:-1]]).astype(np.int64)
        owner = np.repeat(np.arange(len(card)), card)
        return cls(card, starts, owner, np.arange(int(card.sum())) - starts[owner])


def probabilities(logits: FloatArray, flat: FlatChoices) -> FloatArray:
    """Softmax within each hyperparameter's slots: logits [..., F] -> probabilities [..., F]."""
    peak = np.maximum.reduceat(logits, flat.starts, axis=-1)
    shifted = np.exp(logits - peak[..., flat.owner])
    total = np.add.reduceat(shifted, flat.starts, axis=-1)
    result: FloatArray = shifted / total[..., flat.owner]
    return result


def sample(probs: FloatArray, uniforms: FloatArray, flat: FlatChoices) -> IntArray:
    """Inverse-CDF draw per hyperparameter: probs [..., F], uniforms [..., H] -> [..., H]."""
    cdf = np.cumsum(probs, axis=-1)
    before = np.concatenate([np.zeros((*cdf.shape[:-1], 1)), cdf[..., flat.starts[1:] - 1]],
                            axis=-1)
    below = (cdf - before[..., flat.owner]) < uniforms[..., flat.owner]
    idx = np.add.reduceat(below.astype(np.int64), flat.starts, axis=-1)
    return np.minimum(idx, flat.cardinalities - 1)


def log_prob_gradient(probs: FloatArray, samples: IntArray, advantage: FloatArray,
                      flat: FlatChoices) -> FloatArray:
    """d/dlogits of advantage * sum_h log softmax(logits_h)[sample_h], flat: [..., F]."""
    onehot = flat.local == samples[..., flat.owner]
    grad: FloatArray = advantage[..., None] * (onehot - probs)
    return grad


def reinforce(space: int | SearchSpace, objective: Objective, seeds: npt.ArrayLike,
              n_evaluations: int = 280, learning_rate: float = 0.1, momentum: float = 0.9,
              budget: int = 108, min_reward: float = 0.001,
              max_redraws: int = 1000) -> Trajectory:
    """REINFORCE for every seed in `seeds`, vectorised across seeds."""
    seed_arr = check_seeds(seeds)
    enc = encoding_for(space)
    flat = FlatChoices.of(enc.cardinalities)
    n_seeds, h = len(seed_arr), enc.num_hyperparameters
    decisions = generators(seed_arr, DECISIONS, NAME)
    repeats = generators(seed_arr, REPEATS, NAME)
    u = predraw(decisions, (n_evaluations, h))
    draws = predraw(repeats, (n_evaluations,))

    logits = np.zeros((n_seeds, len(flat.owner)))
    numerator = np.zeros(n_seeds)
    denominator = np.zeros(n_seeds)
    ids = np.empty((n_seeds, n_evaluations), dtype=np.int64)
    valid = np.empty((n_seeds, n_evaluations))
    test = np.empty((n_seeds, n_evaluations))
    time = np.empty((n_seeds, n_evaluations))
    hashes: npt.NDArray[np.bytes_] | None = None
    for step in range(n_evaluations):
        probs = probabilities(logits, flat)
        chosen = sample(probs, u[:, step], flat)
        step_ids = enc.ids_of_drawn(chosen)
        result = objective(step_ids, budget, draws[:, step])
        result, chosen, step_ids = _redraw(enc, objective, budget, probs, chosen, step_ids,
                                           result, decisions, repeats, min_reward, flat,
                                           max_redraws)
        reward = 1.0 - result.valid_error
        numerator = momentum * numerator + (1.0 - momentum) * reward
        denominator = momentum * denominator + (1.0 - momentum)
        advantage = reward - numerator / denominator
        logits = logits + learning_rate * log_prob_gradient(probs, chosen, advantage, flat)
        ids[:, step] = step_ids
        valid[:, step] = result.valid_error
        test[:, step] = result.test_error
        time[:, step] = result.train_time
        if result.hashes is not None:
            if hashes is None:
                hashes = np.zeros((n_seeds, n_evaluations), dtype="S32")
            hashes[:, step] = result.hashes
    return Trajectory(NAME, enc.space.number,
                      records_from_grid(seed_arr, ids, budget,
                                        Evaluation(valid, test, time, hashes)))


def _redraw(enc: DiscreteEncoding, objective: Objective, budget: int, probs: FloatArray,
            chosen: IntArray, step_ids: IntArray, result: Evaluation,
            decisions: list[np.random.Generator], repeats: list[np.random.Generator],
            min_reward: float, flat: FlatChoices, max_redraws: int
            ) -> tuple[Evaluation, IntArray, IntArray]:
    """Redraw, per seed and from that seed's own generators, while reward <= min_reward."""
    bad = np.flatnonzero(1.0 - result.valid_error <= min_reward)
    if bad.size == 0:
        return result, chosen, step_ids
    valid, test = result.valid_error.copy(), result.test_error.copy()
    time = result.train_time.copy()
    hashes = None if result.hashes is None else result.hashes.copy()
    chosen, step_ids = chosen.copy(), step_ids.copy()
    for s in bad:
        for _ in range(max_redraws):
            row = sample(probs[s], decisions[s].random(enc.num_hyperparameters), flat)
            row_id = enc.ids_of_drawn(row[None])
            ev = objective(row_id, budget, np.asarray([repeats[s].random()]))
            if 1.0 - ev.valid_error[0] > min_reward:
                break
        else:
            raise RuntimeError(f"no sample with reward > {min_reward} in {max_redraws} draws")
        chosen[s], step_ids[s] = row, row_id[0]
        valid[s], test[s], time[s] = ev.valid_error[0], ev.test_error[0], ev.train_time[0]
        if hashes is not None and ev.hashes is not None:
            hashes[s] = ev.hashes[0]
    return Evaluation(valid, test, time, hashes), chosen, step_ids

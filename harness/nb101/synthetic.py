"""Synthetic NAS-Bench-101 files in the exact official format, for tests, demos and benchmarks.

No real NAS-Bench-101 file can ship with nb1s (500 MB to 2 GB, Google's licence), yet
every command needs one. This writer produces a tfrecord indistinguishable in *format*
from Google's: same framing, same JSON list, a real `ModelMetrics` protobuf, one record
per repeat, 3 repeats per model and budget, every unique NB101 graph by default (from the
enumerator). The *numbers* are invented: accuracy rises with the number of
convolutions, depth, width and edges, parameters and training time grow with the
convolutions, plus seeded noise per model and per repeat. So rankings and regret curves
look plausible, but nothing derived from them is a finding.

Every evaluation point carries `checkpoint_path = "nb1s-synthetic://seed=S"`, a field of
the official message, so the importer records `synthetic: true` and every later report
says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nb1s.atomic import atomic_open
from nb1s.enumerate import OPS, decode, enumerate_nb101_space, get_space, hash_spec, load_index
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.harness.nb101.model_metrics import ModelMetrics
from nb1s.harness.nb101.records import SYNTHETIC_PREFIX, encode_payload
from nb1s.harness.nb101.tfrecord import TFRecordWriter

FULL_BUDGETS = (4, 12, 36, 108)
ONLY108 = (108,)
REPEATS = 3
_HEXDIGEST_ALL_THRESHOLD = 50_000


@dataclass
class SynthGraphs:
    """Unique pruned graphs: hash, V, per-vertex out-masks [n, 7], labels [n, 7]."""

    hashes: list[str]
    num_vertices: npt.NDArray[np.int64]
    out_masks: npt.NDArray[np.int64]
    labels: npt.NDArray[np.int64]  # -1 input, -2 output, 0..2 op; padding beyond V is 0


def select_graphs(models: int | None = None, spaces: Iterable[int] = ()) -> SynthGraphs:
    """Every unique NB101 graph, or the first `models` of them plus all graphs of `spaces`.

    The spaces' graphs come from the enumerator's per-space lookup index (canonical config
    of each hash), so a tiny file can still cover search space 1 completely.
    """
    spaces = sorted({get_space(s).number for s in spaces})
    hashes: list[str] = []
    vs: list[int] = []
    outs: list[list[int]] = []
    labels: list[list[int]] = []
    if models is None and not spaces:
        models = -1  # everything
    if models:
        nb101 = enumerate_nb101_space()
        v_all, out_all, lab_all = nb101.representatives()
        n = len(v_all) if models < 0 else min(int(models), len(v_all))
        if n < _HEXDIGEST_ALL_THRESHOLD:
            # hexdigests() costs the same (~8 s) for any subset: hash a few specs directly.
            hashes = [hash_spec(*nb101.spec(i)).hash for i in range(n)]
        else:
            hashes = list(nb101.classifier.hexdigests(range(n)))
        vs = v_all[:n].astype(np.int64).tolist()
        outs = out_all[:n].astype(np.int64).tolist()
        labels = lab_all[:n].astype(np.int64).tolist()
    seen = set(hashes)
    for number in spaces:
        space = get_space(number)
        index = load_index(space)
        for config_id in index.canonical_config.tolist():
            matrix, ops = to_nb101_spec(space, decode(space, config_id))
            hashed = hash_spec(matrix, ops)
            if hashed.hash in seen:
                continue
            seen.add(hashed.hash)
            v = len(hashed.pruned_ops)
            hashes.append(hashed.hash)
            vs.append(v)
            outs.append([sum(1 << j for j, x in enumerate(row) if x)
                         for row in hashed.pruned_matrix] + [0] * (7 - v))
            labels.append([-1] + [OPS.index(op) for op in hashed.pruned_ops[1:-1]] + [-2]
                          + [0] * (7 - v))
    return SynthGraphs(hashes=hashes, num_vertices=np.asarray(vs, dtype=np.int64),
                       out_masks=np.asarray(outs, dtype=np.int64).reshape(-1, 7),
                       labels=np.asarray(labels, dtype=np.int64).reshape(-1, 7))


def _features(g: SynthGraphs) -> dict[str, npt.NDArray[np.float64]]:
    """Vectorised graph features the invented metrics depend on."""
    n = len(g.num_vertices)
    inner = (np.arange(7)[None, :] > 0) & (np.arange(7)[None, :] < g.num_vertices[:, None] - 1)
    counts = {op: ((g.labels == op) & inner).sum(axis=1).astype(np.float64) for op in (0, 1, 2)}
    edges = sum(((g.out_masks >> j) & 1).sum(axis=1) for j in range(7)).astype(np.float64)
    # Longest path from the input: vertices are topologically ordered.
    depth = np.zeros((n, 7), dtype=np.int64)
    for v in range(1, 7):
        for u in range(v):
            has_edge = ((g.out_masks[:, u] >> v) & 1).astype(bool)
            depth[:, v] = np.where(has_edge, np.maximum(depth[:, v], depth[:, u] + 1), depth[:, v])
    longest = depth[np.arange(n), g.num_vertices - 1].astype(np.float64)
    width = np.array([bin(m).count("1") for m in g.out_masks[:, 0].tolist()], dtype=np.float64)
    return {"conv3": counts[0], "conv1": counts[1], "pool": counts[2], "edges": edges,
            "depth": longest, "width": width}


@dataclass
class SynthMetrics:
    """Invented metrics: per model params; per (model, budget, repeat) the 8 API fields."""

    params: npt.NDArray[np.int64]  # [n]
    values: npt.NDArray[np.float64]  # [n, budgets, repeats, 9]: half/final x 4 + total_time


def synth_metrics(g: SynthGraphs, budgets: tuple[int, ...], seed: int) -> SynthMetrics:
    """Plausible, architecture-dependent, seeded numbers (see the module docstring)."""
    rng = np.random.default_rng(seed)
    f = _features(g)
    n = len(g.hashes)
    score = (0.9 * np.minimum(f["conv3"], 3) + 0.25 * f["conv3"] + 0.35 * f["conv1"]
             + 0.1 * f["pool"] + 0.5 * np.minimum(f["depth"], 4) + 0.12 * f["edges"]
             + 0.3 * np.minimum(f["width"], 3))
    model_noise = rng.normal(0.0, 0.006, n) * (1 - np.exp(-score))
    acc108 = np.clip(0.938 - 0.83 * np.exp(-0.9 * score) + model_noise, 0.08, 0.942)
    params = np.round((2.3e5 + 4.5e6 * f["conv3"] + 6e5 * f["conv1"] + 2e5 * f["width"])
                      * np.exp(rng.normal(0.0, 0.05, n))).astype(np.int64)
    sec_per_epoch = (2.5 + params / 2e6 + 0.2 * g.num_vertices) * np.exp(rng.normal(0, 0.03, n))

    def progress(epoch: float) -> float:
        return 1.0 - 0.25 * (1.0 - epoch / 108.0) ** 2

    out = np.empty((n, len(budgets), REPEATS, 9), dtype=np.float64)
    for b, budget in enumerate(budgets):
        final_f = progress(budget) + 0.5 * (1.0 - progress(budget))
        half_f = progress(budget / 2)
        for r in range(REPEATS):
            noise = rng.normal(0.0, 0.003, n)
            test_final = np.clip(0.1 + (acc108 - 0.1) * final_f + noise, 0.05, 0.952)
            test_half = np.clip(0.1 + (acc108 - 0.1) * half_f + noise
                                - np.abs(rng.normal(0, 0.01, n)), 0.05, 0.952)
            valid_gap = 0.006 + rng.normal(0.0, 0.002, n)
            time_final = budget * sec_per_epoch * np.exp(rng.normal(0, 0.01, n))
            out[:, b, r, 0] = time_final / 2 * np.exp(rng.normal(0, 0.01, n))
            out[:, b, r, 1] = np.minimum(1.0, test_half + 0.02 + np.abs(rng.normal(0, .01, n)))
            out[:, b, r, 2] = np.minimum(0.97, test_half + valid_gap)
            out[:, b, r, 3] = test_half
            out[:, b, r, 4] = time_final
            out[:, b, r, 5] = np.minimum(1.0, test_final + 0.05 + np.abs(rng.normal(0, .01, n)))
            out[:, b, r, 6] = np.minimum(0.97, test_final + valid_gap)
            out[:, b, r, 7] = test_final
            out[:, b, r, 8] = time_final * 1.1 + 30.0
    return SynthMetrics(params=params, values=out)


def _raw_strings(g: SynthGraphs) -> tuple[list[str], list[str]]:
    """`raw_adjacency` and `raw_operations` strings of every graph."""
    adjacency = []
    operations = []
    for v, masks, labels in zip(g.num_vertices.tolist(), g.out_masks.tolist(),
                                g.labels.tolist(), strict=True):
        adjacency.append("".join("1" if (masks[i] >> j) & 1 else "0"
                                 for i in range(v) for j in range(v)))
        operations.append(",".join(["input", *(OPS[x] for x in labels[1:v - 1]), "output"]))
    return adjacency, operations


def write_synthetic_tfrecord(path: str | os.PathLike[str], models: int | None = None,
                             seed: int = 0, full: bool = False, spaces: Iterable[int] = (),
                             progress: Callable[[int, int], None] | None = None
                             ) -> dict[str, int | bool | str]:
    """Write a synthetic NAS-Bench-101 tfrecord (atomically); return what was written.

    `models=None` and no `spaces`: every unique NB101 graph. `full` writes budgets
    4/12/36/108 like `nasbench_full.tfrecord`, else 108 only like `nasbench_only108`.
    `progress(done, total)` is called per model batch.
    """
    graphs = select_graphs(models, spaces)
    budgets = FULL_BUDGETS if full else ONLY108
    metrics = synth_metrics(graphs, budgets, seed)
    adjacency, operations = _raw_strings(graphs)
    marker = f"{SYNTHETIC_PREFIX}seed={seed}"
    n = len(graphs.hashes)
    records = 0
    values = metrics.values.tolist()
    params = metrics.params.tolist()
    with atomic_open(path, "wb") as fh:
        writer = TFRecordWriter(fh)
        for i in range(n):
            for b, budget in enumerate(budgets):
                for r in range(REPEATS):
                    row = values[i][b][r]
                    message = ModelMetrics(trainable_parameters=params[i], total_time=row[8])
                    message.evaluation_data.add(current_epoch=0.0, training_time=0.0,
                                                train_accuracy=0.1, validation_accuracy=0.1,
                                                test_accuracy=0.1, checkpoint_path=marker)
                    message.evaluation_data.add(
                        current_epoch=budget / 2, training_time=row[0], train_accuracy=row[1],
                        validation_accuracy=row[2], test_accuracy=row[3],
                        checkpoint_path=marker)
                    message.evaluation_data.add(
                        current_epoch=float(budget), training_time=row[4],
                        train_accuracy=row[5], validation_accuracy=row[6],
                        test_accuracy=row[7], checkpoint_path=marker)
                    writer.write(encode_payload(graphs.hashes[i], budget, adjacency[i],
                                                operations[i], message.SerializeToString()))
                    records += 1
            if progress is not None and (i % 4096 == 0 or i == n - 1):
                progress(i + 1, n)
    return {"path": str(path), "models": n, "records": records, "budgets": ",".join(
        map(str, budgets)), "seed": seed, "synthetic": True}

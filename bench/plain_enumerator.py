"""Plain-Python implementation of the enumerator's definitions: the benchmark baseline.

Written straight from the definitions (NAS-Bench-101's hash and pruning, the Table 1
counting rules, NAS-Bench-101's graph generator), with nothing compiled and no cleverness
beyond deduplicating pruned graphs before hashing. It serves twice: as the baseline that
`make bench` times the compiled enumerator against, and as the independent oracle the
tests compare the compiled code with.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


def hash_module(matrix: Sequence[Sequence[int]], labeling: Sequence[int]) -> str:
    """NAS-Bench-101's md5 graph hash, step by step as the reference describes it."""
    n = len(matrix)
    in_degree = [sum(matrix[u][v] for u in range(n)) for v in range(n)]
    out_degree = [sum(matrix[v]) for v in range(n)]
    hashes = [
        hashlib.md5(str((out_degree[v], in_degree[v], labeling[v])).encode()).hexdigest()
        for v in range(n)
    ]
    for _ in range(n):
        fresh = []
        for v in range(n):
            ins = "".join(sorted(hashes[u] for u in range(n) if matrix[u][v]))
            outs = "".join(sorted(hashes[w] for w in range(n) if matrix[v][w]))
            fresh.append(hashlib.md5((ins + "|" + outs + "|" + hashes[v]).encode()).hexdigest())
        hashes = fresh
    return hashlib.md5(str(sorted(hashes)).encode()).hexdigest()


def prune(matrix: Sequence[Sequence[int]], ops: Sequence[str]
          ) -> tuple[list[list[int]], list[str]] | None:
    """ModelSpec-style pruning by two depth-first searches; None when invalid."""
    n = len(matrix)
    forward = {0}
    stack = [0]
    while stack:
        top = stack.pop()
        for v in range(top + 1, n):
            if matrix[top][v] and v not in forward:
                forward.add(v)
                stack.append(v)
    backward = {n - 1}
    stack = [n - 1]
    while stack:
        top = stack.pop()
        for v in range(top):
            if matrix[v][top] and v not in backward:
                backward.add(v)
                stack.append(v)
    keep = sorted(forward & backward)
    if len(keep) < 2:
        return None
    return [[matrix[i][j] for j in keep] for i in keep], [ops[i] for i in keep]


def spec_hash(matrix: Sequence[Sequence[int]], ops: Sequence[str]) -> str | None:
    """Hash of the pruned spec, as `ModelSpec.hash_spec(available_ops)`; None if invalid."""
    pruned = prune(matrix, ops)
    if pruned is None:
        return None
    pm, pops = pruned
    labels = [-1] + [OPS.index(op) for op in pops[1:-1]] + [-2]
    return hash_module(pm, labels)


def table1(parents: Sequence[int]) -> dict[str, int]:
    """All Table 1 counts of one space (parents of nodes 1..k+1), in plain Python."""
    k = len(parents) - 1
    n = k + 2
    options = [list(itertools.combinations(range(j), parents[j - 1])) for j in range(1, n)]
    with_loose = 0
    seen: dict[tuple[tuple[int, ...], ...], int] = {}
    paper_rule = 0
    hashes: set[str] = set()
    for choice in itertools.product(*options):
        matrix = [[0] * n for _ in range(n)]
        for node, parent_set in enumerate(choice, start=1):
            for p in parent_set:
                matrix[p][node] = 1
        with_children = sum(1 for v in range(1, k + 1) if any(matrix[v]))
        with_loose += 3 ** with_children
        pruned = prune(matrix, ["input"] + ["x"] * k + ["output"])
        assert pruned is not None
        kept_matrix, _ = pruned
        key = tuple(map(tuple, kept_matrix))
        # numbered (not re-indexed) identity of the pruned graph: which nodes survive too
        reachable = _kept_nodes(matrix)
        numbered = (tuple(reachable), *key)
        if numbered in seen:
            continue
        seen[numbered] = len(reachable) - 2
        paper_rule += 3 ** with_children
        for ops in itertools.product(range(3), repeat=len(reachable) - 2):
            labels = [-1, *ops, -2]
            hashes.add(hash_module(kept_matrix, labels))
    return {
        "configurations": len(list(itertools.product(*options))) * 3 ** k,
        "with_loose_ends": with_loose,
        "without_loose_ends": sum(3 ** m for m in seen.values()),
        "without_loose_ends_paper_rule": paper_rule,
        "unique_nb101": len(hashes),
    }


def _kept_nodes(matrix: Sequence[Sequence[int]]) -> list[int]:
    n = len(matrix)
    forward = {0}
    for v in range(n):
        if v in forward:
            forward |= {w for w in range(n) if matrix[v][w]}
    backward = {n - 1}
    for v in range(n - 1, -1, -1):
        if any(matrix[v][w] for w in backward):
            backward.add(v)
    return sorted(forward & backward)


def nb101(max_vertices: int = 7, max_edges: int = 9
          ) -> tuple[dict[int, int], dict[int, int], dict[str, tuple[list[list[int]], list[int]]]]:
    """NAS-Bench-101's generator: labelled graphs walked and new unique hashes per V."""
    buckets: dict[str, tuple[list[list[int]], list[int]]] = {}
    labelled: dict[int, int] = {}
    unique: dict[int, int] = {}
    for vertices in range(2, max_vertices + 1):
        before = len(buckets)
        total = 0
        nbits = vertices * (vertices - 1) // 2
        for bits in range(2 ** nbits):
            matrix = [[0] * vertices for _ in range(vertices)]
            for y in range(1, vertices):
                for x in range(y):
                    if (bits >> (x + y * (y - 1) // 2)) & 1:
                        matrix[x][y] = 1
            if sum(map(sum, matrix)) > max_edges:
                continue
            if any(not any(matrix[v]) for v in range(vertices - 1)):
                continue
            if any(not any(matrix[u][v] for u in range(vertices)) for v in range(1, vertices)):
                continue
            for labeling in itertools.product(range(3), repeat=vertices - 2):
                total += 1
                labels = [-1, *labeling, -2]
                digest = hash_module(matrix, labels)
                buckets.setdefault(digest, (matrix, labels))
        labelled[vertices] = total
        unique[vertices] = len(buckets) - before
    return labelled, unique, buckets

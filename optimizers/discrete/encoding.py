"""The discrete (black-box) encoding of a search space: one categorical per decision.

Black-box optimizers see a space the way the original NAS-Bench-1Shot1 code exposes it
(`SearchSpace.get_configuration_space()`): one categorical ``choice_block_{j}_op`` per
choice block j = 1..k and one categorical ``choice_block_{j}_parents`` per node
j = 1..k+1, the output included, whose choices are the node's parent sets. Everything is
derived from `nb1s.enumerate.spaces`, so the parent counts are typed in one place only.

Two views of a point exist here and are converted both ways, vectorised:
- the config id of `nb1s.enumerate.encoding` (what the harness looks up), and
- an index array ``[..., H]``: column j < k is the op label of choice block j+1 (its index in
  `spaces.OPS`), column k + i the position of node i+1's parent set in
  `SearchSpace.parent_options` (`itertools.combinations` order, as the original).
ConfigSpace (`configuration_space`) and the library optimizers work on labels; they
convert through `ids_from_values` / `values_of_id`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import OPS, SearchSpace, decode_array, encode_array, get_space

if TYPE_CHECKING:
    import ConfigSpace

IntArray = npt.NDArray[np.int64]


def parents_label(parent_set: Sequence[int]) -> str:
    """A parent set as a categorical label, e.g. (0, 2) -> "0,2".

    Strings rather than the original's tuples: every library here (hyperopt, SMAC3's JSON
    run history, hpbandster) handles string choices; tuples are not portable across them.
    """
    return ",".join(str(int(p)) for p in parent_set)


@dataclass(frozen=True)
class DiscreteEncoding:
    """Names and choice labels of the categorical hyperparameters of one space."""

    space: SearchSpace
    names: tuple[str, ...]
    choices: tuple[tuple[str, ...], ...]

    @property
    def num_hyperparameters(self) -> int:
        return len(self.names)

    @property
    def cardinalities(self) -> IntArray:
        """Number of choices per hyperparameter, in `names` order."""
        return np.asarray([len(c) for c in self.choices], dtype=np.int64)

    @property
    def num_op_columns(self) -> int:
        return self.space.num_choice_blocks

    def to_indices(self, config_ids: npt.ArrayLike) -> IntArray:
        """Config ids [...] -> categorical indices [..., H] (ops first, then parent sets)."""
        digits, ops = decode_array(self.space, config_ids)
        return np.concatenate([ops, digits], axis=-1)

    def from_indices(self, indices: npt.ArrayLike) -> IntArray:
        """Categorical indices [..., H] -> config ids [...]; the inverse of `to_indices`."""
        arr = np.asarray(indices, dtype=np.int64)
        k = self.num_op_columns
        return encode_array(self.space, arr[..., k:], arr[..., :k])

    @property
    def id_weights(self) -> IntArray:
        """The config-id weight of each column: an id is ``indices @ id_weights``.

        `encode_array` is a mixed-radix number (parent-set digits, then op labels), so the
        id is linear in the categorical indices (`_place_values`; 0 for a column with one
        choice, whose index is always 0); a test pins this to `from_indices`.
        """
        return _id_weights(self)

    def ids_of_drawn(self, indices: npt.ArrayLike) -> IntArray:
        """`from_indices` without its range check, for indices an optimizer drew itself.

        The vectorised optimizers draw every index as ``min(floor(u * n), n - 1)``, in
        range by construction; one integer dot product is then ~10x cheaper than the checked
        digit-by-digit encode, which is a large share of a per-step cost.
        """
        result: IntArray = np.asarray(indices, dtype=np.int64) @ self.id_weights
        return result

    def values_of_id(self, config_id: int) -> dict[str, str]:
        """One config id as {hyperparameter name: choice label} (for the libraries)."""
        row = self.to_indices(np.asarray([config_id]))[0]
        return {name: self.choices[h][int(row[h])] for h, name in enumerate(self.names)}

    def ids_from_values(self, values: Sequence[Mapping[str, Any]]) -> IntArray:
        """Library configurations (name -> label) -> config ids, one per mapping.

        Raises KeyError/ValueError for a missing hyperparameter or an unknown label.
        """
        lookups = _label_lookups(self)
        weights = _place_values(self)
        ids = np.empty(len(values), dtype=np.int64)
        for r, mapping in enumerate(values):
            config_id = 0
            for h, name in enumerate(self.names):
                label = mapping[name]
                try:
                    config_id += weights[h] * lookups[h][str(label)]
                except KeyError:
                    raise ValueError(f"{name} has no choice {label!r}") from None
            ids[r] = config_id
        return ids


@cache
def _id_weights(encoding: DiscreteEncoding) -> IntArray:
    """`_place_values` as a read-only array, for the vectorised optimizers."""
    weights = np.asarray(_place_values(encoding), dtype=np.int64)
    weights.flags.writeable = False
    return weights


@cache
def _label_lookups(encoding: DiscreteEncoding) -> tuple[dict[str, int], ...]:
    return tuple({label: i for i, label in enumerate(c)} for c in encoding.choices)


@cache
def _place_values(encoding: DiscreteEncoding) -> tuple[int, ...]:
    """What one step of each categorical index adds to the config id.

    The config id is a mixed-radix number in the indices, so id = sum_h index_h * w_h.
    The libraries ask for one configuration at a time, and `from_indices` costs tens of
    microseconds of numpy overhead per call, several times the sum in plain ints. The
    weights are read off `from_indices` at the unit rows, not re-derived, so the digit
    order stays defined in `nb1s.enumerate` only (a test pins the sum to it). A
    hyperparameter with one choice (node 1's parents) never moves: weight 0.
    """
    h = encoding.num_hyperparameters
    card = encoding.cardinalities
    units = np.eye(h, dtype=np.int64)[card > 1]
    weights = np.zeros(h, dtype=np.int64)
    weights[card > 1] = encoding.from_indices(units) - encoding.from_indices(np.zeros(h))
    return tuple(int(w) for w in weights)


@cache
def encoding_for(space: int | SearchSpace) -> DiscreteEncoding:
    """The categorical encoding of space 1, 2 or 3 (cached: it never changes)."""
    sp = space if isinstance(space, SearchSpace) else get_space(space)
    k = sp.num_choice_blocks
    names = [f"choice_block_{j}_op" for j in range(1, k + 1)]
    choices: list[tuple[str, ...]] = [OPS] * k
    for node, options in enumerate(sp.parent_options, start=1):
        names.append(f"choice_block_{node}_parents")
        choices.append(tuple(parents_label(p) for p in options))
    return DiscreteEncoding(space=sp, names=tuple(names), choices=tuple(choices))


def configuration_space(space: int | SearchSpace, seed: int | None = None
                        ) -> ConfigSpace.ConfigurationSpace:
    """The space as a ConfigSpace `ConfigurationSpace` (SMAC3 and hpbandster consume it).

    ConfigSpace is imported here, lazily, so that importing the optimizer layer does not
    need the `blackbox` extra.
    """
    import ConfigSpace as CS

    enc = encoding_for(space)
    cs = CS.ConfigurationSpace(seed=seed)
    cs.add([CS.CategoricalHyperparameter(name, list(choices))
            for name, choices in zip(enc.names, enc.choices, strict=True)])
    return cs


def mutation_low_node(space: int | SearchSpace) -> int:
    """The lowest node whose parent set can change: the first with more than one choice.

    The original hard-codes it (3 for SS1, 2 otherwise); here it follows from the parent
    counts, and a test pins the two together.
    """
    enc = encoding_for(space)
    radices = enc.space.parent_radices
    return next(node for node, r in enumerate(radices, start=1) if r > 1)

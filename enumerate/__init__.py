"""Exact combinatorics of the NAS-Bench-1Shot1 search spaces (no torch, no data files).

Public entry points: the space definitions (`SPACES`, `get_space`), the config encoding
(`encode`, `decode` and their array forms), NAS-Bench-101 pruning and hashing
(`hash_spec`), the Table 1 counts (`count_space`), the per-space lookup index
(`load_index`) and the whole NAS-Bench-101 space (`enumerate_nb101_space`).
"""

from .encoding import Config, InvalidConfigError, decode, decode_array, encode, encode_array
from .hashing import HashedSpec, InvalidSpecError, hash_module, hash_spec
from .index import LookupIndex, load_index
from .nb101 import NB101Space
from .nb101 import enumerate_space as enumerate_nb101_space
from .spaces import OPS, SPACES, SearchSpace, UnknownSpaceError, get_space
from .table1 import Table1Counts, count_space

__all__ = [
    "OPS",
    "SPACES",
    "Config",
    "HashedSpec",
    "InvalidConfigError",
    "InvalidSpecError",
    "LookupIndex",
    "NB101Space",
    "SearchSpace",
    "Table1Counts",
    "UnknownSpaceError",
    "count_space",
    "decode",
    "decode_array",
    "encode",
    "encode_array",
    "enumerate_nb101_space",
    "get_space",
    "hash_module",
    "hash_spec",
    "load_index",
]

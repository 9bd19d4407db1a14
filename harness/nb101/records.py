"""One NAS-Bench-101 record payload: the JSON list around a base64 `ModelMetrics`.

Each TFRecord payload of the official files is UTF-8 JSON
``[module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]``: the pruned
adjacency as a row-major string of '0'/'1', the ops comma-separated, and the metrics a
base64 serialized `nasbench.ModelMetrics`. One record is one training repeat. This module
only translates between that text form and Python values; the importer and the
synthetic writer both go through it so they cannot drift apart.
"""

from __future__ import annotations

import base64
import json
from typing import Any

#: Prefix of `EvaluationData.checkpoint_path` in records nb1s generated. It stays inside
#: the official format, and the importer counts records carrying it, so every later
#: report built on such data can say "synthetic".
SYNTHETIC_PREFIX = "nb1s-synthetic://"

#: Metric columns kept per (model, budget, repeat), in the API's names and order.
METRIC_FIELDS: tuple[str, ...] = (
    "halfway_training_time",
    "halfway_train_accuracy",
    "halfway_validation_accuracy",
    "halfway_test_accuracy",
    "final_training_time",
    "final_train_accuracy",
    "final_validation_accuracy",
    "final_test_accuracy",
)


def encode_payload(module_hash: str, epochs: int, raw_adjacency: str, raw_operations: str,
                   metrics: bytes) -> bytes:
    """The JSON payload of one record, formatted like the official files."""
    return json.dumps(
        [module_hash, int(epochs), raw_adjacency, raw_operations,
         base64.b64encode(metrics).decode("ascii")]
    ).encode("utf-8")


def decode_payload(payload: bytes) -> tuple[str, int, str, str, bytes]:
    """(hash, epochs, raw adjacency, raw ops, serialized ModelMetrics) of one payload.

    Raises ValueError with a short reason when the payload is not such a list.
    """
    try:
        item: Any = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"payload is not JSON ({exc})") from None
    if not isinstance(item, list) or len(item) != 5:
        raise ValueError("payload is not a 5-item JSON list")
    module_hash, epochs, raw_adjacency, raw_operations, raw_metrics = item
    if not (isinstance(module_hash, str) and isinstance(epochs, int)
            and isinstance(raw_adjacency, str) and isinstance(raw_operations, str)
            and isinstance(raw_metrics, str)):
        raise ValueError("payload items have the wrong types")
    try:
        metrics = base64.b64decode(raw_metrics, validate=True)
    except ValueError:
        raise ValueError("raw_metrics is not valid base64") from None
    return module_hash, epochs, raw_adjacency, raw_operations, metrics


def adjacency_string(matrix: list[list[int]]) -> str:
    """Row-major '0'/'1' string of a square matrix (the files' `raw_adjacency`)."""
    return "".join("1" if x else "0" for row in matrix for x in row)

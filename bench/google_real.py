"""Google's real `nasbench.api`, loaded from a checkout for side-by-side timing (never vendored).

Where it comes from: `--nasbench-src PATH` or `$NB1S_NASBENCH_SRC`, a checkout of
github.com/google-research/nasbench (the folder that holds `nasbench/api.py`) or a bare git
directory of it, which is extracted with `git archive` into a temporary folder. nb1s ships
none of Google's code; without a checkout the benchmark skips with one line.

How the TF1 code runs here, without editing it:
- its modules do `import tensorflow as tf` and call TF1 functions
  (`tf.python_io.tf_record_iterator`); while they are imported, `tensorflow` resolves to
  TensorFlow 2's `tf.compat.v1`, which still has them;
- its generated `model_metrics_pb2.py` predates protobuf 4 and is refused by today's
  runtime ("Descriptors cannot be created directly"). The module is replaced by nb1s's
  classes built at run time from the same `.proto` (`nb1s.harness.nb101.model_metrics`),
  so Google's loader parses every record with the compiled protobuf (upb), as it would with
  regenerated code. The pure-Python fallback would make its open several times slower;
- `config.build_config()` reads absl flags, which are marked parsed with their defaults.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV = "NB1S_NASBENCH_SRC"

_extracted: list[tempfile.TemporaryDirectory[str]] = []  # kept alive for the process


def source_dir(given: str | os.PathLike[str] | None) -> Path | None:
    """The folder holding `nasbench/api.py`, or None when no checkout was named or found."""
    raw = given if given is not None else os.environ.get(ENV)
    if not raw:
        return None
    path = Path(raw).expanduser()
    if (path / "nasbench" / "api.py").is_file():
        return path
    if (path / "HEAD").is_file() and (path / "objects").is_dir():  # a bare git directory
        return extract_from_git(path, ("nasbench",), "nb1s-nasbench-src-")
    return None


def extract_from_git(git: Path, folders: tuple[str, ...], prefix: str) -> Path:
    """`folders` of HEAD of the git directory `git` (e.g. a `fetch` mirror, which has no
    work tree), written to a temporary folder that lives as long as this process."""
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    _extracted.append(tmp)
    archive = subprocess.run(["git", f"--git-dir={git}", "archive", "HEAD", *folders],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", tmp.name], input=archive, check=True)
    return Path(tmp.name)


@contextlib.contextmanager
def _tensorflow_as_v1() -> Iterator[None]:
    """`import tensorflow` yields `tf.compat.v1` inside the block (restored afterwards)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # TF1 deprecation notices, one per call site
    saved = sys.modules["tensorflow"]
    sys.modules["tensorflow"] = tf.compat.v1
    try:
        yield
    finally:
        sys.modules["tensorflow"] = saved


def load(given: str | os.PathLike[str] | None) -> types.ModuleType | None:
    """Google's `nasbench.api` module, or None when no checkout is available."""
    src = source_dir(given)
    if src is None:
        return None
    from absl import flags

    from nb1s.harness.nb101 import model_metrics

    sys.path.insert(0, str(src))
    substitute = types.ModuleType("nasbench.lib.model_metrics_pb2")
    substitute.ModelMetrics = model_metrics.ModelMetrics  # type: ignore[attr-defined]
    substitute.EvaluationData = model_metrics.EvaluationData  # type: ignore[attr-defined]
    with _tensorflow_as_v1():
        importlib.import_module("nasbench.lib")
        sys.modules["nasbench.lib.model_metrics_pb2"] = substitute
        api = importlib.import_module("nasbench.api")
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()
    return api


def open_dataset(api: Any, tfrecord: Path, seed: int) -> Any:
    """`api.NASBench(tfrecord, seed)` with its "Loading dataset" lines kept off stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        return api.NASBench(str(tfrecord), seed=seed)

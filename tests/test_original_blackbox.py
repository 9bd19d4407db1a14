"""The ORIGINAL RS and RE beside nb1s's (bench/original_blackbox.py), tiny: SS1, 40 seeds.

Needs a checkout of automl/nasbench-1shot1 and of google-research/nasbench
($NB1S_ORIGINAL_SRC, $NB1S_NASBENCH_SRC; `make original`); without $NB1S_ORIGINAL_SRC these
tests are not collected into a run at all (tests/conftest.py), and with a path that holds no
checkout they skip with that reason, so the core suite never depends on them. No network.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.original

SEEDS = list(range(40))
EVALUATIONS = 200


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    import google_real
    import original_blackbox as ob

    src = ob.original_dir(None)
    if src is None:
        pytest.skip(f"no automl/nasbench-1shot1 checkout at ${ob.ENV}="
                    f"{os.environ.get(ob.ENV)!r}")
    api = google_real.load(None)
    if api is None:
        pytest.skip(f"no google-research/nasbench checkout at ${google_real.ENV}="
                    f"{os.environ.get(google_real.ENV)!r}")
    work = tmp_path_factory.mktemp("original-bb")
    tfrecord, index = ob.prepare_data(work, 1, full=False)
    return ob.Original(src, api, tfrecord), index


def test_original_rs_and_re_agree_with_nb1s_and_a_shift_is_caught(
        original: tuple[object, Path], tmp_path: Path) -> None:
    import original_blackbox as ob

    orig, index = original
    result = ob.side_by_side(orig, ["RS", "RE"], 1, index,  # type: ignore[arg-type]
                             lambda name: SEEDS, EVALUATIONS, tmp_path, lambda line: None)
    assert result["agree"], ob.table(result["rows"])
    assert {r["optimizer"] for r in result["rows"]} == {"RS", "RE"}
    assert all(r["seeds"] == [len(SEEDS), len(SEEDS)] for r in result["rows"])
    # the original's own records (run once, seeded): 200 evaluations per seed, errors in (0, 1)
    theirs = np.concatenate([orig.run("RE", 1, s, EVALUATIONS, tmp_path)  # type: ignore[attr-defined]
                             for s in SEEDS])
    records = theirs[theirs["seed"] == SEEDS[0]]
    assert len(records) == EVALUATIONS
    assert ((records["valid_error"] > 0) & (records["valid_error"] < 1)).all()
    # the same tests reject a side whose errors are shifted by a little
    ours = ob.run_nb1s("RE", 1, index, SEEDS, EVALUATIONS)
    shifted = ours.copy()
    shifted["valid_error"] += 0.003
    rows = ob.compare(theirs, shifted, SEEDS, ob.CHECKPOINTS[:-1], False, "RE shifted")
    ob.holm(rows)
    assert any(r["differ"] for r in rows)

"""Finding and reading the BOHB runs fANOVA analyses (hpbandster's json_result_logger files).

A BOHB run of the fig5 recipe is stored as `configs.json` + `results.json` in
`<results>/bohb/.../cs{N}/.../{optimizer}/.../seed-{k}/`, read here with hpbandster's own
`logged_results_to_HBS_result`, so nb1s parses exactly what hpbandster wrote. Which search
space a run belongs to is read from a folder name on that path (`ss{S}`, `space-{S}`,
`space{S}` or `search_space_{S}`, the original's spelling) or, failing that, from the
`space` key of the runs' info dicts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.blackbox_runs.bohb_log import LOG_FILES as LOG_FILES  # re-exported
from nb1s.harness.blackbox_runs.bohb_log import BohbLog
from nb1s.harness.errors import UserError

_SPACE_PART = re.compile(r"^(?:ss|space-?|search_space_)(\d+)$")


@dataclass(frozen=True)
class BudgetData:
    """Every finished evaluation of one run at one budget: raw values and BOHB losses."""

    budget: float
    config_ids: list[str]
    values: dict[str, np.ndarray]  # hyperparameter -> raw values, one per evaluation
    losses: np.ndarray


def _space_of_path(run: Path, root: Path) -> int | None:
    for part in run.relative_to(root).parts:
        match = _SPACE_PART.match(part)
        if match:
            return int(match.group(1))
    return None


def _space_of_info(run: Path) -> int | None:
    """The `space` of the first evaluation whose info names one (validated log lines)."""
    for entry in BohbLog(run).read_results():
        info = entry.result.info if entry.result is not None else None
        if isinstance(info, dict) and isinstance(info.get("space"), int):
            return int(info["space"])
    return None


def find_run(root: Path, space: int, cs: int, optimizer: str, seed: int) -> Path | None:
    """The folder of the BOHB run (space, cs, optimizer, seed) under `root/bohb`, or None."""
    base = root / "bohb"
    if not base.is_dir():
        return None
    found = []
    for log in sorted(base.rglob("results.json")):
        run = log.parent
        parts = run.relative_to(base).parts
        if (f"cs{cs}" not in parts or optimizer not in parts or parts[-1] != f"seed-{seed}"
                or not (run / "configs.json").is_file()):
            continue
        where = _space_of_path(run, base)
        if (where if where is not None else _space_of_info(run)) == space:
            found.append(run)
    if len(found) > 1:
        raise UserError(f"{base} holds {len(found)} BOHB runs for SS{space} CS{cs} "
                        f"{optimizer} seed {seed}: {', '.join(map(str, found))}")
    return found[0] if found else None


def _config_id(cid: Any) -> str:
    return "-".join(str(int(c)) for c in cid)


def read_run(run: Path, names: list[str],
             bounds: dict[str, tuple[float, float]]) -> dict[float, BudgetData]:
    """Per budget, the finished evaluations of one BOHB run (crashed and lossless ones left out).

    Values are clipped into `bounds`: the JSON round trip can move a bound by one ulp,
    which the forest would refuse as out of range.
    """
    import hpbandster.core.result as hpres

    log = BohbLog(run)
    log.read_configs(cut_tail=False)  # every line validated first: one line per problem
    log.read_results(cut_tail=False)
    try:
        result = hpres.logged_results_to_HBS_result(str(run))
    except (OSError, ValueError, IndexError, KeyError, TypeError) as exc:
        raise UserError(f"{run}: not a readable hpbandster result log ({exc})") from None
    id2config = result.get_id2config_mapping()
    rows: dict[float, list[tuple[str, dict[str, Any], float]]] = {}
    for r in result.get_all_runs(only_largest_budget=False):
        if r.loss is None or not math.isfinite(float(r.loss)):
            continue
        config = id2config[r.config_id]["config"]
        missing = [n for n in names if n not in config]
        if missing:
            raise UserError(f"{run}: configuration {_config_id(r.config_id)} has no {missing} "
                            "(is this a CS2 run?)")
        rows.setdefault(float(r.budget), []).append((_config_id(r.config_id), config,
                                                      float(r.loss)))
    out = {}
    for budget, entries in sorted(rows.items()):
        values = {n: np.clip(np.array([float(c[n]) for _, c, _ in entries]), *bounds[n])
                  for n in names}
        out[budget] = BudgetData(budget, [i for i, _, _ in entries], values,
                                 np.array([loss for _, _, loss in entries], dtype=np.float64))
    return out

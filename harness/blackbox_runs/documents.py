"""The JSON document of a black-box run folder: `blackbox-run.json`.

A `ss{N}/{OPT}/` folder holds one record file per seed (`seed-{k}.npy`, numpy's format,
checked by content in `grid.record_problem`) and this document beside them: the settings
every seed of the folder was run with. A resume with other settings is refused against it,
so records of different settings never mix; a damaged or foreign file is one UserError
line (`documents.py`), never a traceback or a silently skipped check.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nb1s.harness.documents import Document

RUN_FILE = "blackbox-run.json"
FORMAT = "nb1s-blackbox-run"


class BlackboxRunSettings(Document):
    """`blackbox-run.json`: what every seed of one (space, optimizer) folder shares."""

    format: Literal["nb1s-blackbox-run"] = Field(description=f"`{FORMAT}`")
    optimizer: str = Field(description="registered black-box optimizer (`RS`, `RE`, ...)")
    space: int = Field(description="search space 1, 2 or 3")
    evaluations: int = Field(description="evaluations per seed (HB/BOHB: x 108 epochs)")
    repeat_policy: str = Field(description="which NB101 repeat a query reads")
    data_dir: str = Field(description="the NB101 index folder")
    data_sha256: str | None = Field(description="sha256 of the index's source file")
    synthetic: bool = Field(description="true when the index was generated, not imported")
    smac_model: str | None = Field(None, description="SMAC's surrogate model; null for the "
                                                     "other optimizers (absent in files "
                                                     "written before it was recorded)")

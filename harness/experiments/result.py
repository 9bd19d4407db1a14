"""What every experiment kind answers: one typed `KindResult` (the seam between the kinds
and the commands).

A kind's `reproduce` and `diff` return a `KindResult`: its `status`, the `verdict` of its
diff (None when nothing was decided), its `labels` (`smoke`, `synthetic`), its results
folder and its own typed `details`, the JSON document `--json` prints (unchanged from the
dicts kinds returned before, so scripts that parse `--json` keep working). The exit code
is read from `status` and `verdict` (`KindResult.exit_code`), never from which keys a dict
happens to hold, and a "cannot run" answer has one constructor, `KindResult.cannot_run`.

Details are `Document`s: their declared fields are checked when the result is built, the
keys a kind adds beyond them are kept (a kind's own model declares its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from nb1s.harness.documents import Document
from nb1s.harness.recipe.plan import Blocked
from nb1s.harness.report.documents import Diff, Verdict
from nb1s.harness.report.verdict import VerdictStatus

#: how far a kind got: everything planned ran (`complete`), some of it could not run or
#: is missing (`partial`), stopped by the user (`interrupted`), runs failed (`failed-runs`),
#: nothing of it can run in this nb1s (`cannot-run`), or an existing folder re-compared
#: (`diffed`: the answer of `nb1s diff`)
Status = Literal["complete", "partial", "interrupted", "failed-runs", "cannot-run", "diffed"]

EXIT_CANNOT_RUN = 3


#: one part of a recipe that cannot run, and why: the plan's own entry
BlockedVariant = Blocked


class CannotRun(Document):
    """The `--json` document of a recipe none of whose parts can run (exit 3)."""

    recipe: str
    version: int
    status: Literal["cannot-run"] = "cannot-run"
    blocked: list[BlockedVariant]
    results: str


class DiffLink(Document):
    """Where a reproduction's diff was written, and its verdict."""

    json_file: str | None = Field(None, alias="json", description="diff.json")
    markdown: str | None = Field(None, description="diff.md")
    verdict: Verdict
    notes: list[str] = Field(default_factory=list)


def diff_link(results: Path, diff: dict[str, Any]) -> dict[str, Any]:
    """A reproduction document's `diff` part (`DiffLink`): where `nb1s diff`'s files of
    `results` are and what they decided; every kind writes the same four keys."""
    from nb1s.harness.search.results_directory import DIFF_JSON, DIFF_MD

    return {"json": str(results / DIFF_JSON), "markdown": str(results / DIFF_MD),
            "verdict": diff["verdict"], "notes": diff["notes"]}


class Reproduced(Document):
    """The `--json` document of a reproduction: the keys every kind writes; each kind
    declares its own in a subclass (`details` of its `KindResult`)."""

    recipe: str
    version: int | None = None
    kind: str | None = None
    profile: str
    protocol: str
    labels: list[str] = Field(default_factory=list)
    status: Literal["complete", "partial", "interrupted", "failed-runs"]
    results: str | None = None
    blocked: list[BlockedVariant] = Field(default_factory=list)
    plots: list[str] = Field(default_factory=list)
    diff: DiffLink | None = None


DetailsT = TypeVar("DetailsT", bound=Document)


class KindResult(BaseModel, Generic[DetailsT]):
    """A kind's answer to `reproduce` or `diff` (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    recipe: str = Field(description="the recipe's name")
    status: Status
    verdict: VerdictStatus | None = Field(
        default=None, description="the diff's decision; None when nothing was compared")
    labels: list[str] = Field(default_factory=list)
    results: Path | None = Field(default=None, description="the results folder (None: the kind "
                                                   "writes none, Table 1)")
    details: DetailsT = Field(description="the kind's own document: what `--json` prints")

    def to_json(self) -> dict[str, Any]:
        """The `--json` document (the kind's details as plain JSON values)."""
        return self.details.to_json()

    def exit_code(self, allow_undecided: bool = False) -> int:
        """3 when nothing could run, 1 on failed runs or a failed diff, 4 when the diff could
        not decide (0 with `allow_undecided`), else 0 (nothing compared: 0)."""
        from nb1s.harness.report.verdict import exit_code

        if self.status == "cannot-run":
            return EXIT_CANNOT_RUN
        if self.status == "failed-runs":
            return 1
        if self.verdict is not None:
            return exit_code(self.verdict, allow_undecided)
        return 0

    @staticmethod
    def cannot_run(recipe: Any, blocked: list[dict[str, Any]] | list[BlockedVariant],
                   results: Path, **extra: Any) -> KindResult[CannotRun]:
        """The one "cannot run" answer (exit 3), whoever finds that nothing of `recipe` can
        run: the dispatch (kind not implemented), a kind whose searches are all blocked, or
        an analysis without its input. `extra` adds keys to the document (profile, ...)."""
        parts = [b if isinstance(b, BlockedVariant) else BlockedVariant.model_validate(b)
                 for b in blocked]
        details = CannotRun.model_validate({"recipe": recipe.name, "version": recipe.version,
                                            **extra, "status": "cannot-run",
                                            "blocked": parts, "results": str(results)})
        labels = [str(x) for x in extra.get("labels", [])]
        return KindResult(recipe=recipe.name, status="cannot-run", labels=labels,
                          results=results, details=details)

    @staticmethod
    def reproduced(details: ReproducedT) -> KindResult[ReproducedT]:
        """A reproduction's result, read from its typed document."""
        return KindResult(
            recipe=details.recipe, status=details.status,
            verdict=None if details.diff is None else _verdict(details.diff.verdict),
            labels=list(details.labels),
            results=None if details.results is None else Path(details.results),
            details=details)

    @staticmethod
    def diffed(diff: Diff, results: Path) -> KindResult[Diff]:
        """`nb1s diff`'s result: the re-derived diff document of a results folder."""
        return KindResult(recipe=diff.aggregate.recipe, status="diffed",
                          verdict=_verdict(diff.verdict), labels=list(diff.aggregate.labels),
                          results=results, details=diff)


ReproducedT = TypeVar("ReproducedT", bound=Reproduced)


def _verdict(verdict: Verdict) -> VerdictStatus:
    """The verdict's status, refused unless it is one `report.verdict` decides."""
    from typing import get_args

    if verdict.status not in get_args(VerdictStatus):
        from nb1s.harness.errors import UserError

        raise UserError(f"unknown verdict status {verdict.status!r}")
    return verdict.status  # type: ignore[return-value]


def diff_result(document: dict[str, Any], results: Path) -> KindResult[Diff]:
    """`KindResult.diffed` of a diff document as the kinds' diff functions return it."""
    return KindResult.diffed(Diff.model_validate(document), results)

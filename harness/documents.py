"""Typed JSON documents: the one way the harness reads and writes its result files.

Every file a run or an analysis leaves behind (`run.json`, `epochs.jsonl`, `plan.json`,
`aggregate.json`, `diff.json`, `correlation.json`, ...) is a pydantic model derived from
`Document`. Reading validates, so a damaged, truncated, hand-edited or foreign file stops
the command with one line naming the file and the first problem (a `UserError`, exit 2)
instead of a `KeyError` three modules later. Writing is atomic.

Documents keep keys they do not declare (`extra="allow"`): files written by an older or
newer nb1s, or with a plugin's additions, still read, and a document read and written back
is the same JSON (only the keys that were set are written, see `dump_document`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from nb1s.atomic import atomic_write_text
from nb1s.harness.errors import UserError


class Document(BaseModel):
    """Base of every result document: unknown keys are kept, declared ones are checked.

    Strict: a number stored as a string (`"0.1"`) is refused, not silently converted.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, strict=True)

    def to_json(self) -> dict[str, Any]:
        """The document as plain JSON values (what is written to disk)."""
        return dump_document(self)


D = TypeVar("D", bound=BaseModel)


def dump_document(doc: BaseModel) -> dict[str, Any]:
    """Plain JSON values of `doc`, only the keys that were set (so a file round-trips)."""
    data: dict[str, Any] = doc.model_dump(exclude_unset=True, by_alias=True)
    return data


def first_problem(exc: ValidationError) -> str:
    """The first validation error as `where: what`, short enough for one line."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "document"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"


def validate_document(data: Any, model: type[D], source: str) -> D:
    """`data` (parsed JSON) as `model`, or one UserError line naming `source`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"{source} is damaged or not a {model.__name__} document "
                        f"({first_problem(exc)})") from None


def parse_json(text: str, source: str) -> Any:
    """JSON of `text`, or one UserError line naming `source`."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UserError(f"{source} is damaged (not JSON: {exc})") from None


def read_text(path: Path) -> str:
    """The text of `path`, or one UserError line when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} cannot be read ({exc})") from None


def parse_document(text: str, model: type[D], source: str) -> D:
    """`text` (JSON) validated as `model` in one pass (pydantic parses the JSON itself,
    which is what keeps reading thousands of epoch records fast), or one UserError line."""
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "json_invalid":
            raise UserError(f"{source} is damaged (not JSON: {err['msg']})") from None
        raise UserError(f"{source} is damaged or not a {model.__name__} document "
                        f"({first_problem(exc)})") from None


def read_document(path: Path, model: type[D]) -> D:
    """Read and validate one JSON document (see module docstring)."""
    return parse_document(read_text(path), model, str(path))


def read_lines(path: Path, model: type[D]) -> list[D]:
    """Read and validate a JSON-lines file, one `model` per non-empty line."""
    return [parse_document(line, model, f"{path} line {number}")
            for number, line in enumerate(read_text(path).splitlines(), start=1)
            if line.strip()]


def to_json_text(value: Any, indent: int | None = None, strict: bool = False) -> str:
    """JSON text; `strict` refuses NaN and infinity (run records other tools must read)."""
    try:
        return json.dumps(value, indent=indent, allow_nan=not strict)
    except ValueError as exc:
        raise UserError(f"refusing to write a non-finite number into a run record ({exc})") \
            from None


def write_document(path: Path, doc: BaseModel | dict[str, Any], indent: int | None = 1,
                   strict: bool = False) -> None:
    """Write one document atomically (a trailing newline, `indent` as the file always had)."""
    data = dump_document(doc) if isinstance(doc, BaseModel) else doc
    atomic_write_text(path, to_json_text(data, indent, strict) + "\n")


def write_checked(path: Path, data: dict[str, Any], model: type[D], indent: int | None = 1,
                  strict: bool = False) -> D:
    """Write `data` (keys in the order they were built) after validating exactly the JSON
    that lands on disk as `model`: nothing is written that its own reader would refuse."""
    text = to_json_text(data, indent, strict)
    doc = validate_document(json.loads(text), model, f"{path} (about to be written)")
    atomic_write_text(path, text + "\n")
    return doc


def write_lines(path: Path, docs: list[Any], strict: bool = True) -> None:
    """Write a JSON-lines file atomically, one document per line."""
    text = "".join(to_json_text(dump_document(d) if isinstance(d, BaseModel) else d,
                                strict=strict) + "\n" for d in docs)
    atomic_write_text(path, text)

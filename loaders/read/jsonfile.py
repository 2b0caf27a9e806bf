"""Reading JSON submissions (``loaders/schema/submission.schema.json``).

A submission is one object: ``kind`` (optional; inferred from the arrays present), ``comment``
(free text, not loaded), and one array per sheet of the kind (``commitments`` and ``milestones``,
``proposals``, ``comments``, ``assessments`` or ``organisations``) of objects keyed by the
column keys. A column with several values takes an array of strings (or one string with
``;`` between values). An object with ``"example": true`` is an example and is skipped.
The structure is checked here, with bilingual messages naming the JSON path; the values are
checked by the same code as spreadsheet cells.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from loaders.columns import KINDS, SHEET_KEYS, normalise_kind, sheet
from loaders.issues import SubmissionError, SubmissionIssue, issue
from loaders.read.table import Row, Table
from registry.i18n import msg

#: Top-level keys other than the sheets.
META_KEYS = ("$schema", "kind", "comment")
EXAMPLE_KEY = "example"


def read_tables(data: bytes, file: str) -> tuple[list[Table], str | None, list[SubmissionIssue]]:
    """The sheets of a JSON submission, its declared kind, and structural problems."""
    if not data.strip():
        raise SubmissionError(
            msg("{file}: the file is empty.", file=file), file=file
        )
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            msg(
                "{file}: the JSON file is not UTF-8. Save it as UTF-8.",
                file=file,
            ),
            file=file,
        ) from exc
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise _syntax_error(exc, file) from exc
        # nested deeper than Python's parser goes, or an integer of over 4,300 digits
        raise SubmissionError(
            msg(
                "{file}: the JSON cannot be read: it is nested too deeply or holds a number "
                "too long to be a value of a submission. Write one object of sheets with "
                "lists of rows, as the template does.",
                file=file,
            ),
            file=file,
        ) from exc
    if not isinstance(doc, dict):
        raise SubmissionError(
            msg(
                "{file}: a JSON submission must be one object ({{\"kind\": ..., "
                "\"commitments\": [...]}}), not {found}.",
                file=file,
                found=type(doc).__name__,
            ),
            file=file,
        )
    problems: list[SubmissionIssue] = []
    kind = None
    if "kind" in doc:
        kind = normalise_kind(str(doc["kind"]))
        if kind is None:
            problems.append(
                issue(
                    msg(
                        "Unknown submission kind {value!r}. Allowed values: {allowed}.",
                        value=doc["kind"],
                        allowed=", ".join(KINDS),
                    ),
                    file=file,
                    column="kind",
                    value=doc["kind"],
                )
            )
    all_sheets = list(SHEET_KEYS)
    tables: list[Table] = []
    for key, value in doc.items():
        if key in META_KEYS:
            continue
        if key not in all_sheets:
            problems.append(
                issue(
                    msg(
                        "Unknown top-level key {key!r}. Allowed keys: {allowed}.",
                        key=key,
                        allowed=", ".join([*META_KEYS, *all_sheets]),
                    ),
                    file=file,
                    column=key,
                )
            )
            continue
        if not isinstance(value, list):
            problems.append(
                issue(
                    msg(
                        "{key!r} must be an array of objects.",
                        key=key,
                    ),
                    file=file,
                    sheet=key,
                )
            )
            continue
        tables.append(_table(file, key, value, problems))
    return tables, kind, problems


def _table(file: str, key: str, items: list[Any], problems: list[SubmissionIssue]) -> Table:
    sh = sheet(key)
    keys = [c.key for c in sh.columns]
    extra: list[str] = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(
                issue(
                    msg(
                        "Item {row} of {sheet!r} must be an object, not {found}.",
                        row=i,
                        sheet=key,
                        found=type(item).__name__,
                    ),
                    file=file,
                    sheet=key,
                    row=i,
                )
            )
            continue
        for k in item:
            if k not in keys and k != EXAMPLE_KEY and k not in extra:
                extra.append(k)
    header = keys + extra

    def rows() -> Iterator[Row]:
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict) or item.get(EXAMPLE_KEY) is True:
                continue
            cells: list[object] = []
            for k in header:
                v = item.get(k)
                if isinstance(v, list):
                    if all(isinstance(x, (str, int, float)) for x in v):
                        v = ";".join(str(x) for x in v)
                    else:
                        v = _BadJson(v)
                elif isinstance(v, dict):
                    v = _BadJson(v)
                cells.append(v)
            yield Row(i, cells)

    return Table(file=file, name=key, header=header, header_row=0, rows=rows(), json_keys=True,
                 expected_rows=len(items))


class _BadJson:
    """A JSON value of the wrong type (an object, or an array of non-strings)."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return json.dumps(self.value, ensure_ascii=False)


def is_bad_json(value: object) -> bool:
    return isinstance(value, _BadJson)


def _syntax_error(exc: json.JSONDecodeError, file: str) -> SubmissionError:
    """Where the JSON stops being JSON, and why."""
    return SubmissionError(
        msg(
            "{file}:{line}:{column}: invalid JSON: {detail}.",
            file=file,
            line=exc.lineno,
            column=exc.colno,
            detail=exc.msg,
        ),
        file=file,
        line=exc.lineno,
        column=exc.colno,
    )

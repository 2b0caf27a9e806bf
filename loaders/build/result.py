"""What building a submission gives: its RDF, its problems, and where every item came from
(file, sheet, row, column), so that every SHACL result can be traced back to a cell."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from loaders.build.dates import PartialDate
from loaders.build.refs import Org
from loaders.columns import Sheet
from loaders.issues import SubmissionIssue, column_letter
from registry.model.orgnames import Period


class DateRules(Protocol):
    """The checks against the registry that need the graph a submission replaces: the shapes'
    date rules and the OGP ids' uniqueness (:meth:`loaders.build.checks.Checks.date_rules`,
    :meth:`~loaders.build.checks.Checks.ogp_id_rules`)."""

    def date_rules(self, exclude: str | None) -> None: ...

    def ogp_id_rules(self, exclude: str | None) -> None: ...


@dataclass
class TableInfo:
    """Where a table's columns are, for locating problems."""

    file: str
    name: str | None
    sheet: Sheet
    columns: dict[str, tuple[str, int]]  # key -> (header as written, position)
    spreadsheet: bool
    json_keys: bool
    #: the table's place among the submission's tables as given (files in the order named,
    #: sheets in workbook order), for sorting the report; tables are built in another order
    order: int = 0

    def locate(self, row: int | None, key: str | None) -> dict[str, object]:
        loc: dict[str, object] = {"sheet": self.name}
        if row is not None:
            loc["row"] = row
        if key is not None:
            header, pos = self.columns.get(key, (self.sheet.column(key).header_nb, -1))
            loc["column"] = header
            if self.spreadsheet and row is not None and pos >= 0:
                loc["cell"] = f"{column_letter(pos)}{row}"
        return loc


@dataclass
class PendingRef:
    """A reference to a plan, commitment, proposal, meeting, comment or milestone, checked
    once every row is read (in the submission or in the registry)."""

    subject: str
    key: str
    iri: str
    ref: str  # plan commitment proposal meeting comment milestone
    text: str
    table: int
    row: int


@dataclass
class Build:
    """The RDF of a submission and everything known about where it came from."""

    kind: str | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    issues: list[SubmissionIssue] = field(default_factory=list)
    subjects: dict[str, tuple[int, int]] = field(default_factory=dict)  # iri -> (table, row)
    types: dict[str, str] = field(default_factory=dict)  # iri -> class
    labels: dict[str, str] = field(default_factory=dict)  # iri -> readable id
    raw: dict[tuple[str, str], str] = field(default_factory=dict)  # (iri, key) -> cell text
    tables: list[TableInfo] = field(default_factory=list)
    plans: Counter[str] = field(default_factory=Counter)  # plan id -> commitments naming it
    plan_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # plan id -> first row
    plan_of: dict[str, str] = field(default_factory=dict)  # commitment iri -> plan id
    plan_names: dict[str, str] = field(default_factory=dict)  # plans sheet: name -> plan id
    plan_periods: dict[str, Period | None] = field(default_factory=dict)  # plans sheet
    authors: Counter[str] = field(default_factory=Counter)
    #: everything the author column names: the organisations found, and texts found nowhere
    author_names: set[str] = field(default_factory=set)
    ogp_ids: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # -> (iri, t, row)
    commitment_ids: dict[str, str] = field(default_factory=dict)  # registry id -> iri
    provisional: set[str] = field(default_factory=set)  # rows whose id could not be read
    derived_themes: int = 0  # commitments given themes from their policy areas
    rows: int = 0
    examples: int = 0
    organisations: list[Org] = field(default_factory=list)
    dates: dict[tuple[str, str], PartialDate] = field(default_factory=dict)  # (iri, path)
    builder: DateRules | None = None  # its date rules, run once the target graph is known

    @property
    def ok(self) -> bool:
        return not any(i.severity == "violation" for i in self.issues)

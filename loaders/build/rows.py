"""From tables to RDF: every row becomes one item, every cell one or more statements.

The builder checks what only it can check (values that are not dates, unknown allowed values,
unknown organisations, duplicate ids, missing columns, formulas) and records where each item
came from, so that every SHACL result can be traced back to file, sheet, row and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import pyoxigraph as ox
from rdflib.namespace import DCTERMS

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.checks import Checks
from loaders.build.emit import Emitters
from loaders.build.refs import References, period_of
from loaders.build.result import Build, TableInfo
from loaders.build.state import RDF_TYPE
from loaders.build.subjects import Subjects, duplicate
from loaders.columns import (
    KINDS,
    READ_ORDER,
    SHEET_KEYS,
    Sheet,
    kind_of_sheet,
    kind_of_sheets,
    norm,
    sheet,
)
from loaders.read.table import Row, Table, best_sheet, is_blank, matched_columns, sheet_for_name
from registry.i18n import Msg, msg, msg_n
from registry.model.orgnames import Period
from registry.uris import Uris

EXAMPLE_MARKERS = {"eksempel", "example"}
#: Column kinds read as one typed value (not split into texts).
_SCALAR_KINDS = frozenset({"date", "integer", "position", "boolean"})


def in_sheet(name: str | None) -> Msg:
    """Where a table is, for a message: the sheet ``name``, or the file (a CSV file)."""
    return msg("the sheet \"{name}\"", name=name) if name else msg("the file")


class Builder(Subjects, Emitters, Checks):
    """Walks a submission's tables and rows: which sheet a table is, its columns, each row
    named (:class:`~loaders.build.subjects.Subjects`) and turned into statements
    (:class:`~loaders.build.emit.Emitters`), then the checks of the whole submission
    (:class:`~loaders.build.checks.Checks`)."""

    # -- tables ------------------------------------------------------------------------------
    def run(self, tables: list[Table], kind: str | None) -> Build:
        assigned = self._assign(tables, kind)
        if assigned is None:
            return self.b
        given = {id(t): i for i, (t, _sh) in enumerate(assigned)}  # files and sheets in order
        order = {k: i for i, k in enumerate(READ_ORDER)}
        assigned.sort(key=lambda ts: order.get(ts[1].key, 99))
        for table, sh in assigned:
            self._table(table, sh)
            self.b.tables[-1].order = given[id(table)]
        self._resolve_refs()
        self._check_plan()
        if self.b.derived_themes:
            self.problem(
                msg_n(
                    "Themes derived from the OGP policy areas for {n} commitment that gives no "
                    "themes itself (the editors' mapping in ontology/themes.ttl, as for the "
                    "bundled plan).",
                    "Themes derived from the OGP policy areas for {n} commitments that give no "
                    "themes themselves (the editors' mapping in ontology/themes.ttl, as for the "
                    "bundled plan).",
                    self.b.derived_themes,
                ),
                severity="info",
            )
        if self.b.rows == 0 and not self.b.issues:
            self.problem(
                msg(
                    "The submission has no data rows (only headers, example rows or empty "
                    "rows). Fill in at least one row.",
                )
            )
        return self.b

    def _assign(self, tables: list[Table], kind: str | None) -> list[tuple[Table, Sheet]] | None:
        candidates = list(KINDS[kind]) if kind else None
        out: list[tuple[Table, Sheet]] = []
        for t in tables:
            key = sheet_for_name(t.name) if t.name else None
            if key is None or (candidates and key not in candidates):
                key, found = best_sheet(list(t.header), candidates)
                if found == 0:
                    self.problem(
                        msg(
                            "Found no known columns in {where}. The first row must be the "
                            "headers of the template (ogpreg template).",
                            where=in_sheet(t.name),
                        )
                    )
                    continue
            out.append((t, sheet(key)))
        if not out:
            if not self.b.issues:
                self.problem(
                    msg(
                        "Found no sheet with submission data. Expected sheets: {sheets}.",
                        sheets=Msg.texts(
                            nb=", ".join(sheet(k).name_nb for k in SHEET_KEYS),
                            en=", ".join(sheet(k).name_en for k in SHEET_KEYS),
                        ),
                    )
                )
            return None
        try:
            self.b.kind = kind if kind else kind_of_sheets(sh.key for _, sh in out)
        except KeyError:
            kinds = {kind_of_sheet(sh.key) for _, sh in out}
            self.problem(
                msg(
                    "The file mixes submission kinds ({kinds}); one submission is one kind. "
                    "Split it into one file per kind.",
                    kinds=", ".join(sorted(kinds)),
                )
            )
            return None
        seen: set[str] = set()
        for _t, sh in out:
            if sh.key in seen:
                self.problem(
                    msg(
                        "The sheet for {sheet} appears twice in the submission.",
                        sheet=sh.title,
                    )
                )
                return None
            seen.add(sh.key)
        if self.b.kind == "commitments" and "commitments" not in seen:
            self.problem(
                msg(
                    "Milestones are submitted with their commitments: the sheet \"{sheet}\" is "
                    "missing.",
                    sheet=sheet("commitments").title,
                )
            )
        return out

    def _table(self, table: Table, sh: Sheet) -> None:
        columns = matched_columns(list(table.header), sh)
        positions: dict[str, tuple[str, int]] = {}
        idx = len(self.b.tables)
        info = TableInfo(table.file, table.name or sh.name_nb, sh, positions,
                         spreadsheet=table.name is not None and not table.json_keys,
                         json_keys=table.json_keys)
        if table.name is None:
            info.name = None
        self.b.tables.append(info)
        for note in table.notes:
            self.problem(note, table=idx, severity="info")
        known = [h for c in sh.columns for h in (c.header_nb, c.header_en)]
        for pos, key in columns.items():
            header = str(table.header[pos])
            if key is None:
                close = difflib.get_close_matches(header, known, 1, 0.5)
                self.problem(
                    msg(
                        "Unknown column \"{header}\" is not read. Did you mean \"{close}\"?",
                        header=header,
                        close=close[0],
                    )
                    if close
                    else msg("Unknown column \"{header}\" is not read.", header=header),
                    table=idx,
                    row=table.header_row or None,
                    severity="warning",
                )
            elif key in positions:
                self.problem(
                    msg(
                        "The column \"{header}\" appears twice; only the first is read.",
                        header=header,
                    ),
                    table=idx,
                    row=table.header_row or None,
                    severity="warning",
                )
            else:
                positions[key] = (header, pos)
        missing = [c for c in sh.required if c.key not in positions]
        for c in missing:
            self.problem(
                # TRANSLATORS: {bokmal} is the column's bokmål header, which the English text
                # shows as well (the first header row of a template is in bokmål).
                msg(
                    "The required column \"{header}\" (\"{bokmal}\") is missing from {where}. "
                    "Expected columns (* = required): {expected}. Use the headers of the "
                    "template (ogpreg template --kind {kind}).",
                    header=c.heading,
                    bokmal=c.header_nb,
                    where=in_sheet(info.name),
                    expected=Msg.texts(
                        nb=", ".join(x.header_nb + (" *" if x.required else "")
                                     for x in sh.columns),
                        en=", ".join(x.header_en + (" *" if x.required else "")
                                     for x in sh.columns),
                    ),
                    kind=kind_of_sheet(sh.key),
                ),
                table=idx,
                row=table.header_row or None,
            )
        header_names = {norm(h) for c in sh.columns for h in (c.header_nb, c.header_en, c.key)}
        # the template's example row says EKSEMPEL in its first column; a person who moved that
        # column still has the marker in it (and a file that kept the order, in cell A)
        marker_at = {0} | ({positions[sh.columns[0].key][1]} if sh.columns[0].key in positions
                           else set())
        for row in table.rows:
            if all(is_blank(v) for v in row.cells):
                continue
            marks = (row.cells[i] for i in marker_at if i < len(row.cells))
            if any(isinstance(m, str) and norm(m) in EXAMPLE_MARKERS for m in marks):
                self.b.examples += 1
                continue
            if not table.json_keys and all(
                is_blank(v) or (isinstance(v, str) and norm(v) in header_names) for v in row.cells
            ):
                continue  # a second header row (e.g. the English one of the template)
            self.b.rows += 1
            if self.progress is not None:
                self.progress(1)
            self._row(idx, sh, positions, row)

    # -- rows --------------------------------------------------------------------------------
    def _row(self, t: int, sh: Sheet, positions: dict[str, tuple[str, int]], row: Row) -> None:
        values: dict[str, list[str]] = {}
        raw_cells: dict[str, object] = {}
        failed: set[str] = set()
        layout = self._layouts.get(id(positions))
        if layout is None:  # positions are complete before the first row is read
            layout = self._layouts[id(positions)] = [
                (key, pos, sh.column(key), sh.column(key).spec.kind in _SCALAR_KINDS)
                for key, (_header, pos) in positions.items()
            ]
        required = self._required.get(sh.key)
        if required is None:
            required = self._required[sh.key] = sh.required
        cells = row.cells
        width = len(cells)
        for key, pos, col, scalar in layout:
            cell = cells[pos] if pos < width else None
            raw_cells[key] = cell
            try:
                if scalar:
                    C.check_cell(cell)
                    values[key] = [] if is_blank(cell) else [cell]  # type: ignore[list-item]
                else:
                    values[key] = C.split(cell, col)
            except C.CellError as exc:
                failed.add(key)
                self.problem(exc.message, table=t, row=row.number, key=key,
                             value=C.text_of(getattr(cell, "text", cell)))
        id_key = self._id_key(sh, positions, values, failed)  # before _subject reads the ids
        subject = self._subject(t, sh, values, failed, row)
        named = subject is not None
        if subject is None:  # the row's other cells are checked all the same
            subject = self._provisional(t, sh, values, row)
        for col in required:
            if col.key in positions and col.key not in failed and not values.get(col.key):
                if col.key == "id" and sh.key in ("assessments", "commitments"):
                    continue
                failed.add(col.key)
                self.problem(C.required_missing(col).message, table=t, row=row.number,
                             key=col.key, focus=subject)
        self._check_title(t, sh, values, failed, row, subject)
        if named and subject in self.b.subjects:
            first = self.b.subjects[subject]
            raw = raw_cells.get(id_key)
            written = C.text_of(getattr(raw, "text", raw))
            self.problem(
                duplicate(
                    sh.key,
                    ident=self.b.labels.get(subject, subject),
                    where=in_sheet(self.b.tables[first[0]].name),
                    first=first[1],
                ),
                table=t,
                row=row.number,
                key=id_key,
                value=written or self.b.labels.get(subject, subject),
                focus=subject,
            )
            return
        self.b.subjects[subject] = (t, row.number)
        cls = self._classes.get(sh.key)
        if cls is None:
            cls = self._classes[sh.key] = (str(sh.cls), ox.NamedNode(str(sh.cls)))
        self.b.types[subject] = cls[0]
        s = ox.NamedNode(subject)
        add = self.b.triples.append
        self._row_start = len(self.b.triples)
        self._row_period = self._period_of_row(sh, values)
        add(ox.Triple(s, RDF_TYPE, cls[1]))
        for key, texts in values.items():
            if key in failed or not texts:
                continue
            col = sh.column(key)
            try:
                self._emit(t, sh, col, s, texts, row, raw_cells.get(key))
            except C.CellError as exc:
                self.problem(exc.message, table=t, row=row.number, key=key,
                             value=C.text_of(raw_cells.get(key)), focus=subject,
                             severity=exc.severity)
        self._extra(sh, s, values, failed, t, row)

    def _id_key(
        self, sh: Sheet, positions: dict[str, tuple[str, int]], values: dict[str, list[str]],
        failed: set[str],
    ) -> str:
        """The column whose value names the row's item (where a duplicate is reported): as
        :meth:`~loaders.build.subjects.Subjects._subject` reads it, e.g. a commitment's «ID»
        when it is filled in, else its «OGP-ID»."""

        def given(key: str) -> bool:
            return key in positions and bool(values.get(key)) and key not in failed

        if sh.key == "milestones":
            return "position"
        if sh.key == "commitments":
            return "id" if given("id") else "ogp_id"
        if sh.key == "assessments" and not given("id"):
            return "commitment"
        if sh.key == "organisations":
            number = (values.get("number") or [""])[0]
            if given("number") and self.refs.by_number.get(str(number).replace(" ", "")):
                return "number"
            return "name_nb"
        return sh.columns[0].key

    def _check_title(
        self, t: int, sh: Sheet, values: dict[str, list[str]], failed: set[str], row: Row,
        subject: str,
    ) -> None:
        """A title in at least one of bokmål, nynorsk or English (one message, not one per
        language; a missing bokmål or English title alone is a warning from the shapes)."""
        keys = [c.key for c in sh.columns if c.spec.path == DCTERMS.title]
        if not keys or any(values.get(k) or k in failed for k in keys):
            return
        self.problem(
            msg(
                "The title is missing: fill in at least one of {columns}.",
                columns=Msg.texts(
                    nb=", ".join(f"«{sh.column(k).header_nb}»" for k in keys),
                    en=", ".join(f"“{sh.column(k).header_en}”" for k in keys),
                ),
            ),
            table=t, row=row.number, key=keys[0], focus=subject,
        )

    def _period_of_row(self, sh: Sheet, values: dict[str, list[str]]) -> Period | None:
        """The period to prefer organisations by: a commitment's plan's, a plan's own."""
        if sh.key == "commitments" and values.get("plan"):
            plan_id, _notice = self._plan_ref(str(values["plan"][0]))
            return self._plan_period(plan_id)
        if sh.key == "plans":
            start, end = values.get("start_date") or [], values.get("end_date") or []
            return period_of(C.text_of(start[0]) if start else None,
                             C.text_of(end[0]) if end else None)
        return None


def build(
    tables: list[Table],
    *,
    refs: References,
    uris: Uris,
    file: str,
    kind: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Build:
    """The RDF and problems of a submission made of ``tables``."""
    builder = Builder(refs, uris, file, progress=progress)
    b = builder.run(tables, kind)
    b.builder = builder
    return b


__all__ = ["Builder", "build"]

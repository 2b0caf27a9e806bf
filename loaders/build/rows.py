"""From tables to RDF: every row becomes one item, every cell one or more statements.

The builder checks what only it can check (values that are not dates, unknown allowed values,
unknown organisations, duplicate ids, missing columns, formulas) and records where each item
came from, so that every SHACL result can be traced back to file, sheet, row and column.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.dates import PartialDate, parse_date
from loaders.build.refs import Org, References, check_digit_ok
from loaders.columns import KINDS, Column, Sheet, kind_of_sheet, norm, shape_message, sheet
from loaders.issues import SubmissionIssue, column_letter, issue
from loaders.read.table import Row, Table, best_sheet, is_blank, matched_columns, sheet_for_name
from registry.i18n import Msg, msg
from registry.namespaces import OGP, OGPSH, SCHEMA
from registry.uris import Uris, slugify

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ORG = "http://www.w3.org/ns/org#Organization"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
EXAMPLE_MARKERS = {"eksempel", "example"}
#: Columns naming who made the submission's items (the submitter when --submitted-by is absent).
AUTHOR_COLUMNS = {
    "commitments": "lead_agency",
    "proposals": "proposed_by",
    "comments": "comment_by",
    "assessments": "assessed_by",
}
_MEETINGS = tuple(
    str(c) for c in (OGP.Meeting, OGP.ConsultationMeeting, OGP.FollowUpMeeting,
                     OGP.EvaluationMeeting)
)
_REF_CLASSES: dict[str, tuple[str, ...]] = {
    "plan": (str(OGP.ActionPlan),),
    "commitment": (str(OGP.Commitment),),
    "proposal": (str(OGP.Proposal),),
    "meeting": _MEETINGS,
    "comment": (str(OGP.Comment),),
    "milestone": (str(OGP.Milestone),),
}
_START = str(SCHEMA.startDate)
_END = str(SCHEMA.endDate)
_MILESTONE = str(OGP.Milestone)
_COMMITMENT = str(OGP.Commitment)
_OF_COMMITMENT = str(OGP.ofCommitment)
_IN_ACTION_PLAN = str(OGP.inActionPlan)
_REGISTER_RECORD = ox.NamedNode(str(OGP.registerRecord))
_HAS_MILESTONE = ox.NamedNode(str(OGP.hasMilestone))
#: Column kinds read as one typed value (not split into texts).
_SCALAR_KINDS = frozenset({"date", "integer", "position", "boolean"})
_REF_NAMES = {
    "plan": ("handlingsplan", "action plan"),
    "commitment": ("forpliktelse", "commitment"),
    "proposal": ("forslag", "proposal"),
    "meeting": ("møte", "meeting"),
    "comment": ("kommentar", "comment"),
    "milestone": ("milepæl", "milestone"),
}


@dataclass
class TableInfo:
    """Where a table's columns are, for locating problems."""

    file: str
    name: str | None
    sheet: Sheet
    columns: dict[str, tuple[str, int]]  # key -> (header as written, position)
    spreadsheet: bool
    json_keys: bool

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
class _Ref:
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
    plans: Counter[str] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    examples: int = 0
    organisations: list[Org] = field(default_factory=list)
    dates: dict[tuple[str, str], PartialDate] = field(default_factory=dict)  # (iri, path)
    builder: Builder | None = None

    @property
    def ok(self) -> bool:
        return not any(i.severity == "violation" for i in self.issues)


class Builder:
    def __init__(
        self,
        refs: References,
        uris: Uris,
        file: str,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.refs = refs
        self.uris = uris
        self.file = file
        self.b = Build()
        self.pending: list[_Ref] = []
        self.progress = progress
        self.exclude: str | None = None  # the graph this submission replaces
        self._row_start = 0
        self._by_subject_cache: dict[str, list[ox.Triple]] | None = None
        # minted once per identifier: a milestone's commitment is named by every milestone
        self._commitment_iris: dict[str, str] = {}
        self._plan_iris: dict[str, str] = {}
        # per column: its predicate (None without one) and its path's text
        self._paths: dict[int, tuple[ox.NamedNode | None, str | None]] = {}
        # per table (its positions): (key, position, column, read as one typed value)
        self._layouts: dict[int, list[tuple[str, int, Column, bool]]] = {}
        self._required: dict[str, list[Column]] = {}
        self._classes: dict[str, tuple[str, ox.NamedNode]] = {}

    @property
    def _by_subject(self) -> dict[str, list[ox.Triple]]:
        if self._by_subject_cache is None:
            idx: dict[str, list[ox.Triple]] = {}
            for tr in self.b.triples:
                if isinstance(tr.subject, ox.NamedNode):
                    idx.setdefault(tr.subject.value, []).append(tr)
            self._by_subject_cache = idx
        return self._by_subject_cache

    def _commitment_iri(self, ident: str) -> str:
        iri = self._commitment_iris.get(ident)
        if iri is None:
            iri = self._commitment_iris[ident] = self.uris.commitment(ident)
        return iri

    def _plan_iri(self, plan_id: str) -> str:
        iri = self._plan_iris.get(plan_id)
        if iri is None:
            iri = self._plan_iris[plan_id] = self.uris.plan(plan_id)
        return iri

    def _path(self, col: Column) -> tuple[ox.NamedNode | None, str | None]:
        got = self._paths.get(id(col))
        if got is None:
            p = col.spec.path
            got = self._paths[id(col)] = (
                (ox.NamedNode(str(p)), str(p)) if p is not None else (None, None)
            )
        return got

    # -- problems ----------------------------------------------------------------------------
    def problem(
        self,
        message: Msg,
        *,
        table: int | None = None,
        row: int | None = None,
        key: str | None = None,
        value: object = None,
        severity: str = "violation",
        focus: str = "",
    ) -> None:
        loc: dict[str, object] = {}
        path = None
        if table is not None:
            info = self.b.tables[table]
            loc = info.locate(row, key)
            if key is not None:
                p = info.sheet.column(key).spec.path
                path = str(p) if p is not None else None
        i = issue(message, file=self.file, severity=severity, focus=focus, path=path, value=value)
        i.location = {k: v for k, v in loc.items() if v is not None}
        self.b.issues.append(i)

    # -- tables ------------------------------------------------------------------------------
    def run(self, tables: list[Table], kind: str | None) -> Build:
        assigned = self._assign(tables, kind)
        if assigned is None:
            return self.b
        order = {k: i for i, k in enumerate(KINDS[self.b.kind or "commitments"])}
        assigned.sort(key=lambda ts: order.get(ts[1].key, 99))
        for table, sh in assigned:
            self._table(table, sh)
        self._resolve_refs()
        self._check_plan()
        if self.b.rows == 0 and not self.b.issues:
            self.problem(
                msg(
                    "Innsendingen har ingen datarader (bare overskrifter, eksempelrader eller "
                    "tomme rader). Fyll inn minst én rad.",
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
                            "Fant ingen kjente kolonner i {where}. Første rad skal være "
                            "overskriftene fra malen (ogpreg template).",
                            "Found no known columns in {where_en}. The first row must be the "
                            "headers of the template (ogpreg template).",
                            where=f"arket «{t.name}»" if t.name else "filen",
                            where_en=f'the sheet "{t.name}"' if t.name else "the file",
                        )
                    )
                    continue
            out.append((t, sheet(key)))
        if not out:
            if not self.b.issues:
                self.problem(
                    msg(
                        "Fant ingen ark med innsendingsdata. Forventede ark: {sheets}.",
                        "Found no sheet with submission data. Expected sheets: {sheets_en}.",
                        sheets=", ".join(sheet(k).name_nb for ks in KINDS.values() for k in ks),
                        sheets_en=", ".join(
                            sheet(k).name_en for ks in KINDS.values() for k in ks
                        ),
                    )
                )
            return None
        kinds = {kind_of_sheet(sh.key) for _, sh in out}
        if len(kinds) > 1:
            self.problem(
                msg(
                    "Filen blander innsendingstyper ({kinds}); én innsending er én type. Del "
                    "den i én fil per type.",
                    "The file mixes submission kinds ({kinds}); one submission is one kind. "
                    "Split it into one file per kind.",
                    kinds=", ".join(sorted(kinds)),
                )
            )
            return None
        self.b.kind = kinds.pop()
        seen: set[str] = set()
        for _t, sh in out:
            if sh.key in seen:
                self.problem(
                    msg(
                        "Arket for {sheet} finnes to ganger i innsendingen.",
                        "The sheet for {sheet_en} appears twice in the submission.",
                        sheet=sh.name_nb,
                        sheet_en=sh.name_en,
                    )
                )
                return None
            seen.add(sh.key)
        if self.b.kind == "commitments" and "commitments" not in seen:
            self.problem(
                msg(
                    "Milepæler sendes sammen med forpliktelsene sine: arket «Forpliktelser» "
                    "mangler.",
                    "Milestones are submitted with their commitments: the sheet "
                    "\"Commitments\" is missing.",
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
        for note_nb, note_en in table.notes:
            self.problem(msg(note_nb, note_en), table=idx, severity="info")
        known = [h for c in sh.columns for h in (c.header_nb, c.header_en)]
        for pos, key in columns.items():
            header = str(table.header[pos])
            if key is None:
                close = difflib.get_close_matches(header, known, 1, 0.5)
                self.problem(
                    msg(
                        "Ukjent kolonne «{header}» blir ikke lest.{hint}",
                        "Unknown column \"{header}\" is not read.{hint_en}",
                        header=header,
                        hint=f" Mente du «{close[0]}»?" if close else "",
                        hint_en=f' Did you mean "{close[0]}"?' if close else "",
                    ),
                    table=idx,
                    row=table.header_row or None,
                    severity="warning",
                )
            elif key in positions:
                self.problem(
                    msg(
                        "Kolonnen «{header}» finnes to ganger; bare den første blir lest.",
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
                msg(
                    "Den påkrevde kolonnen «{header}» mangler i {where}. Forventede kolonner "
                    "(* = påkrevd): {expected}. Bruk overskriftene fra malen (ogpreg template "
                    "--kind {kind}).",
                    "The required column \"{header_en}\" (\"{header}\") is missing from "
                    "{where_en}. Expected "
                    "columns (* = required): {expected_en}. Use the headers of the template "
                    "(ogpreg template --kind {kind}).",
                    header=c.header_nb,
                    header_en=c.header_en,
                    where=f"arket «{info.name}»" if info.name else "filen",
                    where_en=f'the sheet "{info.name}"' if info.name else "the file",
                    expected=", ".join(x.header_nb + (" *" if x.required else "")
                                       for x in sh.columns),
                    expected_en=", ".join(x.header_en + (" *" if x.required else "")
                                          for x in sh.columns),
                    kind=kind_of_sheet(sh.key),
                ),
                table=idx,
                row=table.header_row or None,
            )
        header_names = {norm(h) for c in sh.columns for h in (c.header_nb, c.header_en, c.key)}
        for row in table.rows:
            if all(is_blank(v) for v in row.cells):
                continue
            first = row.cells[0] if row.cells else None
            if isinstance(first, str) and norm(first) in EXAMPLE_MARKERS:
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
        for col in required:
            if col.key in positions and col.key not in failed and not values.get(col.key):
                if col.key == "id" and sh.key == "assessments":
                    continue
                failed.add(col.key)
                self.problem(C.required_missing(col).message, table=t, row=row.number,
                             key=col.key)
        subject = self._subject(t, sh, values, failed, row)
        if subject is None:
            return
        if subject in self.b.subjects:
            first = self.b.subjects[subject]
            key = sh.columns[0].key if sh.key != "milestones" else "position"
            self.problem(
                msg(
                    "{what} {ident} finnes allerede i {where} rad {first}. Hver {what_l} skal "
                    "stå på én rad; slå radene sammen eller rett identifikatoren.",
                    "{what_en} {ident} already appears in {where_en} row {first}. Each "
                    "{what_en_l} goes on one row; merge the rows or correct the identifier.",
                    what=_thing(sh.key)[0],
                    what_l=_thing(sh.key)[1],
                    what_en=_thing(sh.key)[2],
                    what_en_l=_thing(sh.key)[3],
                    ident=self.b.labels.get(subject, subject),
                    where=f"arket «{self.b.tables[first[0]].name}»"
                    if self.b.tables[first[0]].name
                    else "filen",
                    where_en=f'the sheet "{self.b.tables[first[0]].name}"'
                    if self.b.tables[first[0]].name
                    else "the file",
                    first=first[1],
                ),
                table=t,
                row=row.number,
                key=key,
                value=self.b.labels.get(subject, subject),
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

    def _subject(
        self, t: int, sh: Sheet, values: dict[str, list[str]], failed: set[str], row: Row
    ) -> str | None:
        def one(key: str) -> str | None:
            v = values.get(key) or []
            return v[0] if v and key not in failed else None

        try:
            if sh.key == "commitments":
                text = one("ogp_id")
                if text is None:
                    return None
                ident = C.read_ogp_id(text, sh.column("ogp_id"))
                iri = self._commitment_iri(ident)
                self.b.labels[iri] = ident
                values["ogp_id"] = [ident]
                return iri
            if sh.key == "milestones":
                c, p = one("commitment"), values.get("position") or []
                if c is None or not p or "position" in failed:
                    return None
                ident = C.read_ogp_id(c, sh.column("commitment"))
                pos = C.read_integer(p[0])
                if pos < 1:
                    raise C.CellError(
                        msg("Nummeret må være 1 eller større.", "The position must be 1 or more.")
                    )
                iri = self.uris.milestone(ident, pos)
                self.b.labels[iri] = f"{ident}/{pos}"
                return iri
            if sh.key in ("proposals", "comments"):
                text = one("id")
                if text is None:
                    return None
                ident = C.read_identifier(text)
                mint = self.uris.proposal if sh.key == "proposals" else self.uris.comment
                iri = mint(ident)
                self.b.labels[iri] = ident
                return iri
            if sh.key == "assessments":
                return self._assessment_subject(values, failed)
            if sh.key == "organisations":
                return self._organisation_subject(t, values, failed, row)
        except C.CellError as exc:
            key = {"commitments": "ogp_id", "milestones": "commitment"}.get(sh.key, "id")
            if sh.key == "milestones" and "commitment" in values and "position" in str(exc):
                key = "position"
            self.problem(exc.message, table=t, row=row.number, key=key,
                         value=C.text_of((values.get(key) or [""])[0]))
            return None
        return None

    def _assessment_subject(self, values: dict[str, list[str]], failed: set[str]) -> str | None:
        explicit = values.get("id") or []
        if explicit and "id" not in failed:
            ident = C.read_identifier(explicit[0])
        else:
            needed = ("commitment", "kind", "date")
            if any(k in failed or not values.get(k) for k in needed):
                return None
            ogp = C.read_ogp_id(values["commitment"][0], sheet("assessments").column("commitment"))
            kind_iri = C.read_concept(values["kind"][0], sheet("assessments").column("kind"))
            _lit, day = C.read_date(values["date"][0], sheet("assessments").column("date"))
            ms = values.get("milestone") or []
            part = f"-m{C.read_integer(ms[0])}" if ms and "milestone" not in failed else ""
            ident = f"{ogp}{part}-{kind_iri.value.rsplit('/', 1)[-1]}-{day.lexical}"
        iri = self.uris.assessment(ident)
        self.b.labels[iri] = ident
        return iri

    def _organisation_subject(
        self, t: int, values: dict[str, list[str]], failed: set[str], row: Row
    ) -> str | None:
        name: str | None = (values.get("name_nb") or [None])[0]  # type: ignore[list-item]
        number: str | None = (values.get("number") or [None])[0]  # type: ignore[list-item]
        existing = None
        if number and "number" not in failed:
            existing = self.refs.by_number.get(number.replace(" ", ""))
        if existing is None and name and "name_nb" not in failed:
            existing = self.refs.by_name.get(norm(name))
        if existing is not None:
            iri = existing.iri
        elif name and "name_nb" not in failed:
            try:
                iri = self.uris.organisation(name)
            except ValueError:
                raise C.CellError(
                    msg("Navnet kan ikke brukes i en URI.", "The name cannot be used in a URI.")
                ) from None
        else:
            return None
        self.b.labels[iri] = name or (existing.name if existing else iri)
        org = Org(iri, [n for n in (name, *(values.get("name_en") or [])) if n])
        self.b.organisations.append(org)
        return iri

    def _emit(
        self,
        t: int,
        sh: Sheet,
        col: Column,
        s: ox.NamedNode,
        texts: list[str],
        row: Row,
        raw: object,
    ) -> None:
        spec = col.spec
        kind = spec.kind
        path, path_text = self._path(col)
        add = self.b.triples.append
        subject = s.value
        if kind != "text":
            self.b.raw[(subject, col.key)] = C.text_of(raw)
        if path is None:
            return
        if kind == "text":
            for text in texts:
                add(ox.Triple(s, path, C.literal_text(text, spec.lang)))
        elif kind == "id":
            value = self.b.labels.get(subject, texts[0]) if sh.key != "assessments" else (
                self.b.labels.get(subject, texts[0])
            )
            add(ox.Triple(s, path, ox.Literal(value)))
        elif kind == "date":
            lit, day = C.read_date(texts[0], col)
            add(ox.Triple(s, path, lit))
            if path_text == _START or path_text == _END:
                assert path_text is not None
                self.b.dates[(subject, path_text)] = day
        elif kind == "position":
            n = C.read_integer(texts[0])
            if sh.key == "assessments":
                return
            add(ox.Triple(s, path, ox.Literal(str(n), datatype=XSD_INTEGER)))
        elif kind == "boolean":
            flag = C.read_boolean(texts[0])
            add(ox.Triple(s, path, ox.Literal("true" if flag else "false",
                                              datatype=XSD_BOOLEAN)))
        elif kind == "concept":
            for text in texts:
                add(ox.Triple(s, path, C.read_concept(text, col)))
        elif kind == "url":
            for text in texts:
                add(ox.Triple(s, path, C.read_url(text)))
        elif kind == "orgnr":
            number = "".join(texts[0].split())
            if not (len(number) == 9 and number.isdigit()):
                raise C.CellError(Msg(col.message_nb, col.message_en))
            if not check_digit_ok(number):
                raise C.CellError(Msg(
                    shape_message("OrganisationNumberCheckDigit", "nb", value=number),
                    shape_message("OrganisationNumberCheckDigit", "en", value=number)))
            add(ox.Triple(s, path, ox.Literal(number)))
            if len(number) == 9 and number.isdigit():
                add(ox.Triple(s, _REGISTER_RECORD, ox.NamedNode(
                    f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}")))
        elif kind == "org":
            errors: list[Msg] = []
            for text in texts:
                org, problem = self.refs.organisation(text)
                if org is None:
                    assert problem is not None
                    errors.append(problem)
                    continue
                add(ox.Triple(s, path, ox.NamedNode(org.iri)))
                if col.key == AUTHOR_COLUMNS.get(kind_of_sheet(sh.key)):
                    self.b.authors[org.iri] += 1
            for e in errors:
                self.problem(e, table=t, row=row.number, key=col.key, value=", ".join(texts),
                             focus=subject)
        else:
            self._reference(t, sh, col, s, path, texts, row)

    def _reference(
        self, t: int, sh: Sheet, col: Column, s: ox.NamedNode, path: ox.NamedNode,
        texts: list[str], row: Row,
    ) -> None:
        kind = col.spec.kind
        for text in texts:
            ref = kind
            if kind == "plan":
                iri = self._plan_iri(text.strip())
                self.b.plans[text.strip()] += 1
            elif kind == "commitment":
                ident = C.read_ogp_id(text, col)
                iri = self._commitment_iri(ident)
                if sh.key == "milestones":
                    pass
                elif sh.key == "assessments":
                    continue  # handled in _extra (commitment or milestone)
            elif kind == "proposal":
                iri = self.uris.proposal(C.read_identifier(text))
            elif kind == "comment":
                iri = self.uris.comment(C.read_identifier(text))
            elif kind == "meeting":
                lit, day = C.read_date(text, col)
                if day.precision != "day":
                    raise C.CellError(msg(
                        "Møtet angis med datoen sin, f.eks. 2018-06-19.",
                        "Give the meeting by its date, e.g. 2018-06-19."))
                iri = self.uris.meeting(day.lexical)
            elif kind == "commented":
                candidate = "".join(text.split()).upper()
                if C.OGP_ID.match(candidate):
                    iri, ref = self.uris.commitment(candidate), "commitment"
                else:
                    iri, ref = self.uris.proposal(C.read_identifier(text)), "proposal"
            else:  # pragma: no cover - every column kind is handled
                raise AssertionError(kind)
            self.b.triples.append(ox.Triple(s, path, ox.NamedNode(iri)))
            self.pending.append(_Ref(s.value, col.key, iri, ref, text, t, row.number))

    def _extra(
        self, sh: Sheet, s: ox.NamedNode, values: dict[str, list[str]], failed: set[str], t: int,
        row: Row,
    ) -> None:
        add = self.b.triples.append
        if sh.key == "milestones":
            c = self._commitment_iri(C.read_ogp_id(values["commitment"][0],
                                                   sh.column("commitment")))
            if c in self.b.subjects:
                add(ox.Triple(ox.NamedNode(c), _HAS_MILESTONE, s))
        elif sh.key == "assessments":
            if "commitment" in failed or not values.get("commitment"):
                return
            try:
                ident = C.read_ogp_id(values["commitment"][0], sh.column("commitment"))
                ms = values.get("milestone") or []
                if ms and "milestone" not in failed:
                    pos = C.read_integer(ms[0])
                    target, ref = self.uris.milestone(ident, pos), "milestone"
                else:
                    target, ref = self.uris.commitment(ident), "commitment"
            except C.CellError as exc:
                self.problem(exc.message, table=t, row=row.number, key="milestone")
                return
            add(ox.Triple(s, ox.NamedNode(str(OGP.assesses)), ox.NamedNode(target)))
            self.pending.append(_Ref(s.value, "commitment", target, ref,
                                     values["commitment"][0], t, row.number))
            if not values.get("id"):
                add(ox.Triple(s, ox.NamedNode(str(sh.column("id").spec.path)),
                              ox.Literal(self.b.labels[s.value])))
        elif sh.key == "organisations":
            kinds = [tr.object for tr in self.b.triples[self._row_start:]
                     if tr.subject == s and tr.predicate.value == str(OGP.organisationKind)]
            if kinds and isinstance(kinds[0], ox.NamedNode):
                code = kinds[0].value.rsplit("/", 1)[-1]
                if code in ("ministry", "public-body"):
                    add(ox.Triple(s, RDF_TYPE, ox.NamedNode(str(OGP.PublicBody))))
                if code == "ministry":
                    add(ox.Triple(s, RDF_TYPE, ox.NamedNode(str(OGP.Ministry))))
            org = self.b.organisations[-1]
            org.number = (values.get("number") or [None])[0]  # type: ignore[list-item]
            self.refs.add_org(org)

    # -- after all rows ----------------------------------------------------------------------
    def _resolve_refs(self) -> None:
        for r in self.pending:
            classes = _REF_CLASSES[r.ref]
            local = self.b.types.get(r.iri)
            if local is not None and local in classes:
                continue
            if self.refs.has_type(r.iri, classes):
                continue
            nb, en = _REF_NAMES[r.ref]
            extra_nb = extra_en = ""
            if r.ref == "plan":
                known = self.refs.plan_ids()
                extra_nb = f" Kjente handlingsplaner: {', '.join(known) or '(ingen)'}."
                extra_en = f" Known action plans: {', '.join(known) or '(none)'}."
            self.problem(
                msg(
                    "Fant ingen {what} «{value}» i innsendingen eller i registeret.{extra} Rett "
                    "referansen, eller send inn det den viser til først.",
                    "No {what_en} \"{value}\" in the submission or in the registry.{extra_en} "
                    "Correct the reference, or submit what it points to first.",
                    what=nb,
                    what_en=en,
                    value=r.text,
                    extra=extra_nb,
                    extra_en=extra_en,
                ),
                table=r.table,
                row=r.row,
                key=r.key,
                value=r.text,
                focus=r.subject,
            )

    # -- the shapes' SHACL-SPARQL date rules, evaluated here (docs/performance.md) ---------
    def _registry_dates(self, iri: str) -> dict[str, PartialDate]:
        out: dict[str, PartialDate] = {}
        for path in (_START, _END):
            if (iri, path) in self.b.dates or iri in self.b.subjects:
                if (iri, path) in self.b.dates:
                    out[path] = self.b.dates[(iri, path)]
                continue
            for obj, _graph in self.refs.values(iri, path, exclude=self.exclude):
                lexical = getattr(obj, "value", "")
                try:
                    out[path] = parse_date(lexical)
                except ValueError:
                    continue
        return out

    def date_rules(self, exclude: str | None) -> None:
        """The shapes' date rules (ogpsh:EndNotBeforeStart, ogpsh:MilestoneWithinCommitment,
        ogpsh:CommitmentWithinPlan) with their own messages; registry dates are read outside
        ``exclude`` (the graph this submission replaces)."""
        self.exclude = exclude
        start, end = _START, _END
        limits_of: dict[str, dict[str, PartialDate]] = {}  # the registry does not change here
        for iri, (t, row) in self.b.subjects.items():
            own = {p: d for p in (start, end) if (d := self.b.dates.get((iri, p))) is not None}
            if start in own and end in own:  # ogpsh:EndNotBeforeStart
                e, b = own[end].lexical, own[start].lexical
                if e < b and not b.startswith(e):
                    self._rule(iri, t, row, end, e, "EndNotBeforeStart", "violation",
                               "DateOrderShape", start=b)
            cls = self.b.types.get(iri)
            if cls == _MILESTONE:
                parent, shape, ref_var = self._parent(iri, _OF_COMMITMENT)
                constraint, node_shape, severity = ("MilestoneWithinCommitment",
                                                    "MilestonePeriodShape", "violation")
            elif cls == _COMMITMENT:
                parent, shape, ref_var = self._parent(iri, _IN_ACTION_PLAN)
                constraint, node_shape, severity = ("CommitmentWithinPlan",
                                                    "CommitmentPeriodShape", "warning")
            else:
                continue
            if parent is None or not own:
                continue
            limits = limits_of.get(parent)
            if limits is None:
                limits = limits_of[parent] = self._registry_dates(parent)
            for path, v in own.items():
                for limit_path, lim in limits.items():
                    a, b = v.lexical, lim.lexical
                    outside = (a < b and not b.startswith(a)) if limit_path == start else (
                        a > b and not a.startswith(b))
                    if outside:
                        self._rule(iri, t, row, path, a, constraint, severity, node_shape,
                                   limit=b, **{ref_var: parent})
            _ = shape

    def _parent(self, iri: str, predicate: str) -> tuple[str | None, str, str]:
        for tr in self._by_subject.get(iri, ()):
            if tr.predicate.value == predicate and isinstance(tr.object, ox.NamedNode):
                var = "commitment" if predicate == _OF_COMMITMENT else "plan"
                return tr.object.value, predicate, var
        return None, predicate, ""

    def _rule(
        self, iri: str, t: int, row: int, path: str, value: str, constraint: str, severity: str,
        node_shape: str, **params: str,
    ) -> None:
        values = {"value": value, **params}
        key = "end_date" if path == _END else "start_date"
        i = issue(
            Msg(shape_message(constraint, "nb", **values), shape_message(constraint, "en",
                                                                         **values)),
            file=self.file,
            severity=severity,
            focus=iri,
            path=path,
            value=value,
            shape=str(OGPSH[node_shape]),
        )
        i.constraint = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
        i.location = {k: v for k, v in self.b.tables[t].locate(row, key).items() if v is not None}
        self.b.issues.append(i)

    def _check_plan(self) -> None:
        if len(self.b.plans) <= 1:
            return
        main_plan = self.b.plans.most_common(1)[0][0]
        for iri, (t, row) in self.b.subjects.items():
            if self.b.types.get(iri) != _COMMITMENT:
                continue
            plan = self.b.raw.get((iri, "plan"))
            if plan and plan != main_plan:
                self.problem(
                    msg(
                        "En innsending gjelder én handlingsplan, og de fleste radene gjelder "
                        "{main}. Send forpliktelser til {plan} i en egen innsending.",
                        "A submission is for one action plan, and most rows are for {main}. "
                        "Send commitments for {plan} in a separate submission.",
                        main=main_plan,
                        plan=plan,
                    ),
                    table=t,
                    row=row,
                    key="plan",
                    value=plan,
                    focus=iri,
                )


def _thing(sheet_key: str) -> tuple[str, str, str, str]:
    """(definite bokmål, indefinite bokmål, definite English, English noun)."""
    return {
        "commitments": ("Forpliktelsen", "forpliktelse", "The commitment", "commitment"),
        "milestones": ("Milepælen", "milepæl", "The milestone", "milestone"),
        "proposals": ("Forslaget", "forslag", "The proposal", "proposal"),
        "comments": ("Kommentaren", "kommentar", "The comment", "comment"),
        "assessments": ("Vurderingen", "vurdering", "The assessment", "assessment"),
        "organisations": ("Organisasjonen", "organisasjon", "The organisation", "organisation"),
    }[sheet_key]


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


__all__ = ["Build", "TableInfo", "build", "slugify"]

"""Naming each row's item: its IRI minted from the identifier in its row (an OGP id, a
commitment and position, a proposal's or comment's id, an assessment's parts, an
organisation's number or name), and the message for an item that appears twice."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.refs import Org
from loaders.build.state import BuilderState, Known
from loaders.columns import Sheet, norm, sheet
from loaders.read.table import Row
from loaders.specs import ONE_OF_REQUIRED
from registry.i18n import N_, Msg, msg
from registry.model.description import Value, same_thing
from registry.namespaces import OGP
from registry.uris import slugify

_ASSESSES = ox.NamedNode(str(OGP.assesses))
_KIND = ox.NamedNode(str(OGP.assessmentKind))
_DATE = ox.NamedNode(str(OGP.assessmentDate))
_REPORT = ox.NamedNode(str(OGP.irmReport))


def _report_names(texts: list[str]) -> set[str]:
    """The IRM reports ``texts`` name, each as the pages tell one report from another
    (:func:`registry.model.description.same_thing`: the name as published, however its dashes
    and spaces were typed); a text of spaces alone names none."""
    keys = (same_thing(str(OGP.irmReport), Value(raw=str(text))) for text in texts)
    return {key for key in keys if key is not None}


def _report_suffix(reports: set[str]) -> str:
    """What a rating's IRM reports add to its identifier when it has no date, as the bundled
    ratings are named (scripts/ogp_commitments.py ``assessment_iri``): ``-<report>`` (without
    "norway-") for one report, nothing for several (OGP's page naming them all)."""
    if len(reports) != 1:
        return ""
    (key,) = reports
    try:
        return "-" + slugify(key.removeprefix("report:")).removeprefix("norway-")
    except ValueError:  # a name without a letter or digit to make a segment of
        return ""


class Subjects(BuilderState):
    """The builder's part that names a row's item (``_subject``)."""

    def _subject(
        self, t: int, sh: Sheet, values: dict[str, list[str]], failed: set[str], row: Row
    ) -> str | None:
        """The IRI of the row's item, or None when its identifier cannot be read (the problem
        is reported; the builder then checks the row's other cells under a provisional name)."""

        def one(key: str) -> str | None:
            v = values.get(key) or []
            return v[0] if v and key not in failed else None

        key = {"commitments": "id", "milestones": "commitment"}.get(sh.key, "id")
        try:
            if sh.key == "commitments":
                text = one("id")
                ogp = one("ogp_id")
                if text is not None:
                    ident = C.read_commitment_id(text)
                elif ogp is not None and C.is_ogp_id(ogp):
                    ident = C.read_ogp_id(ogp)
                else:
                    if ogp is None and "id" not in failed and "ogp_id" not in failed:
                        self._missing_id(t, sh, row)
                    return None
                iri = self._commitment_iri(ident)
                self.b.labels[iri] = ident
                values["id"] = [ident]
                return iri
            if sh.key == "milestones":
                c, p = one("commitment"), values.get("position") or []
                if c is None or not p or "position" in failed:
                    return None
                commitment = self._commitment_ref(c)
                key = "position"
                pos = C.read_integer(p[0])
                if pos < 1:
                    raise C.CellError(
                        msg("The position must be 1 or more.")
                    )
                iri = f"{commitment}/milestone/{pos}"
                label = self.b.labels.get(commitment) or commitment.rsplit("/", 1)[-1]
                self.b.labels[iri] = f"{label}/{pos}"
                return iri
            if sh.key in ("proposals", "comments", "plans"):
                text = one("id")
                if text is None:
                    return None
                ident = C.read_identifier(text)
                mint = {"proposals": self.uris.proposal, "comments": self.uris.comment,
                        "plans": self._plan_iri}[sh.key]
                iri = mint(ident)
                self.b.labels[iri] = ident
                return iri
            if sh.key == "assessments":
                self._dated_or_reported(t, sh, values, failed, row)
                key = "id" if one("id") is not None else ""
                try:
                    return self._assessment_subject(values, failed)
                except C.CellError:
                    if key:
                        raise
                    return None  # a cell the name is made of: reported at its own column
            if sh.key == "organisations":
                return self._organisation_subject(t, values, failed, row)
        except C.CellError as exc:
            failed.add(key)  # reported here, once: the row's cells are not read again for it
            self.problem(exc.message, table=t, row=row.number, key=key,
                         value=C.text_of((values.get(key) or [""])[0]))
            return None
        return None

    def _missing_id(self, t: int, sh: Sheet, row: Row) -> None:
        self.problem(
            msg(
                "The commitment has no ID: fill in \"{id}\" (the registry's ID, e.g. "
                "2023-2027-03 while OGP has given none) or \"{ogp}\" (e.g. NO0054).",
                id=sh.column("id").heading,
                ogp=sh.column("ogp_id").heading,
            ),
            table=t,
            row=row.number,
            key="id",
        )

    def _provisional(self, t: int, sh: Sheet, values: dict[str, list[str]], row: Row) -> str:
        """A name for a row whose identifier cannot be read, so that its other cells are
        checked too (nothing is loaded while the row has an error)."""
        iri = f"urn:x-ogpreg:row:{t}:{row.number}"
        first = next((v[0] for v in values.values() if v), "")
        self.b.labels[iri] = first or f"{sh.name_nb} {row.number}"
        self.b.provisional.add(iri)
        return iri

    def _dated_or_reported(
        self, t: int, sh: Sheet, values: dict[str, list[str]], failed: set[str], row: Row
    ) -> None:
        """A row that fills in none of the columns of which it needs one
        (:data:`~loaders.specs.ONE_OF_REQUIRED`: an assessment's date or its IRM report),
        reported once, at the first of them, naming them all."""
        keys = ONE_OF_REQUIRED.get(sh.key, ())
        if not keys or any(values.get(k) or k in failed for k in keys):
            return
        self.problem(
            msg(
                "The assessment has neither a date nor an IRM report. Fill in \"{date}\" "
                "(e.g. 2020-09-01, or the year or month an IRM report gives), or, for an IRM "
                "assessment from a report whose date is not known, \"{report}\" (the report's "
                "name as published).",
                date=sh.column(keys[0]).heading,
                report=sh.column(keys[1]).heading,
            ),
            table=t, row=row.number, key=keys[0],
        )

    def _assessment_subject(self, values: dict[str, list[str]], failed: set[str]) -> str | None:
        explicit = values.get("id") or []
        if explicit and "id" not in failed:
            ident = C.read_identifier(explicit[0])
        else:
            dated = bool(values.get("date")) and "date" not in failed
            reports = (_report_names(values.get("irm_report") or [])
                       if "irm_report" not in failed else set())
            if (any(k in failed or not values.get(k) for k in ("commitment", "kind"))
                    or not (dated or reports) or "date" in failed):
                return None
            commitment = self._commitment_ref(values["commitment"][0])
            ogp = self.b.labels.get(commitment) or commitment.rsplit("/", 1)[-1]
            kind_iri = C.read_concept(values["kind"][0], sheet("assessments").column("kind"))
            ms = values.get("milestone") or []
            part = f"-m{C.read_integer(ms[0])}" if ms and "milestone" not in failed else ""
            kind = kind_iri.value.rsplit("/", 1)[-1]
            lit: ox.Literal | None = None
            if dated:
                lit, day = C.read_date(values["date"][0], sheet("assessments").column("date"))
                ident = f"{ogp}{part}-{kind}-{day.lexical}"
            else:  # as the bundled IRM ratings are named (scripts/ogp_commitments.py)
                ident = f"{ogp}{part}-{kind}{_report_suffix(reports)}"
            target = f"{commitment}/milestone/{part[2:]}" if part else commitment
            same = self._same_assessment(target, kind_iri, lit, reports,
                                         self.uris.assessment(ident))
            if same is not None:  # the registry's IRI for this assessment (docs/pages.md)
                self.b.labels[same] = same.rsplit("/", 1)[-1]
                return same
        iri = self.uris.assessment(ident)
        self.b.labels[iri] = ident
        return iri

    def _same_assessment(
        self, target: str, kind: ox.NamedNode, date: ox.Literal | None, reports: set[str],
        minted: str,
    ) -> str | None:
        """The IRI the registry already has for the assessment of ``target`` of ``kind`` on
        ``date`` or from the IRM ``reports`` (names as :func:`_report_names` gives them):
        another source, e.g. the bundled IRM ratings, minted its own. An assessment of the
        same kind matches with the same date, or when it names every one of ``reports`` and
        gives no other date. The one assessment that matches, unless ``minted`` is one of
        them; else None (mint)."""
        found = set()
        for a, (kinds, dates, names) in self._assessments_of(target).items():
            if kinds != {kind}:
                continue
            if date is not None and dates == {date}:
                found.add(a)
            elif reports and reports <= names and (date is None or dates <= {date}):
                found.add(a)
        return found.pop() if len(found) == 1 and minted not in found else None

    def _assessments_of(self, target: str) -> dict[str, Known]:
        """The registry's assessments of ``target`` with their kinds, dates and IRM reports
        (as :func:`_report_names` names them): one query per target and build (an external
        engine answers each read over HTTP, and a sheet names the same commitment on many
        rows)."""
        known = self._assessments.get(target)
        if known is None:
            known = self._assessments[target] = {}
            t = ox.NamedNode(target)  # its N-Triples form is a safe IRI reference
            rows = self.refs.reader.query(
                f"SELECT ?a ?k ?d ?r WHERE {{ GRAPH ?g {{ ?a {_ASSESSES} {t} }} "
                f"OPTIONAL {{ GRAPH ?gk {{ ?a {_KIND} ?k }} }} "
                f"OPTIONAL {{ GRAPH ?gd {{ ?a {_DATE} ?d }} }} "
                f"OPTIONAL {{ GRAPH ?gr {{ ?a {_REPORT} ?r }} }} }}"
            )
            assert isinstance(rows, ox.QuerySolutions)
            for r in rows:
                a = r["a"]
                if not isinstance(a, ox.NamedNode):
                    continue
                kinds, dates, names = known.setdefault(a.value, (set(), set(), set()))
                if r["k"] is not None:
                    kinds.add(r["k"])
                if r["d"] is not None:
                    dates.add(r["d"])
                report = r["r"]
                if isinstance(report, ox.Literal):
                    names |= _report_names([report.value])
        return known

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
                    msg("The name cannot be used in a URI.")
                ) from None
        else:
            return None
        self.b.labels[iri] = name or (existing.name if existing else iri)
        org = Org(iri, [n for n in (name, *(values.get("name_en") or [])) if n])
        self.b.organisations.append(org)
        return iri


#: Per sheet: the message for an item that appears on two rows (whole sentences, so that a
#: translation can make the words agree with the noun).
_DUPLICATE = {
    "commitments": N_(
        "The commitment {ident} already appears in {where} row {first}. Each commitment goes on "
        "one row; merge the rows or correct the identifier."
    ),
    "milestones": N_(
        "The milestone {ident} already appears in {where} row {first}. Each milestone goes on "
        "one row; merge the rows or correct the identifier."
    ),
    "proposals": N_(
        "The proposal {ident} already appears in {where} row {first}. Each proposal goes on one "
        "row; merge the rows or correct the identifier."
    ),
    "comments": N_(
        "The comment {ident} already appears in {where} row {first}. Each comment goes on one "
        "row; merge the rows or correct the identifier."
    ),
    "assessments": N_(
        "The assessment {ident} already appears in {where} row {first}. Each assessment goes on "
        "one row; merge the rows or correct the identifier."
    ),
    "organisations": N_(
        "The organisation {ident} already appears in {where} row {first}. Each organisation goes "
        "on one row; merge the rows or correct the identifier."
    ),
    "plans": N_(
        "The action plan {ident} already appears in {where} row {first}. Each action plan goes "
        "on one row; merge the rows or correct the identifier."
    ),
}


def duplicate(sheet_key: str, *, ident: str, where: Msg, first: int) -> Msg:
    """The message for an item of ``sheet_key`` whose identifier ``ident`` already appears in
    ``where`` (the sheet or the file) on row ``first``."""
    return msg(_DUPLICATE[sheet_key], ident=ident, where=where, first=first)

"""Naming each row's item: its IRI minted from the identifier in its row (an OGP id, a
commitment and position, a proposal's or comment's id, an assessment's parts, an
organisation's number or name), and the message for an item that appears twice."""

from __future__ import annotations

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.refs import Org
from loaders.build.state import BuilderState
from loaders.columns import Sheet, norm, sheet
from loaders.read.table import Row
from registry.i18n import N_, Msg, msg


class Subjects(BuilderState):
    """The builder's part that names a row's item (``_subject``)."""

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
                        msg("The position must be 1 or more.")
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
}


def duplicate(sheet_key: str, *, ident: str, where: Msg, first: int) -> Msg:
    """The message for an item of ``sheet_key`` whose identifier ``ident`` already appears in
    ``where`` (the sheet or the file) on row ``first``."""
    return msg(_DUPLICATE[sheet_key], ident=ident, where=where, first=first)

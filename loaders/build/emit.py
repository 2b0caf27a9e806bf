"""Cells into statements: each column kind (text, id, date, integer, boolean, concept, policy
area, URL, organisation number, organisation, OGP id, references) gives its triples, and each
sheet its extra statements (a commitment's identifier and the themes of its policy areas, a
commitment's milestones, a plan's country, what an assessment assesses, an organisation's
classes)."""

from __future__ import annotations

import difflib

import pyoxigraph as ox

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.orgcells import OrgCells
from loaders.build.refs import check_digit_ok, period_of
from loaders.build.result import PendingRef
from loaders.build.state import END, RDF_TYPE, START
from loaders.columns import Column, Sheet, kind_of_sheet, norm, shape_message
from loaders.read.table import Row
from loaders.vocab import policy_area, policy_area_themes, tag_key
from registry.i18n import Msg, msg
from registry.namespaces import EU_COUNTRY, OGP

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
#: Columns naming who made the submission's items (the submitter when --submitted-by is absent).
AUTHOR_COLUMNS = {
    "commitments": "lead_agency",
    "plans": "coordinated_by",
    "proposals": "proposed_by",
    "comments": "comment_by",
    "assessments": "assessed_by",
}
_REGISTER_RECORD = ox.NamedNode(str(OGP.registerRecord))
_HAS_MILESTONE = ox.NamedNode(str(OGP.hasMilestone))
_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
_POLICY_AREA = str(OGP.policyArea)
_POLICY_AREA_LABEL = ox.NamedNode(str(OGP.policyAreaLabel))
_THEME = ox.NamedNode(str(OGP.theme))
_OGP_IDENTIFIER = ox.NamedNode(str(OGP.ogpIdentifier))
_COUNTRY = ox.NamedNode(str(OGP.country))
_NORWAY = ox.NamedNode(str(EU_COUNTRY.NOR))
#: Where a start or end the source gives in words is kept (never made into a date).
_DATE_STATEMENTS = {
    START: ox.NamedNode(str(OGP.startDateStatement)),
    END: ox.NamedNode(str(OGP.endDateStatement)),
}
_STATEMENT_SHEETS = frozenset({"commitments", "milestones", "plans"})
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


class Emitters(OrgCells):
    """The builder's part that turns a row's cells into statements (``_emit``, ``_extra``)."""

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
                if sh.key == "organisations" and self._known_other_name(subject, col, text):
                    continue
                add(ox.Triple(s, path, C.literal_text(text, spec.lang)))
        elif kind == "id":
            add(ox.Triple(s, path, ox.Literal(self.b.labels.get(subject, texts[0]))))
        elif kind == "commitment-id":
            return  # the identifier is added with the row (_extra): from this cell or the OGP id
        elif kind == "ogpid":
            self._ogp_id(t, s, texts[0], row)
        elif kind == "date":
            try:
                lit, day = C.read_date(texts[0], col)
            except C.NotADate:
                if sh.key not in _STATEMENT_SHEETS or path_text not in _DATE_STATEMENTS:
                    raise
                add(ox.Triple(s, _DATE_STATEMENTS[path_text], ox.Literal(C.text_of(raw))))
                raise C.CellError(
                    msg(
                        "\"{value}\" is not a date; it is kept as the source's words, and no "
                        "date is made from it.",
                        value=C.text_of(raw),
                    ),
                    severity="info",
                ) from None
            add(ox.Triple(s, path, lit))
            if path_text == START or path_text == END:
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
            errors: list[C.CellError] = []
            for text in texts:  # every value is checked, every unknown one reported
                try:
                    add(ox.Triple(s, path, C.read_concept(text, col)))
                except C.CellError as exc:
                    errors.append(exc)
            for error in errors:
                self.problem(error.message, table=t, row=row.number, key=col.key,
                             value=C.text_of(raw), focus=subject)
        elif kind == "policyarea":
            self._policy_areas(t, col, s, texts, row, raw)
        elif kind == "count":
            text = texts[0]
            if text.isdigit():
                add(ox.Triple(s, path, ox.Literal(text, datatype=XSD_INTEGER)))
            else:
                add(ox.Triple(s, path, ox.Literal(text)))
        elif kind == "url":
            for text in texts:
                add(ox.Triple(s, path, C.read_url(text)))
        elif kind == "orgnr":
            number = "".join(texts[0].split())
            if not (len(number) == 9 and number.isdigit()):
                raise C.CellError(col.message)
            if not check_digit_ok(number):
                raise C.CellError(
                    Msg.texts(
                        nb=shape_message("OrganisationNumberCheckDigit", "nb", value=number),
                        en=shape_message("OrganisationNumberCheckDigit", "en", value=number),
                    )
                )
            add(ox.Triple(s, path, ox.Literal(number)))
            if len(number) == 9 and number.isdigit():
                add(ox.Triple(s, _REGISTER_RECORD, ox.NamedNode(
                    f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}")))
        elif kind == "org":
            author = col.key == AUTHOR_COLUMNS.get(kind_of_sheet(sh.key))
            self._emit_orgs(t, sh, col, s, raw if raw is not None else "; ".join(texts), row,
                            author)
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
                plan_id, notice = self._plan_ref(text)
                iri = self._plan_iri(plan_id)
                self.b.plans[plan_id] += 1
                self.b.plan_rows.setdefault(plan_id, (t, row.number))
                self.b.plan_of[s.value] = plan_id
                if notice is not None:
                    self.problem(notice, table=t, row=row.number, key=col.key, value=text,
                                 focus=s.value, severity="info")
            elif kind == "commitment":
                if sh.key == "assessments":
                    continue  # handled in _extra (commitment or milestone)
                iri = self._commitment_ref(text)
            elif kind == "proposal":
                iri = self.uris.proposal(C.read_identifier(text))
            elif kind == "comment":
                iri = self.uris.comment(C.read_identifier(text))
            elif kind == "meeting":
                lit, day = C.read_date(text, col)
                if day.precision != "day":
                    raise C.CellError(msg("Give the meeting by its date, e.g. 2018-06-19."))
                iri = self.uris.meeting(day.lexical)
            elif kind == "commented":
                candidate = self._commitment_ref(text) if (
                    C.is_ogp_id(text) or text.strip() in self.b.commitment_ids
                    or self.refs.has_type(self.uris.commitment(text.strip()),
                                          (str(OGP.Commitment),))
                ) else None
                if candidate is not None:
                    iri, ref = candidate, "commitment"
                else:
                    iri, ref = self.uris.proposal(C.read_identifier(text)), "proposal"
            else:  # pragma: no cover - every column kind is handled
                raise AssertionError(kind)
            self.b.triples.append(ox.Triple(s, path, ox.NamedNode(iri)))
            self.pending.append(PendingRef(s.value, col.key, iri, ref, text, t, row.number))

    def _extra(
        self, sh: Sheet, s: ox.NamedNode, values: dict[str, list[str]], failed: set[str], t: int,
        row: Row,
    ) -> None:
        add = self.b.triples.append
        provisional = s.value in self.b.provisional
        if sh.key == "commitments" and not provisional:
            add(ox.Triple(s, _IDENTIFIER, ox.Literal(self.b.labels[s.value])))
            self.b.commitment_ids[self.b.labels[s.value]] = s.value
            if not values.get("themes") or "themes" in failed:
                self._derived_themes(s)
        elif sh.key == "plans":
            add(ox.Triple(s, _COUNTRY, _NORWAY))
            ident = self.b.labels.get(s.value)
            if ident is not None and not provisional:
                names = [ident, *values.get("title_nb", []), *values.get("title_nn", []),
                         *values.get("title_en", []), *values.get("other_names", [])]
                for name in names:
                    self.b.plan_names.setdefault(norm(str(name)), ident)
                start, end = self.b.dates.get((s.value, START)), self.b.dates.get((s.value, END))
                self.b.plan_periods[ident] = period_of(start.lexical if start else None,
                                                       end.lexical if end else None)
        elif sh.key == "milestones" and not provisional:
            c = self._commitment_ref(values["commitment"][0])
            if c in self.b.subjects:
                add(ox.Triple(ox.NamedNode(c), _HAS_MILESTONE, s))
        elif sh.key == "assessments":
            if "commitment" in failed or not values.get("commitment"):
                return
            try:
                commitment = self._commitment_ref(values["commitment"][0])
            except C.CellError as exc:
                self.problem(exc.message, table=t, row=row.number, key="commitment",
                             value=values["commitment"][0], focus=s.value)
                return
            try:
                ms = values.get("milestone") or []
                if ms and "milestone" not in failed:
                    pos = C.read_integer(ms[0])
                    target, ref = f"{commitment}/milestone/{pos}", "milestone"
                else:
                    target, ref = commitment, "commitment"
            except C.CellError as exc:
                self.problem(exc.message, table=t, row=row.number, key="milestone",
                             value=(values.get("milestone") or [""])[0], focus=s.value)
                self.b.issues[-1].path = str(OGP.assesses)  # what it names: no "required"
                return
            add(ox.Triple(s, ox.NamedNode(str(OGP.assesses)), ox.NamedNode(target)))
            self.pending.append(PendingRef(s.value, "commitment", target, ref,
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

    def _known_other_name(self, subject: str, col: Column, text: str) -> bool:
        """An organisations row naming a registered body by one of its other or former names
        (e.g. the name it had before a rename): the name is known, so it is not given as the
        body's preferred name again (which would contradict its current one)."""
        if col.key not in ("name_nb", "name_nn", "name_en"):
            return False
        org = self.refs.orgs.get(subject)
        if org is None or text.casefold() not in {n.casefold() for n in org.names}:
            return False
        current = [o for o, _g in self.refs.values(subject, str(col.spec.path), None)
                   if getattr(o, "language", None) == col.spec.lang]
        return bool(current) and all(getattr(o, "value", "") != text for o in current)

    # -- a commitment's identifiers, policy areas and themes ---------------------------------
    def _ogp_id(self, t: int, s: ox.NamedNode, text: str, row: Row) -> None:
        ogp = C.read_ogp_id(text)
        self.b.triples.append(ox.Triple(s, _OGP_IDENTIFIER, ox.Literal(ogp)))
        first = self.b.ogp_ids.get(ogp)
        if first is not None and first[0] != s.value:
            raise C.CellError(
                msg(
                    "The OGP ID {ogp} is already given to {other} (row {row}). An OGP ID "
                    "names one commitment; correct one of them.",
                    ogp=ogp, other=self.b.labels.get(first[0], first[0]), row=first[2],
                )
            )
        self.b.ogp_ids[ogp] = (s.value, t, row.number)

    def _policy_areas(
        self, t: int, col: Column, s: ox.NamedNode, texts: list[str], row: Row, raw: object
    ) -> None:
        """Known tags as concepts; a tag the registry does not know kept as text, and each
        such tag reported (a warning: it never costs data)."""
        path = self._path(col)[0]
        assert path is not None
        for text in texts:
            iri = policy_area(text)
            if iri is not None:
                self.b.triples.append(ox.Triple(s, path, ox.NamedNode(iri)))
                continue
            self.b.triples.append(ox.Triple(s, _POLICY_AREA_LABEL, ox.Literal(text)))
            close = _close_tags(text)
            self.problem(
                msg(
                    "The policy area \"{value}\" is not in the registry's list of OGP's tags. "
                    "It is kept as written and listed for the editors, who can add it to the "
                    "list (or map it to one they have). Did you mean one of: {close}?",
                    value=text, close=", ".join(close),
                )
                if close
                else msg(
                    "The policy area \"{value}\" is not in the registry's list of OGP's tags. "
                    "It is kept as written and listed for the editors, who can add it to the "
                    "list.",
                    value=text,
                ),
                table=t, row=row.number, key=col.key, value=text, focus=s.value,
                severity="warning",
            )

    def _derived_themes(self, s: ox.NamedNode) -> None:
        """The themes of the commitment's policy areas (the editors' mapping, as for the
        bundled plan), when the row gives no themes itself."""
        areas = [tr.object.value for tr in self.b.triples[self._row_start:]
                 if tr.subject == s and tr.predicate.value == _POLICY_AREA
                 and isinstance(tr.object, ox.NamedNode)]
        themes = dict.fromkeys(th for a in areas for th in policy_area_themes(a))
        for th in themes:
            self.b.triples.append(ox.Triple(s, _THEME, ox.NamedNode(th)))
        if themes:
            self.b.derived_themes += 1


def _close_tags(text: str) -> list[str]:
    """Known tags whose names are close to ``text`` (at most three)."""
    from loaders.vocab import tag_names

    names = tag_names()
    keys = {tag_key(n): n for n in names}
    return [keys[k] for k in difflib.get_close_matches(tag_key(text), list(keys), 3, 0.75)]

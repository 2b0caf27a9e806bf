"""Cells into statements: each column kind (text, id, date, integer, boolean, concept, URL,
organisation number, organisation, references) gives its triples, and each sheet its extra
statements (a commitment's milestones, what an assessment assesses, an organisation's
classes)."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.refs import check_digit_ok
from loaders.build.result import PendingRef
from loaders.build.state import END, RDF_TYPE, START, BuilderState
from loaders.columns import Column, Sheet, kind_of_sheet, shape_message
from loaders.read.table import Row
from registry.i18n import Msg, msg
from registry.namespaces import OGP

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
#: Columns naming who made the submission's items (the submitter when --submitted-by is absent).
AUTHOR_COLUMNS = {
    "commitments": "lead_agency",
    "proposals": "proposed_by",
    "comments": "comment_by",
    "assessments": "assessed_by",
}
_REGISTER_RECORD = ox.NamedNode(str(OGP.registerRecord))
_HAS_MILESTONE = ox.NamedNode(str(OGP.hasMilestone))


class Emitters(BuilderState):
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
                add(ox.Triple(s, path, C.literal_text(text, spec.lang)))
        elif kind == "id":
            value = self.b.labels.get(subject, texts[0]) if sh.key != "assessments" else (
                self.b.labels.get(subject, texts[0])
            )
            add(ox.Triple(s, path, ox.Literal(value)))
        elif kind == "date":
            lit, day = C.read_date(texts[0], col)
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
            for text in texts:
                add(ox.Triple(s, path, C.read_concept(text, col)))
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
                    raise C.CellError(msg("Give the meeting by its date, e.g. 2018-06-19."))
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
            self.pending.append(PendingRef(s.value, col.key, iri, ref, text, t, row.number))

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

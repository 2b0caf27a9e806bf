"""Organisation cells: a cell names one or more bodies, by number or any of their names, as
sources write them.

* Each value (values are separated by ``;`` or line breaks) is looked up whole
  (``registry/model/orgnames.py``), preferring the body valid in the row's period (the plan's).
* A value that is no name as a whole is read as prose: "The Ministry of X (in cooperation with
  the Agency for Y (Difi) and Z)" gives the bodies it names, lead ones before the words "in
  cooperation with" and supporting ones after; the report says which parts matched and suggests
  the split into the lead and supporting columns.
* In the lead agency column (and a plan's "Coordinated by"), a value that names no registered
  body at all is an error that says how to register it; ``NA`` (a source that names none) is a
  warning. Parts of prose that match nothing, and supporting actors the register does not have
  ("Public Authorities handling environmental information"), are warnings: the text is kept as
  the source writes it (``ogp:leadAgencyStatement``, ``ogp:supportStatement``,
  ``ogp:coordinationStatement``), so nothing is lost, and can be linked once the bodies are
  registered.
"""

from __future__ import annotations

import pyoxigraph as ox

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.state import BuilderState
from loaders.columns import MULTI_SEPARATORS, Column, Sheet, sheet
from loaders.read.table import Row
from registry.i18n import Lines, Msg, msg
from registry.model.orgnames import Body, Prose, is_none
from registry.namespaces import OGP

_SUPPORT_PUBLIC = ox.NamedNode(str(OGP.supportingPublicBody))
_SUPPORT_OTHER = ox.NamedNode(str(OGP.supportingNonGovernmentalActor))
#: Columns whose cells may name several bodies in prose, and where their text is kept.
STATEMENTS: dict[str, ox.NamedNode] = {
    "lead_agency": ox.NamedNode(str(OGP.leadAgencyStatement)),
    "supporting_public_bodies": ox.NamedNode(str(OGP.supportStatement)),
    "supporting_non_governmental": ox.NamedNode(str(OGP.supportStatement)),
    "coordinated_by": ox.NamedNode(str(OGP.coordinationStatement)),
}
#: Columns where a value that names no registered body is an error (the item needs the body).
_REQUIRED_BODY = frozenset({"lead_agency", "coordinated_by"})


class OrgCells(BuilderState):
    """The builder's part that reads organisation cells (``_emit_orgs``)."""

    def _emit_orgs(
        self, t: int, sh: Sheet, col: Column, s: ox.NamedNode, raw: object, row: Row,
        author: bool,
    ) -> None:
        text = C.text_of(getattr(raw, "text", raw))
        values = [v.strip() for v in MULTI_SEPARATORS.split(text) if v.strip()]
        if col.key not in STATEMENTS:  # proposer, author, assessor, ...: one organisation each
            self._plain_orgs(t, col, s, values, row, author)
            return
        path = self._path(col)[0]
        assert path is not None
        support = sh.key == "commitments" and col.key == "lead_agency"
        required = col.key in _REQUIRED_BODY
        keep = False  # keep the cell as the source writes it
        problems: list[tuple[Msg, str]] = []  # (message, the value it is about)
        warnings: list[Msg] = []
        proses: list[tuple[Prose, list[str]]] = []  # (a value in prose, its parts not found)
        leads: list[Body] = []
        supporting: list[Body] = []
        unknown: list[str] = []  # values of a supporting column the register does not have
        only_none = bool(values)
        for value in values:
            if is_none(value):  # "NA": the source names nobody (kept where one is needed)
                keep = keep or required
                continue
            only_none = False
            if C.is_number(value) or value in self.refs.orgs:
                org, problem = self.refs.organisation(value, self._row_period)
                if org is not None:
                    leads.append(self.refs.body(org.iri) or Body(org.iri, org.name))
                elif problem is not None:
                    problems.append((problem, value))
                continue
            found = self.refs.find(value, self._row_period)
            if len(found) > 1:
                problems.append((self.refs.ambiguous(value, found), value))
                continue
            if len(found) == 1:
                hit = found[0]
                leads.append(hit.body)
                keep = keep or hit.how != "exact"
                if hit.how == "shortened":
                    warnings.append(msg(
                        "\"{value}\" is not a registered name; it is read as {org}, the only "
                        "registered body with a name that begins so (\"{name}\"). If another "
                        "body is meant, write its name or organisation number.",
                        value=value, org=hit.body.label, name=hit.name,
                    ))
                continue
            prose = self.refs.index.scan(value, self._row_period)
            keep = True
            lead_bodies = prose.bodies("lead") + ([] if support else prose.bodies("support"))
            if not prose.matched or (required and not lead_bodies):
                if required:
                    problems.append((msg(
                        "{problem} If the source names nobody, write NA.",
                        problem=self.refs.unknown(value),
                    ), value))
                else:
                    unknown.append(value)
                continue
            leads.extend(lead_bodies)
            if support:
                supporting.extend(prose.bodies("support"))
            proses.append((prose, [p.text for p in prose.unmatched]))
        if required and only_none:
            warnings.append(msg(
                "The source names nobody for \"{header}\" (\"{value}\"); the item is registered "
                "without, with the text kept as written. Add it when it is known.",
                header=col.heading, value=text,
            ))
        add = self.b.triples.append
        leads = list({b.iri: b for b in leads}.values())
        # what the cell was read as, with the cells to write: every body the cell names
        notes = [(self._prose_message(col, prose, missing, support, leads, supporting),
                  bool(missing)) for prose, missing in proses]
        for b in leads:
            add(ox.Triple(s, path, ox.NamedNode(b.iri)))
            if author:
                self.b.authors[b.iri] += 1
                self.b.author_names.add(b.iri)
        lead_iris = {b.iri for b in leads}
        for b in {b.iri: b for b in supporting}.values():
            if b.iri not in lead_iris:
                add(ox.Triple(s, _SUPPORT_PUBLIC if b.public else _SUPPORT_OTHER,
                              ox.NamedNode(b.iri)))
        if author:
            for _p, value in problems:
                self.b.author_names.add(value.casefold())
        if keep or unknown:
            add(ox.Triple(s, STATEMENTS[col.key], ox.Literal(text)))
        if unknown:
            warnings.append(self._unmatched_message(unknown))
        for message, _value in problems:
            self.problem(message, table=t, row=row.number, key=col.key, value=text,
                         focus=s.value)
        for message in warnings:
            self.problem(message, table=t, row=row.number, key=col.key, value=text,
                         focus=s.value, severity="warning")
        for message, partly in notes:
            self.problem(message, table=t, row=row.number, key=col.key, value=text,
                         focus=s.value, severity="warning" if partly else "info")

    def _plain_orgs(
        self, t: int, col: Column, s: ox.NamedNode, values: list[str], row: Row, author: bool
    ) -> None:
        path = self._path(col)[0]
        assert path is not None
        for value in values:
            org, problem = self.refs.organisation(value, self._row_period)
            if org is None:
                assert problem is not None
                self.problem(problem, table=t, row=row.number, key=col.key,
                             value=", ".join(values), focus=s.value)
                if author:
                    self.b.author_names.add(value.casefold())
                continue
            self.b.triples.append(ox.Triple(s, path, ox.NamedNode(org.iri)))
            if author:
                self.b.authors[org.iri] += 1
                self.b.author_names.add(org.iri)

    def _prose_message(
        self, col: Column, prose: Prose, missing: list[str], support: bool, leads: list[Body],
        supporting: list[Body],
    ) -> Msg:
        """What a value written in prose was read as, and what to write instead: the names
        of the bodies the whole cell names, in the columns they belong in."""
        parts: list[Msg] = []
        for p in prose.parts:
            text = f"{p.text} ({p.note})" if p.note else p.text
            if p.found is None:
                parts.append(msg("\"{part}\": not in the register", part=text))
            elif p.role == "support" and support:
                parts.append(msg("\"{part}\": {org} (supporting)", part=text,
                                 org=p.found.body.label))
            else:
                parts.append(msg("\"{part}\": {org}", part=text, org=p.found.body.label))
        commitments = sheet("commitments")
        lead_iris = {b.iri for b in leads}
        others = [b for b in {b.iri: b for b in supporting}.values() if b.iri not in lead_iris]
        groups: list[tuple[Msg, list[Body]]] = [(col.heading, leads)]
        if support:
            groups += [
                (commitments.column("supporting_public_bodies").heading,
                 [b for b in others if b.public]),
                (commitments.column("supporting_non_governmental").heading,
                 [b for b in others if not b.public]),
            ]
        cells = Lines([msg("\"{column}\": \"{names}\"", column=heading,
                           names="; ".join(b.label for b in bodies))
                       for heading, bodies in groups if bodies], ", ")
        if missing:
            return msg(
                "The cell names several bodies in running text: {parts}. The bodies found are "
                "linked and the text is kept as written. To correct it, write only the names "
                "of the bodies, separated by semicolons: {cells}. If a part not found is a body, "
                "register it first (ogpreg template --kind organisations); if it is not (a word "
                "or a date), leave it out.",
                parts=Lines(parts, "; "), cells=cells,
            )
        return msg(
            "The cell names several bodies in running text: {parts}. They are linked, and the "
            "text is kept as written. To have the cell read exactly, write only the names of the "
            "bodies, separated by semicolons: {cells}.",
            parts=Lines(parts, "; "), cells=cells,
        )

    def _unmatched_message(self, unmatched: list[str]) -> Msg:
        items: list[Msg] = []
        for u in unmatched:
            close = self.refs.index.suggest(u)
            if close:
                items.append(msg("\"{value}\" (did you mean {org}?)", value=u,
                                 org=close[0][0].label))
            else:
                items.append(msg("\"{value}\"", value=u))
        return msg(
            "Not in the organisation register: {names}. The text is kept as written (the "
            "supporting actors as the source names them). To link them, register them "
            "(ogpreg template --kind organisations) and send the file again.",
            names=Lines(items, "; "),
        )

"""What the builder's parts share: the submission's :class:`~loaders.build.result.Build`, the
references it resolves against, IRIs minted once per identifier, and reporting a problem at a
table, row and column."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox

from loaders.build import cells as C  # noqa: N812 - short, used often
from loaders.build.refs import References
from loaders.build.result import Build, PendingRef
from loaders.columns import Column, norm
from loaders.issues import issue
from registry.i18n import Msg, msg
from registry.model.orgnames import Period
from registry.namespaces import OGP, SCHEMA
from registry.uris import Uris

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: What the registry says of one of its assessments (loaders/build/subjects.py): its kinds,
#: its dates and the IRM reports it names (each as ``same_thing`` identifies a report).
Known = tuple[set[object], set[object], set[str]]
START = str(SCHEMA.startDate)
END = str(SCHEMA.endDate)


class BuilderState:
    """The state of one build; the builder (:class:`loaders.build.rows.Builder`) adds its
    parts to it: subjects, cell statements, and the checks after all rows."""

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
        self.pending: list[PendingRef] = []
        self.progress = progress
        self.exclude: str | None = None  # the graph this submission replaces
        self._row_start = 0
        self._by_subject_cache: dict[str, list[ox.Triple]] | None = None
        # minted once per identifier: a milestone's commitment is named by every milestone
        self._commitment_iris: dict[str, str] = {}
        self._plan_iris: dict[str, str] = {}
        # per assessed item: the registry's assessments of it, (kinds, dates, reports) by IRI
        self._assessments: dict[str, dict[str, Known]] = {}
        # per column: its predicate (None without one) and its path's text
        self._paths: dict[int, tuple[ox.NamedNode | None, str | None]] = {}
        # per table (its positions): (key, position, column, read as one typed value)
        self._layouts: dict[int, list[tuple[str, int, Column, bool]]] = {}
        self._required: dict[str, list[Column]] = {}
        self._classes: dict[str, tuple[str, ox.NamedNode]] = {}
        self._row_period: Period | None = None  # prefer bodies valid in it (the row's plan's)

    def _commitment_iri(self, ident: str) -> str:
        iri = self._commitment_iris.get(ident)
        if iri is None:
            iri = self._commitment_iris[ident] = self.uris.commitment(ident)
        return iri

    def _commitment_ref(self, text: str) -> str:
        """The IRI of the commitment ``text`` names: its registry id or OGP id, in the
        submission or in the registry; else the IRI its text would have (a reference checked
        once every row is read). Raises :class:`~loaders.build.cells.CellError` for a text that
        is no id."""
        t = text.strip()
        if t in self.b.commitment_ids:
            return self.b.commitment_ids[t]
        if C.is_ogp_id(t):
            ogp = C.read_ogp_id(t)
            if ogp in self.b.ogp_ids:
                return self.b.ogp_ids[ogp][0]
            iri = self._commitment_iri(ogp)
            if not self.refs.has_type(iri, (str(OGP.Commitment),)):
                owners = {s for s, _g in self.refs.ogp_owners(ogp, None)}
                if len(owners) == 1:
                    return owners.pop()
            return iri
        return self._commitment_iri(C.read_commitment_id(t))

    def _plan_ref(self, text: str) -> tuple[str, Msg | None]:
        """The id of the plan ``text`` names (its id, a title or another name, in the
        submission or the registry), and a notice when it was read from the years in it."""
        t = text.strip()
        hit = self.b.plan_names.get(norm(t)) or self.refs.plan(t)
        if hit is not None:
            return hit, None
        m = re.search(r"\b(\d{4})\s*[-–/]\s*(\d{4})\b", t)
        if m is not None:
            years = f"{m[1]}-{m[2]}"
            known = set(self.b.plan_names.values()) | set(self.refs.plan_ids())
            if years in known and years != t:
                return years, msg(
                    "\"{value}\" is read as the action plan {plan} (the years it names).",
                    value=t, plan=years,
                )
        return t, None

    def _plan_period(self, plan_id: str) -> Period | None:
        if plan_id in self.b.plan_periods:
            return self.b.plan_periods[plan_id]
        return self.refs.plan_period(plan_id)

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
        file = self.file
        if table is not None:
            info = self.b.tables[table]
            file = info.file  # the CSV file of a submission of several
            loc = info.locate(row, key)
            if key is not None:
                p = info.sheet.column(key).spec.path
                path = str(p) if p is not None else None
        i = issue(message, file=file, severity=severity, focus=focus, path=path, value=value)
        i.location = {k: v for k, v in loc.items() if v is not None}
        self.b.issues.append(i)

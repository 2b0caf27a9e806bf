"""What the builder's parts share: the submission's :class:`~loaders.build.result.Build`, the
references it resolves against, IRIs minted once per identifier, and reporting a problem at a
table, row and column."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from loaders.build.refs import References
from loaders.build.result import Build, PendingRef
from loaders.columns import Column
from loaders.issues import issue
from registry.i18n import Msg
from registry.namespaces import SCHEMA
from registry.uris import Uris

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
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
        # per column: its predicate (None without one) and its path's text
        self._paths: dict[int, tuple[ox.NamedNode | None, str | None]] = {}
        # per table (its positions): (key, position, column, read as one typed value)
        self._layouts: dict[int, list[tuple[str, int, Column, bool]]] = {}
        self._required: dict[str, list[Column]] = {}
        self._classes: dict[str, tuple[str, ox.NamedNode]] = {}

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

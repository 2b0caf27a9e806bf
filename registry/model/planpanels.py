"""What a plan's participation, progress and co-creation panels read (issues 19, 21 and 24),
kept per revision in the digest.

The panels (``progress.py``: participation and implementation progress; ``cocreation.py``: the
co-creation standards) read a plan's meetings, commitments, proposals, comments, assessments
and documents with the SPARQL queries of :data:`QUERIES`, each started from the plan
(:func:`for_plan`). For a plan with hundreds of commitments and thousands of milestones that
is most of the cost of its dashboard: about 75 ms of about 115 ms for a plan of 431
commitments and 2,161 milestones (docs/performance.md, issue 24).

So the commit runs them: for every plan whose rows the commit may change, the digest's deriver
(``digestfile.py``, through ``planagg.store_plans``) runs each query on the new revision and
keeps the rows (table ``panels``, stamped with the revisions they hold for, like the
dashboard's numbers); a plan the commit cannot reach keeps its rows. A page reads them back
(:func:`decode`, :meth:`registry.model.resources.Resources.plan_rows`) instead of asking the
store; where a digest has no rows for the plan (a digest built by a reader of a remote store,
or an IRI that is not a plan) the page asks the store, as before. Either way the rows are the
same: ``tests/test_plan_panels.py`` checks, after commits that change each kind of statement
the queries read, that the kept rows equal the queries run on that revision and those of a
digest built from scratch, and that the panels drawn from them equal those drawn by asking the
store.

What may change a plan's rows is found by following links from every resource a commit
changed towards the plans (``planagg.plans_of``): :data:`UP` and :data:`DOWN` are the links
these queries follow beyond the dashboard's, and :data:`PREDICATES` every predicate they read,
so that a change to any of them marks its subject as changed. A query added here that reads
another predicate or follows another link must add it there; ``tests/test_plan_panels.py``
reads every query's patterns (rdflib's SPARQL parser) and fails when a predicate is missing
from :data:`PREDICATES`, or when a statement read cannot reach ``?plan`` by the links the
commit follows, and a step that changes the new statement belongs in its sequence of commits.
Labels are not kept: they are looked up when a page is drawn. What the co-creation panel reads
of the whole registry (the forums, the forum meetings, the history of changes) and of the plan
itself (its dates and status) is read when the page is drawn, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import pyoxigraph as ox

from registry.model.description import Term
from registry.model.terms import DCT, GONE_STATUSES
from registry.namespaces import OGP, OGP_NS, PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_GONE = ", ".join(f"<{s}>" for s in GONE_STATUSES)

#: The queries, by name: each reads one plan (``?plan``, bound by :func:`for_plan`).
QUERIES: dict[str, str] = {
    # participation (progress.py)
    "invited": """SELECT ?m ?o WHERE { ?m ogp:forActionPlan ?plan ; ogp:invited ?o }""",
    "attended": """SELECT ?m ?o WHERE { ?m ogp:forActionPlan ?plan ; ogp:attendee ?o }""",
    "proposed": """SELECT DISTINCT ?o WHERE {
  { ?m ogp:forActionPlan ?plan . ?p ogp:submittedAt ?m }
  UNION { ?c ogp:inActionPlan ?plan ; ogp:derivedFromProposal ?p }
  ?p ogp:proposedBy ?o .
}""",
    "commented": """SELECT DISTINCT ?o WHERE {
  { ?t ogp:inActionPlan ?plan }
  UNION { ?m ogp:forActionPlan ?plan . ?t ogp:submittedAt ?m }
  UNION { ?c ogp:inActionPlan ?plan ; ogp:derivedFromProposal ?t }
  ?k ogp:commentOn ?t ; ogp:commentBy ?o .
}""",
    "leads": f"""SELECT DISTINCT ?o WHERE {{
  ?c ogp:inActionPlan ?plan ; ogp:leadAgency ?o .
  FILTER NOT EXISTS {{ ?c ogp:registryStatus ?s FILTER(?s IN ({_GONE})) }}
}}""",
    # implementation progress (progress.py)
    "commitments": f"""SELECT DISTINCT ?c WHERE {{
  {{ ?c ogp:inActionPlan ?plan }} UNION {{ ?plan ogp:hasCommitment ?c }}
  FILTER NOT EXISTS {{ ?c ogp:registryStatus ?s FILTER(?s IN ({_GONE})) }}
}}""",
    "assessed": """SELECT DISTINCT ?c ?a ?date ?level ?by WHERE {
  { SELECT DISTINCT ?c WHERE {
      { ?c ogp:inActionPlan ?plan } UNION { ?plan ogp:hasCommitment ?c } } }
  ?a ogp:assesses ?c ; ogp:completion ?level .
  OPTIONAL { ?a ogp:assessmentDate ?date }
  OPTIONAL { ?a ogp:assessedBy ?by }
}""",
    # the co-creation standards (cocreation.py)
    "people": """SELECT DISTINCT ?m ?rel ?o ?kind WHERE {
  ?m ogp:forActionPlan ?plan .
  { ?m ogp:invited ?o BIND("invited" AS ?rel) }
  UNION { ?m ogp:attendee ?o BIND("attended" AS ?rel) }
  OPTIONAL { ?o ogp:organisationKind ?kind }
}""",
    "documents": """SELECT DISTINCT ?d ?kind ?issued WHERE {
  ?d ogp:documentFor ?plan ; a ogp:RepositoryDocument .
  OPTIONAL { ?d ogp:documentKind ?kind }
  OPTIONAL { ?d dct:issued ?issued }
}""",
    "assessments": """SELECT DISTINCT ?a ?kind ?date WHERE {
  { ?c ogp:inActionPlan ?plan . ?a ogp:assesses ?c }
  UNION { ?c2 ogp:inActionPlan ?plan . ?ms ogp:ofCommitment ?c2 . ?a ogp:assesses ?ms }
  ?a ogp:assessmentKind ?kind .
  OPTIONAL { ?a ogp:assessmentDate ?date }
}""",
}
# the plan's proposals, found from the plan (its meetings and commitments), never by scanning
# every proposal
_PLAN_PROPOSALS = """{ SELECT DISTINCT ?p WHERE {
    { ?m ogp:forActionPlan ?plan . ?p ogp:submittedAt ?m }
    UNION { ?c0 ogp:inActionPlan ?plan . ?p ogp:takenInto ?c0 }
    UNION { ?c0 ogp:inActionPlan ?plan . ?c0 ogp:derivedFromProposal ?p }
    UNION { ?p dct:isPartOf ?plan }
    ?p a ogp:Proposal .
  } }"""
QUERIES["proposals"] = f"""SELECT DISTINCT ?p ?response ?reason ?by ?date ?merged WHERE {{
  {_PLAN_PROPOSALS}
  OPTIONAL {{ ?p ogp:response ?response }}
  OPTIONAL {{ ?p ogp:responseReason ?reason }}
  OPTIONAL {{ ?p ogp:respondedBy ?by }}
  OPTIONAL {{ ?p ogp:responseDate ?date }}
  OPTIONAL {{ ?p ogp:mergedWith ?merged }}
}}"""
QUERIES["taken"] = f"""SELECT DISTINCT ?p ?c WHERE {{
  {_PLAN_PROPOSALS}
  {{ ?p ogp:takenInto ?c }} UNION {{ ?c ogp:derivedFromProposal ?p }}
}}"""

#: Every predicate the queries read: a change to a statement with one of these marks its
#: subject (and an IRI object) as changed.
PREDICATES: tuple[str, ...] = (
    RDF_TYPE,
    *(OGP_NS + n for n in (
        "forActionPlan", "invited", "attendee", "inActionPlan", "hasCommitment",
        "registryStatus", "submittedAt", "derivedFromProposal", "proposedBy", "commentOn",
        "commentBy", "leadAgency", "assesses", "completion", "assessmentDate", "assessedBy",
        "organisationKind", "documentFor", "documentKind", "takenInto", "response",
        "responseReason", "respondedBy", "responseDate", "mergedWith", "ofCommitment",
        "assessmentKind",
    )),
    DCT + "issued",
    DCT + "isPartOf",
)
#: The classes the queries ask for (``a ogp:…``): a blank node's type matters only if it is one
#: (``digestfile.py``, "Blank nodes").
CLASSES: tuple[str, ...] = (str(OGP.RepositoryDocument), str(OGP.Proposal))
#: Links these queries follow towards a plan beyond the dashboard's (``planagg``), from a
#: resource whose other statements changed (a changed link itself marks both its ends as
#: changed): subject -> object ...
UP: tuple[str, ...] = (str(OGP.documentFor), DCT + "isPartOf", str(OGP.takenInto))
#: ... and object -> subject: the meetings an organisation (whose kind the panel shows) was
#: invited to or attended.
DOWN: tuple[str, ...] = (str(OGP.invited), str(OGP.attendee))


class Row(Protocol):
    """One answer row, as a query gives it (``ox.QuerySolution``) or as :func:`decode`
    rebuilds it: a variable's value (a term), or None where the variable is unbound."""

    def __getitem__(self, var: str, /) -> Any: ...


class Queryable(Protocol):
    """What the rows are computed on: a store or a reader of one revision."""

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = ...,
        prefixes: dict[str, str] | None = ...,
    ) -> Any: ...


def for_plan(query: str, plan: str) -> str:
    """``query`` with ``?plan`` bound to ``plan`` by a ``VALUES`` row at the start of its
    pattern and of each sub-select's, so that Oxigraph starts from the plan. (Bound by a
    substitution instead, the same queries scan every meeting, proposal and assessment of the
    registry: the join order is chosen without the value.) The IRI is serialised by pyoxigraph
    (``NamedNode`` rejects anything that is not an IRI), never pasted in as text."""
    return query.replace("WHERE {", f"WHERE {{ VALUES ?plan {{ {ox.NamedNode(plan)} }}")


# -- rows as JSON -----------------------------------------------------------------------------
def _term(t: object) -> list[str]:
    if isinstance(t, ox.NamedNode):
        return ["i", t.value]
    if isinstance(t, ox.BlankNode):
        return ["b", t.value]
    if isinstance(t, ox.Literal):
        return ["l", t.value, t.language or "", "" if t.language else t.datatype.value]
    return []  # unbound


def _untermed(item: Sequence[str]) -> Term | None:
    if not item:
        return None
    kind, value = item[0], item[1]
    if kind == "i":
        return ox.NamedNode(value)
    if kind == "b":
        return ox.BlankNode(value)
    if item[2]:
        return ox.Literal(value, language=item[2])
    return ox.Literal(value, datatype=ox.NamedNode(item[3]))


def encode(variables: Sequence[str], rows: Iterable[Row]) -> dict[str, Any]:
    """Answer rows as JSON-ready data: the variables and each row's terms, sorted (the same
    rows give the same data, whatever order the store answered in)."""
    return {
        "vars": list(variables),
        "rows": sorted([_term(r[v]) for v in variables] for r in rows),
    }


def decode(data: Mapping[str, Any]) -> list[Row]:
    """The rows :func:`encode` kept, as rows again."""
    names: list[str] = data["vars"]
    rows: list[Row] = [
        dict(zip(names, (_untermed(item) for item in row), strict=True)) for row in data["rows"]
    ]
    return rows


def compute(store: Queryable, plan: str) -> dict[str, dict[str, Any]]:
    """Every query's rows for ``plan`` on ``store`` (one revision), JSON-ready."""
    out: dict[str, dict[str, Any]] = {}
    for name, query in QUERIES.items():
        found = store.query(
            for_plan(query, plan), use_default_graph_as_union=True, prefixes=PREFIXES
        )
        out[name] = encode([v.value for v in found.variables], found)
    return out

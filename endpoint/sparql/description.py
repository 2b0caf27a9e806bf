"""The SPARQL service description (at ``/sparql``) and the VoID description (at ``/void``).

Every absolute URL in them is built from the configured public base URI
(``Settings.base_uri``), never from the request's ``Host``: behind a reverse proxy the request
may say ``127.0.0.1:8000`` while the world knows ``https://ogp.example.no/``.

The numbers (triples per named graph) come from the provenance graph (``ogp:tripleCount`` of
each source) plus a count of the provenance graph itself, evaluated through the query
executor (so under its timeout) and cached per revision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from endpoint.sparql.answers import QueryRequest
from endpoint.sparql.executor import QueryExecutor
from registry.namespaces import OGP_NS, PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
DCT = PREFIXES["dct"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
FOAF = PREFIXES["foaf"]
SH = PREFIXES["sh"]

#: Prefixes for the descriptions' Turtle, TriG and RDF/XML.
DESCRIPTION_PREFIXES: dict[str, str] = {
    "sd": SD,
    "void": VOID,
    "formats": FORMATS,
    "dct": DCT,
    "rdfs": RDFS,
    "xsd": XSD,
    "foaf": FOAF,
    "sh": SH,
}

#: W3C format IRIs (http://www.w3.org/ns/formats/) of the result formats the endpoint serves.
RESULT_FORMAT_IRIS: tuple[str, ...] = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
)

#: The vocabularies the registry's data uses (void:vocabulary).
VOCABULARIES: tuple[str, ...] = (
    OGP_NS,
    PREFIXES["dct"],
    PREFIXES["skos"],
    PREFIXES["org"],
    PREFIXES["prov"],
    PREFIXES["schema"],
    PREFIXES["dcat"],
)


def endpoint_url(base: str) -> str:
    return base + "sparql"


def update_url(base: str) -> str:
    """Where authenticated SPARQL Update lives (endpoint/write/graphstore.py)."""
    return base + "sparql/update"


def void_url(base: str) -> str:
    return base + "void"


def dataset_iri(base: str) -> str:
    return base + "void#registry"


def dumps_url(base: str) -> str:
    """Where the full dumps of the registry are listed: the DCAT catalogue (``/catalog``,
    endpoint/catalog.py), whose distributions are the downloadable dumps. The row cap's
    truncation signal points here."""
    return base + "catalog"


@dataclass(frozen=True)
class DatasetFacts:
    """What the descriptions say about the data at one revision."""

    revision: int
    committed: str | None
    graphs: tuple[tuple[str, int], ...]  # (graph IRI, triples), sorted by IRI

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)


_GRAPH_COUNTS = "SELECT ?g ?n WHERE { GRAPH ?prov { ?g ogp:tripleCount ?n } }"
_PROV_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?prov { ?s ?p ?o } }"


_OWN_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def dataset_facts(
    executor: QueryExecutor, provenance_graph: str, own: tuple[str, ...] = ()
) -> DatasetFacts:
    """Triples per named graph at the current revision (queries under the executor's limits):
    the source and vocabulary graphs by their provenance records, the provenance graph and
    the registry's ``own`` graphs without one (the lifecycle and history graphs) counted."""
    named = (provenance_graph,)
    counts = executor.execute(QueryRequest(_GRAPH_COUNTS, named_graphs=named, row_cap=1_000_000))
    prov = executor.execute(QueryRequest(_PROV_COUNT, named_graphs=named, row_cap=1))
    graphs: dict[str, int] = {}
    for b in json.loads(counts.body)["results"]["bindings"]:
        graphs[b["g"]["value"]] = int(b["n"]["value"])
    prov_rows = json.loads(prov.body)["results"]["bindings"]
    graphs[provenance_graph] = int(prov_rows[0]["n"]["value"]) if prov_rows else 0
    if own:
        rows = executor.execute(QueryRequest(_OWN_COUNTS, named_graphs=own, row_cap=len(own)))
        for b in json.loads(rows.body)["results"]["bindings"]:
            graphs[b["g"]["value"]] = int(b["n"]["value"])
    return DatasetFacts(
        revision=counts.revision,
        committed=counts.committed,
        graphs=tuple(sorted(graphs.items())),
    )


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _dataset_triples(base: str, facts: DatasetFacts) -> list[ox.Triple]:
    ds = _n(dataset_iri(base))
    t = [
        ox.Triple(ds, _n(RDF + "type"), _n(VOID + "Dataset")),
        ox.Triple(ds, _n(RDF + "type"), _n(SD + "Dataset")),
        ox.Triple(ds, _n(DCT + "title"), _lit("OGP-registeret for Norge", "nb")),
        ox.Triple(ds, _n(DCT + "title"), _lit("The Norwegian OGP registry", "en")),
        ox.Triple(
            ds,
            _n(DCT + "description"),
            _lit(
                "Norges handlingsplaner for Open Government Partnership som lenkede åpne data: "
                "planer, forpliktelser, milepæler, organisasjoner, temaer, møter, forslag, "
                "kommentarer og framdriftsvurderinger.",
                "nb",
            ),
        ),
        ox.Triple(
            ds,
            _n(DCT + "description"),
            _lit(
                "Norway's Open Government Partnership action plans as linked open data: plans, "
                "commitments, milestones, organisations, themes, meetings, proposals, comments "
                "and progress assessments.",
                "en",
            ),
        ),
        ox.Triple(ds, _n(FOAF + "homepage"), _n(base)),
        ox.Triple(ds, _n(VOID + "sparqlEndpoint"), _n(endpoint_url(base))),
        ox.Triple(ds, _n(VOID + "uriSpace"), _lit(base + "id/")),
        ox.Triple(ds, _n(VOID + "triples"), _int(facts.triples)),
        ox.Triple(ds, _n(RDFS + "seeAlso"), _n(void_url(base))),
        ox.Triple(ds, _n(RDFS + "seeAlso"), _n(dumps_url(base))),
    ]
    if facts.committed:
        t.append(
            ox.Triple(
                ds, _n(DCT + "modified"), ox.Literal(facts.committed, datatype=_n(XSD + "dateTime"))
            )
        )
    for vocab in VOCABULARIES:
        t.append(ox.Triple(ds, _n(VOID + "vocabulary"), _n(vocab)))
    for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"):
        t.append(ox.Triple(ds, _n(VOID + "feature"), _n(FORMATS + name)))
    default = ox.BlankNode("defaultGraph")
    t += [
        ox.Triple(ds, _n(SD + "defaultGraph"), default),
        ox.Triple(default, _n(RDF + "type"), _n(SD + "Graph")),
        ox.Triple(default, _n(VOID + "triples"), _int(facts.triples)),
        ox.Triple(
            default,
            _n(RDFS + "comment"),
            _lit("Standardgrafen er unionen av alle de navngitte grafene.", "nb"),
        ),
        ox.Triple(
            default,
            _n(RDFS + "comment"),
            _lit("The default graph is the union of all named graphs.", "en"),
        ),
    ]
    for i, (graph, triples) in enumerate(facts.graphs, start=1):
        ng = ox.BlankNode(f"namedGraph{i}")
        g = ox.BlankNode(f"graph{i}")
        t += [
            ox.Triple(ds, _n(SD + "namedGraph"), ng),
            ox.Triple(ng, _n(RDF + "type"), _n(SD + "NamedGraph")),
            ox.Triple(ng, _n(SD + "name"), _n(graph)),
            ox.Triple(ng, _n(SD + "graph"), g),
            ox.Triple(g, _n(RDF + "type"), _n(SD + "Graph")),
            ox.Triple(g, _n(VOID + "triples"), _int(triples)),
        ]
    return t


def service_description(
    base: str, facts: DatasetFacts, *, timeout: float, row_cap: int
) -> list[ox.Triple]:
    """The sd:Service at ``{base}sparql`` with its default dataset."""
    svc = _n(endpoint_url(base) + "#service")
    t = [
        ox.Triple(svc, _n(RDF + "type"), _n(SD + "Service")),
        ox.Triple(svc, _n(SD + "endpoint"), _n(endpoint_url(base))),
        ox.Triple(svc, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(svc, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(svc, _n(SD + "defaultEntailmentRegime"), _n(ENTAILMENT + "Simple")),
        ox.Triple(svc, _n(SD + "defaultDataset"), _n(dataset_iri(base))),
        ox.Triple(svc, _n(RDFS + "seeAlso"), _n(void_url(base))),
        ox.Triple(svc, _n(DCT + "title"), _lit("SPARQL-endepunktet til OGP-registeret", "nb")),
        ox.Triple(svc, _n(DCT + "title"), _lit("SPARQL endpoint of the OGP registry", "en")),
        ox.Triple(
            svc,
            _n(RDFS + "comment"),
            _lit(
                f"Bare lesing. Spørringer stoppes etter {timeout:g} sekunder og svar kuttes "
                f"etter {row_cap} rader (hodet OGP-Truncated sier fra; hele datasettet: "
                f"{dumps_url(base)}). SPARQL Update krever et token: {update_url(base)}.",
                "nb",
            ),
        ),
        ox.Triple(
            svc,
            _n(RDFS + "comment"),
            _lit(
                f"Read-only. Queries are stopped after {timeout:g} seconds and answers are cut "
                f"after {row_cap} rows (the OGP-Truncated header says so; full data: "
                f"{dumps_url(base)}). SPARQL Update needs a token: {update_url(base)}.",
                "en",
            ),
        ),
    ]
    for name in RESULT_FORMAT_IRIS:
        t.append(ox.Triple(svc, _n(SD + "resultFormat"), _n(FORMATS + name)))
    return t + prefix_declarations(svc) + _dataset_triples(base, facts)


def prefix_declarations(svc: ox.NamedNode) -> list[ox.Triple]:
    """The prefixes every query may use undeclared (the registry's, as ``ogpreg query`` has
    them), as SHACL prefix declarations of the service (``sh:declare [ sh:prefix "dct" ;
    sh:namespace "http://purl.org/dc/terms/"^^xsd:anyURI ]``, as other public endpoints
    describe theirs), and named in a comment."""
    t = [
        ox.Triple(
            svc,
            _n(RDFS + "comment"),
            _lit("Forhåndsdeklarerte prefikser: " + ", ".join(f"{p}:" for p in PREFIXES), "nb"),
        ),
        ox.Triple(
            svc,
            _n(RDFS + "comment"),
            _lit("Predeclared prefixes: " + ", ".join(f"{p}:" for p in PREFIXES), "en"),
        ),
    ]
    for i, (prefix, namespace) in enumerate(PREFIXES.items(), start=1):
        decl = ox.BlankNode(f"prefix{i}")
        t += [
            ox.Triple(svc, _n(SH + "declare"), decl),
            ox.Triple(decl, _n(RDF + "type"), _n(SH + "PrefixDeclaration")),
            ox.Triple(decl, _n(SH + "prefix"), _lit(prefix)),
            ox.Triple(decl, _n(SH + "namespace"),
                      ox.Literal(namespace, datatype=_n(XSD + "anyURI"))),
        ]
    return t


def void_description(base: str, facts: DatasetFacts) -> list[ox.Triple]:
    """The VoID description document at ``{base}void`` and the dataset it describes."""
    doc = _n(void_url(base))
    t = [
        ox.Triple(doc, _n(RDF + "type"), _n(VOID + "DatasetDescription")),
        ox.Triple(doc, _n(DCT + "title"), _lit("VoID-beskrivelse av OGP-registeret", "nb")),
        ox.Triple(doc, _n(DCT + "title"), _lit("VoID description of the OGP registry", "en")),
        ox.Triple(doc, _n(FOAF + "primaryTopic"), _n(dataset_iri(base))),
    ]
    return t + _dataset_triples(base, facts)


_OX_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


def serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    """The triples in one of the graph formats of :mod:`endpoint.conneg`."""
    items: list[ox.Triple] | list[ox.Quad] = triples
    if fmt in ("nquads", "trig"):
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    out = ox.serialize(
        items,
        format=_OX_FORMATS[fmt],
        prefixes=DESCRIPTION_PREFIXES if fmt in ("turtle", "trig", "rdfxml") else None,
    )
    assert out is not None
    return out

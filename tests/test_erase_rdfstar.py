"""RDF 1.2 (RDF-star) and blank-node graph names against the audited erase.

pyoxigraph reads statements about statements in Turtle, TriG, N-Triples and N-Quads
(``<< s p o >> ex:q "x"``, an annotation ``s p o {| ex:q "x" |}``, a triple term
``<<( s p o )>>``). The shapes (pySHACL on rdflib) and the erase work on plain triples, so every
load path refuses them with a message (registry/rdf/formats.py); before that refusal a file with
one stopped the load with a ``TypeError`` (a traceback on the command line, a 500 over HTTP).
A SPARQL Update cannot write one (its parser knows no triple terms). A restored dump may still
hold them (a restore writes the dump's quads as they are): the erase removes a statement that
quotes the item, and a blank node quoted in one counts as referred to.

A graph name that is a blank node (TriG ``_:g { … }``) never reaches the store through a load:
its statements go into the source's graph (with a warning), where the erase finds them.

All data is invented.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from registry.access.graphstore import apply_update
from registry.erase import erase
from registry.errors import QueryError, SourceError
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE, all_quads
from tests.endpoint_server import running
from tests.test_erase import CONTACTS, NO9978, NO9979, _everywhere, _traces
from tests.test_lifecycle import actors, cli

SCHEMA = "https://schema.org/"
EMAIL = "kari.stjerne@example.no"  # invented
#: a commitment without a contact point (invented): the part of CONTACTS before its blank nodes
ITEM = CONTACTS.split("    schema:contactPoint _:kari ;")[0].rstrip() + " .\n"
QUOTED = f'<id/commitment/NO9979> schema:email "{EMAIL}"'
STAR = {
    "reifier.ttl": ITEM + f"<< {QUOTED} >> schema:description \"oppgitt i møtet\" .\n",
    "annotation.ttl": ITEM + f"{QUOTED} {{| schema:description \"oppgitt i møtet\" |}} .\n",
    "tripleterm.ttl": ITEM + f"<id/commitment/NO9979> schema:subjectOf <<( {QUOTED} )>> .\n",
    "tripleterm.nt": (f"<{NO9979}> <{SCHEMA}subjectOf> "
                      f"<<( <{NO9979}> <{SCHEMA}email> \"{EMAIL}\" )>> .\n"),
    "reifier.trig": ITEM.replace("@prefix xsd", "@prefix x: <urn:x:> .\n@prefix xsd")
    + f"<urn:x:g> {{ << {QUOTED} >> schema:description \"x\" }}\n",
}


@pytest.mark.parametrize("name", sorted(STAR))
def test_a_statement_about_a_statement_is_refused_on_load(registry: Registry, name: str) -> None:
    before = all_quads(registry)
    with pytest.raises(SourceError) as refused:
        registry.load([SourceFile(name, STAR[name].encode(), "stjerne", None)])
    text = refused.value.render("en")
    assert "statement about a statement" in text and name in text, text
    assert "Nothing was loaded" in text
    assert "kari" in refused.value.render("nb")  # names the statement, in bokmål too
    assert all_quads(registry) == before


def test_rdf_star_is_refused_on_the_command_line_and_over_http(
    registry: Registry, tmp_path: Path
) -> None:
    """Before the refusal: a traceback (``TypeError``) from ``ogpreg load``, a 500 from a
    Graph Store PUT."""
    who = actors(registry)
    source = tmp_path / "stjerne.ttl"
    source.write_text(STAR["annotation.ttl"], "utf-8")
    r = cli(registry, "--lang", "en", "load", str(source))
    assert r.exit_code != 0 and "statement about a statement" in r.output, r.output
    graph = BASE + "graph/source/stjerne"
    with running(registry.store.path, query_workers=1) as site:
        put = requests.put(
            site.url + "graph-store", params={"graph": graph},
            data=STAR["tripleterm.ttl"].encode(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {who.admin.secret}",
                     "Accept-Language": "en"},
            timeout=60,
        )
        assert put.status_code == 400, put.text
        assert put.json()["error"] == "source-error"
        assert "statement about a statement" in put.json()["message"]
    assert not [q for q in registry.store.reader() if EMAIL in str(q)]


def test_a_sparql_update_cannot_write_a_triple_term(registry: Registry) -> None:
    who = actors(registry)
    graph = BASE + "graph/source/stjerne"
    before = all_quads(registry)
    for text in (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{NO9979}> <{SCHEMA}subjectOf> "
        f"<<( <{NO9979}> <{SCHEMA}email> \"{EMAIL}\" )>> }} }}",
        f"INSERT DATA {{ GRAPH <{graph}> {{ << <{NO9979}> <{SCHEMA}email> \"{EMAIL}\" >> "
        f"<{SCHEMA}description> \"x\" }} }}",
        f"INSERT {{ GRAPH <{graph}> {{ <{NO9979}> <{SCHEMA}subjectOf> ?t }} }} "
        f"WHERE {{ BIND(TRIPLE(<{NO9979}>, <{SCHEMA}email>, \"{EMAIL}\") AS ?t) }}",
    ):
        with pytest.raises(QueryError):
            apply_update(registry, who.admin.record, text)
    assert all_quads(registry) == before


def test_a_blank_node_graph_name_is_merged_and_its_statements_erased(
    registry: Registry, tmp_path: Path
) -> None:
    """TriG with a blank node naming a graph: the statements go into the source's graph (a
    warning says so), no blank node names a graph in the store, and the erase removes them."""
    who = actors(registry)
    trig = (ITEM + f'_:g {{ <id/commitment/NO9979> schema:email "{EMAIL}" ; '
            'schema:contactPoint [ schema:name "Kari Stjerne" ] }\n')
    (result,) = registry.load([SourceFile("graf.trig", trig.encode(), "graf", None)])
    assert any("named graphs" in w.render("en") for w in result.warnings)
    reader = registry.store.reader()
    assert not [q for q in reader if isinstance(q.graph_name, ox.BlankNode)]
    assert [q.graph_name for q in reader if q.object == ox.Literal(EMAIL)] == [
        ox.NamedNode(registry.uris.source_graph("graf"))]

    erase(registry, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")

    assert _everywhere(registry, tmp_path, (EMAIL.encode(), b"Kari Stjerne")) == {}


def _restored(reg: Registry, quads: list[ox.Quad]) -> None:
    """Write ``quads`` as a restore does (registry/backup.py: the dump's quads as they are,
    without the loaders)."""
    with reg.store.transaction() as tx:
        tx.extend(quads)


def test_erase_removes_statements_quoting_the_item_or_its_blank_nodes(
    registry: Registry, tmp_path: Path
) -> None:
    """Data with triple terms, as a restored dump may hold it: a reifier and an annotation
    quoting the item's e-mail address, a triple term quoting it inside another triple term, a
    blank node (a contact point) quoted in a triple term and hanging off the item, and a graph
    named by a blank node the item points at. None of it is left; another commitment's quoted
    statement and its own reifier stay. (The data is invented.)"""
    who = actors(registry)
    registry.load([SourceFile("k.ttl", CONTACTS.encode(), "kontaktpunkt", None)])
    g = ox.NamedNode(registry.uris.source_graph("kontaktpunkt"))
    item, other = ox.NamedNode(NO9979), ox.NamedNode(NO9978)
    s = {n: ox.NamedNode(SCHEMA + n) for n in ("email", "description", "subjectOf", "name",
                                                "contactPoint", "hasPart")}
    reifies = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies")
    email = ox.Triple(item, s["email"], ox.Literal(EMAIL))
    reifier, cp, graph_node, other_reifier = (ox.BlankNode() for _ in range(4))
    kept_email = ox.Triple(other, s["email"], ox.Literal("per.stjerne@example.no"))
    _restored(registry, [
        ox.Quad(reifier, reifies, email, g),
        ox.Quad(reifier, s["description"], ox.Literal("oppgitt i møtet (Kari Stjerne)"), g),
        ox.Quad(other, s["subjectOf"], ox.Triple(ox.NamedNode(BASE + "id/plan/2019-2021"),
                                                 s["hasPart"], email), g),
        ox.Quad(item, s["contactPoint"], cp, g),
        ox.Quad(cp, s["name"], ox.Literal("Kari Stjerne"), g),
        ox.Quad(item, s["subjectOf"], ox.Triple(cp, s["email"], ox.Literal("kari@stjerne.no")), g),
        ox.Quad(item, s["hasPart"], graph_node, g),
        ox.Quad(ox.NamedNode(BASE + "id/plan/2019-2021"), s["description"],
                ox.Literal("Kari Stjernes notat"), graph_node),
        ox.Quad(other_reifier, reifies, kept_email, g),
        ox.Quad(other_reifier, s["description"], ox.Literal("oppgitt av Per"), g),
    ])
    traces = (EMAIL.encode(), b"Kari Stjerne", b"kari@stjerne.no")

    def left() -> list[ox.Quad]:
        return [q for q in registry.store.reader() if any(t.decode() in str(q) for t in traces)]

    # the check can fail: the statements are there, in the N-Quads export too (JSON-LD cannot
    # write RDF 1.2: one more reason the loaders refuse it)
    assert len(left()) == 6 and _traces(registry.export("nquads"), traces)

    result = erase(registry, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")

    assert left() == []
    assert not _traces(registry.export("nquads"), traces)
    assert not _traces(registry.export("trig"), traces)
    assert result.blank_nodes == 10  # 7 of CONTACTS, the reifier, the contact point, the graph
    reader = registry.store.reader()
    assert not [q for q in reader if isinstance(q.graph_name, ox.BlankNode)]
    assert ox.Quad(other_reifier, reifies, kept_email, g) in reader
    assert ox.Quad(other_reifier, s["description"], ox.Literal("oppgitt av Per"), g) in reader

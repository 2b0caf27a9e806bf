"""The audited erase on external SPARQL engines (Oxigraph's server and Virtuoso, started by
tests/engines.py): the scenarios of tests/test_erase.py, each on every engine. The item, its
versions in the history graph, its status-change records and the blank nodes hanging off it
(a contact point with blank nodes two levels below it, a list, a cycle, a note pointing at the
item) must be gone from the engine, the exports in every format, a backup, the catalogue's
downloads, the history and the change feed; what another item holds (its own blank nodes, one
shared with the erased item) stays.

All data is invented (tests/fixtures/lifecycle/personal-data.ttl and ``CONTACTS`` in
tests/test_erase.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from registry.access.audit import AuditLog
from registry.access.graphstore import apply_update
from registry.backup import dump_to_file, restore
from registry.erase import erase
from registry.errors import NotFound
from registry.history.terms import is_item_graph
from registry.history.versions import versions
from registry.lifecycle.change import set_status
from registry.loading.sources import SourceFile
from registry.publish.dcat import CataloguePublisher
from registry.service import Registry, open_registry
from tests.conftest import BASE
from tests.engines import (
    ENGINE_KINDS,
    EngineServer,
    _start_oxigraph,
    _start_virtuoso,
    initialised_on,
    remote_settings,
)
from tests.test_erase import (
    CONTACTS,
    KARI,
    KEPT,
    MEETING,
    NO9978,
    NO9979,
    PERSON,
    WRONG,
    _everywhere,
    _holding,
    _traces,
)
from tests.test_lifecycle import LC, Actors, actors
from tests.test_remote_endpoint import serving

SCHEMA = "https://schema.org/"
OGP = "https://w3id.org/ogp-no/def#"
HISTORY = BASE + "graph/history"


def _load(reg: Registry, name: str, text: str) -> None:
    reg.load([SourceFile(name, text.encode("utf-8"), Path(name).stem, None)])


def _rows(reg: Registry, sparql: str) -> list[dict[str, str]]:
    answer = reg.query(sparql)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return [{n: str(r[n].value) for n in names if r[n] is not None} for r in answer]


@pytest.fixture
def mistaken(remote_registry: Registry) -> tuple[Registry, Actors]:
    """As tests/test_erase.py's ``mistaken``, on an engine: personal data loaded by mistake,
    changed once, pointed to from another source, with a status change of the proposal."""
    reg = remote_registry
    who = actors(reg)
    text = (LC / "personal-data.ttl").read_text("utf-8")
    _load(reg, "personal-data.ttl", text)
    _load(reg, "personal-data.ttl",
          text.replace("ogp:theme theme:open-data", "ogp:theme theme:integrity"))
    _load(reg, "deltakere.ttl", "# INVENTED example\n"
          f"<{MEETING}> <https://w3id.org/ogp-no/def#attendee> <{PERSON}> .\n")
    set_status(reg, who.kmd.record, WRONG, "accepted", plan=BASE + "id/plan/2019-2021")
    return reg, who


def test_erase_on_an_engine_leaves_no_trace_outside_the_audit_log(
    mistaken: tuple[Registry, Actors], tmp_path: Path
) -> None:
    reg, who = mistaken
    before = _everywhere(reg, tmp_path)
    # the check can fail: before the erase the data is everywhere
    assert "export nquads" in before and "history graph" in before and "change feed" in before
    assert any(k.startswith("backup ") for k in before)
    assert any(k.startswith("download ") for k in before)
    assert versions(reg.store.reader(), PERSON)

    result = erase(reg, who.admin.record, PERSON, "Personopplysninger (oppdiktet)", user="tester")
    assert result.versions >= 1 and result.triples > 0

    assert _everywhere(reg, tmp_path) == {}
    reader = reg.store.reader()
    assert not [q for q in reader if PERSON in str(q)]
    assert versions(reader, PERSON) == []
    ask = reg.query(f"ASK {{ {{ <{PERSON}> ?p ?o }} UNION {{ ?s ?p <{PERSON}> }} }}")
    assert isinstance(ask, ox.QueryBoolean) and not bool(ask)
    # the proposal that pointed at the person keeps its other statements
    assert _rows(reg, f"SELECT ?t WHERE {{ <{WRONG}> dct:title ?t }}")
    # the erase's change, read from the whole history graph (a Graph Store read: on Virtuoso a
    # look-up of a change by its number has been seen to miss right after an erase, see
    # docs/lifecycle.md, "Audited erase")
    node = ox.NamedNode(BASE + f"id/change/{result.change}")
    recorded = [q for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(HISTORY))
                if q.subject == node]
    assert ox.NamedNode(OGP + "Erase") in {q.object for q in recorded}
    assert not [q for q in reader.quads_for_pattern(None, None, node, ox.NamedNode(HISTORY))]
    (entry,) = [e for e in AuditLog(reg.store.path).entries()
                if e.action == "erase" and e.outcome == "ok"]
    assert entry.target == PERSON
    with pytest.raises(NotFound):
        erase(reg, who.admin.record, PERSON, "igjen (oppdiktet)")


def test_erase_on_an_engine_removes_a_status_change_record_and_the_items_versions(
    mistaken: tuple[Registry, Actors],
) -> None:
    reg, who = mistaken
    reader = reg.store.reader()
    records = [q.subject for q in reader.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/ogp-no/def#statusOf"), ox.NamedNode(WRONG), None)]
    assert len(records) == 2  # the initial status from the file and the acceptance
    n_versions = len(versions(reader, WRONG))
    assert n_versions  # the check can fail
    result = erase(reg, who.admin.record, WRONG, "Feil (oppdiktet)", user="tester")
    assert (result.status_changes, result.versions) == (2, n_versions)
    reader = reg.store.reader()
    assert not [q for q in reader if WRONG in str(q)]
    assert versions(reader, WRONG) == []
    assert not [q for q in reader if "feil-innlastet" in str(q)]


def test_erase_on_an_engine_removes_the_blank_nodes_of_the_item_but_not_shared_ones(
    remote_registry: Registry, tmp_path: Path
) -> None:
    """tests/test_erase.py's blank-node scenario on an engine: a contact point with blank
    nodes two levels below it, a list, a cycle and a note pointing at the item go; what another
    commitment holds, its own blank node and the one shared with the erased item, stays."""
    reg = remote_registry
    who = actors(reg)
    _load(reg, "kontaktpunkt.ttl", CONTACTS)
    _load(reg, "kontaktpunkt.ttl", CONTACTS.replace('(oppdiktet)"@nb', '(oppdiktet, endret)"@nb'))
    graph = reg.uris.source_graph("kontaktpunkt")
    sparql = 'SELECT ?s WHERE { ?s <https://schema.org/email> "kari.nordmann@example.no" }'
    # the checks can fail: before the erase the data is in the engine and everywhere
    assert _rows(reg, sparql)
    assert all(_holding(reg, t.decode()) for t in KARI)
    before = _everywhere(reg, tmp_path, KARI)
    assert "export nquads" in before and any(k.startswith("backup ") for k in before)
    kept_before = {t: len(_holding(reg, t)) for t in KEPT}
    assert all(kept_before.values())

    result = erase(reg, who.admin.record, NO9979, "Personopplysninger (oppdiktet)", user="tester")

    assert result.blank_nodes == 7
    assert _rows(reg, sparql) == []
    for trace in KARI:
        assert _holding(reg, trace.decode()) == [], trace
    assert _everywhere(reg, tmp_path, KARI) == {}
    turtle = reg.export("turtle", graph=graph)
    assert not _traces(turtle, KARI) and b"NO9979" not in turtle
    assert {t: len(_holding(reg, t)) for t in KEPT} == kept_before
    answer = _rows(reg, f"""SELECT ?name ?email ?office WHERE {{ GRAPH <{graph}> {{
        <{NO9978}> schema:contactPoint [ schema:name ?name ; schema:email ?email ] ;
            schema:provider [ schema:name ?office ] }} }}""")
    assert answer == [{"name": KEPT[0], "email": KEPT[1], "office": KEPT[2]}]
    # nothing of NO9979's dangles in its source graph: the blank nodes left are NO9978's
    quads = list(reg.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    blanks = {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert len(blanks) == 2
    for b in blanks:
        assert [q.subject for q in quads if q.object == b] == [ox.NamedNode(NO9978)]
    assert not [q for q in reg.store.reader() if NO9979 in str(q)]
    assert versions(reg.store.reader(), NO9979) == []
    # NO9978's latest version still equals its description, blank nodes aside: a snapshot
    # keeps the labels of the version's transaction, the engine gives the nodes labels of its
    # own when it writes them (docs/lifecycle.md, "Audited erase", External engines)
    reader = reg.store.reader()
    current = {ox.Triple(q.subject, q.predicate, q.object)
               for q in reader.quads_for_pattern(ox.NamedNode(NO9978), None, None, None)
               if is_item_graph(q.graph_name, BASE)}
    history = versions(reader, NO9978)
    assert history and _plain(set(history[-1].snapshot)) == _plain(current)


def _plain(triples: set[ox.Triple]) -> set[ox.Triple]:
    return {t for t in triples if not isinstance(t.object, ox.BlankNode)}


def test_erase_on_an_engine_twice_and_a_load_after_it(
    remote_registry: Registry, tmp_path: Path
) -> None:
    """Two erases in a row (the second rewrites the blank nodes the first wrote back), then a
    load of a corrected file of the same source: the engine's state stays whole."""
    reg = remote_registry
    who = actors(reg)
    _load(reg, "kontaktpunkt.ttl", CONTACTS)
    erase(reg, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")
    assert all(_holding(reg, t) for t in KEPT)  # the check can fail
    erase(reg, who.admin.record, NO9978, "Feil (oppdiktet)", user="tester")
    assert [t for t in KEPT if _holding(reg, t)] == []
    assert _everywhere(reg, tmp_path, (*KARI, *(k.encode() for k in KEPT))) == {}
    _load(reg, "kontaktpunkt.ttl", CONTACTS.replace("Kari Nordmann", "Kari Retta (oppdiktet)"))
    answer = _rows(reg, f"""SELECT ?name ?office WHERE {{ <{NO9979}> schema:contactPoint
        [ schema:name ?name ] ; schema:provider [ schema:name ?office ] }}""")
    assert answer == [{"name": "Kari Retta (oppdiktet)", "office": KEPT[2]}]


def test_erase_on_an_engine_over_http_drops_the_cached_downloads_and_answers(
    mistaken: tuple[Registry, Actors],
) -> None:
    """``POST /api/erase`` in front of an engine: the downloads and the SPARQL answers cached
    for the revision before are not served after it."""
    reg, who = mistaken
    names = sorted(CataloguePublisher(reg).current().files)
    ask = {"query": f"ASK {{ {{ <{PERSON}> ?p ?o }} UNION {{ ?s ?p <{PERSON}> }} }}"}
    accept = {"Accept": "application/sparql-results+json"}
    with serving(reg) as (url, executor):
        executor.revision_ttl = 0  # type: ignore[attr-defined]

        def downloads() -> list[str]:
            found = []
            for name in names:
                got = requests.get(url + "download/" + name, timeout=60)
                assert got.status_code == 200, name
                found += [name] * bool(_traces(got.content))
            return found

        assert downloads()  # the check can fail: the data is in the downloads before
        before = requests.get(url + "sparql", params=ask, headers=accept, timeout=60)
        assert before.status_code == 200 and before.json()["boolean"] is True
        r = requests.post(
            url + "api/erase",
            json={"item": PERSON, "reason": "Personopplysninger (oppdiktet)"},
            headers={"Authorization": f"Bearer {who.admin.secret}"},
            timeout=300,
        )
        assert r.status_code == 200, r.text
        after = requests.get(url + "sparql", params=ask, headers=accept, timeout=60)
        assert after.status_code == 200 and after.json()["boolean"] is False
        assert downloads() == []
        feed = requests.get(url + "feed?after=0", headers={"Accept": "application/n-triples"},
                            timeout=60)
        assert feed.status_code == 200 and not _traces(feed.content)


def test_erase_on_an_engine_with_a_blank_node_copied_into_another_graph(
    remote_registry: Registry,
) -> None:
    """tests/test_erase.py keeps a blank node that another graph refers to. On an engine a
    SPARQL Update cannot make that reference: the transaction writes its blank nodes as new
    ones (Oxigraph's ``INSERT DATA``, Virtuoso's templates: blank nodes in an update are always
    fresh), so the copy in the other graph is a node of its own, without statements. The
    contact point is then referred to from the erased item alone and goes whole; the other
    commitment keeps its link and its note. (The data is invented.)"""
    reg = remote_registry
    who = actors(reg)
    _load(reg, "kontaktpunkt.ttl", CONTACTS)
    graph = reg.uris.source_graph("kontaktpunkt")
    _load(reg, "merknad.ttl",
          f'# INVENTED\n<{NO9978}> <https://w3id.org/ogp-no/def#editorialNote> "Merknad"@nb .\n')
    other = reg.uris.source_graph("merknad")
    knows = ox.NamedNode(SCHEMA + "knows")
    apply_update(reg, who.admin.record, f"""INSERT {{ GRAPH <{other}> {{
        <{NO9978}> {knows} ?c }} }}
        WHERE {{ GRAPH <{graph}> {{ <{NO9979}> <https://schema.org/contactPoint> ?c }} }}""")
    reader = reg.store.reader()
    (contact,) = [q.object for q in reader.quads_for_pattern(
        ox.NamedNode(NO9979), ox.NamedNode(SCHEMA + "contactPoint"), None, None)]
    (copy,) = [q.object for q in reader.quads_for_pattern(ox.NamedNode(NO9978), knows, None, None)]
    assert isinstance(copy, ox.BlankNode) and copy != contact
    assert not [q for q in reader if q.subject == copy]

    result = erase(reg, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")

    assert result.blank_nodes == 7
    reader = reg.store.reader()
    for trace in KARI:
        assert _holding(reg, trace.decode()) == [], trace
    assert _holding(reg, "Notat om Kari Nordmann") == []
    assert not [q for q in reader if NO9979 in str(q)]
    assert [q.graph_name for q in reader.quads_for_pattern(ox.NamedNode(NO9978), knows, None,
                                                             None)] == [ox.NamedNode(other)]
    assert _holding(reg, "Merknad")


def _checkpoint(srv: EngineServer) -> None:
    """Virtuoso's ``checkpoint``: what its transaction log holds goes into its database file."""
    ini = (srv.workdir / "virtuoso.ini").read_text("utf-8")
    port = re.search(r"\[Parameters\]\nServerPort = ([\d.:]+)", ini)
    isql = shutil.which("isql-vt")
    assert port is not None and isql is not None
    subprocess.run([isql, port.group(1), "dba", "dba", "exec=checkpoint;"], check=True,
                   capture_output=True, timeout=120)


def _files_holding(workdir: Path, trace: bytes) -> list[str]:
    return sorted(str(p.relative_to(workdir)) for p in workdir.rglob("*")
                  if p.is_file() and trace in p.read_bytes())


@pytest.mark.parametrize("kind", ENGINE_KINDS)
def test_the_engines_files_keep_an_erased_string_until_its_database_is_rebuilt(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The limit of an erase on an external engine (docs/lifecycle.md, "Audited erase"): the
    registry rewrites every graph, so no query, dump, download or feed holds the erased data,
    but the engine's own files may keep the strings (Oxigraph's server never forgets a string
    it stored; Virtuoso keeps it in its database file and transaction log). The documented
    remedy works: a dump after the erase restored into a new, empty engine database leaves no
    trace in the engine's files. Each engine of its own here, so that no other test's data is
    in its files. (The e-mail address is invented.)"""
    shared: EngineServer = request.getfixturevalue(f"{kind}_server")
    start = _start_oxigraph if kind == "oxigraph" else _start_virtuoso
    trace = b"erase.engine.files@example.no"
    state = tmp_path / "state"
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    first = start(first_dir)
    first.template = shared.template
    try:
        reg = initialised_on(first, remote_settings(first, state))
        shared.template = shared.template or first.template
        who = actors(reg)
        _load(reg, "kontaktpunkt.ttl",
              CONTACTS.replace("kari.nordmann@example.no", trace.decode()))
        erase(reg, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")
        assert _holding(reg, trace.decode()) == []
        if kind == "virtuoso":
            _checkpoint(first)
        assert _files_holding(first_dir, trace)  # what the erase cannot reach
        dump_to_file(reg, tmp_path / "etter-sletting.tar.gz")
        quads = len(list(reg.store.reader()))
    finally:
        first.stop()
    second = start(second_dir)
    try:
        reg = open_registry(remote_settings(second, state))
        restore(reg, tmp_path / "etter-sletting.tar.gz")
        assert len(list(reg.store.reader())) == quads
        assert _rows(reg, f"SELECT ?t WHERE {{ <{NO9978}> dct:title ?t }}")
        if kind == "virtuoso":
            _checkpoint(second)
        assert _files_holding(second_dir, trace) == []
    finally:
        second.stop()

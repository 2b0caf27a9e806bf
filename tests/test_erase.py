"""Audited erase (issue 7): data loaded by mistake is gone from the store (its files too), the
dumps in every format, the backups made afterwards, the catalogue downloads, the history and
the change feed; only the audit log says what was erased, by whom and why. Admin only.

The "personal data" is invented (tests/fixtures/lifecycle/personal-data.ttl, and the contact
points in blank nodes of the commitments NO9979 and NO9978 in ``CONTACTS`` below).
"""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from registry.access.audit import AuditLog
from registry.access.contacts import ContactBook
from registry.access.graphstore import apply_update
from registry.backup import dump_to_file
from registry.erase import erase
from registry.errors import Forbidden, NotFound, UsageError
from registry.history.terms import is_item_graph
from registry.history.versions import change, changes, iter_history, last_change_number, versions
from registry.lifecycle.change import set_status
from registry.publish.dcat import CataloguePublisher
from registry.rdf.formats import RDF_FORMATS
from registry.service import Registry
from tests.conftest import BASE, all_quads
from tests.endpoint_server import running
from tests.test_lifecycle import LC, OGP, Actors, actors, cli, load, rows

PERSON = BASE + "id/organisation/ola-oppdiktet-nordmann"
WRONG = BASE + "id/proposal/feil-innlastet"
MEETING = BASE + "id/meeting/2018-06-19"
#: what must leave no trace: the IRI's distinctive part, the name, the e-mail address
TRACES = (b"ola-oppdiktet-nordmann", b"Ola Oppdiktet Nordmann", b"ola.oppdiktet@example.org")


def _traces(data: bytes, traces: tuple[bytes, ...] = TRACES) -> list[bytes]:
    return [t for t in traces if t in data]


def _store_files(reg: Registry) -> dict[str, bytes]:
    """Every file of the store directory except the audit log (revisions, tokens, state)."""
    return {
        str(p.relative_to(reg.store.path)): p.read_bytes()
        for p in reg.store.path.rglob("*")
        if p.is_file() and p.name != "audit.log"
    }


def _everywhere(
    reg: Registry, tmp: Path, traces: tuple[bytes, ...] = TRACES
) -> dict[str, list[bytes]]:
    """Where the traces are: every export format, a backup (outside its audit log), the
    catalogue's downloads, the history and change feed, and the files of the store."""
    found: dict[str, list[bytes]] = {}
    for fmt in RDF_FORMATS:
        found[f"export {fmt}"] = _traces(reg.export(fmt), traces)
    backup = tmp / "backup.tar.gz"
    backup.unlink(missing_ok=True)
    dump_to_file(reg, backup)
    with tarfile.open(backup) as tar:
        for m in tar.getmembers():
            f = tar.extractfile(m)
            if f is not None and m.name != "audit.log":
                found[f"backup {m.name}"] = _traces(f.read(), traces)
    for name, download in CataloguePublisher(reg).current().files.items():
        found[f"download {name}"] = _traces(download.data, traces)
    reader = reg.store.reader()
    found["history graph"] = _traces(
        "".join(f"{q}\n" for q in iter_history(reader)).encode("utf-8"), traces
    )
    feed = changes(reader, limit=10_000)
    found["change feed"] = _traces(
        "".join(f"{c}\n{v.ntriples()}" for c in feed for v in c.versions).encode("utf-8"),
        traces,
    )
    for name, data in _store_files(reg).items():
        found[f"store {name}"] = _traces(data, traces)
    return {k: v for k, v in found.items() if v}


@pytest.fixture
def mistaken(registry: Registry) -> tuple[Registry, Actors]:
    """Personal data loaded by mistake, changed once, pointed to from another source, with a
    status change of the proposal that refers to it."""
    who = actors(registry)
    load(registry, str(LC / "personal-data.ttl"))
    text = (LC / "personal-data.ttl").read_text("utf-8")
    changed = registry.store.path.parent / "personal-data.ttl"
    changed.write_text(text.replace('ogp:theme theme:open-data', 'ogp:theme theme:integrity'))
    load(registry, "--source", "personal-data", str(changed))
    attendee = registry.store.path.parent / "deltakere.ttl"
    attendee.write_text(
        "# INVENTED example\n"
        f"<{MEETING}> <https://w3id.org/ogp-no/def#attendee> <{PERSON}> .\n", "utf-8"
    )
    load(registry, str(attendee))
    set_status(registry, who.kmd.record, WRONG, "accepted", plan=BASE + "id/plan/2019-2021")
    return registry, who


def test_erase_leaves_no_trace_outside_the_audit_log(
    mistaken: tuple[Registry, Actors], tmp_path: Path
) -> None:
    reg, who = mistaken
    before = _everywhere(reg, tmp_path)
    # the check can fail: before the erase the data is everywhere, old revisions included
    assert "export nquads" in before and "history graph" in before and "change feed" in before
    assert any(k.startswith("store revisions/") for k in before)
    assert any(k.startswith("backup ") for k in before)
    revisions_before = sorted(p.name for p in (reg.store.path / "revisions").iterdir())
    assert len(revisions_before) > 1

    r = cli(reg, "--lang", "en", "erase", "id/organisation/ola-oppdiktet-nordmann",
            "--reason", "Personopplysninger lastet inn ved en feil (oppdiktet)",
            "--yes", "--token", who.admin.secret)
    assert r.exit_code == 0, r.output
    assert f"{PERSON} erased:" in r.output

    assert _everywhere(reg, tmp_path) == {}
    remaining = sorted(p.name for p in (reg.store.path / "revisions").iterdir())
    assert len(remaining) == 1 and remaining[0] not in revisions_before
    reader = reg.store.reader()
    assert not list(reader.quads_for_pattern(ox.NamedNode(PERSON), None, None, None))
    assert not list(reader.quads_for_pattern(None, None, ox.NamedNode(PERSON), None))
    assert versions(reader, PERSON) == []
    # the others keep their history, without the erased lines, and match their current state
    meeting = versions(reader, MEETING)
    assert [v.action for v in meeting] == ["create", "update"]
    current = {ox.Triple(q.subject, q.predicate, q.object)
               for q in reader.quads_for_pattern(ox.NamedNode(MEETING), None, None, None)
               if is_item_graph(q.graph_name, BASE)}
    assert set(meeting[-1].snapshot) == current
    # the erase is a change that names neither the item nor its content
    last = change(reader, last_change_number(reader))
    assert last is not None and last.kind == "erase" and last.versions == ()
    assert last.agent == BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
    assert "triples removed" in (last.reason("en") or "")
    # only the audit log says what, who, when and why
    (entry,) = [e for e in AuditLog(reg.store.path).entries() if e.action == "erase"]
    assert (entry.outcome, entry.target, entry.role, entry.actor) == ("ok", PERSON, "admin", "tester")
    assert "Personopplysninger lastet inn ved en feil" in entry.message
    assert who.admin.secret not in (reg.store.path / "audit.log").read_text("utf-8")
    # the rest of the registry is untouched and still answers
    answer = reg.query("ASK { ?p a ogp:Proposal }",
                       substitutions={ox.Variable("p"): ox.NamedNode(WRONG)})
    assert bool(answer)


def test_erase_removes_sub_resources_versions_and_status_changes(
    mistaken: tuple[Registry, Actors],
) -> None:
    reg, who = mistaken
    reader = reg.store.reader()
    records = [q.subject for q in reader.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/ogp-no/def#statusOf"), ox.NamedNode(WRONG), None)]
    assert len(records) == 2  # the initial status from the file and the acceptance
    n_versions = len(versions(reader, WRONG))
    result = erase(reg, who.admin.record, WRONG, "Feilregistrert (oppdiktet)", user="tester")
    assert (result.status_changes, result.versions) == (2, n_versions)
    reader = reg.store.reader()
    for node in records:
        assert not list(reader.quads_for_pattern(node, None, None, None))
    assert not [q for q in reader if WRONG in str(q)]
    assert versions(reader, WRONG) == []


def test_erase_removes_the_contact_persons_given_for_the_proposal(
    mistaken: tuple[Registry, Actors],
) -> None:
    """A proposal sent with the browser's form has its contact person outside the RDF
    (registry/access/contacts.py): personal data, so an erase of the proposal removes it too,
    from the file, and leaves the contacts of other proposals. (The people are invented.)"""
    reg, who = mistaken
    book = ContactBook(reg.store.path)
    other = BASE + "id/proposal/en-annen"
    book.add(WRONG, "974761076", who.kmd.record.id, "Kari Oppdiktet", "kari.oppdiktet@example.org")
    book.add(other, "974761076", who.kmd.record.id, "Per Oppdiktet", "per.oppdiktet@example.org")
    book.add(WRONG, "974761076", who.kmd.record.id, "Kari Oppdiktet", "kari@example.org")
    assert b"kari.oppdiktet@example.org" in book.path.read_bytes()  # the check can fail

    r = cli(reg, "--lang", "en", "erase", WRONG, "--reason", "Feil innlastet (oppdiktet)",
            "--yes", "--token", who.admin.secret)
    assert r.exit_code == 0, r.output
    assert "2 contact persons removed" in r.output

    assert book.of(WRONG) == []
    assert [c.name for c in book.of(other)] == ["Per Oppdiktet"]
    data = book.path.read_bytes()
    assert b"Kari Oppdiktet" not in data and b"kari" not in data
    (entry,) = [e for e in AuditLog(reg.store.path).entries() if e.action == "erase"]
    assert "2 contact persons removed" in entry.message


def test_erase_is_refused_without_admin_rights_a_reason_or_a_target(
    mistaken: tuple[Registry, Actors],
) -> None:
    reg, who = mistaken
    before = all_quads(reg)
    for t in (who.kmd, who.ti):
        with pytest.raises(Forbidden) as refused:
            erase(reg, t.record, PERSON, "test")
        assert refused.value.http_status == 403
        assert "reserved for the role admin" in refused.value.render("en")
    with pytest.raises(UsageError):
        erase(reg, who.admin.record, PERSON, "  ")
    with pytest.raises(UsageError):
        erase(reg, who.admin.record, BASE + "graph/provenance", "test")
    with pytest.raises(NotFound):
        erase(reg, who.admin.record, BASE + "id/organisation/finnes-ikke", "test")
    r = cli(reg, "erase", PERSON, "--reason", "test", "--token", who.kmd.secret, "--yes")
    assert r.exit_code == 1 and "admin" in r.output
    r = cli(reg, "erase", PERSON, "--reason", "test", "--token", who.admin.secret, input="n\n")
    assert r.exit_code == 1  # not confirmed: aborted
    assert all_quads(reg) == before
    outcomes = [(e.outcome, e.role) for e in AuditLog(reg.store.path).entries()
                if e.action == "erase"]
    assert outcomes == [("refused", "approver"), ("refused", "submitter"), ("refused", "admin"),
                        ("refused", "admin"), ("refused", "admin"), ("refused", "approver")]


def test_erase_over_http_with_an_admin_token(mistaken: tuple[Registry, Actors]) -> None:
    reg, who = mistaken
    names = sorted(CataloguePublisher(reg).current().files)
    with running(reg.store.path, query_workers=1) as site:

        def downloads() -> list[str]:
            found = []
            for name in names:
                got = requests.get(site.url + "download/" + name, timeout=60)
                assert got.status_code == 200, name
                found += [name] * bool(_traces(got.content))
            return found

        assert downloads()  # the check can fail: the data is in the downloads before
        r = requests.post(
            site.url + "api/erase",
            json={"item": PERSON, "reason": "Personopplysninger (oppdiktet)"},
            headers={"Authorization": f"Bearer {who.admin.secret}"},
            timeout=120,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["item"] == PERSON and body["triples"] > 0
        answer = requests.get(
            site.url + "sparql",
            params={"query": f"ASK {{ {{ <{PERSON}> ?p ?o }} UNION {{ ?s ?p <{PERSON}> }} }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert answer.status_code == 200 and answer.json()["boolean"] is False
        assert downloads() == []  # the cached downloads were dropped with the old revision
    entries = [(e.action, e.outcome, e.status, e.target) for e in AuditLog(reg.store.path).entries()
               if e.action in ("api.erase", "erase")]
    assert entries == [("erase", "ok", None, PERSON), ("api.erase", "ok", 200, PERSON)]


def test_contacts_added_while_another_proposal_is_erased_are_kept(tmp_path: Path) -> None:
    """``forget`` rewrites the file; an addition at the same moment waits for it instead of
    landing in the file being replaced (the book's lock). Invented people."""
    book = ContactBook(tmp_path)
    gone, kept = BASE + "id/proposal/feil", BASE + "id/proposal/riktig"
    for i in range(50):
        book.add(gone, "974761076", "t-1", f"Feil {i} (oppdiktet)", f"feil{i}@example.org")

    def add_many() -> None:
        for i in range(200):
            book.add(kept, "974761076", "t-1", f"Person {i} (oppdiktet)", f"p{i}@example.org")

    adder = threading.Thread(target=add_many)
    adder.start()
    forgotten = 0
    while adder.is_alive():
        forgotten += book.forget(gone)
        book.add(gone, "974761076", "t-1", "Igjen (oppdiktet)", "igjen@example.org")
    adder.join()
    assert len(book.of(kept)) == 200


# -- blank nodes hanging off the erased item (red-team audit) -----------------------------------
NO9979 = BASE + "id/commitment/NO9979"
NO9978 = BASE + "id/commitment/NO9978"
#: the personal data in NO9979's blank nodes (invented), at every level of nesting
KARI = (b"Kari Nordmann", b"kari.nordmann@example.no", b"Oppdiktet gate 7", b"K. Nordmann",
        b"Kari N.", b"+47 00 00 00 00")
#: what another commitment holds in blank nodes of its own or shared with NO9979 (invented)
KEPT = ("Per Oppdiktet", "per.oppdiktet@example.no", "Oppdiktet servicekontor")
CONTACTS = """# INVENTED EXAMPLE: commitments NO9979 and NO9978 do not exist, nor do the people, the
# address and the telephone number. NO9979 holds personal data in blank nodes: a contact point
# with an address in it and a telephone in that (two levels below the contact point), a list of
# other names, a cycle back to the contact point and a note that points at the commitment; NO9978 has a contact point of its own and
# shares the office with NO9979.
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<id/commitment/NO9979> a ogp:Commitment ;
    dct:identifier "NO9979" ;
    dct:title "Forpliktelse med kontaktperson (oppdiktet)"@nb ,
              "Commitment with a contact person (invented)"@en ;
    ogp:inActionPlan <id/plan/2019-2021> ;
    ogp:leadAgency <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:theme <https://w3id.org/ogp-no/theme/open-data> ;
    schema:startDate "2019-09"^^xsd:gYearMonth ;
    schema:endDate "2021"^^xsd:gYear ;
    schema:contactPoint _:kari ;
    schema:provider _:office .

_:kari a schema:ContactPoint ;
    schema:name "Kari Nordmann" ;
    schema:email "kari.nordmann@example.no" ;
    schema:alternateName ( "K. Nordmann" [ schema:name "Kari N." ] ) ;
    schema:address [
        a schema:PostalAddress ;
        schema:streetAddress "Oppdiktet gate 7" ;
        schema:contactPoint [ schema:telephone "+47 00 00 00 00" ; schema:subjectOf _:kari ]
    ] .

[] schema:about <id/commitment/NO9979> ;
    schema:text "Notat om Kari Nordmann (oppdiktet)" .

<id/commitment/NO9978> a ogp:Commitment ;
    dct:identifier "NO9978" ;
    dct:title "En annen forpliktelse (oppdiktet)"@nb ,
              "Another commitment (invented)"@en ;
    ogp:inActionPlan <id/plan/2019-2021> ;
    ogp:leadAgency <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:theme <https://w3id.org/ogp-no/theme/open-data> ;
    schema:startDate "2019-09"^^xsd:gYearMonth ;
    schema:endDate "2021"^^xsd:gYear ;
    schema:contactPoint [ a schema:ContactPoint ;
        schema:name "Per Oppdiktet" ;
        schema:email "per.oppdiktet@example.no" ] ;
    schema:provider _:office .

_:office a schema:Organization ; schema:name "Oppdiktet servicekontor" .
"""


def _holding(reg: Registry, text: str) -> list[ox.Quad]:
    """Every quad of the committed state, in any graph (history included), naming ``text``."""
    return [q for q in reg.store.reader() if text in str(q)]


def _load_contacts(reg: Registry, tmp: Path) -> str:
    """CONTACTS loaded as the source ``kontaktpunkt``; its graph."""
    source = tmp / "kontaktpunkt.ttl"
    source.write_text(CONTACTS, "utf-8")
    load(reg, str(source))
    return reg.uris.source_graph("kontaktpunkt")


def _kari(reg: Registry, graph: str) -> ox.BlankNode:
    (q,) = reg.store.reader().quads_for_pattern(
        ox.NamedNode(NO9979), ox.NamedNode("https://schema.org/contactPoint"), None,
        ox.NamedNode(graph))
    assert isinstance(q.object, ox.BlankNode)
    return q.object


def test_erase_removes_the_blank_nodes_of_the_item_but_not_shared_ones(
    registry: Registry, tmp_path: Path
) -> None:
    """The red-team audit: personal data in blank nodes hanging off an erased commitment (its
    contact point, with blank nodes two levels below it, a list, a cycle, and a note pointing
    at it) survived the erase, in SPARQL answers, the source graph's Turtle and the dumps. The
    erase removes every blank node reachable from the item's statements whose every reference
    comes from what is erased; a blank node another commitment refers to stays, and so does
    the other commitment's own contact point. (The data is invented.)"""
    who = actors(registry)
    graph = _load_contacts(registry, tmp_path)
    changed = tmp_path / "kontaktpunkt.ttl"
    changed.write_text(CONTACTS.replace("(oppdiktet)\"@nb", "(oppdiktet, endret)\"@nb"), "utf-8")
    load(registry, str(changed))  # a second version in the history
    sparql = 'SELECT ?s WHERE { ?s <https://schema.org/email> "kari.nordmann@example.no" }'
    # the checks can fail: before the erase the data is in the store, its export and the dumps
    assert rows(registry, sparql)
    assert all(_holding(registry, t.decode()) for t in KARI)
    before = _everywhere(registry, tmp_path, KARI)
    assert "export nquads" in before and any(k.startswith("backup ") for k in before)
    kept_before = {t: len(_holding(registry, t)) for t in KEPT}
    assert all(kept_before.values())

    r = cli(registry, "--lang", "en", "erase", NO9979,
            "--reason", "Personopplysninger lastet inn ved en feil (oppdiktet)",
            "--yes", "--token", who.admin.secret)
    assert r.exit_code == 0, r.output

    assert rows(registry, sparql) == []
    for trace in KARI:  # no quad in any graph, the history's included
        assert _holding(registry, trace.decode()) == [], trace
    assert _everywhere(registry, tmp_path, KARI) == {}
    turtle = registry.export("turtle", graph=graph)
    assert not _traces(turtle, KARI) and b"NO9979" not in turtle
    # what NO9979 shared with NO9978, and NO9978's own contact point, are untouched
    assert {t: len(_holding(registry, t)) for t in KEPT} == kept_before
    answer = rows(registry, f"""SELECT ?name ?email ?office WHERE {{ GRAPH <{graph}> {{
        <{NO9978}> schema:contactPoint [ schema:name ?name ; schema:email ?email ] ;
            schema:provider [ schema:name ?office ] }} }}""")
    assert answer == [{"name": KEPT[0], "email": KEPT[1], "office": KEPT[2]}]
    # nothing of NO9979's dangles in its source graph: the blank nodes left are NO9978's
    reader = registry.store.reader()
    blanks = {t for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph))
              for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert len(blanks) == 2
    for b in blanks:
        assert [q.subject for q in reader.quads_for_pattern(None, None, b, None)] == [
            ox.NamedNode(NO9978)]
    assert not [q for q in reader if NO9979 in str(q)]
    (entry,) = [e for e in AuditLog(registry.store.path).entries()
                if e.action == "erase" and e.outcome == "ok"]
    assert "7 blank nodes" in entry.message


def test_erase_keeps_a_blank_node_another_resource_refers_to_from_another_graph(
    registry: Registry, tmp_path: Path
) -> None:
    """The rule for shared blank nodes: one is removed only if every reference to it comes from
    what is erased. Here NO9978, in a graph of its own, refers to NO9979's contact point (a
    SPARQL update keeps the blank node's identity), so the contact point stays with what it
    leads to, and only NO9979's own link to it and its note go. (The data is invented.)"""
    who = actors(registry)
    graph = _load_contacts(registry, tmp_path)
    note = tmp_path / "merknad.ttl"
    note.write_text(f'# INVENTED\n<{NO9978}> <{OGP}editorialNote> "Merknad (oppdiktet)"@nb .\n')
    load(registry, str(note))
    other = registry.uris.source_graph("merknad")
    kari = _kari(registry, graph)
    apply_update(registry, who.admin.record, f"""INSERT {{ GRAPH <{other}> {{
        <{NO9978}> <https://schema.org/knows> ?c }} }}
        WHERE {{ GRAPH <{graph}> {{ <{NO9979}> <https://schema.org/contactPoint> ?c }} }}""")
    reader = registry.store.reader()
    assert ox.Quad(ox.NamedNode(NO9978), ox.NamedNode("https://schema.org/knows"), kari,
                   ox.NamedNode(other)) in reader  # the check can fail: the same blank node
    kept = {q for q in reader if any(t.decode() in str(q) for t in KARI)
            and "Notat" not in str(q)}

    result = erase(registry, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")

    reader = registry.store.reader()
    assert {q for q in reader if any(t.decode() in str(q) for t in KARI)} == kept
    assert list(reader.quads_for_pattern(kari, None, None, ox.NamedNode(graph)))
    assert _holding(registry, "Notat om Kari Nordmann") == []  # the note pointing at NO9979
    assert not [q for q in reader if NO9979 in str(q)]
    assert result.blank_nodes == 1


def test_erase_scrubs_a_removed_blank_node_from_other_items_old_versions(
    registry: Registry, tmp_path: Path
) -> None:
    """Another item that once referred to a blank node of the erased item (and no longer does)
    keeps its versions, without the lines naming that blank node, as with the item's IRI; its
    latest version still equals its description. (The data is invented.)"""
    who = actors(registry)
    graph = _load_contacts(registry, tmp_path)
    kari = _kari(registry, graph)
    knows = "<https://schema.org/knows>"
    apply_update(registry, who.admin.record, f"""INSERT {{ GRAPH <{graph}> {{
        <{NO9978}> {knows} ?c }} }}
        WHERE {{ GRAPH <{graph}> {{ <{NO9979}> <https://schema.org/contactPoint> ?c }} }}""")
    apply_update(registry, who.admin.record,
                 f"DELETE WHERE {{ GRAPH <{graph}> {{ <{NO9978}> {knows} ?c }} }}")
    label = f"{kari} ."
    # the check can fail: an old version of NO9978 names NO9979's contact point
    assert [v.number for v in versions(registry.store.reader(), NO9978)
            if any(label in f"{t} ." for t in v.snapshot)]

    result = erase(registry, who.admin.record, NO9979, "Feil (oppdiktet)", user="tester")

    reader = registry.store.reader()
    assert not list(reader.quads_for_pattern(kari, None, None, None))
    history = versions(reader, NO9978)
    assert len(history) == 3
    assert not [v for v in history for t in v.snapshot if str(kari) in str(t)]
    current = {ox.Triple(q.subject, q.predicate, q.object)
               for q in reader.quads_for_pattern(ox.NamedNode(NO9978), None, None, None)
               if is_item_graph(q.graph_name, BASE)}
    assert set(history[-1].snapshot) == current
    assert (result.blank_nodes, result.snapshots_scrubbed) == (7, 1)

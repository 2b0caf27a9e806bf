"""Audited erase (issue 7): data loaded by mistake is gone from the store (its files too), the
dumps in every format, the backups made afterwards, the catalogue downloads, the history and
the change feed; only the audit log says what was erased, by whom and why. Admin only.

The "personal data" is invented (tests/fixtures/lifecycle/personal-data.ttl).
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
from tests.test_lifecycle import LC, Actors, actors, cli, load

PERSON = BASE + "id/organisation/ola-oppdiktet-nordmann"
WRONG = BASE + "id/proposal/feil-innlastet"
MEETING = BASE + "id/meeting/2018-06-19"
#: what must leave no trace: the IRI's distinctive part, the name, the e-mail address
TRACES = (b"ola-oppdiktet-nordmann", b"Ola Oppdiktet Nordmann", b"ola.oppdiktet@example.org")


def _traces(data: bytes) -> list[bytes]:
    return [t for t in TRACES if t in data]


def _store_files(reg: Registry) -> dict[str, bytes]:
    """Every file of the store directory except the audit log (revisions, tokens, state)."""
    return {
        str(p.relative_to(reg.store.path)): p.read_bytes()
        for p in reg.store.path.rglob("*")
        if p.is_file() and p.name != "audit.log"
    }


def _everywhere(reg: Registry, tmp: Path) -> dict[str, list[bytes]]:
    """Where the traces are: every export format, a backup (outside its audit log), the
    catalogue's downloads, the history and change feed, and the files of the store."""
    found: dict[str, list[bytes]] = {}
    for fmt in RDF_FORMATS:
        found[f"export {fmt}"] = _traces(reg.export(fmt))
    backup = tmp / "backup.tar.gz"
    backup.unlink(missing_ok=True)
    dump_to_file(reg, backup)
    with tarfile.open(backup) as tar:
        for m in tar.getmembers():
            f = tar.extractfile(m)
            if f is not None and m.name != "audit.log":
                found[f"backup {m.name}"] = _traces(f.read())
    for name, f in CataloguePublisher(reg).current().files.items():
        found[f"download {name}"] = _traces(f.data)
    reader = reg.store.reader()
    found["history graph"] = _traces(
        "".join(f"{q}\n" for q in iter_history(reader)).encode("utf-8")
    )
    feed = changes(reader, limit=10_000)
    found["change feed"] = _traces(
        "".join(f"{c}\n{v.ntriples()}" for c in feed for v in c.versions).encode("utf-8")
    )
    for name, data in _store_files(reg).items():
        found[f"store {name}"] = _traces(data)
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

"""Backups: `ogpreg dump` and `ogpreg restore` round-trip the whole registry (every named graph,
provenance, vocabularies, tokens, audit log, catalogue dates), also while the server serves."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from rdflib.compare import to_isomorphic

from ogpreg.cli import main
from registry import tokens
from registry.audit import audit_log
from registry.backup import SIDE_FILES, dump_to_file, read_dump, restore
from registry.rdfconv import quads_to_graph
from registry.service import Registry, open_registry
from registry.sources import SourceFile
from tests.conftest import BASE, FIXTURES, all_quads, make_settings
from tests.endpoint_server import running

CONSULTATION = FIXTURES / "rdf" / "consultation-example.ttl"


def _graphs(reg: Registry) -> dict[str, object]:
    """Each graph of the committed state, canonicalised (blank nodes included)."""
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in reg.store.reader():
        by_graph.setdefault(getattr(q.graph_name, "value", ""), []).append(q)
    return {g: to_isomorphic(quads_to_graph(qs)) for g, qs in by_graph.items()}


def _busy_registry(reg: Registry) -> Registry:
    """The bundled registry plus a submission with provenance, a token and audit entries."""
    org = "http://localhost:8000/id/organisation/naerings-og-fiskeridepartementet"
    reg.load(
        [SourceFile(CONSULTATION.name, CONSULTATION.read_bytes(), "consultation-example")],
        submitted_by=org,
    )
    tokens.issue(reg, "972417858", "submitter", "backup test")
    audit_log(reg.store.path).record("token.issue", "ok", target="972417858", actor="tester")
    (reg.store.path / "dcat-state.json").write_text('{"datasets": {"invented": 1}}', "utf-8")
    return reg


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_round_trip_into_an_empty_store_is_lossless(registry: Registry, tmp_path: Path) -> None:
    reg = _busy_registry(registry)
    issued = tokens.issue(reg, "972417858", "admin", "kept across restore")
    dump = tmp_path / "backup.tar.gz"
    code, _out, err = _cli("--store", str(reg.store.path), "dump", "-o", str(dump))
    assert code == 0, err
    assert "written to" in err or "skrevet til" in err
    assert (dump.stat().st_mode & 0o777) == 0o600

    target = tmp_path / "restored"
    code, out, err = _cli("--store", str(target), "--lang", "en", "restore", str(dump))
    assert code == 0, err
    assert out.startswith(f"Restored {len(all_quads(reg))} quads")
    again = open_registry(make_settings(target))
    assert len(all_quads(again)) == len(all_quads(reg))
    before, after = _graphs(reg), _graphs(again)
    assert set(before) == set(after)
    for g in before:
        assert before[g] == after[g], f"graph {g} differs after restore"
    assert BASE + "graph/provenance" in after
    assert any("/graph/vocabulary/" in g for g in after)
    # side files
    for name in ("tokens.json", "dcat-state.json"):
        assert (target / name).read_bytes() == (reg.store.path / name).read_bytes()
    assert (target / "tokens.json").stat().st_mode & 0o777 == 0o600
    assert tokens.verify(again, issued.secret) is not None
    old_log = (reg.store.path / "audit.log").read_text("utf-8").splitlines()
    new_log = (target / "audit.log").read_text("utf-8").splitlines()
    assert new_log[: len(old_log)] == old_log
    assert json.loads(new_log[-1])["action"] == "backup.restore"


def test_restore_replaces_everything_in_one_commit(registry: Registry, tmp_path: Path) -> None:
    dump = tmp_path / "b.tar.gz"
    dump_to_file(registry, dump)
    before = all_quads(registry)
    _busy_registry(registry)
    assert all_quads(registry) != before
    rev = registry.store.revision()
    assert rev is not None
    result = restore(registry, dump, data_only=True)
    assert result.revision == rev.number + 1  # one transaction
    assert result.side_files == []
    after = all_quads(registry)
    assert len(after) == len(before)
    assert {q for q in after if not isinstance(q.subject, ox.BlankNode)} == {
        q for q in before if not isinstance(q.subject, ox.BlankNode)
    }
    # --data-only keeps this store's tokens
    assert tokens.list_tokens(registry)


def test_restore_refuses_another_base_uri(registry: Registry, tmp_path: Path) -> None:
    dump = tmp_path / "b.tar.gz"
    dump_to_file(registry, dump)
    other = tmp_path / "other"
    code, _out, err = _cli("--store", str(other), "--base-uri", "https://ogp.example.no/",
                           "--lang", "en", "restore", str(dump))
    assert code == 2
    assert ("The backup " + str(dump) + " was made with base URI http://localhost:8000/, but "
            "the store uses https://ogp.example.no/.") in err
    code, _out, err = _cli("--store", str(other), "--base-uri", "https://ogp.example.no/",
                           "restore", str(dump))
    assert code == 2 and "ble laget med basis-URI http://localhost:8000/" in err
    assert not (other / "CURRENT").exists()


def test_damaged_or_foreign_dump_is_refused_and_nothing_changes(
    registry: Registry, tmp_path: Path
) -> None:
    dump = tmp_path / "b.tar.gz"
    dump_to_file(registry, dump)
    before = registry.store.revision()
    # a member changed after the manifest was written
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(dump, "r:gz") as src, tarfile.open(tampered, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()  # type: ignore[union-attr]
            if m.name == "registry.nq":
                data += b'<http://localhost:8000/x> <http://localhost:8000/y> "z" .\n'
                m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    not_a_dump = tmp_path / "x.tar.gz"
    not_a_dump.write_bytes(b"PK\x03\x04 not a tarball")
    for bad in (tampered, not_a_dump):
        code, _out, err = _cli("--store", str(registry.store.path), "--lang", "en",
                               "restore", str(bad))
        assert code == 1, err
        assert "is not a readable backup made by 'ogpreg dump'" in err
    assert registry.store.revision() == before
    code, _out, err = _cli("--store", str(registry.store.path), "restore",
                           str(tmp_path / "missing.tar.gz"))
    assert code == 2 and "Finner ikke filen" in err


def test_dump_needs_output_and_help_has_examples() -> None:
    code, _out, err = _cli("dump")
    assert code == 2 and "--output" in err
    for command, options in (("dump", ["--output"]), ("restore", ["--data-only"])):
        code, out, _err = _cli(command, "--help")
        assert code == 0 and "Example:" in out
        for option in options:
            (line,) = [x for x in out.split("\n  -") if option in x][:1]
            assert "Example:" in line, (command, option)


def test_dump_while_serving_and_restore_seen_by_the_server(
    registry: Registry, tmp_path: Path
) -> None:
    """Dumps taken while 4 clients query and a load commits are each a complete committed
    revision; a restore is picked up by the running server at its next query."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    original = len(all_quads(registry))
    with running(registry.store.path) as srv:
        stop = threading.Event()
        failures: list[str] = []

        def client() -> None:
            with requests.Session() as s:
                while not stop.is_set():
                    r = s.get(srv.sparql, params={"query": count},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
                    if r.status_code != 200:
                        failures.append(f"{r.status_code} {r.text[:200]}")

        clients = [threading.Thread(target=client) for _ in range(4)]
        for c in clients:
            c.start()
        try:
            first = tmp_path / "first.tar.gz"
            dump_to_file(registry, first)
            _busy_registry(open_registry(make_settings(registry.store.path)))
            second = tmp_path / "second.tar.gz"
            dump_to_file(registry, second)
        finally:
            stop.set()
            for c in clients:
                c.join()
        assert not failures, failures[:3]
        a, b = read_dump(first), read_dump(second)
        assert a.info.quads == original and len(a.quads) == original
        assert b.info.quads == len(all_quads(registry)) > original
        assert b.info.revision > a.info.revision
        assert sum(b.info.graphs.values()) == b.info.quads
        assert set(SIDE_FILES) <= set(b.side)

        restore(registry, first)
        r = requests.get(srv.sparql, params={"query": count},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert r.status_code == 200
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == original
        assert int(r.headers["OGP-Revision"]) == registry.store.revision().number  # type: ignore[union-attr]


@pytest.mark.parametrize("output", ["-"])
def test_dump_to_standard_output(registry: Registry, output: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--store", str(registry.store.path), "dump", "-o", output])
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "stdout.tar.gz"
    path.write_bytes(result.stdout_bytes)
    assert read_dump(path).info.quads == len(all_quads(registry))

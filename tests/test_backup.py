"""Backups: `ogpreg dump` and `ogpreg restore` round-trip the whole registry (every named graph,
provenance, vocabularies, tokens, audit log, catalogue dates), also while the server serves; a
dump changed after it was written (manifest, content or digest) is refused before anything
changes."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from rdflib.compare import to_isomorphic

from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import audit_log
from registry.access.contacts import ContactBook
from registry.backup import SIDE_FILES, dump_to_file, read_dump, restore
from registry.errors import ConfigurationError, SourceError
from registry.loading.sources import SourceFile
from registry.rdf.convert import quads_to_graph
from registry.service import Registry, open_registry
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
    ContactBook(reg.store.path).add(  # an invented person, as the browser's proposal form keeps
        BASE + "id/proposal/invented-backup-test", org, "tok-invented", "Kari Oppdiktet",
        "kari.oppdiktet@example.no",
    )
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
    for name in ("tokens.json", "dcat-state.json", "proposal-contacts.jsonl"):
        assert (target / name).read_bytes() == (reg.store.path / name).read_bytes()
    for private in ("tokens.json", "proposal-contacts.jsonl"):
        assert (target / private).stat().st_mode & 0o777 == 0o600
    kept = ContactBook(target).of(BASE + "id/proposal/invented-backup-test")
    assert [(c.name, c.email) for c in kept] == [("Kari Oppdiktet", "kari.oppdiktet@example.no")]
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
    _rewrite(dump, tampered, members={"registry.nq": lambda b: b + EXTRA_QUAD})
    code, _out, err = _cli("--store", str(registry.store.path), "--lang", "en",
                           "restore", str(tampered))
    assert code == 1, err
    assert err == (
        f"Error: {tampered}: registry.nq does not match its SHA-256 in manifest.json. {CHANGED}\n"
    )
    not_a_dump = tmp_path / "x.tar.gz"
    not_a_dump.write_bytes(b"PK\x03\x04 not a tarball")
    code, _out, err = _cli("--store", str(registry.store.path), "--lang", "en",
                           "restore", str(not_a_dump))
    assert code == 1, err
    assert "is not a readable backup made by 'ogpreg dump'" in err
    assert registry.store.revision() == before
    code, _out, err = _cli("--store", str(registry.store.path), "restore",
                           str(tmp_path / "missing.tar.gz"))
    assert code == 2 and "Finner ikke filen" in err


# --- the manifest is bound to the content (issue 15, item 7) -------------------------------

EXTRA_QUAD = b'<http://localhost:8000/x> <http://localhost:8000/y> "z" .\n'
CHANGED = (
    "The backup was changed after 'ogpreg dump' wrote it, so it is not restored (nothing in "
    "the store was changed). Use an untouched copy of the backup, or make a new one with "
    "'ogpreg dump'."
)


def _rewrite(
    src: Path,
    dst: Path,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    members: dict[str, Callable[[bytes], bytes]] | None = None,
    rehash: bool = False,
) -> None:
    """Copy a dump, editing members and the manifest as someone with the file could; with
    ``rehash`` the edited members' SHA-256 and the quad counts in the manifest follow."""
    members = members or {}
    with tarfile.open(src, "r:gz") as tar:
        blobs = {m.name: (m, tar.extractfile(m).read()) for m in tar.getmembers()}  # type: ignore[union-attr]
    body = json.loads(blobs["manifest.json"][1])
    for name, edit in members.items():
        m, data = blobs[name]
        blobs[name] = (m, edit(data))
        if rehash:
            body["files"][name] = hashlib.sha256(blobs[name][1]).hexdigest()
            if name == "registry.nq":
                quads = set(ox.parse(blobs[name][1], format=ox.RdfFormat.N_QUADS))
                body["quads"] = len(quads)
                body["graphs"][""] = sum(1 for q in quads if q.graph_name == ox.DefaultGraph())
    if manifest is not None:
        manifest(body)
    blobs["manifest.json"] = (blobs["manifest.json"][0], json.dumps(body, indent=2).encode())
    with tarfile.open(dst, "w:gz") as out:
        for m, data in blobs.values():
            m.size = len(data)
            out.addfile(m, io.BytesIO(data))


def _plain_digest(body: dict[str, Any]) -> None:
    """Recompute the digest without a key: what someone who read registry/backup.py can do."""
    rest = {k: v for k, v in body.items() if k != "digest"}
    data = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    body["digest"] = {"algorithm": "sha256", "value": hashlib.sha256(data).hexdigest()}


def _state(reg: Registry) -> tuple[set[ox.Quad], dict[str, bytes | None], object]:
    side = {}
    for name in SIDE_FILES:
        path = reg.store.path / name
        side[name] = path.read_bytes() if path.exists() else None
    return all_quads(reg), side, reg.store.revision()


def _admin_token(data: bytes) -> bytes:
    assert b'"submitter"' in data
    return data.replace(b'"submitter"', b'"admin"')


def test_edited_base_uri_in_the_manifest_is_refused(registry: Registry, tmp_path: Path) -> None:
    """The damage: a dump made under http://localhost:8000/ restored into a store for another
    base URI, its IRIs no longer the store's (the old restore trusted manifest.json)."""
    dump, edited = tmp_path / "b.tar.gz", tmp_path / "edited.tar.gz"
    dump_to_file(registry, dump)
    _rewrite(dump, edited, manifest=lambda m: m.update(base_uri="https://ogp.example.no/"))
    other = tmp_path / "other"
    code, _out, err = _cli("--store", str(other), "--base-uri", "https://ogp.example.no/",
                           "--lang", "en", "restore", str(edited))
    assert code == 1, err
    assert err == (
        f"Error: {edited}: manifest.json does not match its digest (base URI "
        f"https://ogp.example.no/, {len(all_quads(registry))} quads, the members' SHA-256). "
        f"{CHANGED}\n"
    )
    assert not (other / "CURRENT").exists()
    code, _out, err = _cli("--store", str(other), "--base-uri", "https://ogp.example.no/",
                           "restore", str(edited))
    assert code == 1 and "Sikkerhetskopien er endret etter at 'ogpreg dump' skrev den" in err


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param({"members": {"registry.nq": lambda b: b + EXTRA_QUAD}, "rehash": True},
                     id="content-and-its-sha256"),
        pytest.param({"members": {"tokens.json": _admin_token}, "rehash": True},
                     id="tokens-and-their-sha256"),
        pytest.param({"manifest": lambda m: m.update(quads=m["quads"] + 1)}, id="quad-count"),
        pytest.param({"manifest": lambda m: m["digest"].update(value="0" * 64)}, id="digest"),
        pytest.param({"manifest": lambda m: m.pop("digest")}, id="digest-removed"),
    ],
)
def test_a_tampered_dump_is_refused_and_the_store_is_unchanged(
    registry: Registry, tmp_path: Path, edit: dict[str, Any]
) -> None:
    reg = _busy_registry(registry)
    dump, edited = tmp_path / "b.tar.gz", tmp_path / "edited.tar.gz"
    dump_to_file(reg, dump)
    _rewrite(dump, edited, **edit)
    reg.load([SourceFile("extra.ttl", EXTRA_QUAD, "extra")])  # the store moves on
    before = _state(reg)
    code, _out, err = _cli("--store", str(reg.store.path), "--lang", "en", "restore",
                           str(edited))
    assert code == 1, err
    assert err.endswith(CHANGED + "\n"), err
    assert "manifest.json" in err
    assert _state(reg) == before
    with pytest.raises(SourceError):
        restore(reg, edited, accept_unsigned=True)  # a mismatch is never accepted
    assert _state(reg) == before
    if "members" in edit:
        return  # the untouched dump restores: checked after the manifest edits
    # the untouched dump restores
    code, _out, err = _cli("--store", str(reg.store.path), "restore", str(dump))
    assert (code, err) == (0, "")
    assert len(all_quads(reg)) == read_dump(dump).info.quads


def test_backup_key_signs_the_manifest(registry: Registry, tmp_path: Path) -> None:
    key = "k" * 32
    signed = open_registry(make_settings(registry.store.path, backup_key=key))
    dump = tmp_path / "b.tar.gz"
    info = dump_to_file(signed, dump)
    assert info.digest_algorithm == "hmac-sha256"
    before = _state(signed)
    # someone who edits the base URI and recomputes a digest cannot make the HMAC
    edited = tmp_path / "edited.tar.gz"
    _rewrite(dump, edited, manifest=lambda m: (m.update(base_uri="https://ogp.example.no/"),
                                               _plain_digest(m)))
    with pytest.raises(SourceError) as exc:
        restore(signed, edited)
    assert "not signed with a key (plain SHA-256 only)" in exc.value.render("en")
    assert "--accept-unsigned" in exc.value.render("en")
    another = open_registry(make_settings(registry.store.path, backup_key="x" * 32))
    with pytest.raises(SourceError) as exc:
        restore(another, dump)
    assert "does not match its signature" in exc.value.render("en")
    unkeyed = open_registry(make_settings(registry.store.path))
    with pytest.raises(SourceError) as exc:
        restore(unkeyed, dump)
    assert "Set OGPREG_BACKUP_KEY to the key it was made with" in exc.value.render("en")
    assert _state(signed) == before
    assert restore(signed, dump).warnings == []
    with pytest.raises(ConfigurationError):
        dump_to_file(open_registry(make_settings(registry.store.path, backup_key="short")),
                     tmp_path / "c.tar.gz")


def test_old_dump_without_digest_needs_accept_unsigned(
    registry: Registry, tmp_path: Path
) -> None:
    dump, old = tmp_path / "b.tar.gz", tmp_path / "old.tar.gz"
    dump_to_file(registry, dump)
    _rewrite(dump, old, manifest=lambda m: (m.pop("digest"),
                                            m.update(format="ogp-registry-dump/1")))
    before = _state(registry)
    code, _out, err = _cli("--store", str(registry.store.path), "--lang", "en", "restore",
                           str(old))
    assert code == 1
    assert err == (
        f"Error: {old}: the backup has no digest over manifest.json (it was made by an older "
        "version of ogpreg), so its base URI and counts cannot be checked against the content. "
        "Restore it only if you trust the file, with --accept-unsigned.\n"
    )
    assert _state(registry) == before
    code, out, err = _cli("--store", str(registry.store.path), "--lang", "en", "restore",
                          "--accept-unsigned", str(old))
    assert code == 0, err
    assert err == (f"Warning: {old} has no digest (older format); manifest.json was not checked "
                   "against the content.\n")
    assert out.startswith("Restored ")
    entry = json.loads((registry.store.path / "audit.log").read_text("utf-8").splitlines()[-1])
    assert entry["message"].endswith("digest: none (accepted with --accept-unsigned)")


def test_dump_needs_output_and_help_has_examples() -> None:
    code, _out, err = _cli("dump")
    assert code == 2 and "--output" in err
    for command, options in (("dump", ["--output"]),
                             ("restore", ["--data-only", "--accept-unsigned"])):
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

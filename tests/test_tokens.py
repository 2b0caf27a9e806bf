"""Bearer tokens: issued per organisation, stored hashed, verified in constant time, revocable;
the `ogpreg token` commands and their audit entries."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.errors import NotFound, UsageError
from registry.service import Registry
from tests.conftest import BASE

NFD = BASE + "id/organisation/naerings-og-fiskeridepartementet"  # 912660680
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"  # 972417858


def _file(reg: Registry) -> Path:
    return reg.store.path / "tokens.json"


def test_issue_returns_a_random_token_and_stores_only_a_salted_hmac(registry: Registry) -> None:
    issued = tokens.issue(registry, "912660680", "submitter", "NFD test")
    assert len(issued.secret) == 43  # secrets.token_urlsafe(32)
    assert issued.record.organisation == NFD
    assert issued.record.organisation_name == "Nærings- og fiskeridepartementet"
    assert issued.record.role == "submitter" and issued.record.label == "NFD test"
    raw = _file(registry).read_text("utf-8")
    assert issued.secret not in raw
    assert issued.secret.encode() not in _file(registry).read_bytes()
    entry = json.loads(raw)["tokens"][0]
    assert entry["hash"]["alg"] == "hmac-sha256"
    salt = bytes.fromhex(entry["hash"]["salt"])
    assert len(salt) == 16
    expected = hmac.new(salt, issued.secret.encode(), hashlib.sha256).hexdigest()
    assert entry["hash"]["digest"] == expected
    # a plain, unsalted hash of the token is not what is stored
    assert hashlib.sha256(issued.secret.encode()).hexdigest() not in raw


def test_token_file_is_private(registry: Registry) -> None:
    tokens.issue(registry, "912660680", "submitter")
    mode = stat.S_IMODE(_file(registry).stat().st_mode)
    assert mode == 0o600


def test_two_tokens_differ_even_for_the_same_organisation(registry: Registry) -> None:
    a = tokens.issue(registry, "912660680", "submitter")
    b = tokens.issue(registry, "912660680", "submitter")
    assert a.secret != b.secret and a.record.id != b.record.id
    entries = json.loads(_file(registry).read_text("utf-8"))["tokens"]
    assert entries[0]["hash"]["salt"] != entries[1]["hash"]["salt"]


def test_verify_accepts_the_token_and_refuses_anything_else(registry: Registry) -> None:
    a = tokens.issue(registry, "912660680", "submitter")
    b = tokens.issue(registry, "972417858", "approver")
    assert tokens.verify(registry, a.secret) == a.record
    assert tokens.verify(registry, b.secret) == b.record
    assert tokens.verify(registry, a.secret[:-1]) is None
    assert tokens.verify(registry, a.secret + "x") is None
    assert tokens.verify(registry, "") is None
    assert tokens.verify(registry, "x" * 10_000) is None
    assert tokens.verify(registry, a.record.id) is None  # the id is not a credential


def test_revoked_token_is_refused_and_revoke_is_idempotent(registry: Registry) -> None:
    a = tokens.issue(registry, "912660680", "submitter")
    rec = tokens.revoke(registry, a.record.id)
    assert rec.revoked and rec.revoked_at
    assert tokens.verify(registry, a.secret) is None
    # identify still tells the server's audit log which token it was
    identified = tokens.token_store(registry).identify(a.secret)
    assert identified is not None and identified.id == a.record.id and identified.revoked
    again = tokens.revoke(registry, a.record.id)
    assert again.revoked_at == rec.revoked_at
    with pytest.raises(NotFound):
        tokens.revoke(registry, "t-00000000")


def test_a_revoke_by_another_process_is_seen_without_restart(registry: Registry) -> None:
    server_side = tokens.TokenStore(registry.store.path)  # as a running server holds it
    a = tokens.issue(registry, "912660680", "submitter")
    assert server_side.verify(a.secret) is not None
    tokens.TokenStore(registry.store.path).revoke(a.record.id)  # as `ogpreg token revoke`
    assert server_side.verify(a.secret) is None


def test_approver_is_the_coordinating_ministry_only(registry: Registry) -> None:
    issued = tokens.issue(registry, "972417858", "approver")  # KMD coordinates 2019-2021
    assert issued.record.organisation == KMD and issued.record.is_editor
    with pytest.raises(UsageError) as err:
        tokens.issue(registry, "972417866", "approver")  # Kulturdepartementet does not
    assert "coordinates no action plan" in err.value.render("en")
    admin = tokens.issue(registry, "972417866", "admin")
    assert admin.record.is_editor


def test_unknown_organisation_and_role_are_refused(registry: Registry) -> None:
    with pytest.raises(NotFound) as err:
        tokens.issue(registry, "Naerings og fiskeridepartementet", "submitter")
    assert "Did you mean" in err.value.render("en")
    with pytest.raises(UsageError):
        tokens.issue(registry, "912660680", "owner")
    assert not _file(registry).exists()


def test_concurrent_issues_all_survive(registry: Registry) -> None:
    issued: list[tokens.IssuedToken] = []
    lock = threading.Lock()

    def one() -> None:
        t = tokens.token_store(registry).issue(NFD, "NFD", "submitter")
        with lock:
            issued.append(t)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens.list_tokens(registry)) == 8
    for t in issued:
        assert tokens.verify(registry, t.secret) == t.record


# -- the command line ------------------------------------------------------------------------------
def _cli(reg: Registry, *args: str) -> click.testing.Result:
    return CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, *args],
        catch_exceptions=False,
        env={"OGPREG_USER": "tester"},
    )


def test_token_add_prints_the_token_alone_on_stdout(registry: Registry) -> None:
    r = _cli(registry, "token", "add", "--org", "912660680", "--role", "submitter")
    assert r.exit_code == 0
    secret = r.stdout.strip()
    assert len(secret) == 43 and "\n" not in secret
    assert "Nærings- og fiskeridepartementet" in r.stderr and "submitter" in r.stderr
    assert tokens.verify(registry, secret) is not None
    assert secret not in _file(registry).read_text("utf-8")


def test_token_list_and_revoke(registry: Registry) -> None:
    secret = _cli(
        registry,
        "token",
        "add",
        "--org",
        "912660680",
        "--role",
        "submitter",
        "--label",
        "innsending",
    ).stdout.strip()
    rec = tokens.list_tokens(registry)[0]
    r = _cli(registry, "--lang", "en", "token", "list")
    assert r.exit_code == 0
    assert rec.id in r.stdout and "innsending" in r.stdout and "(1 token)" in r.stdout
    assert secret not in r.stdout
    listed = json.loads(_cli(registry, "token", "list", "--format", "json").stdout)
    assert listed[0]["id"] == rec.id and "hash" not in listed[0]
    r = _cli(registry, "--lang", "en", "token", "revoke", rec.id)
    assert r.exit_code == 0 and "revoked" in r.stdout
    assert tokens.verify(registry, secret) is None
    r = _cli(registry, "--lang", "en", "token", "revoke", "t-nothere")
    assert r.exit_code == 1 and "No token with id 't-nothere'" in r.stderr


def test_token_add_usage_errors(registry: Registry) -> None:
    r = _cli(registry, "token", "add", "--org", "912660680", "--role", "owner")
    assert r.exit_code == 2
    r = _cli(registry, "--lang", "en", "token", "add", "--org", "972417866", "--role", "approver")
    assert r.exit_code == 2 and (  # KUD, by its current name
        "Kultur- og likestillingsdepartementet coordinates no action plan" in r.stderr
    )
    assert not _file(registry).exists()


def test_token_issue_and_revoke_are_audited_without_the_token(registry: Registry) -> None:
    secret = _cli(registry, "token", "add", "--org", "912660680", "--role", "submitter").stdout
    rec = tokens.list_tokens(registry)[0]
    _cli(registry, "token", "add", "--org", "972417866", "--role", "approver")
    _cli(registry, "token", "revoke", rec.id)
    entries = list(AuditLog(registry.store.path).entries())
    assert [(e.action, e.outcome) for e in entries] == [
        ("token.issue", "ok"),
        ("token.issue", "refused"),
        ("token.revoke", "ok"),
    ]
    assert entries[0].token_id == rec.id and entries[0].organisation == NFD
    assert entries[0].actor == "tester" and entries[0].role == "submitter"
    assert entries[2].token_id == rec.id
    log = (registry.store.path / "audit.log").read_text("utf-8")
    assert secret.strip() not in log
    assert stat.S_IMODE((registry.store.path / "audit.log").stat().st_mode) == 0o600


def test_every_token_command_and_option_has_an_example() -> None:
    group = main.commands["token"]
    assert isinstance(group, click.Group)
    assert "Example:" in (group.help or "")
    for name, cmd in group.commands.items():
        assert "Example:" in (cmd.help or ""), name
        for param in cmd.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert "Example:" in (param.help or ""), f"token {name} {param.opts}"
    load = main.commands["load"]
    for param in load.params:
        if isinstance(param, click.Option) and param.name in ("remote", "token"):
            assert "Example:" in (param.help or "")

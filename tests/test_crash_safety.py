"""Crash safety: the loading process is killed with SIGKILL at random moments during a large
load; the store always holds the state before or after (data and history), and the next load
succeeds.

The kill loop itself is in tests/crash_loop.py (shared with benchmarks/soak_crash.py). Here it
runs the real ``ogpreg load`` with real validation: 20 kills of a JSON submission (the
submission path: builder checks and pyshacl-turbo), and a few kills of a Turtle file with the
registry's own validation (pySHACL, about 5 ms per milestone, so a smaller file). The soak
keeps the no-op validator, which spends all of a much larger load on parsing and writing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.crash_loop import (
    kill_loop,
    open_at,
    state,
    submission,
    submission_json,
    validate_file,
)

#: The JSON submission: one commitment and 600 milestones (about 8,000 triples with their
#: deliverables); ``ogpreg load`` takes 1-2 s, process start included.
MILESTONES = 600
#: The Turtle file validated by pySHACL in the killed process: ~2.5 s with process start.
MILESTONES_PYSHACL = 200


def _files(tmp_path: Path, milestones: int, kind: str = "ttl") -> tuple[Path, Path]:
    make = submission if kind == "ttl" else submission_json
    a = tmp_path / f"crash-a.{kind}"
    b = tmp_path / f"crash-b.{kind}"
    a.write_text(make(milestones, "A"), "utf-8")
    b.write_text(make(milestones, "B"), "utf-8")
    return a, b


def test_generated_submission_conforms(initialised_store: Path, tmp_path: Path) -> None:
    """The soak's processes skip validation; the Turtle file they load does conform."""
    store = shutil.copytree(initialised_store, tmp_path / "store")
    a, _b = _files(tmp_path, 200)
    validate_file(store, a)


def test_sigkill_during_load_leaves_before_or_after(
    initialised_store: Path, tmp_path: Path
) -> None:
    store = shutil.copytree(initialised_store, tmp_path / "store")
    files = _files(tmp_path, MILESTONES, "json")
    report = kill_loop(store, files, kills=20, seed=20261127, validation="submission")
    assert report.kills + report.finished_before_kill == 20
    assert report.kills >= 10, report  # most delays fall inside the load


def test_sigkill_with_the_registrys_own_validation(
    initialised_store: Path, tmp_path: Path
) -> None:
    store = shutil.copytree(initialised_store, tmp_path / "store")
    files = _files(tmp_path, MILESTONES_PYSHACL)
    report = kill_loop(store, files, kills=4, seed=4, validation="registry")
    assert report.kills + report.finished_before_kill == 4
    assert report.kills >= 2, report


def test_revision_renamed_but_not_current_does_not_block_the_next_load(
    initialised_store: Path, tmp_path: Path
) -> None:
    """Regression: a writer killed between renaming its clone into revisions/ and replacing
    CURRENT left revisions/rev-N+1 behind; the next commit's rename onto it failed."""
    store = shutil.copytree(initialised_store, tmp_path / "store")
    reg = open_at(store)
    rev = reg.store.revision()
    assert rev is not None
    before = state(store)
    orphan = store / "revisions" / f"rev-{rev.number + 1:06d}"
    shutil.copytree(store / "revisions" / f"rev-{rev.number:06d}", orphan)
    (store / f"work-{os.getpid()}-999").mkdir()
    assert state(store) == before  # CURRENT still names the old revision
    fixture = Path(__file__).parent / "fixtures" / "rdf" / "valid-commitment.ttl"
    from registry.loading.sources import SourceFile

    reg.load([SourceFile(fixture.name, fixture.read_bytes(), "after-orphan")])
    new = reg.store.revision()
    assert new is not None and new.number == rev.number + 1
    assert len(state(store)) > len(before)
    assert not list(store.glob("work-*"))


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("OGPREG_SOAK"), reason="long kill loop: set OGPREG_SOAK=1 to run it"
)
def test_sigkill_soak(initialised_store: Path, tmp_path: Path) -> None:
    store = shutil.copytree(initialised_store, tmp_path / "store")
    report = kill_loop(store, _files(tmp_path, 8000), kills=200, seed=1)
    assert report.kills >= 100, report

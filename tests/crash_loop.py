"""The kill loop of the crash-safety test, shared by ``tests/test_crash_safety.py`` and
``benchmarks/soak_crash.py`` (hundreds of kills).

A separate process loads a large invented submission and is killed with SIGKILL after a
random delay. After each kill the store must hold exactly the state before or the state after
the load — its data and its history (one more change, or none) — and the next transaction
must succeed.

What the killed process runs (``validation``):

* ``"submission"`` — the real ``ogpreg load`` command on a JSON submission
  (:func:`submission_json`): reading, the builder's checks, SHACL in pyshacl-turbo, the diff,
  the commit. The path of every spreadsheet, CSV and JSON submission.
* ``"registry"`` — the real ``ogpreg load`` command on a Turtle file (:func:`submission`):
  the registry's own validation (pySHACL, full shapes); about 5 ms per milestone, so it is
  used with smaller files.
* ``"trusted"`` — :meth:`Registry.load` on a Turtle file with a validator that accepts
  everything (the file is validated once beforehand, :func:`validate_file`): the killed
  process spends its time parsing, computing the validation context and writing. The default,
  kept for the long soak (``benchmarks/soak_crash.py``).

Everything generated here is INVENTED test data: the commitment NO9950 and its milestones do
not exist (NO99xx ids are reserved for invented examples, see tests/fixtures/rdf/README.md).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from registry.loading.sources import SourceFile
from registry.service import Registry, open_registry
from registry.settings import load_settings
from registry.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://localhost:8000/"
SOURCE_ID = "crash-test"
PROBE_ID = "crash-probe"
USER = "crash-test"
_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"
_PLACEHOLDER = ox.Literal("(time of the load)")

#: Organisation number of the invented commitment's lead agency (Nærings- og
#: fiskeridepartementet, from the bundled register): the submitter of the JSON submission.
SUBMITTER = "912660680"
_HISTORY_SUFFIX = "/graph/history"  # registry/history/terms.py: the history graph's IRI ends so
_CHANGE = "https://w3id.org/ogp-no/def#Change"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VALIDATIONS = ("trusted", "registry", "submission")

#: The loading process with ``validation="trusted"``: ``python -c DRIVER STORE FILE``.
#: Validation is done once beforehand (:func:`validate_file`); the killed process spends its
#: time parsing, computing the validation context and writing.
DRIVER = f"""
import sys
from pathlib import Path
from registry.service import open_registry
from registry.settings import load_settings
from registry.loading.sources import SourceFile
from registry.validation.report import ValidationReport

def trusted(data, *, focus_nodes=None, file=None):
    return ValidationReport()

trusted.takes_quads = True
store, path = sys.argv[1], Path(sys.argv[2])
reg = open_registry(load_settings(
    {{"store": store, "base_uri": {BASE!r}, "user": {USER!r}}}, environ={{}}))
reg.load([SourceFile(path.name, path.read_bytes(), {SOURCE_ID!r})], validator=trusted)
"""


def submission(milestones: int, variant: str) -> str:
    """Turtle for one invented commitment with ``milestones`` milestones (about 10 triples
    each, no blank nodes). ``variant`` changes every title, so two variants differ in every
    milestone."""
    out = [
        "# INVENTED test data for the crash-safety tests: NO9950 and its milestones do not exist.",
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "<id/commitment/NO9950> a ogp:Commitment ;",
        '    dct:identifier "NO9950" ;',
        f'    dct:title "Oppdiktet forpliktelse for krasjtester ({variant})"@nb ,',
        f'              "Invented commitment for crash tests ({variant})"@en ;',
        "    ogp:inActionPlan <id/plan/2019-2021> ;",
        "    ogp:leadAgency <id/organisation/naerings-og-fiskeridepartementet> ;",
        "    ogp:theme <https://w3id.org/ogp-no/theme/public-procurement> ;",
        '    schema:startDate "2019-09"^^xsd:gYearMonth ;',
        '    schema:endDate "2021"^^xsd:gYear .',
    ]
    for i in range(1, milestones + 1):
        out.append(
            f"<id/commitment/NO9950/milestone/{i}> a ogp:Milestone ;\n"
            "    ogp:ofCommitment <id/commitment/NO9950> ;\n"
            f"    schema:position {i} ;\n"
            f'    dct:title "Milepæl {i} ({variant}, oppdiktet)"@nb ,\n'
            f'              "Milestone {i} ({variant}, invented)"@en ;\n'
            f'    ogp:deliverable "Leveranse {i}a ({variant})"@nb , "Deliverable {i}a"@en ,\n'
            f'        "Leveranse {i}b ({variant})"@nb ;\n'
            '    schema:startDate "2019-10-01"^^xsd:date ;\n'
            '    schema:endDate "2020-06-30"^^xsd:date .'
        )
    return "\n".join(out) + "\n"


def submission_json(milestones: int, variant: str) -> str:
    """The same invented commitment as :func:`submission` as a JSON submission (loaders/):
    ``milestones`` milestones, every title changed by ``variant``."""
    doc: dict[str, object] = {
        "kind": "commitments",
        "comment": "INVENTED test data for the crash-safety tests: NO9950 does not exist.",
        "commitments": [
            {
                "ogp_id": "NO9950",
                "plan": "2019-2021",
                "title_nb": f"Oppdiktet forpliktelse for krasjtester ({variant})",
                "title_en": f"Invented commitment for crash tests ({variant})",
                "lead_agency": SUBMITTER,
                "themes": ["Offentlige anskaffelser"],
                "start_date": "09.2019",
                "end_date": "2021",
            }
        ],
        "milestones": [
            {
                "commitment": "NO9950",
                "position": i,
                "title_nb": f"Milepæl {i} ({variant}, oppdiktet)",
                "title_en": f"Milestone {i} ({variant}, invented)",
                "deliverable_nb": [f"Leveranse {i}a ({variant})", f"Leveranse {i}b ({variant})"],
                "deliverable_en": [f"Deliverable {i}a"],
                "start_date": "2019-10-01",
                "end_date": "2020-06-30",
            }
            for i in range(1, milestones + 1)
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def open_at(store: Path) -> Registry:
    return open_registry(load_settings({"store": str(store), "base_uri": BASE, "user": USER}, {}))


def normalised(quads: set[ox.Quad]) -> frozenset[ox.Quad]:
    """The quads with every provenance time replaced by one placeholder: a load that is
    repeated differs from the reference only there."""
    return frozenset(
        ox.Quad(q.subject, q.predicate, _PLACEHOLDER, q.graph_name)
        if q.predicate.value == _GENERATED
        else q
        for q in quads
    )


def _is_history(q: ox.Quad) -> bool:
    return isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith(_HISTORY_SUFFIX)


def _is_probe_record(q: ox.Quad) -> bool:
    """The provenance of the probe's source, which every :func:`probe_load` rewrites (its file
    differs each time; its triples do not)."""
    return isinstance(q.subject, ox.NamedNode) and q.subject.value.endswith(
        f"/graph/source/{PROBE_ID}"
    )


def state(store: Path) -> frozenset[ox.Quad]:
    """The committed data as a fresh process would see it (a new store object each time),
    without the history graph (it grows with every change: see :func:`changes`) and without
    the probe's provenance (see :func:`probe_load`)."""
    return normalised(
        {q for q in EmbeddedStore(store).reader() if not _is_history(q) and not _is_probe_record(q)}
    )


def changes(store: Path) -> int:
    """How many changes the committed history records (0 without a history)."""
    reader = EmbeddedStore(store).reader()
    pattern = reader.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE), ox.NamedNode(_CHANGE), None)
    return sum(1 for q in pattern if _is_history(q))


def validate_file(store: Path, path: Path) -> None:
    """Validate ``path`` against the shapes with the registry's context (pyshacl-turbo with the
    full shapes when available); raises ValidationFailed if it does not conform."""
    from loaders.engine import validate_fast

    def full(data: object, **kw: object) -> object:
        return validate_fast(data, core=False, **kw)  # type: ignore[arg-type]

    full.takes_quads = True  # type: ignore[attr-defined]
    reg = open_at(store)
    reg.validate([SourceFile(path.name, path.read_bytes(), SOURCE_ID)], validator=full)  # type: ignore[arg-type]


def load_command(store: Path, path: Path, validation: str = "trusted") -> list[str]:
    """The command line of the loading process (see the module docstring)."""
    if validation == "trusted":
        return [sys.executable, "-c", DRIVER, str(store), str(path)]
    cli = [sys.executable, "-m", "ogpreg", "--store", str(store), "--base-uri", BASE, "load",
           "--quiet"]
    if validation == "registry":
        return [*cli, "--source", SOURCE_ID, str(path)]
    if validation == "submission":
        return [*cli, "--submitted-by", SUBMITTER, str(path)]
    raise ValueError(f"validation must be one of {VALIDATIONS}, not {validation!r}")


def spawn_load(store: Path, path: Path, validation: str = "trusted") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OGPREG_USER": USER}
    return subprocess.Popen(
        load_command(store, path, validation),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def run_load(store: Path, path: Path, validation: str = "trusted") -> float:
    """Load ``path`` in a separate process to completion; return its wall-clock duration."""
    start = time.monotonic()
    proc = spawn_load(store, path, validation)
    _out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"load of {path.name} failed: {err.decode(errors='replace')}")
    return time.monotonic() - start


@dataclass
class KillReport:
    """What the loop saw."""

    kills: int = 0
    before: int = 0
    after: int = 0
    finished_before_kill: int = 0
    delays: list[float] = field(default_factory=list)


def probe_load(store: Path) -> None:
    """The next writer after a kill: a small load through a full transaction (clone, commit
    of a new revision). The file is new each time (a comment with the revision number), so
    the load commits: a load in which no file changed commits nothing."""
    reg = open_at(store)
    rev = reg.store.revision()
    assert rev is not None
    data = (ROOT / "tests" / "fixtures" / "rdf" / "valid-commitment.ttl").read_bytes()
    data += f"# probe after revision {rev.number}\n".encode()
    reg.load([SourceFile("valid-commitment.ttl", data, PROBE_ID)])
    after = reg.store.revision()
    assert after is not None and after.number == rev.number + 1, (rev, after)


def kill_loop(
    store: Path,
    files: tuple[Path, Path],
    *,
    kills: int,
    seed: int,
    log: Callable[[str], None] | None = None,
    validation: str = "trusted",
) -> KillReport:
    """Set up the store (probe source, then file 0, then file 1 loaded), measure one load,
    then kill ``kills`` loads at random moments, alternating the two files. ``validation``
    chooses what the killed process runs (module docstring). Raises AssertionError at the
    first violation."""
    data = (ROOT / "tests" / "fixtures" / "rdf" / "valid-commitment.ttl").read_bytes()
    open_at(store).load([SourceFile("valid-commitment.ttl", data, PROBE_ID)])
    run_load(store, files[0], validation)
    states = {0: state(store)}
    before_changes = changes(store)
    duration = run_load(store, files[1], validation)
    states[1] = state(store)
    step = changes(store) - before_changes  # 1 with a history, 0 without
    assert states[0] != states[1]
    assert step in (0, 1), step
    current = 1
    rng = random.Random(seed)
    report = KillReport()
    for i in range(kills):
        target = 1 - current
        # spread over the whole load, a little past its end (some loads finish first)
        delay = rng.uniform(0.0, duration * 1.1)
        report.delays.append(delay)
        recorded = changes(store)
        proc = spawn_load(store, files[target], validation)
        try:
            proc.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
            os.kill(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate(timeout=600)
        if finished:
            report.finished_before_kill += 1
            assert proc.returncode == 0, err.decode(errors="replace")
        else:
            report.kills += 1
            assert proc.returncode in (-signal.SIGKILL, 0), (proc.returncode, err)
        seen = state(store)
        now = changes(store)
        if seen == states[current]:
            assert now == recorded, f"kill {i}: data as before, but {now - recorded} new changes"
            report.before += 1
        elif seen == states[target]:
            assert now == recorded + step, (
                f"kill {i}: data as after, but {now - recorded} new changes (expected {step})"
            )
            report.after += 1
            current = target
        else:
            extra = len(seen - states[current]), len(states[current] - seen)
            raise AssertionError(
                f"kill {i} after {delay:.3f} s: the store holds neither the state before nor "
                f"after the load (+{extra[0]} / -{extra[1]} quads against the state before)"
            )
        # the next writer is not confused by what the killed one left behind
        probe_load(store)
        assert not list(store.glob("work-*")), list(store.glob("work-*"))
        if log:
            log(
                f"{i + 1}/{kills}: delay {delay:.3f}s of {duration:.3f}s -> "
                f"{'after' if seen == states[target] else 'before'}"
            )
    # and a whole load still succeeds
    run_load(store, files[1 - current], validation)
    assert state(store) == states[1 - current]
    return report

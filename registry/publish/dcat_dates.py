"""When each catalogue dataset was issued and last modified: "always current" dates.

The rule (docs/dcat.md, "Always current"):

- each dataset's content has a hash (``registry.publish.exports.content_hash``: its triples, blank
  nodes named by their own descriptions); ``dcat-state.json`` in the store directory remembers,
  per dataset and for the catalogue, the hash and the dates, as of the newest revision a
  catalogue was built for;
- same hash as remembered: the remembered dates;
- another hash: ``modified`` becomes the load time (``prov:generatedAtTime``) of the newest
  source graph holding any of the dataset's triples, or the revision's commit time if none is
  newer than before (a removal), and always at least one second after the previous value;
- nothing remembered: ``issued`` is the load time of the oldest contributing source graph,
  ``modified`` that of the newest;
- the catalogue's hash is over its datasets' IRIs and hashes, so its ``modified`` changes when
  any dataset changes, appears or disappears.

So a load that changes only the organisation register leaves a plan's ``modified`` alone, even
when one source file holds statements for both.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox

from registry.publish.exports import DatasetContent
from registry.store.embedded import Revision

STATE_FILE = "dcat-state.json"
_STATE_LOCK = "dcat-state.lock"
PROV_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"


@dataclass(frozen=True)
class Dates:
    """When a dataset (or the catalogue) was first seen and last changed."""

    content_hash: str
    issued: datetime
    modified: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "hash": self.content_hash,
            "issued": self.issued.isoformat(),
            "modified": self.modified.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Dates:
        return cls(
            data["hash"],
            datetime.fromisoformat(data["issued"]),
            datetime.fromisoformat(data["modified"]),
        )


def _dated(
    prev: Dates | None,
    content_hash: str,
    earliest: datetime,
    latest: datetime,
    committed: datetime,
) -> Dates:
    """The rule: unchanged content keeps its dates; changed content gets the newest
    contributing load time (or, if none is newer than before, the revision's commit time),
    always strictly later than the previous value; new content gets (earliest, latest)."""
    if prev is None:
        return Dates(content_hash, earliest, latest)
    if prev.content_hash == content_hash:
        return prev
    candidate = latest if latest > prev.modified else committed
    return Dates(content_hash, prev.issued, max(candidate, prev.modified + timedelta(seconds=1)))


class _StateFile:
    """``dcat-state.json`` in the store directory: the content hash and dates of each dataset
    and of the catalogue, as of the newest revision a catalogue was built for."""

    def __init__(self, store_dir: Path) -> None:
        self.path = store_dir / STATE_FILE
        self.lock_path = store_dir / _STATE_LOCK

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        try:
            fh = open(self.lock_path, "a+b")  # closed in the finally below
        except OSError:  # a read-only store directory: compute without remembering
            yield
            return
        try:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    def read(self) -> tuple[int, dict[str, Dates]]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return int(data["revision"]), {
                k: Dates.from_json(v) for k, v in data["entries"].items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            return 0, {}

    def write(self, revision: int, entries: dict[str, Dates]) -> None:
        tmp = self.path.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
        try:
            tmp.write_text(
                json.dumps(
                    {
                        "revision": revision,
                        "entries": {k: v.to_json() for k, v in sorted(entries.items())},
                    },
                    indent=1,
                ),
                "utf-8",
            )
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def _load_times(reader: ox.Store, provenance_graph: str) -> dict[str, datetime]:
    """When each source graph was loaded (``prov:generatedAtTime`` in the provenance graph)."""
    out: dict[str, datetime] = {}
    for q in reader.quads_for_pattern(
        None, ox.NamedNode(PROV_GENERATED), None, ox.NamedNode(provenance_graph)
    ):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            try:
                when = datetime.fromisoformat(q.object.value)
            except ValueError:
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            out[q.subject.value] = when
    return out


def current_dates(
    store_dir: Path,
    revision: Revision | None,
    reader: ox.Store,
    provenance_graph: str,
    datasets: Mapping[str, DatasetContent],
    catalog: str,
) -> dict[str, Dates]:
    """The dates of every dataset (by IRI) and of the catalogue (``catalog``) at ``revision``,
    read from ``reader`` (the same revision); remembers them in the state file."""
    times = _load_times(reader, provenance_graph)
    number = revision.number if revision else 0
    committed = revision.committed if revision else datetime.now(UTC).replace(microsecond=0)
    state = _StateFile(store_dir)
    with state.locked():
        state_rev, previous = state.read()
        dates: dict[str, Dates] = {}
        for iri, c in datasets.items():
            loaded = [times[g] for g in c.graphs if g in times] or [committed]
            dates[iri] = _dated(
                previous.get(iri), c.content_hash, min(loaded), max(loaded), committed
            )
        ds_dates = list(dates.values())
        cat_hash = hashlib.sha256(
            "\n".join(sorted(f"{k} {v.content_hash}" for k, v in dates.items())).encode()
        ).hexdigest()
        dates[catalog] = _dated(
            previous.get(catalog),
            cat_hash,
            min((d.issued for d in ds_dates), default=committed),
            max((d.modified for d in ds_dates), default=committed),
            committed,
        )
        # an older revision (a slow builder) never overwrites what a newer one remembered
        if revision is not None and number >= state_rev and dates != previous:
            state.write(number, dates)
    return dates

"""Benchmark: a SPARQL Update by an approver (``POST /sparql/update``'s work, in-process) on
registries of different sizes, confined (run on a store of the graphs it names, the default
since this benchmark: ``registry/access/updates.py``, ``run_confined``) against the reference
measured in the same run: the same update run by Oxigraph on the whole transaction, with the
store counted before and after (the path an update that reads ``GRAPH ?g`` over every graph
still takes, ``registry/access/graphstore.py``, ``_apply(confined=False)``).

    python benchmarks/bench_update.py --stores /tmp/b26/store-0 /tmp/b26/store-10000

With ``--oxigraph``, the same on Oxigraph's server as the registry's external engine
(``OGPREG_ENGINE=oxigraph``; the ``oxigraph`` command of the PyPI package, started here with a
store of its own, filled with each registry's quads through the registry's own transaction):
there the reference brings the graphs the update names into a local store and counts the
engine's store before and after (``registry/store/remote/transaction.py``).

Each store is copied first (updates commit). One round is an ``INSERT DATA`` of an INVENTED
editorial note into a bundled source graph and the ``DELETE DATA`` of it, so every round
starts from the same registry; the two ways alternate round by round (the machine is shared
and noisy). Printed: the median per update of each way, their ratio, and each way's growth
from the first store to the others. Results go in docs/performance.md ("Writes").
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from benchmarks.common import machine_info
from registry.access import graphstore, tokens
from registry.access.updates import plan_update
from registry.namespaces import PREFIXES
from registry.service import Registry, open_registry
from registry.settings import load_settings

BASE = "http://localhost:8000/"
KMD = "972417858"  # the coordinating ministry of the bundled plans: an approver
GRAPH = BASE + "graph/source/bundled-ogp-notes"
NOTE = "https://w3id.org/ogp-no/def#editorialNote"
SUBJECT = BASE + "id/commitment/NO0054"


def _updates(n: int) -> tuple[str, str]:
    triple = f'<{SUBJECT}> <{NOTE}> "Benchmark note {n} (invented)"@en'
    return (f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triple} }} }}",
            f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {triple} }} }}")


def _whole(reg: Registry, token: tokens.IssuedToken, text: str) -> None:
    """The reference: the update run by Oxigraph on the transaction, the store counted
    before and after."""
    plan = plan_update(reg, text)
    with graphstore.write_lock(reg):

        def run(tx: ox.Store) -> None:
            tx.update(text, base_iri=reg.settings.base_uri, prefixes=PREFIXES)

        graphstore._apply(reg, token.record, plan.targets, run, "sparql-update", confined=False)


def _confined(reg: Registry, token: tokens.IssuedToken, text: str) -> None:
    graphstore.apply_update(reg, token.record, text)


@contextlib.contextmanager
def oxigraph_engine(work: Path) -> Iterator[Any]:
    """Oxigraph's server on a free port with an empty store in ``work``, started as the
    remote-store tests start it (``tests/engines.py``, as ``bench_remote.py`` does)."""
    from tests import engines

    srv = engines._start_oxigraph(work)
    try:
        yield srv
    finally:
        srv.stop()


def open_copy(store: Path, tmp: Path, engine: Any | None) -> Registry:
    """A registry on a copy of ``store``: embedded, or on ``engine`` (an
    :func:`oxigraph_engine`; its store emptied and filled with the copy's quads)."""
    copy = tmp / "store"
    shutil.copytree(store, copy, symlinks=True)
    values: dict[str, object | None] = {"store": str(copy), "base_uri": BASE, "user": "benchmark"}
    reg = open_registry(load_settings(values, environ={}))
    reg.ensure_initialised()
    if engine is None:
        return reg
    engine.update("DROP ALL")
    values.update(store=str(tmp / "state"), **engine.overrides())
    remote = open_registry(load_settings(values, environ={}))
    with remote.store.transaction(fresh=True) as tx:
        tx.extend(reg.store.reader())
    return remote


def measure(store: Path, rounds: int, engine: Any | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        reg = open_copy(store, Path(tmp), engine)
        quads = len(reg.store.reader())
        token = tokens.issue(reg, KMD, "approver", "benchmark")
        ways: dict[str, Callable[[Registry, tokens.IssuedToken, str], None]] = {
            "confined": _confined, "whole": _whole,
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        for n in range(rounds + 1):
            for name, way in ways.items() if n % 2 == 0 else reversed(ways.items()):
                insert, delete = _updates(n)
                t0 = time.perf_counter()
                way(reg, token, insert)
                way(reg, token, delete)
                if n:  # the first round warms up
                    times[name].append((time.perf_counter() - t0) / 2)
        return {"quads": quads, **{name: statistics.median(ts) for name, ts in times.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stores", nargs="+", type=Path, required=True,
                    help="registries to copy and update, smallest first")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per store (default 5)")
    ap.add_argument("--oxigraph", action="store_true",
                    help="also on Oxigraph's server as the external engine (needs the oxigraph "
                    "command: pip install oxigraph)")
    args = ap.parse_args(argv)
    print(machine_info())
    rows: list[tuple[str, Path, dict[str, float]]] = []
    with contextlib.ExitStack() as stack:
        engines: list[tuple[str, Any | None]] = [("embedded", None)]
        if args.oxigraph:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ox-")))
            engines.append(("oxigraph", stack.enter_context(oxigraph_engine(work))))
        for engine, server in engines:
            for store in args.stores:
                r = measure(store, args.rounds, server)
                rows.append((engine, store, r))
                print(f"{engine} {store}: {int(r['quads']):,} quads", flush=True)
    print("\n| engine | registry | quads | confined ms | whole store ms | confined ÷ whole |")
    print("|---|---|---:|---:|---:|---:|")
    for engine, store, r in rows:
        print(f"| {engine} | {store.name} | {int(r['quads']):,} | {r['confined'] * 1000:,.0f} | "
              f"{r['whole'] * 1000:,.0f} | {r['confined'] / r['whole']:.2f}× |")
    for engine in dict.fromkeys(e for e, _s, _r in rows):
        mine = [(store, r) for e, store, r in rows if e == engine]
        first = mine[0][1]
        for store, r in mine[1:]:
            print(f"growth on {engine} {mine[0][0].name} → {store.name}: confined "
                  f"{r['confined'] / first['confined']:.2f}×, whole store "
                  f"{r['whole'] / first['whole']:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

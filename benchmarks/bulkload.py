"""Fast path for benchmarks: bulk-load a synthetic registry into a registry store.

    python benchmarks/bulkload.py --store /tmp/ogp-100k --commitments 100000 --seed 42

This is NOT how data should enter a real registry (``ogpreg load`` validates every source
first); it exists so benchmarks can build a 100,000-commitment store in minutes. It does what a
load commits, without the validation: it initialises the store (vocabularies and bundled data)
if needed, then in ONE store transaction (one new revision) removes any earlier version of each
synthetic source graph, bulk-loads the N-Quads file with pyoxigraph's ``Store.bulk_load`` and
writes each source's provenance (``registry.sources.Provenance``) as a real load would.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from benchmarks.generate import (
    DEFAULT_BASE,
    GenerateResult,
    generate_file,
    manifest_path,
)
from registry.loading.sources import Provenance
from registry.service import Registry, open_registry
from registry.settings import load_settings

LOADED_BY = "ogp-registry benchmarks (synthetic data)"


@dataclass
class BulkLoadResult:
    """What the bulk load did and how long its parts took."""

    quads: int
    sources: int
    revision: int
    init_seconds: float
    load_seconds: float

    @property
    def quads_per_second(self) -> float:
        return self.quads / self.load_seconds if self.load_seconds else 0.0


def bulk_load(
    registry: Registry, nquads: Path, manifest: GenerateResult, *, optimize: bool = False
) -> BulkLoadResult:
    """Load ``nquads`` (written by :func:`benchmarks.generate.generate_file`) into
    ``registry`` in one commit, with one provenance record per synthetic source.

    The store compacts the revision before its commit by its own rule (``writes`` reaches
    ``OGPREG_COMPACT_AFTER_QUADS``, as for ``ogpreg load``), which a bulk load of more than
    200,000 quads does by default; ``optimize`` forces it. An uncompacted revision stays so
    (a read-only store never compacts): see docs/performance.md."""
    if manifest.base_uri != registry.settings.base_uri:
        raise ValueError(
            f"the data was generated for base URI {manifest.base_uri}, the registry uses "
            f"{registry.settings.base_uri}; generate again with --base-uri"
        )
    began = time.perf_counter()
    registry.ensure_initialised()
    init_seconds = time.perf_counter() - began
    began = time.perf_counter()
    prov_graph = ox.NamedNode(registry.uris.provenance_graph)
    with registry.store.transaction(writes=manifest.quads, compact=optimize) as tx:
        for src in manifest.sources:
            g = ox.NamedNode(src.graph)
            tx.remove_graph(g)
            for q in list(tx.quads_for_pattern(g, None, None, prov_graph)):
                tx.remove(q)
        tx.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        for src in manifest.sources:
            tx.add_graph(ox.NamedNode(src.graph))
            tx.extend(
                Provenance(
                    graph=src.graph,
                    source_id=src.source_id,
                    file_name=src.file_name,
                    sha256=src.sha256,
                    loaded_by=LOADED_BY,
                    triple_count=src.triples,
                    submitted_by=src.submitted_by,
                ).quads(registry.uris)
            )
    load_seconds = time.perf_counter() - began
    rev = registry.store.revision()
    assert rev is not None
    return BulkLoadResult(
        quads=manifest.quads,
        sources=len(manifest.sources),
        revision=rev.number,
        init_seconds=init_seconds,
        load_seconds=load_seconds,
    )


def build_store(
    store: Path,
    commitments: int,
    seed: int,
    *,
    base_uri: str = DEFAULT_BASE,
    data: Path | None = None,
    log: bool = True,
    optimize: bool = False,
) -> tuple[Registry, GenerateResult, BulkLoadResult]:
    """Generate (or reuse ``data`` and its manifest) and bulk-load into a store at ``store``."""
    registry = open_registry(
        load_settings({"store": str(store), "base_uri": base_uri, "user": LOADED_BY}, environ={})
    )
    with tempfile.TemporaryDirectory(prefix="ogp-synthetic-") as tmp:
        if data is None:
            data = Path(tmp) / f"synthetic-{commitments}-{seed}.nq"
            generated = generate_file(commitments, seed, data, base_uri=base_uri)
            if log:
                print(f"generated {generated.quads} quads in {generated.seconds:.1f} s",
                      file=sys.stderr)
        else:
            generated = GenerateResult.from_json(manifest_path(data).read_text("utf-8"))
        result = bulk_load(registry, data, generated, optimize=optimize)
    if log:
        print(
            f"bulk-loaded {result.quads} quads ({result.sources} source graphs) into revision "
            f"{result.revision} of {store} in {result.load_seconds:.1f} s"
            f"{' (with optimize)' if optimize else ''} "
            f"({result.quads_per_second:,.0f} quads/s; initialisation "
            f"{result.init_seconds:.1f} s)",
            file=sys.stderr,
        )
    return registry, generated, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Bulk-load a synthetic registry into a registry store (benchmarks only: "
        "no validation). Example: python benchmarks/bulkload.py --store /tmp/ogp-10k "
        "--commitments 10000"
    )
    parser.add_argument("--store", type=Path, required=True, help="registry store directory")
    parser.add_argument("--commitments", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--base-uri", default=DEFAULT_BASE)
    parser.add_argument("--data", type=Path,
                        help="an N-Quads file from generate.py (with its manifest) to load "
                        "instead of generating one")
    parser.add_argument("--optimize", action="store_true",
                        help="compact the store before the commit (pyoxigraph Store.optimize)")
    args = parser.parse_args(argv)
    build_store(args.store, args.commitments, args.seed, base_uri=args.base_uri, data=args.data,
                optimize=args.optimize)
    return 0


if __name__ == "__main__":
    sys.exit(main())

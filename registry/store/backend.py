"""What the registry needs of a store, whichever backend holds the data.

Two backends satisfy :class:`Backend`: :class:`registry.store.embedded.EmbeddedStore`
(pyoxigraph on disk, the default) and :class:`registry.store.remote.store.RemoteStore` (an
external SPARQL engine over the standard protocols, ``OGPREG_ENGINE``).
:class:`registry.service.Registry` and the adapters use only this.

``reader()`` and ``transaction()`` are typed as pyoxigraph ``Store`` because that is what the
code that uses them (validation context, provenance, pages, history…) is written against; a
remote store returns stand-ins with the part of that API the registry uses, spelt out by
:class:`StoreLike` (``tests/test_remote_store.py`` checks the stand-ins against it).

The transaction contract both backends keep: inside ``transaction()`` code reads the state
before the transaction (a remote transaction's ``quads_for_pattern``/``len`` also show its own
writes, like an embedded one; its ``query`` does not); the block's writes become visible to
readers all at once when it ends, or not at all if it raises. A writer that finds it changes
nothing raises :class:`registry.store.discard.Discard`: the transaction ends without a new
revision, and without the exception reaching the caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from registry.store.embedded import Revision


@runtime_checkable
class StoreLike(Protocol):
    """The part of pyoxigraph's ``Store`` API the registry uses for reading."""

    def query(
        self, query: str, **kwargs: Any
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples: ...

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None  # noqa: A002
    ) -> Iterator[ox.Quad]: ...

    def named_graphs(self) -> Iterator[Any]: ...

    def dump(
        self, output: Any = None, format: Any = None, *, from_graph: Any = None,  # noqa: A002
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes | None: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[ox.Quad]: ...


@runtime_checkable
class WritableStoreLike(StoreLike, Protocol):
    """What a transaction offers besides reading."""

    def add(self, quad: ox.Quad) -> None: ...

    def extend(self, quads: Any) -> None: ...

    def bulk_extend(self, quads: Any) -> None: ...

    def remove(self, quad: ox.Quad) -> None: ...

    def add_graph(self, graph: Any) -> None: ...

    def remove_graph(self, graph: Any) -> None: ...

    def clear(self) -> None: ...

    def update(self, update: str, **kwargs: Any) -> None: ...


class Backend(Protocol):
    """A store of the registry: committed revisions, a reader, atomic transactions."""

    #: local directory for what is not RDF (tokens, audit log, locks, caches)
    path: Path
    lock_timeout: float

    def exists(self) -> bool: ...

    def revision(self) -> Revision | None: ...

    def base_uri(self) -> str | None: ...

    def check_base_uri(self, base_uri: str) -> None: ...

    def reader(self) -> ox.Store: ...

    def optimize(self) -> Revision: ...

    def transaction(
        self, *, writes: int = 0, compact: bool = False, fresh: bool = False
    ) -> AbstractContextManager[ox.Store]: ...

"""The registry's store on an external SPARQL engine: :class:`RemoteStore`, and
:func:`open_remote_store`, which builds it from the settings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from registry.errors import ConfigurationError, StoreError
from registry.i18n import msg
from registry.settings import Settings
from registry.store.discard import Discard
from registry.store.embedded import Revision
from registry.store.engines.base import Connection, Engine, Meta
from registry.store.engines.factory import make_engine
from registry.store.locks import exclusive
from registry.store.remote.reader import RemoteReader
from registry.store.remote.transaction import RemoteTransaction

_EPOCH = datetime.fromtimestamp(0, UTC)


class RemoteStore:
    """The registry's store on an external SPARQL engine (see the package docstring:
    ``registry/store/remote/__init__.py``)."""

    def __init__(self, engine: Engine, path: Path, *, lock_timeout: float = 120.0) -> None:
        self.engine = engine
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._pending_base: str | None = None

    def state(self) -> Meta | None:
        """The engine's bookkeeping, read now."""
        return self.engine.meta()

    def exists(self) -> bool:
        return self.state() is not None

    def revision(self) -> Revision | None:
        meta = self.state()
        if meta is None:
            return None
        return Revision(meta.number, meta.committed or _EPOCH)

    def base_uri(self) -> str | None:
        meta = self.state()
        return meta.base_uri if meta else None

    def check_base_uri(self, base_uri: str) -> None:
        stored = self.base_uri()
        if stored is None:
            self._pending_base = base_uri  # written with the first commit
        elif stored != base_uri:
            raise ConfigurationError(
                msg(
                    "The registry in the SPARQL engine {url} was created with base URI "
                    "{stored}, but the setting is {configured}. Set OGPREG_BASE_URI={stored}.",
                    url=self.engine.conn.query_url,
                    stored=stored,
                    configured=base_uri,
                )
            )

    def reader(self) -> ox.Store:
        """A reader of the latest committed state (a stand-in for pyoxigraph's Store with the
        part of its API the registry uses; see :class:`registry.store.backend.StoreLike`)."""
        return cast(ox.Store, RemoteReader(self))

    def _write_lock(self) -> contextlib.AbstractContextManager[None]:
        return exclusive(self.path / "write.lock", self.lock_timeout)

    @contextlib.contextmanager
    def transaction(
        self, *, writes: int = 0, compact: bool = False, fresh: bool = False
    ) -> Iterator[ox.Store]:
        """A transaction over the engine; committed when the block ends, discarded if it
        raises (quietly for :class:`~registry.store.discard.Discard`). ``fresh`` starts from an
        empty registry (everything is rewritten); ``writes`` and ``compact`` concern the
        embedded store only."""
        with self._write_lock():
            self.engine.recover(self.path)
            old = self.state()
            tx = RemoteTransaction(self, old)
            if fresh:
                tx.clear()
            try:
                yield cast(ox.Store, tx)
            except Discard:  # the writer changes nothing: no revision (registry/store/discard.py)
                return
            base = (old.base_uri if old else None) or self._pending_base or ""
            plan = tx.plan((old.number if old else 0) + 1, base)
            self.engine.commit(plan, self.path)

    def optimize(self) -> Revision:
        """Nothing to compact here: the engine maintains its own storage. The current
        revision."""
        rev = self.revision()
        if rev is None:
            raise StoreError(msg("The registry is empty."))
        return rev

    def recover(self) -> bool:
        """Finish a commit that was interrupted half-way (Virtuoso's journal)."""
        with self._write_lock():
            return self.engine.recover(self.path)


def open_remote_store(settings: Settings) -> RemoteStore:
    """The remote store ``settings`` describe (``OGPREG_ENGINE`` and the engine URLs)."""
    query_url = settings.engine_query_url
    if settings.engine == "oxigraph":
        root = query_url.rsplit("/query", 1)[0] if query_url.endswith("/query") else query_url
        update_url = settings.engine_update_url or root + "/update"
        store_url = settings.engine_store_url or root + "/store"
    else:
        root = query_url.rsplit("/", 1)[0]
        update_url = settings.engine_update_url or query_url
        store_url = settings.engine_store_url or (
            root + ("/sparql-graph-crud-auth" if settings.engine_user else "/sparql-graph-crud")
        )
    conn = Connection(
        query_url=query_url,
        update_url=update_url,
        store_url=store_url,
        user=settings.engine_user or None,
        password=settings.engine_password or None,
    )
    engine = make_engine(settings.engine, conn, settings.base_uri)
    return RemoteStore(engine, settings.state_dir or settings.store)

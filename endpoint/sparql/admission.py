"""Admission: which queries may hold or wait for a worker, and the fair hand-off of workers.

Every query the answer cache cannot answer holds an HTTP thread while it is evaluated or waits,
so the number of such queries is bounded (:class:`Admission`): at most ``workers + queue`` at
once (more: 503 at once), and each client (the remote address) at most its fair share, never
the places kept for newcomers (more: 429 at once). The server gives the query path exactly that
many threads on top of its own (``endpoint/server.py``), so cached answers, pages, files and
``/health`` always find a free thread. A query waits at most ``queue_timeout`` for a worker
(503), and a freed worker goes to the waiting query whose client holds the fewest workers
(:class:`FairQueue`), so a client that holds many cannot push others to the back.

Both the embedded executor (``endpoint/sparql/executor.py``: worker processes) and the remote
one (``endpoint/sparql/remote_executor.py``: engine connections) use them.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from typing import Generic, TypeVar

from registry.errors import RegistryError

#: Seconds a refused client is told to wait (``Retry-After``) before it asks again.
RETRY_AFTER = 5


class TooManyQueries(RegistryError):
    """The client already has its fair share of the query workers busy or waiting."""

    http_status = 429
    code = "too-many-queries"
    retry_after = RETRY_AFTER


T = TypeVar("T")

#: The client of queries the endpoint asks itself (VoID, the service description) and of direct
#: calls without a client: only the total is bounded for it, not a share.
INTERNAL = ""


class Admission:
    """Which queries may hold or wait for a worker (each holds an HTTP thread meanwhile).

    * At most ``capacity`` = ``workers + queue`` places at once (more: ``"full"``, 503).
    * The last ``reserve`` = ``ceil(queue / 2)`` places are kept for clients that have no query
      in, so a newcomer finds a place even when another client keeps sending; a client may thus
      hold at most ``alone`` = ``workers + floor(queue / 2)`` places (every worker, and half the
      queue).
    * With ``n`` clients in (the one asking included), a client may have at most ``share(n)`` =
      ``ceil(alone / n)``; beyond its share, or when only reserved places are left and it has a
      query in already, its query is refused (``"client"``, 429).

    :data:`INTERNAL` (the endpoint's own queries) has neither share nor reserve, only the
    total."""

    def __init__(self, workers: int, queue: int) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.capacity = self.workers + self.queue
        self.reserve = -(-self.queue // 2)
        self.alone = self.capacity - self.reserve
        self._lock = threading.Lock()
        self._inside: Counter[str] = Counter()
        self._total = 0

    def share(self, clients: int) -> int:
        """The most places one of ``clients`` clients may hold."""
        return -(-self.alone // max(1, clients))

    def enter(self, client: str) -> str | None:
        """Let a query of ``client`` in (None), or say why not: ``"client"`` (it has its share
        already) or ``"full"`` (no place left)."""
        with self._lock:
            mine = self._inside[client]
            if client != INTERNAL and mine:
                clients = len(self._inside) - (INTERNAL in self._inside)
                if mine >= self.share(clients) or self._total >= self.alone:
                    return "client"
            if self._total >= self.capacity:
                return "full"
            self._inside[client] += 1
            self._total += 1
            return None

    def leave(self, client: str) -> None:
        with self._lock:
            self._total -= 1
            self._inside[client] -= 1
            if self._inside[client] <= 0:
                del self._inside[client]

    @property
    def inside(self) -> int:
        """Queries in now (evaluated, waiting for a worker or for an identical query)."""
        return self._total

    def clients(self) -> dict[str, int]:
        """Queries in, by client."""
        with self._lock:
            return dict(self._inside)


class _Waiter(Generic[T]):
    __slots__ = ("client", "seq", "event", "given", "item")

    def __init__(self, client: str, seq: int) -> None:
        self.client = client
        self.seq = seq
        self.event = threading.Event()
        self.given = False
        self.item: T | None = None


class FairQueue(Generic[T]):
    """Idle workers (or engine connections), handed out fairly: while queries wait, a freed
    worker goes to the waiting query whose client holds the fewest workers (the earliest of
    those). Idle ones are taken last in, first out: the worker that answered most recently
    answers next, so at low concurrency queries meet a warm store cache (each worker process
    has its own RocksDB block cache) instead of going round all workers in turn."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[T] = []
        self._waiters: list[_Waiter[T]] = []
        self._held: Counter[str] = Counter()
        self._seq = itertools.count()

    def acquire(self, client: str, timeout: float) -> T | None:
        """An idle worker for ``client``, waiting at most ``timeout`` seconds (None: none)."""
        with self._lock:
            if self._idle and not self._waiters:
                self._held[client] += 1
                return self._idle.pop()
            waiter: _Waiter[T] = _Waiter(client, next(self._seq))
            self._waiters.append(waiter)
        waiter.event.wait(max(0.0, timeout))
        with self._lock:
            if not waiter.given:
                self._waiters.remove(waiter)
                return None
        return waiter.item

    def release(self, client: str, item: T | None) -> None:
        """``client`` is done with ``item``; None: the worker is gone (its replacement comes
        through :meth:`add`)."""
        with self._lock:
            self._held[client] -= 1
            if self._held[client] <= 0:
                del self._held[client]
            if item is not None:
                self._give(item)

    def add(self, item: T) -> None:
        """A new (or replacement) worker."""
        with self._lock:
            self._give(item)

    def _give(self, item: T) -> None:
        if not self._waiters:
            self._idle.append(item)
            return
        held = self._held
        waiter = min(self._waiters, key=lambda w: (held[w.client], w.seq))
        self._waiters.remove(waiter)
        waiter.item = item
        waiter.given = True
        held[waiter.client] += 1
        waiter.event.set()

    def drain(self) -> list[T]:
        """Take every idle worker out (shut-down)."""
        with self._lock:
            idle, self._idle = self._idle, []
            return idle

    def busy(self) -> int:
        """Workers held now."""
        with self._lock:
            return sum(self._held.values())

    def waiting(self) -> int:
        """Queries waiting for a worker now."""
        with self._lock:
            return len(self._waiters)

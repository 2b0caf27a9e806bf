"""The answer cache: the registry changes only by a commit, so an answer is valid until the
revision changes. Answers are kept under (revision, request) within a byte budget (least
recently used first out), a gzip-compressed copy counted with its answer; entries of older
revisions are dropped as soon as a newer revision is seen. (Identical queries arriving together
are evaluated once: ``endpoint/sparql/executor.py``.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from endpoint.sparql.answers import Answer, QueryRequest

CacheKey = tuple[int, QueryRequest]


class AnswerCache:
    """Answers keyed by (revision, request), least recently used out first, within a byte
    budget. Entries of a revision older than the newest one seen are dropped."""

    def __init__(self, budget: int) -> None:
        self.budget = max(0, budget)
        self._entries: OrderedDict[CacheKey, Answer] = OrderedDict()
        self._sizes: dict[CacheKey, int] = {}  # bytes counted for each entry
        self._bytes = 0
        self._revision = -1
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes held (bodies, compressed copies, a little overhead per entry)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: CacheKey) -> None:
        answer = self._entries.pop(key)
        self._bytes -= self._sizes.pop(key)
        answer._cache = None

    def _see(self, revision: int) -> None:
        if revision > self._revision:
            self._revision = revision
            for key in [k for k in self._entries if k[0] < revision]:
                self._drop(key)

    def get(self, revision: int, request: QueryRequest) -> Answer | None:
        with self._lock:
            self._see(revision)
            answer = self._entries.get((revision, request))
            if answer is not None:
                self._entries.move_to_end((revision, request))
            return answer

    def put(self, request: QueryRequest, answer: Answer) -> None:
        with self._lock:
            self._see(answer.revision)
            if answer.revision < self._revision or answer.size > self.budget // 2:
                return
            key = (answer.revision, request)
            if key in self._entries:
                self._drop(key)
            answer._cache = self
            answer._key = key
            self._entries[key] = answer
            self._sizes[key] = answer.size
            self._bytes += answer.size
            self._shrink()

    def attach_gzip(self, answer: Answer, compressed: bytes) -> None:
        """Keep the compressed body with a cached answer, counting its bytes once."""
        with self._lock:
            if answer._gzip is not None:
                return
            answer._gzip = compressed
            key = answer._key
            if answer._cache is self and key is not None and self._entries.get(key) is answer:
                self._sizes[key] += len(compressed)
                self._bytes += len(compressed)
                self._shrink()

    def _shrink(self) -> None:
        while self._bytes > self.budget and self._entries:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            for key in list(self._entries):
                self._drop(key)

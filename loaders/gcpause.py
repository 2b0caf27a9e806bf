"""Python's automatic garbage collection paused while a submission is read, validated or
loaded (:func:`without_gc_pauses`; docs/performance.md)."""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")
_gc_lock = threading.Lock()
_gc_users = 0  # calls running under without_gc_pauses
_gc_was_enabled = False


def without_gc_pauses(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with Python's automatic (cyclic) garbage collection off, and turn it back
    on (if it was on) when the last such call ends.

    Reading and loading a submission creates hundreds of thousands of objects that stay
    alive until the end (cells, triples, quads, their indexes); every so often the
    collector walks all of them, and finds nothing to free: for 53,000 triples, six full
    collections and 600 small ones, 0.3 s of CPU (docs/performance.md). Objects are still
    freed as soon as they are no longer used; only reference cycles wait until the
    collector runs again."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        global _gc_users, _gc_was_enabled
        with _gc_lock:
            if _gc_users == 0:
                _gc_was_enabled = gc.isenabled()
                gc.disable()
            _gc_users += 1
        try:
            return fn(*args, **kwargs)
        finally:
            with _gc_lock:
                _gc_users -= 1
                if _gc_users == 0 and _gc_was_enabled:
                    gc.enable()

    return wrapper

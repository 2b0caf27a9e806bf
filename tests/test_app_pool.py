"""``endpoint/app_pool.py``: under granian a request's body is read whole before the app runs,
and the app runs in a pool of as many threads as waitress has, in the order requests come.
Real threads, real pipes for bodies that arrive slowly, werkzeug's own reading of the result;
the server-level behaviour (slow bodies under granian, 40 of them against 4 app threads) is in
tests/test_slow_clients.py."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Request

from endpoint.app_pool import SPOOL_BYTES, AppPool, has_body, read_body

LIMIT = 1_000_000


def environ(body: Any = b"", **extra: str) -> dict[str, Any]:
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/sparql", "wsgi.input": stream, **extra}


def call(app: AppPool, env: dict[str, Any]) -> list[bytes]:
    return list(app(env, lambda status, headers, *exc: None))


class Inside:
    """A WSGI app that counts the requests inside it (and the threads it ran in, and the order
    the requests came in) and waits until released."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.threads: set[str] = set()
        self.order: list[str] = []
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, env: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.threads.add(threading.current_thread().name)
            self.order.append(env.get("QUERY_STRING", ""))
        self.entered.release()
        self.release.wait(10)
        with self._lock:
            self.now -= 1
        start("200 OK", [])
        return [Request(env).get_data()]


def in_threads(app: AppPool, envs: list[dict[str, Any]]) -> list[threading.Thread]:
    threads = [threading.Thread(target=call, args=(app, e), daemon=True) for e in envs]
    for t in threads:
        t.start()
    return threads


def test_the_app_runs_in_its_threads_and_the_others_wait_in_order() -> None:
    inner = Inside()
    app = AppPool(inner, threads=3, body_limit=LIMIT)
    first = in_threads(app, [environ(QUERY_STRING=f"n={k}") for k in range(3)])
    for _ in range(3):
        assert inner.entered.acquire(timeout=10)
    later = []
    for k in range(3, 10):  # one after the other, so that their order is known
        later += in_threads(app, [environ(QUERY_STRING=f"n={k}")])
        time.sleep(0.05)
    # the seven others wait: none gets in while the three are inside
    assert not inner.entered.acquire(timeout=0.5)
    assert inner.now == 3
    inner.release.set()
    for t in first + later:
        t.join(10)
    assert inner.most == 3
    assert inner.order[3:] == [f"n={k}" for k in range(3, 10)]  # first come, first served
    # in the pool's own threads, never in the server's
    assert len(inner.threads) == 3 and all(n.startswith("ogpreg-app") for n in inner.threads)


def test_a_body_still_arriving_holds_no_app_thread() -> None:
    inner = Inside()
    inner.release.set()
    app = AppPool(inner, threads=1, body_limit=LIMIT)
    read_end, write_end = os.pipe()
    slow = os.fdopen(read_end, "rb", buffering=0)
    try:
        os.write(write_end, b"ASK { ?s ?p ?o")  # and the rest never comes (for now)
        (reading,) = in_threads(app, [environ(slow, CONTENT_LENGTH="16")])
        # the only app thread is free: another request runs the app at once
        out = call(app, environ(b"SELECT", CONTENT_LENGTH="6"))
        assert out == [b"SELECT"] and reading.is_alive()
        os.write(write_end, b" }")  # the body is whole: that request runs the app
        reading.join(10)
        assert not reading.is_alive()
    finally:
        os.close(write_end)
        slow.close()


def test_a_chunked_body_is_given_to_the_app_whole_with_its_length() -> None:
    seen: dict[str, Any] = {}

    def inner(env: dict[str, Any], start: Callable[..., Any]) -> Iterator[bytes]:
        seen.update(env)
        start("200 OK", [])
        return iter([Request(env).get_data()])

    body = os.urandom(SPOOL_BYTES + 1000)  # past the spool size: a temporary file
    app = AppPool(inner, threads=2, body_limit=LIMIT)
    out = call(app, environ(body, HTTP_TRANSFER_ENCODING="chunked"))
    assert out == [body]
    assert seen["CONTENT_LENGTH"] == str(len(body))
    assert "HTTP_TRANSFER_ENCODING" not in seen
    assert seen["wsgi.input"]._rolled  # SpooledTemporaryFile: on disk
    assert seen["wsgi.input"].closed  # and deleted once the app has answered


def test_a_body_past_the_limit_is_cut_one_byte_after_it() -> None:
    env = environ(b"x" * (LIMIT + 5000), HTTP_TRANSFER_ENCODING="chunked")
    read_body(env, LIMIT)
    with env["wsgi.input"] as body:
        assert env["CONTENT_LENGTH"] == str(LIMIT + 1)  # so the app refuses it: 413
        assert len(body.read()) == LIMIT + 1


def test_a_body_declared_past_the_limit_is_not_read() -> None:
    stream = io.BytesIO(b"x" * 100)
    env = environ(stream, CONTENT_LENGTH=str(LIMIT + 1))
    read_body(env, LIMIT)
    assert env["wsgi.input"] is stream and stream.tell() == 0
    assert env["CONTENT_LENGTH"] == str(LIMIT + 1)  # the app refuses it on that alone


class Broken(io.RawIOBase):
    """A body whose server stops it with an error after some bytes."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            return b"ASK {"
        raise OSError("connection reset by peer")


@pytest.mark.parametrize(
    ("stream", "extra"),
    [
        (io.BytesIO(b"ASK {"), {"CONTENT_LENGTH": "100"}),  # the client stopped, EOF
        (Broken(), {"HTTP_TRANSFER_ENCODING": "chunked"}),  # the server raised
        (Broken(), {"CONTENT_LENGTH": "100"}),
    ],
)
def test_a_body_cut_short_is_answered_as_one(stream: Any, extra: dict[str, str]) -> None:
    env = environ(stream, **extra)
    read_body(env, LIMIT)
    # werkzeug (the app's reader) sees a body shorter than its length: "client disconnected"
    with env["wsgi.input"], pytest.raises(ClientDisconnected):
        Request(env).get_data()


def test_which_requests_have_a_body() -> None:
    assert not has_body({})
    assert not has_body({"CONTENT_LENGTH": "0"})
    assert not has_body({"CONTENT_LENGTH": ""})
    assert has_body({"CONTENT_LENGTH": "12"})
    assert has_body({"HTTP_TRANSFER_ENCODING": "chunked"})
    assert has_body({"HTTP_TRANSFER_ENCODING": "gzip, Chunked"})


def test_what_the_front_answers_never_waits_for_the_app() -> None:
    """``front`` (exact repeats of cached answers under granian) answers in the caller's
    thread, even while every app thread is busy; what it does not answer goes to the pool."""
    inner = Inside()
    asked: list[str] = []

    def front(env: dict[str, Any], start: Callable[..., Any]) -> list[bytes] | None:
        asked.append(threading.current_thread().name)
        if env.get("QUERY_STRING") != "repeat":
            return None
        start("200 OK", [])
        return [b"from the front"]

    app = AppPool(inner, threads=1, body_limit=LIMIT, front=front)
    (busy,) = in_threads(app, [environ(QUERY_STRING="slow")])
    assert inner.entered.acquire(timeout=10)  # the only app thread is taken
    assert call(app, environ(QUERY_STRING="repeat")) == [b"from the front"]
    assert asked[-1] == threading.current_thread().name  # in the caller's thread
    # a request with a body is not the front's (a cached answer is a GET's)
    inner.release.set()
    assert call(app, environ(b"ASK {}", CONTENT_LENGTH="6")) == [b"ASK {}"]
    busy.join(10)
    assert len(asked) == 2 and inner.order == ["slow", ""]

"""Range requests (RFC 9110, sections 13.1.5 and 14) for a body held whole: the downloads.

``GET`` with ``Range: bytes=…`` naming **one** range gets ``206 Partial Content`` with
``Content-Range``; one that cannot be satisfied gets ``416`` with ``Content-Range: bytes */N``.
What the specification lets a server ignore is ignored, and the whole body sent (200): a range
unit other than ``bytes``, a header that does not parse, several ranges (no
``multipart/byteranges``), ``HEAD``, and an ``If-Range`` that does not match.

``If-Range`` matches only an entity tag compared strongly with the response's ``ETag`` (a weak
one never matches). A date in ``If-Range`` never matches: the downloads' ``Last-Modified`` is
the catalogue's ``dct:modified``, not a strong validator of one file's bytes, so a client
that resumes by date gets the whole file rather than the end of a different one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request, Response

#: A Range header longer than this is ignored (no client needs more for one range).
MAX_HEADER = 200


@dataclass(frozen=True)
class Unsatisfiable:
    """The one range asked for lies outside the body."""

    length: int


def _position(text: str) -> int | None:
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    return int(text)


def parse(header: str | None, length: int) -> tuple[int, int] | Unsatisfiable | None:
    """The byte range ``header`` asks of a body of ``length`` bytes: ``(first, last)``
    (inclusive, last clamped to the end), :class:`Unsatisfiable`, or None (serve it all)."""
    if header is None or len(header) > MAX_HEADER:
        return None
    unit, eq, ranges = header.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    specs = ranges.split(",")
    if len(specs) != 1:
        return None  # several ranges (or an empty element): the whole body
    first_text, dash, last_text = specs[0].strip().partition("-")
    if not dash:
        return None
    if not first_text.strip():  # suffix-range: the last N bytes
        suffix = _position(last_text)
        if suffix is None:
            return None
        if suffix == 0 or length == 0:
            return Unsatisfiable(length)
        return (max(0, length - suffix), length - 1)
    first = _position(first_text)
    last = _position(last_text) if last_text.strip() else None
    if first is None or (last_text.strip() and last is None):
        return None
    if last is not None and last < first:
        return None  # invalid: ignored, as the specification allows
    if first >= length:
        return Unsatisfiable(length)
    return (first, length - 1 if last is None else min(last, length - 1))


def if_range_matches(if_range: str | None, etag: str | None) -> bool:
    """Whether ``If-Range`` lets the range be served: absent, or an entity tag equal to the
    response's strong ``ETag`` (both quoted, neither weak)."""
    if if_range is None:
        return True
    value = if_range.strip()
    if not etag or etag.startswith("W/") or not value.startswith('"'):
        return False  # a weak tag, or a date (see the module's docstring)
    return value == etag


def apply(request: Request, resp: Response, body: bytes) -> Response | Unsatisfiable:
    """Make ``resp`` (200 with the whole ``body``, its validators set) answer the request's
    Range: unchanged, 206 with the part asked for, or :class:`Unsatisfiable` for the caller
    to answer 416. ``Accept-Ranges: bytes`` in every case but the last."""
    resp.headers["Accept-Ranges"] = "bytes"
    if request.method != "GET" or resp.status_code != 200:
        return resp
    if not if_range_matches(request.headers.get("If-Range"), resp.headers.get("ETag")):
        return resp
    chosen = parse(request.headers.get("Range"), len(body))
    if chosen is None:
        return resp
    if isinstance(chosen, Unsatisfiable):
        return chosen
    first, last = chosen
    resp.set_data(body[first : last + 1])
    resp.status_code = 206
    resp.headers["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
    return resp

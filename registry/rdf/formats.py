"""RDF formats and safe parsing: explicit formats, explicit base IRIs, bytes in, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

import pyoxigraph as ox

from registry.errors import SourceError, UsageError
from registry.i18n import msg


@dataclass(frozen=True)
class RdfFormatInfo:
    """One RDF serialisation the registry reads and writes."""

    name: str
    ox_format: ox.RdfFormat
    extensions: tuple[str, ...]
    media_type: str
    datasets: bool  # can carry named graphs


RDF_FORMATS: dict[str, RdfFormatInfo] = {
    f.name: f
    for f in (
        RdfFormatInfo("turtle", ox.RdfFormat.TURTLE, (".ttl", ".turtle"), "text/turtle", False),
        RdfFormatInfo("trig", ox.RdfFormat.TRIG, (".trig",), "application/trig", True),
        RdfFormatInfo("ntriples", ox.RdfFormat.N_TRIPLES, (".nt",), "application/n-triples", False),
        RdfFormatInfo("nquads", ox.RdfFormat.N_QUADS, (".nq",), "application/n-quads", True),
        RdfFormatInfo(
            "jsonld", ox.RdfFormat.JSON_LD, (".jsonld", ".json-ld"), "application/ld+json", True
        ),
        RdfFormatInfo(
            "rdfxml", ox.RdfFormat.RDF_XML, (".rdf", ".owl", ".xml"), "application/rdf+xml", False
        ),
    )
}


def format_for(filename: str, explicit: str | None = None) -> RdfFormatInfo:
    """The RDF format named by ``explicit`` or by the file name's extension."""
    if explicit:
        try:
            return RDF_FORMATS[explicit.lower()]
        except KeyError:
            raise UsageError(
                msg(
                    "Unknown RDF format {fmt!r}. Allowed values: {allowed}.",
                    fmt=explicit,
                    allowed=", ".join(RDF_FORMATS),
                )
            ) from None
    suffix = PurePath(filename).suffix.lower()
    for info in RDF_FORMATS.values():
        if suffix in info.extensions:
            return info
    raise UsageError(
        msg(
            "Cannot tell the format of {file} (extension {suffix!r}). Use a known extension "
            "({known}) or pass --format ({allowed}).",
            file=filename,
            suffix=suffix or "",
            known=", ".join(e for f in RDF_FORMATS.values() for e in f.extensions),
            allowed=", ".join(RDF_FORMATS),
        )
    )


_POSITION = re.compile(r"line (\d+)(?: between columns (\d+)| at column (\d+)|, column (\d+))?")
_POSITION_ALT = re.compile(r"at (\d+):(\d+)")
_PREFIX = re.compile(r"^(Parser )?error at (line \d+[^:]*|\d+:\d+): ", re.IGNORECASE)


def _position(exc: SyntaxError) -> tuple[int | None, int | None]:
    lineno = getattr(exc, "lineno", None)
    offset = getattr(exc, "offset", None)
    if isinstance(lineno, int):
        return lineno, offset if isinstance(offset, int) else None
    text = str(exc)
    m = _POSITION.search(text)
    if m:
        col = next((g for g in m.groups()[1:] if g), None)
        return int(m.group(1)), int(col) if col else None
    m = _POSITION_ALT.search(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    return None, None


#: Most characters the XML entities of one RDF/XML file may expand to ("billion laughs").
MAX_ENTITY_EXPANSION = 10_000_000
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+([^\s%]+)\s+(?:\"([^\"]*)\"|'([^']*)')\s*>")
#: an entity reference by any name the parser may take (XML names include ``:`` and letters
#: beyond ASCII: ``&:l1;``, ``&ä1;``); character references (``&#…;``) aside
_ENTITY_REF = re.compile(rb"&([^\s&;<>\"'#%][^\s&;<>\"'%]*);")


def _check_entity_expansion(data: bytes, file: str) -> None:
    """Refuse RDF/XML whose internal entities would expand beyond
    :data:`MAX_ENTITY_EXPANSION` characters (the parser expands them in memory). External
    entities (``SYSTEM``/``PUBLIC``) are never resolved: the parser refuses them."""
    values = {m.group(1): m.group(2) or m.group(3) or b"" for m in _ENTITY_DECL.finditer(data)}
    sizes: dict[bytes, int] = {}

    def size(name: bytes, depth: int = 0) -> int:
        if name not in values:
            return len(name) + 2
        if name not in sizes:
            if depth > 50:  # a cycle or absurd nesting
                sizes[name] = MAX_ENTITY_EXPANSION + 1
                return sizes[name]
            value = values[name]
            total = len(value)
            for ref in _ENTITY_REF.finditer(value):
                total += size(ref.group(1), depth + 1) - len(ref.group(0))
                if total > MAX_ENTITY_EXPANSION:
                    break
            sizes[name] = total
        return sizes[name]

    total = 0
    for ref in _ENTITY_REF.finditer(data):
        total += size(ref.group(1))
        if total > MAX_ENTITY_EXPANSION:
            raise SourceError(
                msg(
                    "{file}: the file's XML entities would expand to more than {limit} "
                    "characters (\"billion laughs\"). Write the values out instead of using "
                    "entities. Nothing was loaded.",
                    file=file,
                    limit=MAX_ENTITY_EXPANSION,
                ),
                file=file,
            )


def parse_rdf(data: bytes, fmt: RdfFormatInfo, *, base_iri: str, file: str) -> list[ox.Quad]:
    """Parse ``data`` completely (nothing is written anywhere) or raise :class:`SourceError`
    naming the file, line and column. No network access: JSON-LD remote contexts are not
    loaded and XML external entities are not resolved."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            msg(
                "{file}:{line}:{column}: the file is not valid UTF-8 (byte {byte}). Save it as "
                "UTF-8 and try again.",
                file=file,
                line=line,
                column=column,
                byte=hex(data[exc.start]),
            ),
            file=file,
            line=line,
            column=column,
        ) from exc
    if fmt.name == "rdfxml" and b"<!ENTITY" in data:
        _check_entity_expansion(data, file)
    try:
        quads = list(ox.parse(data, fmt.ox_format, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as exc:
        pos_line, pos_column = _position(exc)
        where = (
            f"{file}:{pos_line}:{pos_column}"
            if pos_line and pos_column
            else (f"{file}:{pos_line}" if pos_line else file)
        )
        detail = _PREFIX.sub("", str(exc.msg if getattr(exc, "msg", None) else exc)).rstrip(".")
        raise SourceError(
            msg(
                "{where}: syntax error in {fmt}: {detail}. Nothing was loaded.",
                where=where,
                fmt=fmt.name,
                detail=detail,
            ),
            file=file,
            line=pos_line,
            column=pos_column,
        ) from exc
    except (ValueError, OSError) as exc:
        raise SourceError(
            msg(
                "{file}: cannot read {fmt}: {detail}. Nothing was loaded.",
                file=file,
                fmt=fmt.name,
                detail=exc,
            ),
            file=file,
        ) from exc
    _refuse_triple_terms(quads, file)
    return quads


def _refuse_triple_terms(quads: list[ox.Quad], file: str) -> None:
    """Refuse RDF 1.2 (RDF-star) triple terms: a statement about a statement (``<< s p o >>``,
    an annotation ``{| … |}``, ``<<( s p o )>>``). The shapes and the erase work on plain
    triples (docs/lifecycle.md, "Audited erase"), so none may enter the registry."""
    for q in quads:
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            term = q.object if isinstance(q.object, ox.Triple) else q.subject
            raise SourceError(
                msg(
                    "{file}: the file makes a statement about a statement ({term}: an RDF 1.2 "
                    "triple term, written << … >>, <<( … )>> or with an annotation {{| … |}}). "
                    "The registry accepts plain triples only: state the facts themselves. "
                    "Nothing was loaded.",
                    file=file,
                    term=str(term)[:200],
                ),
                file=file,
            )


def read_limited(source: Path | BinaryIO, max_bytes: int, *, file: str) -> bytes:
    """The bytes of a file or stream, refusing (before reading it into memory) anything over
    ``max_bytes`` (``OGPREG_MAX_UPLOAD_BYTES``) with a :class:`SourceError`."""
    if isinstance(source, Path):
        size = source.stat().st_size
        data = b"" if size > max_bytes else source.read_bytes()
    else:
        data = source.read(max_bytes + 1)
        size = len(data)
    if size > max_bytes or len(data) > max_bytes:
        raise SourceError(
            msg(
                "{file}: the file is larger than the limit of {limit} bytes "
                "(OGPREG_MAX_UPLOAD_BYTES). Split it into several files, or raise the limit. "
                "Nothing was loaded.",
                file=file,
                limit=max_bytes,
            ),
            file=file,
        )
    return data

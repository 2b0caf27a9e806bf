"""Sources: the files and submissions the registry loads, each into its own named graph,
described with PROV in the provenance graph."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath

import pyoxigraph as ox

from registry import TOOL
from registry.errors import UsageError
from registry.i18n import Msg, msg, shown
from registry.namespaces import OGP
from registry.uris import Uris, slugify

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_ENTITY = ox.NamedNode("http://www.w3.org/ns/prov#Entity")
PROV_GENERATED = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
XSD = "http://www.w3.org/2001/XMLSchema#"
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def N(term: str) -> ox.NamedNode:  # noqa: N802 - reads like a constructor
    return ox.NamedNode(str(term))


@dataclass(frozen=True)
class SourceFile:
    """Bytes to load, with the name they came under and the source id they replace."""

    name: str
    data: bytes
    source_id: str
    format: str | None = None

    def __post_init__(self) -> None:
        check_source_id(self.source_id)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def take_parsed(self) -> list[ox.Triple] | None:
        """The statements ``data`` holds, already parsed by whoever wrote ``data`` (e.g. a
        submission's builder, which serialises its own triples), handed over once, so that
        the registry need not parse ``data`` again; ``None``: parse ``data``. Such triples
        have no blank nodes (a parser would rename them) and no named graphs."""
        return None

    def place(self, focus: str, path: str) -> Msg | None:
        """Where in the file the value ``path`` of ``focus`` is written, for a message that
        names it (a submission: its sheet, row and column); ``None``: the file's name says
        it (an RDF file's line is found in ``data``)."""
        return None


#: the longest file name the registry keeps (provenance, pages, the audit log)
MAX_FILE_NAME = 200


def sent_file_name(raw: str, *, strip: bool = False) -> str | None:
    """The name of a file sent over HTTP as the registry keeps it: the last segment of the path
    a client sent (``/`` or ``\\``), without surrounding spaces. None when there is no such
    name, when it is longer than :data:`MAX_FILE_NAME`, or when it holds a character a page or
    a terminal would not show as itself (a control character, a bidirectional override:
    :func:`registry.i18n.shown`); with ``strip``, such characters are left out instead and a
    long name keeps its last :data:`MAX_FILE_NAME` characters (the extension says the format).
    The submissions API refuses a name that gives None, the Graph Store names the file after
    the graph store, the browser's upload strips (a browser sends what the file system allows)."""
    name = PurePath(raw.replace("\\", "/")).name
    if strip:
        name = "".join(c for c in name if shown(c, one_line=True) == c).strip()[-MAX_FILE_NAME:]
    else:
        name = name.strip()
        if len(name) > MAX_FILE_NAME or shown(name, one_line=True) != name:
            return None
    return name or None


def source_id_for(name: str, explicit: str | None = None) -> str:
    """The source id: ``explicit`` or the file's base name without extension, slugified.

    Loading a file with the same source id again replaces that source's graph."""
    raw = explicit if explicit is not None else PurePath(name).stem
    try:
        sid = slugify(raw) if explicit is None else raw
    except ValueError:
        sid = ""
    return check_source_id(sid, shown=raw)


def check_source_id(sid: str, *, shown: str | None = None) -> str:
    """Refuse a source id that could escape its graph IRI (``/``, ``..`` at the start, upper
    case, spaces): every source id is checked, whoever builds the :class:`SourceFile`."""
    raw = sid if shown is None else shown
    if not _SOURCE_ID.match(sid):
        raise UsageError(
            msg(
                "Invalid source id {sid!r}: use lower-case a–z, digits, '.', '_' and '-' "
                "(at most 100 characters), for example --source kmd-commitments-2019.",
                sid=raw,
            )
        )
    return sid


@dataclass(frozen=True)
class Provenance:
    """Who loaded which file into which graph, when, with what tool."""

    graph: str
    source_id: str
    file_name: str
    sha256: str
    loaded_by: str
    triple_count: int
    submitted_by: str | None = None
    generated_at: datetime | None = None
    tool: str = TOOL

    def quads(self, uris: Uris) -> list[ox.Quad]:
        g = N(self.graph)
        pg = N(uris.provenance_graph)
        when = (self.generated_at or datetime.now(UTC)).replace(microsecond=0)
        quads = [
            ox.Quad(g, RDF_TYPE, N(OGP.Source), pg),
            ox.Quad(g, RDF_TYPE, PROV_ENTITY, pg),
            ox.Quad(g, N(OGP.sourceId), ox.Literal(self.source_id), pg),
            ox.Quad(g, N(OGP.fileName), ox.Literal(PurePath(self.file_name).name), pg),
            ox.Quad(g, N(OGP.sha256), ox.Literal(self.sha256), pg),
            ox.Quad(
                g,
                PROV_GENERATED,
                ox.Literal(when.isoformat(), datatype=N(XSD + "dateTime")),
                pg,
            ),
            ox.Quad(g, N(OGP.loadedBy), ox.Literal(self.loaded_by), pg),
            ox.Quad(g, N(OGP.toolVersion), ox.Literal(self.tool), pg),
            ox.Quad(
                g,
                N(OGP.tripleCount),
                ox.Literal(str(self.triple_count), datatype=N(XSD + "integer")),
                pg,
            ),
        ]
        if self.submitted_by:
            quads.append(ox.Quad(g, N(OGP.submittedBy), N(self.submitted_by), pg))
        return quads

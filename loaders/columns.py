"""Columns of submissions, generated from the SHACL shapes.

Each submission kind has one or more sheets (a workbook sheet, a CSV file, a JSON array); each
sheet has columns. Which property a column fills is declared in ``loaders/specs.py``
(:data:`SPECS`); everything a
person reads about the column comes from the shapes: the header (``sh:name``, bokmål and
English), the description (``sh:description``), whether it is required (``sh:minCount`` /
``sh:qualifiedMinCount``), and the allowed values (``sh:in``, labelled from the value sets in
``ontology/``). A column whose property has no shape (e.g. ``dct:dateSubmitted``) declares its
texts in the table. These texts are data (the headers are how a file is read); the hints on how
to write a value (:meth:`Column.format_hint`) are messages, translated through the catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from loaders.specs import (
    _EN,
    _NB,
    _NN,
    KIND_ALIASES,
    KINDS,
    MULTI_SEPARATORS,
    ORG_ORGANIZATION,
    READ_ORDER,
    SHEET_KEYS,
    SPECS,
    ColumnSpec,
)
from registry.i18n import Lang, Msg, msg
from registry.namespaces import OGPSH
from registry.validation.shacl import shapes_graph


@dataclass(frozen=True)
class Concept:
    """One allowed value of a column: a concept of a value set or of the theme scheme."""

    iri: str
    code: str
    notation: str | None
    label_nb: str | None
    label_en: str | None
    #: read in a cell as the other two are; the templates offer the bokmål and English labels
    label_nn: str | None = None

    def label(self, lang: Lang) -> str:
        return (self.label_en if lang == "en" else self.label_nb) or self.label_nb or self.code


@dataclass(frozen=True)
class Column:
    """A column with everything the shapes say about it."""

    spec: ColumnSpec
    header_nb: str
    header_en: str
    description_nb: str
    description_en: str
    required: bool
    allowed: tuple[Concept, ...] = ()
    message_nb: str = ""
    message_en: str = ""
    message_nn: str = ""

    @property
    def key(self) -> str:
        return self.spec.key

    def header(self, lang: Lang) -> str:
        return self.header_en if lang == "en" else self.header_nb

    def description(self, lang: Lang) -> str:
        return self.description_en if lang == "en" else self.description_nb

    @property
    def heading(self) -> Msg:
        """The header in each language (from the shapes: data, shown as given)."""
        return Msg.texts(nb=self.header_nb, en=self.header_en)

    @property
    def message(self) -> Msg:
        """The shape's ``sh:message`` in each language (data, shown as given)."""
        texts = {"nb": self.message_nb, "en": self.message_en}
        if self.message_nn:
            texts["nn"] = self.message_nn
        return Msg.texts(**texts)

    def format_hint(self) -> Msg:
        """How to write a value, for templates and error messages."""
        k = self.spec.kind
        if k == "date":
            if self.spec.precisions == ("day",):
                return msg("a date, e.g. 2019-07-01 or 01.07.2019")
            return msg("2019-07-01, 01.07.2019, 2019-07, 07.2019 or 2019")
        if k == "concept":
            return msg("one of: {values}", values=labels(self.allowed, ", "))
        if k == "policyarea":
            return msg("OGP's policy-area tags as OGP writes them, e.g. Open Data; E-Government")
        if k == "org":
            return msg("organisation number or name in the organisation register")
        if k == "commitment-id":
            return msg("letters, digits, hyphens, e.g. NO0054 or 2023-2027-03")
        if k == "ogpid":
            return msg("NO and four digits, e.g. NO0054")
        if k == "count":
            return msg("a whole number, or the source's words")
        if k == "plan":
            return msg("the action plan's ID, e.g. 2019-2021")
        if k in ("commitment", "commented"):
            return msg("the commitment's ID, e.g. NO0054 or 2023-2027-03")
        if k in ("id", "position"):
            return msg("an identifier, e.g. 2018-tin-01") if k == "id" else msg("a whole number")
        if k == "integer":
            return msg("a whole number")
        if k == "boolean":
            return msg("yes or no")
        if k == "url":
            return msg("a link, e.g. https://www.regjeringen.no/...")
        if k == "orgnr":
            return msg("nine digits")
        return msg("text")


def labels(allowed: Iterable[Concept], separator: str) -> Msg:
    """The labels of ``allowed`` joined by ``separator``, in each language (the value sets'
    ``skos:prefLabel``: data, shown as given)."""
    items = list(allowed)
    return Msg.texts(
        nb=separator.join(c.label("nb") for c in items),
        en=separator.join(c.label("en") for c in items),
    )


_COLUMNS: dict[str, dict[str, Column]] = {}


@dataclass(frozen=True)
class Sheet:
    """One kind of row: a workbook sheet, a CSV file or a JSON array."""

    key: str
    name_nb: str
    name_en: str
    cls: URIRef
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_nb

    @property
    def title(self) -> Msg:
        """The sheet's name in each language (the names the loader recognises: data)."""
        return Msg.texts(nb=self.name_nb, en=self.name_en)

    def column(self, key: str) -> Column:
        by_key = _COLUMNS.get(self.key)
        if by_key is None:
            by_key = _COLUMNS[self.key] = {c.key: c for c in self.columns}
        return by_key[key]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


def _pick(values: Iterable[object], lang: str) -> str | None:
    for v in values:
        if isinstance(v, Literal) and v.language == lang:
            return str(v)
    return None


@lru_cache(maxsize=1)
def concepts() -> dict[str, Concept]:
    """Every concept of the value sets and the theme scheme, by IRI."""
    from ontology import ontology_files

    store = ox.Store()
    files = ontology_files()
    for key in ("themes", "values"):
        store.load(files[key].read_bytes(), format=ox.RdfFormat.TURTLE)
    out: dict[str, Concept] = {}
    result = store.query(
        "SELECT ?c ?n ?nb ?en ?nn WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> "
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#notation> ?n } "
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?nb "
        'FILTER(lang(?nb) = "nb") } '
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?en "
        'FILTER(lang(?en) = "en") } '
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?nn "
        'FILTER(lang(?nn) = "nn") } }'
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        iri = str(row["c"].value)
        n, nb, en, nn = row["n"], row["nb"], row["en"], row["nn"]
        out[iri] = Concept(
            iri=iri,
            code=iri.rstrip("/").rsplit("/", 1)[-1],
            notation=n.value if n is not None else None,
            label_nb=nb.value if nb is not None else None,
            label_en=en.value if en is not None else None,
            label_nn=nn.value if nn is not None else None,
        )
    return out


def _resolve(sheet_key: str, spec: ColumnSpec, shapes: Graph) -> Column:
    shape = OGPSH[spec.shape] if spec.shape else None
    names = list(shapes.objects(shape, SH.name)) if shape is not None else []
    descs = list(shapes.objects(shape, SH.description)) if shape is not None else []
    nb = _pick(names, "nb") or (spec.name[0] if spec.name else spec.key)
    en = _pick(names, "en") or (spec.name[1] if spec.name else spec.key)
    if spec.name and shape is not None:
        nb, en = spec.name
    if spec.suffix:
        nb, en = f"{nb} {spec.suffix[0]}", f"{en} {spec.suffix[1]}"
    elif (spec.lang and spec.kind == "text" and spec.name is None
          and not (spec.shape or "").endswith(("-nb", "-en"))):
        words = {"nb": _NB, "nn": _NN}.get(spec.lang, _EN)
        nb, en = f"{nb} ({words[0]})", f"{en} ({words[1]})"
    d_nb = _pick(descs, "nb") or (spec.description[0] if spec.description else "")
    d_en = _pick(descs, "en") or (spec.description[1] if spec.description else "")
    if spec.description and shape is not None:
        d_nb, d_en = spec.description
    required = spec.required
    if required is None:
        required = False
        if shape is not None:
            for p in (SH.minCount, SH.qualifiedMinCount):
                v = shapes.value(shape, p)
                if isinstance(v, Literal) and int(v) >= 1:
                    severity = shapes.value(shape, SH.severity)
                    required = severity in (None, SH.Violation)
    allowed: tuple[Concept, ...] = ()
    if shape is not None:
        lst = shapes.value(shape, SH["in"])
        if lst is not None:
            known = concepts()
            allowed = tuple(
                known.get(str(i)) or Concept(str(i), str(i).rsplit("/", 1)[-1], None, None, None)
                for i in Collection(shapes, lst)
            )
    msgs = list(shapes.objects(shape, SH.message)) if shape is not None else []
    return Column(
        spec=spec,
        header_nb=nb,
        header_en=en,
        description_nb=d_nb,
        description_en=d_en,
        required=required,
        allowed=allowed,
        message_nb=_pick(msgs, "nb") or "",
        message_en=_pick(msgs, "en") or "",
        message_nn=_pick(msgs, "nn") or "",
    )


@cache
def sheet(key: str) -> Sheet:
    """The sheet ``key`` with its columns resolved from the shapes."""
    name_nb, name_en, cls, specs = SPECS[key]
    shapes = shapes_graph()
    return Sheet(key, name_nb, name_en, cls, tuple(_resolve(key, s, shapes) for s in specs))


def sheets_of(kind: str) -> list[Sheet]:
    return [sheet(k) for k in KINDS[kind]]


def kind_of_sheet(key: str) -> str:
    """The kind a sheet on its own is (a plans sheet alone: a plans submission)."""
    return kind_of_sheets([key])


def kind_of_sheets(keys: Iterable[str]) -> str:
    """The kind of a submission with these sheets: the kind with the fewest sheets that has
    them all (plans and commitments together: commitments). Raises KeyError when no kind has
    them all."""
    wanted = set(keys)
    fits = [k for k, ks in KINDS.items() if wanted <= set(ks)]
    if not fits:
        raise KeyError(", ".join(sorted(wanted)))
    return min(fits, key=lambda k: len(KINDS[k]))


def normalise_kind(value: str) -> str | None:
    v = value.strip().lower()
    if v in KINDS:
        return v
    return KIND_ALIASES.get(v)


def shape_message(shape_local: str, lang: str, **values: str) -> str:
    """The ``sh:message`` of a shape or SPARQL constraint, with ``{?var}`` filled in."""
    shapes = shapes_graph()
    text = _pick(shapes.objects(OGPSH[shape_local], SH.message), lang) or ""
    for k, v in values.items():
        text = text.replace("{?" + k + "}", v).replace("{$" + k + "}", v)
    return text


def norm(text: str) -> str:
    """Normal form for matching headers and labels: case-folded, single spaces, no '*'."""
    t = text.replace("\u00a0", " ").strip().rstrip("*").strip()
    return re.sub(r"\s+", " ", t).casefold()


def norm_code(text: str) -> str:
    """Like :func:`norm`, also treating '-', '_' and spaces alike (``not-started``)."""
    return re.sub(r"[\s_\-]+", " ", norm(text)).strip()


def rdf_type_of(sheet_key: str) -> URIRef:
    return SPECS[sheet_key][2]


__all__ = [
    "KIND_ALIASES",
    "KINDS",
    "MULTI_SEPARATORS",
    "ORG_ORGANIZATION",
    "SPECS",
    "READ_ORDER",
    "SHEET_KEYS",
    "Column",
    "ColumnSpec",
    "Concept",
    "RDF",
    "Sheet",
    "concepts",
    "kind_of_sheet",
    "kind_of_sheets",
    "labels",
    "norm",
    "norm_code",
    "normalise_kind",
    "shape_message",
    "sheet",
    "sheets_of",
]

"""Organisations as sources name them: by any name the registry has for a body (bokmål,
nynorsk, English, abbreviation, a former name), ignoring case, a leading "The" or "Norwegian",
a parenthesised abbreviation and surrounding punctuation; the body valid in a given period
preferred; several bodies named in prose ("X and Y in cooperation with Z") found part by part.

Pure functions over :class:`Body` records, so the loaders (``loaders/build/refs.py``), the
organisation look-up of the command line (``registry/model/organisations.py``) and the build of
the bundled data (``scripts/build_bundled.py``) resolve names the same way. :func:`bodies`
reads the records from a registry.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from registry.handle import RegistryHandle

#: Words that join names in prose and are not part of a name (English and Norwegian).
_CONNECTORS = frozenset({"and", "og", "the", "of", "etc", "m.fl", "mfl", "with", "in", "med"})
#: Phrases that introduce supporting bodies after the lead ones.
_SUPPORT_MARKERS = re.compile(
    r"\b(?:in\s+co-?operation\s+with|in\s+collaboration\s+with|together\s+with|"
    r"supported\s+by|with\s+(?:the\s+)?support\s+(?:of|from)|i\s+samarbeid\s+med|"
    r"sammen\s+med|and\s+the\s+support\s+of)\b",
    re.IGNORECASE,
)
#: Values that say a source names nobody ("not available").
NONE_MARKERS = frozenset({"na", "n/a", "n.a.", "none", "ingen", "not specified", "ikke oppgitt"})
_APOSTROPHES = str.maketrans({"’": "'", "´": "'", "`": "'", "‘": "'", "–": "-", "—": "-"})
_EDGE = " \t\r\n.,;:·-–—/&"
_PAREN = re.compile(r"\(([^()]*)\)")
_WORD = re.compile(r"[^\W_]+(?:['.&-][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Name:
    """One name of a body, with the period it was valid where known (first and last possible
    day, ISO; None when the sources do not say)."""

    text: str
    start: str | None = None
    end: str | None = None
    former: bool = False


@dataclass(eq=False)
class Body:
    """An organisation: its IRI, its preferred (bokmål) name, every name, number and kind."""

    iri: str
    label: str
    names: list[Name] = field(default_factory=list)
    number: str | None = None
    kind: str | None = None  # the organisation kind's code (ministry, public-body, ...)

    @property
    def public(self) -> bool:
        return self.kind in ("ministry", "public-body")


@dataclass(frozen=True)
class Period:
    """A period to prefer bodies by: the first and last possible day (ISO), either unknown."""

    start: str | None = None
    end: str | None = None


@dataclass
class Found:
    """A body a text names: how (``exact``, ``normalised``: after dropping "The", an
    abbreviation in parentheses, punctuation; ``shortened``: the text is the first part of a
    longer name of exactly one body) and by which of its names."""

    body: Body
    how: str
    name: str


@dataclass
class Part:
    """A part of a cell written in prose: its text, whether it names a lead or a supporting
    body, the body it matched (None: not in the register), and a note in parentheses that
    followed it (a role, e.g. "general political responsibility")."""

    text: str
    role: str  # lead | support
    found: Found | None = None
    note: str | None = None


@dataclass
class Prose:
    """What a cell that names several bodies in prose says: its parts, in order."""

    parts: list[Part]

    @property
    def matched(self) -> list[Part]:
        return [p for p in self.parts if p.found is not None]

    @property
    def unmatched(self) -> list[Part]:
        return [p for p in self.parts if p.found is None]

    def bodies(self, role: str) -> list[Body]:
        out: list[Body] = []
        for p in self.parts:
            if p.found is not None and p.role == role and p.found.body not in out:
                out.append(p.found.body)
        return out


def key(text: str) -> str:
    """The form names are compared in: case-folded, one space, ’ as ', & as "and", no
    surrounding punctuation."""
    t = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).casefold()
    t = t.replace("&", " and ")
    t = re.sub(r"\s+", " ", t).strip(_EDGE).strip()
    return t


def _variants(text: str) -> list[str]:
    """The keys a name or a cell may match by: as written; without parenthesised parts; without
    a leading "the"/"norwegian" (English names of Norwegian bodies often drop them)."""
    out: list[str] = []
    base = key(text)
    stripped = key(_PAREN.sub(" ", text))
    for k in (base, stripped):
        for v in (k, re.sub(r"^the ", "", k)):
            for w in (v, re.sub(r"^norwegian ", "", v), re.sub(r"^norway'?s? ", "", v)):
                w = w.strip()
                if w and w not in out:
                    out.append(w)
    return out


def is_none(text: str) -> bool:
    """Whether a cell says that the source names nobody ("NA", "N/A", "Not Specified")."""
    return key(text) in NONE_MARKERS or text.strip().upper() in {"NA", "N/A"}


def _overlaps(name: Name, period: Period | None) -> bool:
    if period is None:
        return True
    if name.end is not None and period.start is not None and name.end < period.start:
        return False
    return not (name.start is not None and period.end is not None and name.start > period.end)


class OrgIndex:
    """Every name of every body, for look-ups by any of them."""

    def __init__(self, bodies: Iterable[Body]) -> None:
        self.bodies: dict[str, Body] = {}
        self._exact: dict[str, list[tuple[Body, Name]]] = {}
        self._loose: dict[str, list[tuple[Body, Name]]] = {}
        self._longest = 1
        for b in bodies:
            self.add(b)

    def add(self, body: Body) -> None:
        """Add (or replace) a body, e.g. one an organisations submission defines."""
        old = self.bodies.get(body.iri)
        if old is not None:
            for index in (self._exact, self._loose):
                for k in list(index):
                    index[k] = [(b, n) for b, n in index[k] if b.iri != body.iri]
        self.bodies[body.iri] = body
        for name in body.names:
            exact = key(name.text)
            if not exact:
                continue
            self._exact.setdefault(exact, []).append((body, name))
            self._longest = max(self._longest, len(exact.split()))
            for v in _variants(name.text):
                if v != exact:
                    self._loose.setdefault(v, []).append((body, name))
                self._longest = max(self._longest, len(v.split()))

    # -- one name -------------------------------------------------------------------------------
    def find(self, text: str, period: Period | None = None) -> list[Found]:
        """The bodies ``text`` names as a whole: one (found), several (ambiguous, even after
        preferring bodies whose name was valid in ``period``) or none."""
        for how, candidates in (("exact", self._exact.get(key(text), [])),
                                ("normalised", self._by_variants(text))):
            if candidates:
                return self._prefer(candidates, how, period)
        return self._shortened(text, period)

    def _by_variants(self, text: str) -> list[tuple[Body, Name]]:
        out: list[tuple[Body, Name]] = []
        for v in _variants(text):
            for index in (self._exact, self._loose):
                for hit in index.get(v, []):
                    if hit not in out:
                        out.append(hit)
            if out:
                return out
        # "Agency for Public Management and eGovernment (Difi)": the abbreviation alone
        inner = [key(m) for m in _PAREN.findall(text)]
        outer = key(_PAREN.sub(" ", text))
        for k in inner:
            hits = self._exact.get(k, [])
            bodies = {b.iri for b, _n in hits}
            if len(bodies) == 1 and (not outer or outer in _CONNECTORS):
                out.extend(hits)
        return out

    def _prefer(self, candidates: list[tuple[Body, Name]], how: str,
                period: Period | None) -> list[Found]:
        by_body: dict[str, tuple[Body, Name]] = {}
        for b, n in candidates:
            by_body.setdefault(b.iri, (b, n))
        if len(by_body) > 1 and period is not None:
            valid = {iri: bn for iri, bn in by_body.items()
                     if any(_overlaps(n, period) for b, n in candidates if b.iri == iri)}
            if valid:
                by_body = valid
        return [Found(b, how, n.text) for b, n in by_body.values()]

    def _shortened(self, text: str, period: Period | None) -> list[Found]:
        """"Ministry of Labour" for "Ministry of Labour and Social Affairs": the text is the
        first part of a longer name (up to " and " or a comma), and of one body's only."""
        k = key(_PAREN.sub(" ", text))
        k = re.sub(r"^the ", "", k)
        if len(k.split()) < 3:
            return []
        hits: list[tuple[Body, Name]] = []
        for name_key, entries in self._exact.items():
            for v in {name_key, re.sub(r"^the ", "", name_key)}:
                if v.startswith(k + " and ") or v.startswith(k + ","):
                    hits.extend(entries)
        bodies = {b.iri for b, _n in hits}
        if len(bodies) != 1:
            return []
        return [Found(b, "shortened", n.text) for b, n in hits[:1]]

    # -- prose ----------------------------------------------------------------------------------
    def scan(self, text: str, period: Period | None = None) -> Prose:
        """The bodies a cell names in prose, part by part: lead parts first, supporting parts
        after "in cooperation with" (and the like); what matches no name is a part of its
        own (found None); a parenthesised note after a matched name is its role."""
        clean = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES))
        m = _SUPPORT_MARKERS.search(clean)
        segments = [(clean, "lead")]
        if m is not None:
            lead, support = clean[: m.start()], clean[m.end():]
            segments = [(lead, "lead"), (support, "support")]
        parts: list[Part] = []
        for segment, role in segments:
            parts.extend(self._scan_segment(segment, role, period))
        return Prose(parts)

    def _scan_segment(self, text: str, role: str, period: Period | None) -> list[Part]:
        words = [(w.group(0), w.start(), w.end()) for w in _WORD.finditer(text)]
        parts: list[Part] = []
        i, gap_start = 0, 0
        while i < len(words):
            hit = self._longest_at(text, words, i, period)
            if hit is None:
                i += 1
                continue
            j, found = hit
            parts.extend(self._leftover(text[gap_start: words[i][1]], role))
            end = name_end = words[j][2]
            note = None
            after = re.match(r"\s*\(([^()]*)\)", text[end:])
            if after is not None and not re.match(r"\s*(?:and|og|with|med)\b", after.group(1),
                                                  re.IGNORECASE):
                inner = after.group(1)
                again = self.find(inner, period)
                if not again or again[0].body.iri == found.body.iri:
                    if again:  # the abbreviation or another name of the same body
                        name_end = end + after.end()
                    else:  # a role: "(general political responsibility)"
                        note = inner.strip()
                    end += after.end()
            parts.append(Part(text[words[i][1]: name_end].strip(_EDGE), role, found, note))
            gap_start = end
            while i < len(words) and words[i][1] < end:
                i += 1
        parts.extend(self._leftover(text[gap_start:], role))
        return parts

    def _longest_at(
        self, text: str, words: list[tuple[str, int, int]], i: int, period: Period | None
    ) -> tuple[int, Found] | None:
        last = min(len(words), i + self._longest + 2)
        for j in range(last - 1, i - 1, -1):
            span = text[words[i][1]: words[j][2]]
            k = key(span)
            if k in _CONNECTORS or (j == i and len(k) < 2):
                continue
            found = self._prefer(self._exact.get(k, []), "exact", period) or (
                self._prefer(self._loose.get(k, []), "normalised", period)
                if not k.startswith("the ") else []
            )
            if len(found) == 1:
                return j, found[0]
        return None

    @staticmethod
    def _leftover(text: str, role: str) -> list[Part]:
        """The unmatched pieces between matched names: split at , ; / and line breaks;
        connectors and empty pieces dropped."""
        out: list[Part] = []
        for piece in re.split(r"[,;/\n]+", text):
            p = piece.strip(_EDGE + " ")
            if p.startswith("(") and p.endswith(")"):
                p = p[1:-1].strip(_EDGE)
            p = re.sub(r"^(?:(?:and|og|the|of)\s+)+", "", p, flags=re.IGNORECASE).strip(_EDGE)
            p = re.sub(r"(?:\s+(?:and|og))+$", "", p, flags=re.IGNORECASE).strip(_EDGE)
            if p.count("(") > p.count(")"):
                p = p.rstrip("(").strip()
            p = p.strip(") ") if p.count(")") > p.count("(") else p
            if not p or key(p) in _CONNECTORS or not re.search(r"[^\W\d_]{2,}", p):
                continue
            out.append(Part(p, role))
        return out

    # -- suggestions ----------------------------------------------------------------------------
    def suggest(self, text: str, n: int = 3) -> list[tuple[Body, str]]:
        """Bodies with a name (any of them) close to ``text``, closest first, each with the
        name that is close."""
        k = key(_PAREN.sub(" ", text))
        k = re.sub(r"^the ", "", k)
        names: dict[str, tuple[Body, str]] = {}
        for name_key, entries in self._exact.items():
            for b, name in entries:
                names.setdefault(re.sub(r"^the ", "", name_key), (b, name.text))
        out: list[tuple[Body, str]] = []
        for c in difflib.get_close_matches(k, list(names), 8, 0.65):
            if all(names[c][0] is not b for b, _t in out):
                out.append(names[c])
        if not out and len(k) >= 4:
            for c, hit in names.items():
                if k in c and all(hit[0] is not b for b, _t in out):
                    out.append(hit)
        return out[:n]


# -- reading the register -------------------------------------------------------------------
_BODIES = """
SELECT ?org ?label ?rank ?number ?kind ?start ?end WHERE {
  ?org a org:Organization .
  {
    ?org skos:prefLabel ?label BIND(IF(lang(?label) = "nb", 0, 1) AS ?rank)
  } UNION {
    ?org skos:altLabel ?label BIND(2 AS ?rank)
  } UNION {
    ?org skos:hiddenLabel ?label BIND(3 AS ?rank)
  } UNION {
    ?org ogp:hasName ?n . ?n skos:prefLabel|skos:altLabel ?label BIND(4 AS ?rank)
    OPTIONAL { ?n schema:startDate ?start } OPTIONAL { ?n schema:endDate ?end }
  }
  OPTIONAL { ?org ogp:organisationNumber ?number }
  OPTIONAL { ?org ogp:organisationKind ?kind }
} ORDER BY ?org ?rank ?label"""


def _first_day(value: str) -> str:
    return (value + "-01-01")[:10]


def _last_day(value: str) -> str:
    return value + {4: "-12-31", 7: "-31"}.get(len(value), "")


def bodies(registry: RegistryHandle) -> list[Body]:
    """Every organisation of the registry with all its names (preferred, other, former, and
    the names over time with their validity)."""
    out: dict[str, Body] = {}
    seen: dict[str, dict[str, int]] = {}
    result = registry.query(_BODIES)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        iri = str(row["org"].value)
        label = str(row["label"].value)
        rank = int(str(row["rank"].value))
        body = out.get(iri)
        if body is None:
            body = out[iri] = Body(iri, label)
            seen[iri] = {}
        if row["number"] is not None:
            body.number = str(row["number"].value)
        if row["kind"] is not None:
            body.kind = str(row["kind"].value).rsplit("/", 1)[-1]
        start = _first_day(str(row["start"].value)) if row["start"] is not None else None
        end = _last_day(str(row["end"].value)) if row["end"] is not None else None
        name = Name(label, start, end, former=rank == 3)
        at = seen[iri].get(label)
        if at is None:
            seen[iri][label] = len(body.names)
            body.names.append(name)
        elif rank == 4 and (start or end):  # the validity of a name given on its own
            old = body.names[at]
            body.names[at] = Name(label, start, end, old.former)
    return list(out.values())


__all__ = [
    "NONE_MARKERS",
    "Body",
    "Found",
    "Name",
    "OrgIndex",
    "Part",
    "Period",
    "Prose",
    "bodies",
    "is_none",
    "key",
]

"""The catalogue's profiles, for W3C *Content Negotiation by Profile* (docs/dcat.md, "Profiles").

The same committed revision is published as two graphs:

- ``no2``: DCAT-AP-NO 2.0, the default, exactly what the national catalogue harvests today
  (``registry/publish/dcat_graph.py``);
- ``ap3``: DCAT-AP 3.0.1 and DCAT-AP-NO 3.0 (``registry/publish/dcat_graph3.py``): the action
  plans as a dataset series, the change feed as a second data service, byte sizes as
  ``xsd:nonNegativeInteger``, SHA-256 checksums and the recommended properties.

A client names a profile by its URI or by its token (:data:`PROFILES`), in an
``Accept-Profile`` header (:func:`parse_accept_profile`) or the ``_profile`` query parameter
(:func:`parse_profile_param`); :func:`choose` picks the profile to serve. Nothing here knows
HTTP; ``endpoint/catalog.py`` turns these into headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

#: DCAT-AP-NO 2.0: the address Digdir's metadata-quality service gives for version 2.0.
DCAT_AP_NO_2 = "https://data.norge.no/specification/dcat-ap-no/v2"
#: DCAT-AP-NO 3.0: the specification's own address, where Digdir publishes the current version.
DCAT_AP_NO_3 = "https://data.norge.no/specification/dcat-ap-no"
#: DCAT-AP 3.0.1: the release's address at SEMIC.
DCAT_AP_3 = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"

#: The graphs a revision is published as.
GRAPHS = ("no2", "ap3")

#: The PROF class a token mapping links to (W3C conneg-by-profile, "Token mappings").
PROF_PROFILE = "http://www.w3.org/ns/dx/prof/Profile"
#: The Alternate Representations Data Model: what a list of profiles conforms to.
ALTR = "http://www.w3.org/ns/dx/conneg/altr"


@dataclass(frozen=True)
class Profile:
    """A profile the catalogue can be served in."""

    token: str
    uri: str
    title: str
    graph: str  # one of GRAPHS

    @property
    def conforms_to(self) -> tuple[str, ...]:
        """Every profile the served graph conforms to (the ``Content-Profile`` header)."""
        return tuple(p.uri for p in PROFILES if p.graph == self.graph)


PROFILES: tuple[Profile, ...] = (
    Profile("dcat-ap-no-2", DCAT_AP_NO_2, "DCAT-AP-NO 2.0", "no2"),
    Profile("dcat-ap-no-3", DCAT_AP_NO_3, "DCAT-AP-NO 3.0", "ap3"),
    Profile("dcat-ap-3", DCAT_AP_3, "DCAT-AP 3.0.1", "ap3"),
)
DEFAULT = PROFILES[0]
TOKENS: tuple[str, ...] = tuple(p.token for p in PROFILES)
#: The reserved ``_profile`` value that asks for the list of profiles.
LIST_ALL = "all"

_BY_KEY: dict[str, Profile] = {
    **{p.token: p for p in PROFILES},
    **{p.uri: p for p in PROFILES},
}


def lookup(key: str) -> Profile | None:
    """The profile a token or URI names (a URI with or without its angle brackets)."""
    key = key.strip()
    if key.startswith("<") and key.endswith(">"):
        key = key[1:-1].strip()
    return _BY_KEY.get(key) or _BY_KEY.get(key.rstrip("/")) or _BY_KEY.get(key + "/")


_Q = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$", re.IGNORECASE)


def _split_outside_brackets(value: str) -> list[str]:
    """Split at commas that are not inside ``<…>`` (a URI may hold a comma)."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(value):
        if ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif ch == "," and not depth:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_accept_profile(headers: Sequence[str]) -> list[tuple[str, float]]:
    """The profiles an ``Accept-Profile`` header (one or more) names, best first.

    ``<uri>;q=0.5`` or a token, comma-separated; a missing or unreadable q-value is 1."""
    entries: list[tuple[str, float, int]] = []
    for header in headers:
        for part in _split_outside_brackets(header):
            if part.startswith("<") and ">" in part:
                end = part.index(">")
                name, params = part[: end + 1], part[end + 1 :]
            else:
                name, _, params = part.partition(";")
            q = 1.0
            for param in params.split(";"):
                m = _Q.match(param)
                if m:
                    try:
                        q = max(0.0, min(1.0, float(m.group(1))))
                    except ValueError:
                        q = 1.0
            entries.append((name.strip(), q, len(entries)))
    entries.sort(key=lambda e: (-e[1], e[2]))
    return [(name, q) for name, q, _ in entries if name]


def parse_profile_param(value: str) -> list[str]:
    """The profiles a ``_profile`` query parameter names, in the client's order of preference
    (tokens or ``<uri>``, comma-separated)."""
    return _split_outside_brackets(value)


def choose(preferences: Sequence[tuple[str, float]]) -> Profile | None:
    """The first profile the client accepts (q > 0) that the catalogue has; None when it names
    none of them."""
    for key, q in preferences:
        if q <= 0:
            continue
        found = lookup(key)
        if found is not None:
            return found
    return None


def representation_url(catalog: str, profile: Profile, media_type: str) -> str:
    """The QSA address of one representation: ``{catalog}?_profile=…&_mediatype=…``."""
    return f"{catalog}?_profile={profile.token}&_mediatype={media_type.replace('+', '%2B')}"


# -- list profiles (W3C conneg-by-profile, "list profiles") --------------------------------------
_ALTR_NS = ALTR + "#"
_PROF_NS = "http://www.w3.org/ns/dx/prof/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DCT = "http://purl.org/dc/terms/"
#: Prefixes for the list of profiles.
ALTERNATES_PREFIXES = {
    "altr": _ALTR_NS,
    "prof": _PROF_NS,
    "dct": _DCT,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def alternates(catalog: str, media_types: Sequence[str]) -> list[ox.Triple]:
    """The catalogue's representations in the Alternate Representations Data Model: one per
    profile and media type, each at its QSA address, with the profiles, their tokens and how
    they relate (DCAT-AP-NO 3 is a profile of DCAT-AP 3)."""
    out: set[ox.Triple] = set()

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        out.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    for p in PROFILES:
        add(p.uri, _RDF_TYPE, _PROF_NS + "Profile")
        add(p.uri, _RDF_TYPE, _DCT + "Standard")
        add(p.uri, _RDFS_LABEL, ox.Literal(p.title))
        add(p.uri, _PROF_NS + "hasToken", ox.Literal(p.token))
        for i, media_type in enumerate(media_types):
            rep = representation_url(catalog, p, media_type)
            add(catalog, _ALTR_NS + "hasRepresentation", rep)
            if p == DEFAULT and i == 0:
                add(catalog, _ALTR_NS + "hasDefaultRepresentation", rep)
            add(rep, _RDF_TYPE, _ALTR_NS + "Representation")
            add(rep, _DCT + "format", ox.Literal(media_type))
            for uri in p.conforms_to:
                add(rep, _DCT + "conformsTo", uri)
    add(DCAT_AP_NO_3, _PROF_NS + "isProfileOf", DCAT_AP_3)
    return sorted(out, key=str)


def alternates_json(catalog: str, media_types: Sequence[str]) -> dict[str, object]:
    """The same as a small JSON document (the shape of the specification's example)."""
    return {
        "resource": catalog,
        "default": {"token": DEFAULT.token, "uri": DEFAULT.uri, "media_type": media_types[0]},
        "profiles": [
            {
                "token": p.token,
                "uri": p.uri,
                "title": p.title,
                "conforms_to": list(p.conforms_to),
                "media_types": list(media_types),
                "representations": {mt: representation_url(catalog, p, mt) for mt in media_types},
            }
            for p in PROFILES
        ],
    }

"""OGP's policy areas as submissions name them, and the themes they map to.

* :func:`policy_area` finds the concept of ``vocab:policy-area`` a tag names: by OGP's English
  label, an older or newer spelling (``skos:altLabel``), the bokmål label or the code,
  case-insensitively, with "&" read as "and" and hyphens as spaces. A tag it does not find is
  kept by the loader as text (``ogp:policyAreaLabel``) and reported as a warning.
* :func:`policy_area_themes` maps a policy area to the themes of ``theme:scheme`` that the
  editors' mapping in ``ontology/themes.ttl`` gives it (``skos:closeMatch``, ``skos:exactMatch``
  or ``skos:narrowMatch`` from the theme to the policy area; ``skos:relatedMatch`` gives none).
  The same function derives the bundled plan's themes (``scripts/build_bundled.py``), so
  submissions and the bundled data are mapped alike.
"""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox

from registry.namespaces import THEME_NS, VOCAB_NS

POLICY_AREA_NS = VOCAB_NS + "policy-area/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
#: Mapping properties from a theme to a policy area that put the policy area under the theme.
DERIVING = (_SKOS + "closeMatch", _SKOS + "exactMatch", _SKOS + "narrowMatch")


def tag_key(text: str) -> str:
    """The form tags are compared in: case-folded, "&" as "and", hyphens, slashes and
    underscores as spaces, one space."""
    t = text.casefold().replace("&", " and ")
    t = re.sub(r"[\s_\-/]+", " ", t)
    return t.strip(" .,;")


@cache
def _graph() -> ox.Store:
    from ontology import ontology_files

    store = ox.Store()
    files = ontology_files()
    for name in ("themes", "values"):
        store.load(files[name].read_bytes(), format=ox.RdfFormat.TURTLE)
    return store


@cache
def _index() -> dict[str, str]:
    """Tag key → policy-area IRI, from every label, alternative label and code."""
    out: dict[str, str] = {}
    result = _graph().query(
        "SELECT ?c ?l WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        f"<{VOCAB_NS}policy-area> . "
        "{ ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } UNION "
        "{ ?c <http://www.w3.org/2004/02/skos/core#altLabel> ?l } UNION "
        "{ ?c <http://www.w3.org/2004/02/skos/core#notation> ?l } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        out.setdefault(tag_key(str(row["l"].value)), str(row["c"].value))
    return out


@cache
def tag_names() -> tuple[str, ...]:
    """OGP's English labels of the known tags (older and newer), for "did you mean"."""
    result = _graph().query(
        "SELECT DISTINCT ?l WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        f"<{VOCAB_NS}policy-area> . "
        "{ ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } UNION "
        "{ ?c <http://www.w3.org/2004/02/skos/core#altLabel> ?l } "
        'FILTER(lang(?l) = "en") } ORDER BY ?l'
    )
    assert isinstance(result, ox.QuerySolutions)
    return tuple(str(row["l"].value) for row in result)


def policy_area(text: str) -> str | None:
    """The IRI of the policy area ``text`` names, or None when the registry does not know it."""
    t = text.strip()
    if t.startswith(POLICY_AREA_NS):
        t = t[len(POLICY_AREA_NS):]
    return _index().get(tag_key(t))


@cache
def _mapping() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for prop in DERIVING:
        for q in _graph().quads_for_pattern(None, ox.NamedNode(prop), None, None):
            s, o = q.subject, q.object
            if not (isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)):
                continue
            for theme, area in ((s.value, o.value), (o.value, s.value)):
                if theme.startswith(THEME_NS) and area.startswith(POLICY_AREA_NS):
                    if prop.endswith("narrowMatch") and not s.value.startswith(THEME_NS):
                        continue  # pa narrowMatch theme: the theme is narrower; no theme
                    found = out.setdefault(area, [])
                    if theme not in found:
                        found.append(theme)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def policy_area_themes(area_iri: str) -> tuple[str, ...]:
    """The themes a commitment tagged with ``area_iri`` falls under (possibly none)."""
    return _mapping().get(area_iri, ())


def unmapped_policy_areas() -> list[str]:
    """The policy areas no theme is mapped to (for the editors)."""
    return sorted(set(_index().values()) - set(_mapping()))


__all__ = [
    "POLICY_AREA_NS",
    "policy_area",
    "policy_area_themes",
    "tag_key",
    "tag_names",
    "unmapped_policy_areas",
]

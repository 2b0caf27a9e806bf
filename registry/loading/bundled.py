"""The bundled sources: the vocabularies and the real data: the organisations, Norway's five
action plans, the commitments of the 2019–2021 plan with the IRM's ratings, and the 2018
consultation (registry/data/*.ttl, built by scripts/build_bundled.py), which
:meth:`registry.service.Registry.init` loads in one commit; then the commitments of every plan as
OGP publishes them, in the registry's own commitments template (registry/data/ogp-commitments/,
written by scripts/ogp_commitments.py), which the loaders read and load through the submission
path like any ministry's spreadsheet (``loaders/bundled.py``: ``ogpreg init``), and what those
commitments' pages say beyond the template (:data:`AFTER_SUBMISSIONS`)."""

from __future__ import annotations

from importlib.resources import files

from registry.loading.sources import SourceFile

#: Vocabulary sources: source id -> (package, file name); each goes into graph/vocabulary/<name>.
_VOCABULARIES: dict[str, tuple[str, str]] = {
    "vocabulary-ontology": ("ontology", "ogp.ttl"),
    "vocabulary-themes": ("ontology", "themes.ttl"),
    "vocabulary-values": ("ontology", "values.ttl"),
    "vocabulary-shapes": ("shapes", "ogp-shapes.ttl"),
}

#: Bundled data sources, in load order; each goes into graph/source/<id>.
DATA_SOURCES: tuple[str, ...] = (
    "bundled-organisations",
    "bundled-plans",
    "bundled-plan-2019-2021",
    "bundled-irm-2019-2021",
    "bundled-consultation-2018",
    "bundled-editorial",
)


#: Bundled submissions: the source id of each plan's commitments as OGP publishes them, and its
#: file in the commitments template (registry/data/ogp-commitments/), in load order.
SUBMISSIONS: dict[str, str] = {
    f"bundled-ogp-{plan}": f"ogp-commitments/{plan}.csv"
    for plan in ("2012-2013", "2013-2015", "2016-2018", "2019-2021", "2023-2027")
}
#: Submissions checked at every init but not written: their commitments are bundled already
#: (``bundled-plan-2019-2021``), and one commitment described twice would count twice
#: (scripts/ogp_commitments.py, choice 1).
CHECKED_ONLY: frozenset[str] = frozenset({"bundled-ogp-2019-2021"})
#: Bundled Turtle about the submissions' items, loaded after them: each row's notes and its IRM
#: fields as IRM assessments (scripts/ogp_commitments.py).
AFTER_SUBMISSIONS: tuple[str, ...] = ("bundled-ogp-notes",)


def is_vocabulary(source_id: str) -> bool:
    return source_id in _VOCABULARIES


def vocabulary_name(source_id: str) -> str:
    return source_id.removeprefix("vocabulary-")


def vocabulary_sources() -> list[SourceFile]:
    out = []
    for sid, (package, name) in _VOCABULARIES.items():
        data = files(package).joinpath(name).read_bytes()
        out.append(SourceFile(name=f"{package}/{name}", data=data, source_id=sid))
    return out


def data_sources(ids: tuple[str, ...] = DATA_SOURCES) -> list[SourceFile]:
    """The bundled Turtle sources ``ids`` (default: those :meth:`Registry.init` loads)."""
    base = files("registry").joinpath("data")
    return [
        SourceFile(
            name=f"registry/data/{sid}.ttl",
            data=base.joinpath(f"{sid}.ttl").read_bytes(),
            source_id=sid,
        )
        for sid in ids
    ]


def submission_file(source_id: str) -> tuple[str, bytes]:
    """The name and bytes of the bundled submission ``source_id`` (:data:`SUBMISSIONS`)."""
    name = SUBMISSIONS[source_id]
    return f"registry/data/{name}", files("registry").joinpath("data", name).read_bytes()

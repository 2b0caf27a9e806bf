"""The bundled sources: the vocabularies and the real data of the 2018 consultation and the
2019–2021 plan (see registry/data/*.ttl and scripts/build_bundled.py)."""

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
    "bundled-plan-2019-2021",
    "bundled-consultation-2018",
    "bundled-editorial",
)


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


def data_sources() -> list[SourceFile]:
    base = files("registry").joinpath("data")
    return [
        SourceFile(
            name=f"registry/data/{sid}.ttl",
            data=base.joinpath(f"{sid}.ttl").read_bytes(),
            source_id=sid,
        )
        for sid in DATA_SOURCES
    ]

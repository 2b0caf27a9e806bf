"""The synthetic data generator of the benchmarks: deterministic, visibly invented, and
conforming to the shapes through the registry's own validation and load paths."""

from __future__ import annotations

import io
import re
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bulkload import build_store  # noqa: E402
from benchmarks.generate import (  # noqa: E402
    check_digit,
    generate,
    generate_file,
    manifest_path,
)
from registry.errors import ValidationFailed  # noqa: E402
from registry.loading.sources import SourceFile  # noqa: E402
from registry.namespaces import OGP  # noqa: E402
from registry.service import Registry  # noqa: E402
from tests.conftest import BASE  # noqa: E402

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


def _nquads(commitments: int, seed: int) -> str:
    out = io.StringIO()
    generate(commitments, seed, out, base_uri=BASE)
    return out.getvalue()


def _dataset(text: str) -> ox.Store:
    store = ox.Store()
    store.load(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    a = _nquads(120, 42)
    assert a == _nquads(120, 42)
    assert a != _nquads(120, 43)


def test_output_is_visibly_synthetic_and_shaped_like_the_registry() -> None:
    text = _nquads(300, 42)
    store = _dataset(text)
    instances = Counter(
        q.object.value for q in store.quads_for_pattern(None, RDF_TYPE, None, None)
    )
    assert instances[str(OGP.Commitment)] == 300
    assert 4.5 <= instances[str(OGP.Milestone)] / 300 <= 5.5
    assert instances["http://www.w3.org/ns/org#Organization"] == 300
    for cls in ("ActionPlan", "Proposal", "Comment", "ProgressAssessment",
                "ConsultationMeeting"):
        assert instances[str(getattr(OGP, cls))] > 0, cls

    # every title of an invented thing says it is synthetic, in its own language
    for q in store.quads_for_pattern(None, TITLE, None, None):
        lit = q.object
        assert isinstance(lit, ox.Literal) and lit.language in ("nb", "en")
        word = "Syntetisk" if lit.language == "nb" else "Synthetic"
        assert word in lit.value, lit.value
    assert re.search("[æøå]", text) and re.search("[ÆØÅ]", text)

    # organisations: invented names, an editorial note, numbers valid under mod 11 that start
    # with 1 (real ones start with 8 or 9) and register links to their own number
    for org in store.quads_for_pattern(
        None, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/org#Organization"), None
    ):
        s = org.subject
        labels = [q.object.value for q in store.quads_for_pattern(s, PREF_LABEL, None, None)]
        assert labels and all(re.search("syntetisk|synthetic", label.lower()) for label in labels)
        notes = list(store.quads_for_pattern(s, ox.NamedNode(OGP.editorialNote), None, None))
        assert {n.object.language for n in notes} == {"nb", "en"}  # type: ignore[union-attr]
        for n in store.quads_for_pattern(s, ox.NamedNode(OGP.organisationNumber), None, None):
            number = n.object.value
            assert re.fullmatch(r"1[0-9]{8}", number)
            assert check_digit(number[:8]) == int(number[8])

    # commitment ids are numbered from 5001 per country, far above real OGP ids
    for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(OGP.Commitment), None):
        ident = q.subject.value.rsplit("/", 1)[1]  # type: ignore[union-attr]
        assert re.fullmatch(r"[A-Z]{2}[5-7][0-9]{3}", ident)

    # one named graph per synthetic source, under the registry's source graphs
    graphs = {g.value for g in store.named_graphs()}  # type: ignore[union-attr]
    assert all(g.startswith(BASE + "graph/source/synthetic-") for g in graphs)
    assert BASE + "graph/source/synthetic-organisations" in graphs
    assert len(graphs) > 10


def test_mod11_check_digit_matches_real_numbers() -> None:
    # public organisation numbers of the bundled data (Kommunal- og moderniseringsdep.,
    # Arbeids- og sosialdep.)
    assert check_digit("97241785") == 8
    assert check_digit("98388745") == 7


def test_200_commitment_sample_conforms_to_the_shapes(registry: Registry) -> None:
    """A 200-commitment sample validated as one submission through Registry.validate: no
    violation; the only warning is the merge of its named graphs into one source graph."""
    report = registry.validate(
        [SourceFile("sample.nq", _nquads(200, 42).encode("utf-8"), "synthetic-sample")]
    )
    assert report.conforms, report.render("en")
    assert all(i.severity == "warning" for i in report.issues)


def test_validation_of_a_sample_can_fail(registry: Registry) -> None:
    """The check above is real: one completion level outside the value set is a violation."""
    text = _nquads(25, 7)
    assert "vocab/completion/limited" in text
    bad = text.replace("vocab/completion/limited", "vocab/completion/halfway", 1)
    with pytest.raises(ValidationFailed) as failed:
        registry.validate([SourceFile("bad.nq", bad.encode("utf-8"), "synthetic-sample")])
    assert any("halfway" in (i.value or "") for i in failed.value.report.violations)


def test_split_sources_load_one_by_one_like_submissions(
    registry: Registry, tmp_path: Path
) -> None:
    """The organisations and then one plan's three sources (plan, consultation, follow-up),
    each loaded on its own through Registry.load, validating against what came before."""
    split = tmp_path / "split"
    result = generate_file(8, 42, tmp_path / "s.nq", base_uri=BASE, split_dir=split)
    plan_ids = [s.source_id for s in result.sources if s.source_id.endswith("-plan")]
    first = next(
        p for p in plan_ids
        if (split / f"{p}.nt").read_text("utf-8").count(str(OGP.Commitment)) > 0
    )
    stem = first.removesuffix("-plan")
    order = ["synthetic-organisations", f"{stem}-plan", f"{stem}-consultation",
             f"{stem}-follow-up"]
    for sid in order:
        path = split / f"{sid}.nt"
        (loaded,) = registry.load([SourceFile(path.name, path.read_bytes(), sid)])
        summary = next(s for s in result.sources if s.source_id == sid)
        assert loaded.graph == summary.graph
        assert loaded.triples == summary.triples


def test_bulk_load_builds_a_registry_with_provenance(tmp_path: Path) -> None:
    data = tmp_path / "s.nq"
    generated = generate_file(40, 42, data, base_uri=BASE)
    assert manifest_path(data).is_file()
    registry, _, loaded = build_store(tmp_path / "store", 40, 42, base_uri=BASE, data=data,
                                      log=False)
    assert loaded.revision == 2  # the initialisation, then one commit for the whole load
    reader = registry.store.reader()
    prov = ox.NamedNode(registry.uris.provenance_graph)
    for src in generated.sources:
        g = ox.NamedNode(src.graph)
        assert sum(1 for _ in reader.quads_for_pattern(None, None, None, g)) == src.triples
        (count,) = reader.quads_for_pattern(g, ox.NamedNode(OGP.tripleCount), None, prov)
        assert int(count.object.value) == src.triples
    bundled = ox.NamedNode(registry.uris.source_graph("bundled-plan-2019-2021"))
    real = sum(1 for _ in reader.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(OGP.Commitment),
                                                   bundled))
    stats = dict(registry.stats().classes)
    assert real > 0 and stats[str(OGP.Commitment)] == 40 + real
    answer = registry.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a ogp:Commitment ; dct:title ?t "
        'FILTER(STRSTARTS(?t, "Syntetisk forpliktelse")) }'
    )
    assert isinstance(answer, ox.QuerySolutions)
    assert int(next(iter(answer))["n"].value) == 40

"""What a commit derives from its revision (issue 24): the pages' digest (labels, types, the
search index, each plan's dashboard numbers: registry/model/digest.py, planagg.py) and the
DCAT catalogue (registry/publish/materialise.py). Each must equal what is built from scratch
from the same revision, after every commit of a sequence that adds, changes and removes
statements in several graphs (the digest is updated incrementally by the commit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from registry.access.graphstore import apply_update, delete_graph
from registry.erase import erase
from registry.lifecycle.change import set_status
from registry.loading.sources import SourceFile
from registry.model import digest
from registry.publish import materialise
from registry.publish.dcat import FEED_FORMATS, build_catalogue
from registry.publish.dcat_profiles import GRAPHS
from registry.service import Registry
from registry.store.embedded import EmbeddedStore
from tests.conftest import BASE
from tests.test_lifecycle import actors

PAGES = Path(__file__).parent / "fixtures" / "pages"
STORY = (PAGES / "commitment-story.ttl").read_text("utf-8")
PLAN = BASE + "id/plan/2019-2021"
NO9906 = BASE + "id/commitment/NO9906"
COMMENT = """# INVENTED EXAMPLE: a comment that never was.
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/comment/sider-9> a ogp:Comment ;
    ogp:commentOn <id/commitment/NO9906> ;
    ogp:commentBy <id/organisation/norsk-redaktorforening> ;
    dct:description "Enda en kommentar (oppdiktet kommentar)."@nb ;
    dct:date "2019-09-03"^^xsd:date .
"""


def _committed(reg: Registry) -> dict[str, Any]:
    rev = reg.store.revision()
    assert rev is not None
    path = digest.digest_path(reg.store, rev.number)
    assert path.name.startswith("gen-"), "the commit did not keep the digest"
    return digest.Digest(path, rev.number).snapshot()


def _from_scratch(reg: Registry, tmp: Path) -> dict[str, Any]:
    rev = reg.store.revision()
    assert rev is not None
    target = tmp / f"scratch-{rev.number}.sqlite"
    digest.build_file(reg.store.reader(), target, rev.number)
    return digest.Digest(target, rev.number).snapshot()


def _store(reg: Registry) -> EmbeddedStore:
    assert isinstance(reg.store, EmbeddedStore)
    return reg.store


def _generations(reg: Registry) -> list[str]:
    return sorted(p.name for p in (reg.store.path / digest.FOLDER).glob("gen-*.sqlite"))

BLANK_ASSESSMENT = f"""# INVENTED EXAMPLE: an assessment that never was, without an IRI.
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
[] a ogp:ProgressAssessment ;
    dct:identifier "no9906-blank" ;
    ogp:assesses <{NO9906}> ;
    ogp:assessedBy <{BASE}id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:assessmentDate "2024-03-01"^^xsd:date ;
    ogp:assessmentKind <https://w3id.org/ogp-no/vocab/assessment-kind/self-assessment> ;
    ogp:completion <https://w3id.org/ogp-no/vocab/completion/limited> .
"""


def _load(reg: Registry, text: str, sid: str = "story") -> None:
    reg.load([SourceFile(f"{sid}.ttl", text.encode("utf-8"), sid)])


def test_the_digest_each_commit_keeps_equals_one_built_from_scratch(
    registry: Registry, tmp_path: Path
) -> None:
    steps: list[tuple[str, Callable[[], object]]] = [
        ("a commitment, milestones, a proposal, comments", lambda: _load(registry, STORY)),
        (
            "a new title, another theme, a milestone moved to another year",
            lambda: _load(
                registry,
                STORY.replace("Offentlige journaler i alle kommuner", "Journaler på nett")
                .replace("theme:record-keeping ;\n    ogp:ogpValue",
                         "theme:public-procurement ;\n    ogp:ogpValue")
                .replace('"2019-12-31"^^xsd:date', '"2020-12-31"^^xsd:date'),
            ),
        ),
        ("a withdrawn commitment", lambda: _load(
            registry, (PAGES / "withdrawn.ttl").read_text("utf-8"), "withdrawn")),
        ("the comment on the commitment removed", lambda: _load(
            registry, STORY.split("# -- the commitment that came")[0].rsplit("<id/comment/sider-2>",
                                                                            1)[0]
            + "# -- the commitment that came" + STORY.split("# -- the commitment that came")[1])),
    ]
    for what, step in steps:
        step()
        assert _store(registry)._changed, what  # the pipeline named the graphs it changed
        assert _committed(registry) == _from_scratch(registry, tmp_path), what
    assert len(_generations(registry)) == 1  # one shared file, updated by every commit


def test_status_changes_and_graph_store_writes_update_the_digest_in_place(
    registry: Registry, tmp_path: Path
) -> None:
    _load(registry, STORY)
    _load(registry, COMMENT, "comment")
    generations = _generations(registry)
    assert len(generations) == 1
    who = actors(registry)
    story = registry.uris.source_graph("story")
    title = "http://purl.org/dc/terms/title"
    milestone = NO9906 + "/milestone/2"
    writes: list[tuple[str, Callable[[], object]]] = [
        ("a SPARQL update through the Graph Store (one graph and the shared ones)",
         lambda: apply_update(
             registry, who.admin.record,
             f"DELETE {{ GRAPH <{story}> {{ <{milestone}> <{title}> ?t }} }} "
             f"INSERT {{ GRAPH <{story}> {{ <{milestone}> <{title}> \"Nytt navn (oppdiktet)\"@nb }} }} "
             f"WHERE {{ GRAPH <{story}> {{ <{milestone}> <{title}> ?t }} }}")),
        ("a graph deleted through the Graph Store",
         lambda: delete_graph(registry, who.admin.record,
                              registry.uris.source_graph("comment"))),
        ("a status change (lifecycle and history graphs, by subject)",
         lambda: set_status(registry, who.admin.record, NO9906, "withdrawn",
                            reason="Test (oppdiktet)")),
    ]
    for what, write in writes:
        before = registry.store.revision()
        write()
        assert registry.store.revision() != before, what
        assert _store(registry)._changed is not None, what  # the writer said what changed
        assert _committed(registry) == _from_scratch(registry, tmp_path), what
        assert _generations(registry) == generations, what  # incremental, not rebuilt
    data = digest.open_digest(registry.store)
    assert data is not None
    plan = data.plan_data(PLAN)
    assert plan is not None
    assert NO9906 not in str(plan["participants"])  # withdrawn: not counted
    assert [h[0] for h in data.search("nytt navn", limit=5).rows] == [milestone]


def test_dashboard_numbers_agree_with_sparql(registry: Registry) -> None:
    """The digest's numbers of a plan against the same numbers asked of the store directly."""
    _load(registry, STORY)
    d = digest.open_digest(registry.store)
    assert d is not None
    data = d.plan_data(PLAN)
    assert data is not None

    def select(q: str) -> list[ox.QuerySolution]:
        r = registry.query(q)
        assert isinstance(r, ox.QuerySolutions)
        return list(r)

    active = "VALUES ?plan { <" + PLAN + """> }
      { ?c ogp:inActionPlan ?plan } UNION { ?plan ogp:hasCommitment ?c }
      FILTER NOT EXISTS { ?c ogp:registryStatus ?s
                          FILTER (?s IN (vocab:status\\/withdrawn, vocab:status\\/superseded)) }"""
    rows = select(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {active} }}")
    assert data["commitments"] == int(rows[0]["n"].value) > 0
    rows = select(
        f"SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {active} ?c ogp:theme ?t }} GROUP BY ?t"
    )
    assert data["themes"] == {r["t"].value: int(r["n"].value) for r in rows}
    rows = select(
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?c ?m WHERE {{ {active}
              {{ ?m ogp:ofCommitment ?c }} UNION {{ ?c ogp:hasMilestone ?m }} }} }}"""
    )
    assert data["milestones"] == int(rows[0]["n"].value) > 0
    rows = select(
        f"SELECT DISTINCT ?o WHERE {{ {active} ?c ogp:leadAgency ?o }}"
    )
    assert data["participants"]["lead"] == sorted(r["o"].value for r in rows)


def _assert_catalogue_as_built(registry: Registry, what: str) -> materialise.MaterialisedCatalogue:
    rev = registry.store.revision()
    assert rev is not None
    served = materialise.read(registry.store, rev)
    assert served is not None, f"{what}: the commit did not materialise the catalogue"
    built = build_catalogue(registry, rev, registry.store.reader())
    for graph in GRAPHS:
        for fmt in FEED_FORMATS:
            assert served.serialise(fmt, graph) == built.serialise(fmt, graph), (what, graph, fmt)
    assert sorted(served.files) == sorted(built.files), what
    for name, f in built.files.items():
        assert served.files[name].data == f.data, (what, name)
        assert served.files[name].media_type == f.media_type, (what, name)
    assert served.modified == built.modified, what
    assert [d.key for d in served.datasets] == [d.key for d in built.datasets], what
    publisher = materialise.MaterialisedPublisher(registry)
    assert publisher.current().serialise() == built.serialise(), what
    return served


def _reused_files(cat: materialise.MaterialisedCatalogue) -> set[str]:
    """The download files that are hard links to the previous revision's."""
    return {f.name for f in (cat.folder / "files").iterdir() if f.stat().st_nlink > 1}


def test_the_catalogue_after_incremental_commits_equals_the_one_built_from_scratch(
    registry: Registry,
) -> None:
    """Loads, a status change, Graph Store writes and an organisation's new name, each
    committed with only the touched datasets rebuilt: every graph in every format, every file,
    the dates, byte for byte what a build from scratch gives."""
    materialise.install(registry)
    _load(registry, STORY)  # the first catalogue of this registry: built from scratch
    _assert_catalogue_as_built(registry, "first")
    who = actors(registry)
    story = registry.uris.source_graph("story")
    title = "http://purl.org/dc/terms/title"
    milestone = NO9906 + "/milestone/2"
    kmd = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
    renamed = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f"<{kmd}> skos:altLabel \"KMD (oppdiktet kortnavn)\"@nb .\n"
    )
    note = (
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .\n"
        f"<{NO9906}> ogp:editorialNote \"Merknad (oppdiktet)\"@nb .\n"
    )
    steps: list[tuple[str, Callable[[], object]]] = [
        ("a comment changed", lambda: _load(
            registry, STORY.replace("(oppdiktet kommentar)", "(oppdiktet kommentar 2)"))),
        ("a comment added in a graph of its own", lambda: _load(registry, COMMENT, "comment")),
        ("a SPARQL update", lambda: apply_update(
            registry, who.admin.record,
            f"DELETE {{ GRAPH <{story}> {{ <{milestone}> <{title}> ?t }} }} "
            f"INSERT {{ GRAPH <{story}> {{ <{milestone}> <{title}> \"Nytt navn (oppdiktet)\"@nb }} }} "
            f"WHERE {{ GRAPH <{story}> {{ <{milestone}> <{title}> ?t }} }}")),
        ("a graph deleted", lambda: delete_graph(
            registry, who.admin.record, registry.uris.source_graph("comment"))),
        ("an organisation's statements", lambda: _load(registry, renamed, "kmd-name")),
        ("a note on the commitment in a graph of its own (no statement the digest keeps)",
         lambda: _load(registry, note, "note")),
        ("that graph deleted", lambda: delete_graph(
            registry, who.admin.record, registry.uris.source_graph("note"))),
        # the digest keeps no blank node: what it points to leads to the dataset it joins
        ("an assessment uploaded as a blank node, in a graph of its own", lambda: _load(
            registry, BLANK_ASSESSMENT, "blank")),
        ("the blank-node assessment changed", lambda: _load(
            registry, BLANK_ASSESSMENT.replace("completion/limited", "completion/substantial"),
            "blank")),
        ("the blank-node assessment removed", lambda: _load(
            registry, BLANK_ASSESSMENT.split("[]")[0], "blank")),
        ("a status change", lambda: set_status(
            registry, who.admin.record, NO9906, "withdrawn", reason="Test (oppdiktet)")),
    ]
    for what, step in steps:
        step()
        served = _assert_catalogue_as_built(registry, what)
        reused = _reused_files(served)
        assert "vocabularies.ttl" in reused, what  # untouched: linked, not written again
        if what != "an organisation's statements":
            assert "organisations.ttl" in reused, what
        assert "plan-2019-2021.ttl" not in reused, what  # the plan these changes are in


def test_an_erase_rebuilds_the_digest_without_the_erased_item(
    registry: Registry, tmp_path: Path
) -> None:
    _load(registry, STORY)
    who = actors(registry)
    erase(registry, who.admin.record, NO9906, "Feilregistrert (oppdiktet)", user="tester")
    committed = _committed(registry)
    assert committed == _from_scratch(registry, tmp_path)
    assert not [row for row in committed["facts"] if NO9906 in (row[1], row[3])]
    rev = registry.store.revision()
    assert rev is not None
    # the shared file of the revisions before the erase held the item: it is gone
    assert _generations(registry) == [f"gen-{rev.number:06d}.sqlite"]
    for f in (registry.store.path / digest.FOLDER).iterdir():
        assert NO9906.encode() not in f.read_bytes(), f.name

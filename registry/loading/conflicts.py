"""Why a value is one too many: the registry's other sources.

A shape that allows one value (``sh:maxCount 1``: a plan's end date; ``sh:uniqueLang``: a
commitment's title in a language) is checked on the submission together with what the rest of
the registry says about the same item (:func:`registry.loading.pipeline.validation_context`).
When the second value comes from another source — a ministry submitting a plan the registry
ships, with another end date, or a commitment of a bundled plan with another English title —
the shape's own words ("at most one end date", "set the right language tag") leave the person
guessing where the other one is. :func:`explain` says it: the value the registry already has,
the source that gives it, and what to do. A ``sh:uniqueLang`` result names no value; it gets
the submitted one, so that a loader can place it at the column of that language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from registry.i18n import N_, Msg, msg
from registry.namespaces import OGP
from registry.validation.report import Issue, ValidationReport

_SH = "http://www.w3.org/ns/shacl#"
_MAX_COUNT = _SH + "MaxCountConstraintComponent"
_UNIQUE_LANG = _SH + "UniqueLangConstraintComponent"
_TITLE = "http://purl.org/dc/terms/title"
_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
#: a language tag in words (msgids the pages use too)
_IN_LANGUAGE = {
    "nb": N_("in Norwegian Bokmål"),
    "nn": N_("in Norwegian Nynorsk"),
    "en": N_("in English"),
}


def explain(
    reader: ox.Store,
    base: str,
    report: ValidationReport,
    replaced: Iterable[str],
    submitted: Mapping[str, Iterable[ox.Quad]] | None = None,
) -> None:
    """Add to each ``sh:maxCount`` violation of ``report`` the values other sources (outside
    the ``replaced`` graphs) give for the same item and property, and which sources; and say
    of each ``sh:uniqueLang`` violation whose second value in a language comes from another
    source which value and source that is (``submitted``: each file's quads, by file name)."""
    replaced = set(replaced)
    sources = base + "graph/source/"
    unique: dict[tuple[str, str, str], list[Issue]] = {}
    for issue in report.violations:
        if not issue.path or not issue.focus:
            continue
        if not issue.focus.startswith(("http://", "https://")):
            continue
        if issue.constraint == _UNIQUE_LANG:
            unique.setdefault((issue.file or "", issue.focus, issue.path), []).append(issue)
            continue
        if issue.constraint != _MAX_COUNT:
            continue
        others = _others(reader, sources, replaced, issue.focus, issue.path)
        found = {source: {v.value for v in values} for source, values in others.items()}
        if not found:
            continue
        note = msg(
            "The registry already has {values} from the source {sources}, and a submission "
            "cannot replace another source's value: leave the cell empty to keep it, or ask the "
            "coordinating ministry to correct that source.",
            values=", ".join(sorted({v for vs in found.values() for v in vs})),
            sources=", ".join(sorted(found)),
        )
        issue.message_nb = f"{issue.message_nb} {note.render('nb')}"
        issue.message_nn = f"{issue.message_nn or issue.message_nb} {note.render('nn')}"
        issue.message_en = f"{issue.message_en} {note.render('en')}"
    by_file = {name: list(quads) for name, quads in (submitted or {}).items()}
    for (file, _focus, _path), issues in unique.items():
        _explain_languages(reader, base, issues, by_file.get(file, []), replaced)


def _others(
    reader: ox.Store, sources: str, replaced: set[str], focus: str, path: str
) -> dict[str, set[ox.Literal]]:
    """The values other sources give for ``focus`` and ``path``, by source id."""
    found: dict[str, set[ox.Literal]] = {}
    for q in reader.quads_for_pattern(ox.NamedNode(focus), ox.NamedNode(path), None, None):
        graph = getattr(q.graph_name, "value", "")
        if graph in replaced or not graph.startswith(sources) or not isinstance(
            q.object, ox.Literal
        ):
            continue
        found.setdefault(graph[len(sources):], set()).add(q.object)
    return found


def _explain_languages(
    reader: ox.Store,
    base: str,
    issues: list[Issue],
    quads: list[ox.Quad],
    replaced: set[str],
) -> None:
    """The ``sh:uniqueLang`` results about one item's property (one per language given twice;
    the results do not say which): for each language in which the file gives a value and
    another source another, one result says so and carries the file's value."""
    focus, path = issues[0].focus, issues[0].path or ""
    ours: dict[str, list[str]] = {}
    for q in quads:
        o = q.object
        if (isinstance(o, ox.Literal) and o.language and q.predicate.value == path
                and getattr(q.subject, "value", None) == focus):
            ours.setdefault(o.language.lower(), []).append(o.value)
    theirs: dict[str, dict[str, set[str]]] = {}  # language -> source id -> values
    for source, values in _others(reader, base + "graph/source/", replaced, focus, path).items():
        for v in values:
            if v.language:
                theirs.setdefault(v.language.lower(), {}).setdefault(source, set()).add(v.value)
    conflicts = [
        lang for lang in sorted(ours)
        if lang in theirs and any(v not in set(ours[lang])
                                  for vs in theirs[lang].values() for v in vs)
    ]
    item = _identifier(reader, focus, quads)
    for issue, lang in zip(issues, conflicts, strict=False):
        source = sorted(theirs[lang])[0]
        value = sorted(theirs[lang][source])[0]
        language = msg(_IN_LANGUAGE[lang]) if lang in _IN_LANGUAGE else lang
        owner = _owner(reader, base, base + "graph/source/" + source)
        whom: Msg = (
            msg("{organisation}, which sent that source, or the coordinating ministry",
                organisation=owner)
            if owner is not None else msg("the coordinating ministry")
        )
        if path == _TITLE:
            text = msg(
                "The registry already has another title {language} for {item}, from the "
                "source {source}: \"{value}\". An item has one title per language: use the same "
                "title, or ask {whom} to change it.",
                language=language, item=item, source=source, value=value, whom=whom,
            )
        else:
            field = Msg.texts(nb=issue.path_label_nb or path, nn=issue.path_label_nn or "",
                              en=issue.path_label_en or path)
            text = msg(
                "The registry already has another \"{field}\" {language} for {item}, from the "
                "source {source}: \"{value}\". There can be one per language: use the same "
                "text, or ask {whom} to change it.",
                field=field, language=language, item=item, source=source, value=value,
                whom=whom,
            )
        issue.set_message(text)
        issue.value, issue.value_lang = ours[lang][0], lang


def _identifier(reader: ox.Store, focus: str, quads: list[ox.Quad]) -> str:
    """How people name an item: its identifier (the registry's or the file's), else the last
    segment of its IRI."""
    for q in quads:
        if q.predicate == _IDENTIFIER and getattr(q.subject, "value", None) == focus:
            return str(getattr(q.object, "value", ""))
    for q in reader.quads_for_pattern(ox.NamedNode(focus), _IDENTIFIER, None, None):
        return str(getattr(q.object, "value", ""))
    return focus.rstrip("/").rsplit("/", 1)[-1]


def _owner(reader: ox.Store, base: str, graph: str) -> Msg | None:
    """The organisation that sent a source (its provenance's ``ogp:submittedBy``), by name."""
    provenance = ox.NamedNode(base + "graph/provenance")
    for q in reader.quads_for_pattern(
        ox.NamedNode(graph), ox.NamedNode(OGP.submittedBy), None, provenance
    ):
        names = {
            lit.language: lit.value
            for lq in reader.quads_for_pattern(q.object, _PREF_LABEL, None, None)  # type: ignore[arg-type]
            if isinstance(lit := lq.object, ox.Literal) and lit.language
        }
        return Msg.texts(**names) if names else None
    return None

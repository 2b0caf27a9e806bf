"""Why a value is one too many: the registry's other sources.

A shape that allows one value (``sh:maxCount 1``: a plan's end date, a commitment's title in a
language) is checked on the submission together with what the rest of the registry says about
the same item (:func:`registry.loading.pipeline.validation_context`). When the second value comes
from another source — a ministry submitting a plan the registry ships, with another end date —
the shape's own words ("at most one end date") leave the person guessing where the other one is.
:func:`explain` adds it: the value the registry already has, and the source that gives it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from registry.i18n import msg
from registry.validation.report import ValidationReport

_MAX_COUNT = "http://www.w3.org/ns/shacl#MaxCountConstraintComponent"


def explain(
    reader: ox.Store, base: str, report: ValidationReport, replaced: Iterable[str]
) -> None:
    """Add to each ``sh:maxCount`` violation of ``report`` the values other sources (outside
    the ``replaced`` graphs) give for the same item and property, and which sources."""
    replaced = set(replaced)
    sources = base + "graph/source/"
    for issue in report.violations:
        if issue.constraint != _MAX_COUNT or not issue.path or not issue.focus:
            continue
        if not issue.focus.startswith(("http://", "https://")):
            continue
        found: dict[str, set[str]] = {}
        for q in reader.quads_for_pattern(
            ox.NamedNode(issue.focus), ox.NamedNode(issue.path), None, None
        ):
            graph = getattr(q.graph_name, "value", "")
            if graph in replaced or not graph.startswith(sources):
                continue
            found.setdefault(graph[len(sources):], set()).add(getattr(q.object, "value", ""))
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

"""The registry's own graphs are described by the registry alone.

Every source graph, the provenance graph and the vocabulary graphs have IRIs under
``{base}graph/``; the registry says who submitted each source, when, from which file
(:mod:`registry.loading.sources`). A statement about one of them in a submitted source — e.g.
``<graph/source/bundled-plan-2019-2021> ogp:submittedBy <id/organisation/…>`` in another
organisation's file — would put a second, false account beside the registry's in every query
over the union of graphs and on the graph's page. So no source may have such a subject: a load,
a Graph Store write and a SPARQL update that writes one are refused.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from registry.i18n import msg
from registry.validation.report import Issue


def reserved_subject_issues(
    quads: Iterable[ox.Quad], base: str, file: str | None = None
) -> list[Issue]:
    """A violation for each subject of ``quads`` under ``{base}graph/``."""
    prefix = base + "graph/"
    subjects = sorted(
        {
            q.subject.value
            for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)
        }
    )
    return [
        Issue.from_msg(
            msg(
                "The file makes statements about {subject}, one of the registry's own graphs. "
                "Who submitted a graph, when and from which file is recorded by the registry "
                "alone (the provenance graph); remove the statements about it from the file.",
                subject=subject,
            ),
            severity="violation",
            focus=subject,
            constraint="reserved-graph",
            file=file,
        )
        for subject in subjects
    ]

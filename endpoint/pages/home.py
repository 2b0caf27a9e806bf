"""The landing page and the text search.

* ``/``: the action plans and the dashboard of the selected plan (``?plan=2019-2021``; default:
  the newest with commitments in the registry, else the newest), its charts server-side SVG
  (``endpoint/pages/charts.py``), each with a data table.
* ``/search?q=…``: text search over titles, names, alternative names and identifiers.

The routes are registered in ``endpoint/pages/routes.py``; see docs/pages.md.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from markupsafe import Markup

from endpoint.pages import charts, cocreation
from endpoint.pages.page import Page, page_lang, render, resources, views
from registry.model import digest, progress
from registry.model.planviews import Dashboard


def _chart_context(dash: Dashboard, page: Page) -> dict[str, Markup]:
    t = page.t
    theme_items = [charts.Item(b.label.value, b.value, b.label.lang) for b in dash.themes]
    stacks = [
        charts.StackSeries(s.label.value, s.values, s.label.lang) for s in dash.milestone_series
    ]
    years = [y or t["no_date"] for y in dash.milestone_years]
    return {
        "chart_themes": charts.bar_chart(
            "chart-themes",
            theme_items,
            title=t["chart_themes"],
            desc=t["chart_themes_desc"].format(n=dash.commitments),
        ),
        "chart_milestones": charts.stacked_chart(
            "chart-milestones",
            years,
            stacks,
            title=t["chart_milestones"],
            desc=t["chart_milestones_desc"].format(n=dash.milestones),
        ),
    }


def _honest_context(plan: str, page: Page) -> dict[str, Any]:
    """Participation in three values and implementation progress, each with what it rests on
    (``registry/model/progress.py``)."""
    t = page.t
    part = progress.participation(resources(), plan, page.lang)
    counts = part.counts()
    prog = progress.plan_progress(resources(), plan, page.lang)
    labels = {progress.TOOK_PART: t["took_part"], progress.DID_NOT: t["did_not"],
              progress.UNKNOWN: t["participation_unknown"]}
    prog_items = [
        charts.Item(n.label.value if n.label else n.iri, c, n.label.lang if n.label else None)
        for n, c in prog.levels
    ] + [charts.Item(t["progress_unknown"], prog.unknown)]
    return {
        "participation": part,
        "participation_counts": counts,
        "participation_labels": labels,
        "plan_progress": prog,
        "chart_participation": charts.bar_chart(
            "chart-participation",
            [charts.Item(labels[s], counts[s]) for s in progress.STATES],
            title=t["chart_participation3"],
            desc=t["chart_participation3_desc"].format(n=len(part.invited)),
            patterns=True,
        ),
        "chart_progress": charts.bar_chart(
            "chart-progress",
            prog_items,
            title=t["chart_progress"],
            desc=t["chart_progress_desc"].format(n=prog.commitments),
            patterns=True,
        ),
    }


def landing() -> Response:
    """The landing page with the plans and a dashboard."""
    page = Page(page_lang())
    pv = views()
    plans = pv.plans(page.lang)
    wanted = request.args.get("plan", "").strip()
    selected = next((p for p in plans if wanted and p.identifier == wanted), None)
    if selected is None and plans:  # the newest plan the registry has commitments of
        selected = next((p for p in plans if p.commitments), plans[0])
    dash = pv.dashboard(selected.node.iri, page.lang) if selected else None
    charts_ctx: dict[str, Any] = _chart_context(dash, page) if dash else {}
    if dash and selected:
        charts_ctx.update(_honest_context(selected.node.iri, page))
        charts_ctx["cocreation"] = cocreation.panel(selected.node.iri, page.lang)
    return render(
        "pages/landing.html",
        page,
        title=page.t["landing_title"],
        plans=plans,
        selected=selected,
        dash=dash,
        unknown_plan=bool(wanted) and (selected is None or selected.identifier != wanted),
        wanted=wanted,
        **charts_ctx,
    )


def search() -> Response:
    """The search page and its hits."""
    page = Page(page_lang())
    q = request.args.get("q", "").strip()[:200]
    found = resources().search_result(q, page.lang) if q else None
    return render(
        "pages/search.html",
        page,
        title=page.t["search_title"] + (f": {q}" if q else ""),
        q=q,
        hits=found.hits if found else [],
        more=bool(found and found.more),
        broad=bool(found and found.broad),
        cap=digest.SEARCH_CAP,
    )

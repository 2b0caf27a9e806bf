"""The landing page and the text search.

* ``/``: the action plans and the dashboard of the selected plan (``?plan=2019-2021``; default:
  the newest), its charts server-side SVG (``endpoint/pages/charts.py``), each with a data table.
* ``/search?q=…``: text search over titles, names, alternative names and identifiers.

The routes are registered in ``endpoint/pages/routes.py``; see docs/pages.md.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from markupsafe import Markup

from endpoint.pages import charts
from endpoint.pages.page import Page, page_lang, render, resources, views
from registry.model.planviews import Dashboard


def _chart_context(dash: Dashboard, page: Page) -> dict[str, Markup]:
    t = page.t
    theme_items = [charts.Item(b.label.value, b.value, b.label.lang) for b in dash.themes]
    stacks = [
        charts.StackSeries(s.label.value, s.values, s.label.lang) for s in dash.milestone_series
    ]
    years = [y or t["no_date"] for y in dash.milestone_years]
    part = [charts.Item(b.label.value, b.value, b.label.lang) for b in dash.participation]
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
        "chart_participation": charts.bar_chart(
            "chart-participation",
            part,
            title=t["chart_participation"],
            desc=t["chart_participation_desc"],
        ),
    }


def landing() -> Response:
    """The landing page with the plans and a dashboard."""
    page = Page(page_lang())
    pv = views()
    plans = pv.plans(page.lang)
    wanted = request.args.get("plan", "").strip()
    selected = next((p for p in plans if wanted and p.identifier == wanted), None)
    if selected is None and plans:
        selected = plans[0]
    dash = pv.dashboard(selected.node.iri, page.lang) if selected else None
    charts_ctx: dict[str, Any] = _chart_context(dash, page) if dash else {}
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
    hits = resources().search(q, page.lang) if q else []
    return render(
        "pages/search.html",
        page,
        title=page.t["search_title"] + (f": {q}" if q else ""),
        q=q,
        hits=hits,
    )

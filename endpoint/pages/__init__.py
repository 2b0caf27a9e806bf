"""Pages for people: dereferenceable resources with content negotiation, the home page and
dashboards, versions, the query page, charts.
"""

"""Pages for people: dereferenceable resources with content negotiation, the home page and
dashboards, versions, the vocabulary's documentation, the query page, charts.

``routes.py`` registers every route of the pages (``query.py``, the query page, is a feature
module of its own); ``page.py`` is what every page shares; ``negotiation.py`` chooses and
writes the representations; ``resource.py``, ``versions.py``, ``vocabulary.py`` and
``home.py`` build the answers.
"""

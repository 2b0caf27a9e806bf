"""Read views of the domain for people: resource descriptions, plan dashboards, organisations.

``resources.py`` reads what the registry says about an IRI (:class:`Resources`), handing out
the shapes of ``description.py``, the texts of ``text.py`` and the links of ``terms.py``;
``planviews.py`` builds plans, commitments and dashboards on it; ``organisations.py`` looks up
the organisation register. They take a :class:`registry.handle.RegistryHandle`, never the
``Registry`` façade.
"""

"""Adapters for external SPARQL engines: one module per engine, each holding that engine's
quirks (docs/deployment.md has the table).

The registry talks to an engine only through the standard protocols, over HTTP with
``requests``: SPARQL 1.1 Query (``query_url``), SPARQL 1.1 Update (``update_url``) and the
Graph Store Protocol (``store_url``). What differs between engines, and lives in the adapters:

* how the registry's *union default graph* is asked for, and how its own bookkeeping (the
  revision: :class:`registry.store.engines.base.Meta`) is kept out of user queries;
* how a commit is made all-or-nothing (:meth:`registry.store.engines.base.Engine.commit`);
* what stops a query that runs too long, and how the engine says it stopped one;
* result formats that need repair (literal forms, blank node labels).

The modules:

* ``base.py`` — the protocol client every adapter builds on (:class:`Engine`), the
  bookkeeping (:class:`Meta`), where the engine answers (:class:`Connection`) and what one
  commit writes (:class:`CommitPlan`);
* ``oxigraph.py`` — Oxigraph's server (``oxigraph serve``);
* ``virtuoso.py`` — OpenLink Virtuoso 7;
* ``factory.py`` — :func:`make_engine`: the adapter ``OGPREG_ENGINE`` names.

This ``__init__`` holds nothing else: the adapters import ``base``, and ``factory`` imports
the adapters, so no module here imports one that imports it back.
"""

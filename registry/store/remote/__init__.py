"""The remote store: the registry on an external SPARQL engine (``OGPREG_ENGINE``).

:class:`~registry.store.remote.store.RemoteStore` offers what
:class:`registry.store.embedded.EmbeddedStore` offers (the
:class:`registry.store.backend.Backend` protocol), over the SPARQL 1.1 Query, Update and Graph
Store protocols only; what differs between engines lives in ``registry/store/engines/``.

* **Reading** (``reader.py``, query text in ``query.py``). :meth:`RemoteStore.reader` returns a
  :class:`RemoteReader`: the part of pyoxigraph's ``Store`` API the registry uses (``query``
  with the same keyword arguments, ``quads_for_pattern``, ``named_graphs``, ``dump``, ``len``,
  iteration), answered by the engine. ``query`` returns real pyoxigraph result objects
  (solutions are parsed from the engine's answer; graphs are parsed and re-read from an
  in-memory store), so callers cannot tell. Prefixes and the base IRI become the query's
  prologue; ``substitutions`` become a ``VALUES`` block at the start of the query's outermost
  group (terms serialised by pyoxigraph, never formatted by hand). Unlike an embedded reader, a
  remote reader is not a snapshot: each call reads the latest committed state (``dump`` and
  iteration check that the revision did not change while they read, and read again if it did).
* **Writing** (``transaction.py``). :meth:`RemoteStore.transaction` yields a
  :class:`RemoteTransaction`. It reads the state before the transaction from the engine and
  keeps its writes to itself: a graph it replaces (``remove_graph``, ``clear``, or a graph a
  SPARQL Update touches) is held whole in a local in-memory store; single quads added to or
  removed from other graphs are kept as sets. Its reads (``quads_for_pattern``, ``len``,
  ``named_graphs``) show those writes over the engine's state, as an embedded transaction
  would; ``query`` reads the state before the transaction. At the end of the block the writes
  go to the engine as one commit (:meth:`registry.store.engines.base.Engine.commit`: one atomic
  request on Oxigraph, staging and a journal on Virtuoso) together with the next revision
  number.
* **Writers** on one host are serialised by ``flock`` on ``<state dir>/write.lock``; across
  hosts the commit itself compares and sets the revision, so a second host's commit fails
  instead of overwriting.
* **State directory.** ``path`` (``OGPREG_STATE_DIR``, default ``OGPREG_STORE``) holds what is
  not RDF: tokens, the audit log, catalogue dates, locks, the Virtuoso journal.

The modules import one another in one direction only: ``query`` ← ``reader`` ←
``transaction`` ← ``store`` (the reader names what it needs of the store as a protocol,
:class:`~registry.store.remote.reader.EngineState`).
"""

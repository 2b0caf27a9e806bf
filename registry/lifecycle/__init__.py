"""The registry status of plans, commitments and proposals (docs/lifecycle.md, "Registry
status").

``draft → submitted → accepted → approved → in-force → completed``, and from any status that
is not final: ``withdrawn`` (with a reason) or ``superseded`` (with a successor). The current
status is ``<item> ogp:registryStatus status:X`` in the lifecycle graph ``{base}graph/lifecycle``,
and every change is an ``ogp:StatusChange`` there. Implementation progress (``ogp:completion``)
is a separate lifecycle and is never touched here.

* ``rules.py`` — the statuses and their labels, which may follow which, who may set them, the
  refusal messages;
* ``state.py`` — an item's lifecycle in the store: the facts the rules read, its current
  status, the status-change record;
* ``change.py`` — :func:`~registry.lifecycle.change.set_status`, the one way to change a status
  once an item has one (``ogpreg status --set``, ``POST /api/status``);
* ``files.py`` — statuses in loaded files: the initial status, statuses a file may no longer
  set, and what a file may say depending on who loads it.

They take a :class:`registry.handle.RegistryHandle` and a :class:`registry.actors.TokenHolder`,
never the ``Registry`` façade or the token store.
"""

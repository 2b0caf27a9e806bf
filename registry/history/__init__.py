"""History: every commit that changes data is a *change*; each change creates a *version* of
every item whose description it changed (docs/lifecycle.md, "History: changes and versions").

An *item* is an IRI under ``{base}id/`` that is the subject of a triple in a source graph
(``{base}graph/source/…``) or in the lifecycle graph (``{base}graph/lifecycle``); its
*description* is every such triple, as sorted N-Triples lines. Status-change records
(``{base}id/status-change/…``) are not items: they never change after they are written.

Everything lives in the history graph ``{base}graph/history``::

    <{base}id/change/{n}> a ogp:Change ; ogp:changeNumber n ; prov:atTime t ;
        ogp:changeKind ogp:Load | ogp:StatusUpdate | ogp:Erase ;
        prov:wasAssociatedWith <org> ; ogp:loadedBy "user" ; prov:used <source graph> ;
        ogp:reason "…"@nb .
    <{item}/version/{n}> a ogp:Version ; dct:isVersionOf <item> ; ogp:inChange <change n> ;
        prov:generatedAtTime t ; ogp:versionAction ogp:Create | ogp:Update | ogp:Delete ;
        prov:wasRevisionOf <{item}/version/{m}> ; ogp:snapshot "<s> <p> <o> .\\n…" .

The modules:

* ``terms.py`` — the graphs, IRIs, predicates and literal values above;
* ``recording.py`` — writing: the next change's number and time, the quads of a change and its
  versions (:func:`~registry.history.recording.next_change`,
  :func:`~registry.history.recording.record`);
* ``versions.py`` — reading: changes in number order (the feed), an item's versions, the
  difference between two versions;
* ``asof.py`` — as of a time: an item's version and description then, the registry's state then.

Erasing data from the history too is an operation on the whole registry: registry/erase.py.
"""

"""Leaving a store transaction without committing it.

A writer that finds, inside its transaction, that it changes nothing raises :class:`Discard`.
Both backends' ``transaction()`` catch it and end the block quietly: no new revision, so every
cache keyed by the revision (answers, pages, the catalogue, the feed) stays valid. Any other
exception also discards the transaction, but propagates to the caller.
"""

from __future__ import annotations


class Discard(Exception):  # noqa: N818 (control flow, not an error)
    """Raise inside ``with store.transaction() as tx:`` to leave it without committing."""

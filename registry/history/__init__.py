"""The record of changes: numbered changes, item versions, as-of states, audited erasure."""

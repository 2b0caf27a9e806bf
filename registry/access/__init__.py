"""Who may write what: bearer tokens (``tokens.py``), the audit log (``audit.py``), which graph a
write names (``targets.py``), who may write it (``rights.py``), Graph Store writes and SPARQL
Update on behalf of a token (``graphstore.py``, ``updates.py``).
"""

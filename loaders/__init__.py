"""Submissions: spreadsheets, CSV and JSON files (and URLs of them) read into tables
(``read/``), built into RDF (``build/``), checked and loaded through the registry
(``submission.py``, ``load.py``, ``report.py``); templates (``template.py``) and the columns of
each kind, from the shapes (``columns.py``)."""

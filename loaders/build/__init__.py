"""Turning a table's rows into RDF: ``rows.py`` (the builder: tables, columns, rows),
``subjects.py`` (each row's item and its IRI), ``emit.py`` (cells into statements, per column
kind), ``checks.py`` (after all rows: references, one plan, the date rules), ``state.py`` (what
these parts share), ``result.py`` (what a build gives); ``cells.py``, ``dates.py`` and
``refs.py`` read one cell, a date, and references to organisations and plans.
"""

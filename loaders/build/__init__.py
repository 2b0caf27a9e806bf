"""Turning a table's rows into RDF: cell values, dates, references to organisations and plans."""

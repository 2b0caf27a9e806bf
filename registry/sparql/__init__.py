"""SPARQL text and answers: a lexer of the SPARQL grammar's terminals (``lexer.py``), facts about
a query's text (``querytext.py``), the refusal of SERVICE (``queryguard.py``), result
serialisation (``results.py``), CSV cells safe for spreadsheets (``csvcells.py``).
"""

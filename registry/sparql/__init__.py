"""SPARQL text and answers: facts about a query's text, the refusal of SERVICE, result
serialisation, CSV cells safe for spreadsheets.
"""

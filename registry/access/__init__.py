"""Who may write what: actors, bearer tokens, the audit log, Graph Store writes and SPARQL Update
on behalf of a token.
"""

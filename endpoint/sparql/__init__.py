"""The SPARQL 1.1 Protocol: request parsing, the query executor with its killable worker processes
(and its remote variant), the answer cache's fast path, the service description and VoID.
"""

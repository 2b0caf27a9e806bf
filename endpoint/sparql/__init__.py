"""The SPARQL 1.1 Protocol: request parsing, the admission of queries, the query executor with
its killable worker processes (and its remote variant), requests and answers, the answer cache
and its fast path, the service description and VoID.
"""

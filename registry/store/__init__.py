"""Where the quads live: the embedded pyoxigraph store (committed revisions), the remote store on
an external SPARQL engine and its engine adapters, file locks.
"""

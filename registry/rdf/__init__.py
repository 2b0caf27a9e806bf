"""RDF plumbing with no registry knowledge: formats and safe parsing, conversion between pyoxigraph
and rdflib.
"""

"""Authenticated writes: the Graph Store Protocol, SPARQL Update and the status API."""

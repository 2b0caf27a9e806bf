"""Validation: ``report.py`` (what was found: :class:`Issue`, :class:`ValidationReport`; of the
foundation layer, since errors carry reports) and ``shacl.py`` (checking data against the
project's shapes with pySHACL).
"""

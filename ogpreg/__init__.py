"""The ``ogpreg`` command line: a thin click adapter over :mod:`registry`."""

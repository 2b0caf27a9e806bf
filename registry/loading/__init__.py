"""From files to a commit: source files and their provenance, the bundled sources."""

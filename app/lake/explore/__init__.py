"""Helping people find their way round the lake: what the pages show beside the dictionary.

Sample rows, lineage pictures, join paths, example queries and ``[[glossary:…]]``
links in course text. Read-only and pure, apart from ``browse`` reading the
built lake. See README.md.
"""

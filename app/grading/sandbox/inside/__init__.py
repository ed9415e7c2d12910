"""Code that runs INSIDE the learner's kernel; the app sends it as text and never imports it.

``setup.py`` runs first (it opens ``lake``), ``export.py`` last (it saves each
``answer_<id>``). They import only the standard library, duckdb, pandas and
pyarrow, because the app is not importable in the kernel. ``sandbox.cells``
turns them into the hidden cells.
"""

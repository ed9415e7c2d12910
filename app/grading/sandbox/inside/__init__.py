"""Code that runs INSIDE the learner's kernel; the app sends it as text and never imports it.

``export.py`` runs last (it saves each ``answer_<id>``); it imports only the
standard library, pandas and pyarrow, because the app is not importable in the
kernel. What runs first, opening ``lake``, is ``app/lake/lockdown.py``: the one
locked connection, shared with the playground and the grader. ``sandbox.cells``
turns both into the hidden cells.
"""

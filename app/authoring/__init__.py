"""Authoring: modules as Markdown files in ``courses/``, checked and synced like code.

The parsing and checking here are pure (files in, problems out); ``sync`` is the
one part that touches the database, and the CLI is a thin edge over both.
"""

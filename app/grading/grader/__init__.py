"""The pure grade: an uploaded notebook and its exported answers in, a GradeResult out.

Nothing here writes anything or knows about the web; see README.md beside this file.
"""

"""Exercises as folders: reading ``exercise.yaml``, checking the notebooks, caching the result.

See README.md beside this file for the modules.
"""

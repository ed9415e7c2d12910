"""Learners' own JupyterLab on JupyterHub: its settings, the academy's client, its launcher."""

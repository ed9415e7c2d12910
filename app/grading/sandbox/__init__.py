"""What runs learners' notebooks: a sandboxed, resource-limited, single-use kernel per run.

See README.md beside this file for the modules and the walls between a
notebook and the server. ``execute.execute`` is the sandboxed executor;
``choose.choose_executor`` picks it or the local runner.
"""

"""Making the sample lake: simulate the marketplace, deliver it dirty, refine it, check it.

Nothing here needs the web app: the CLI, the tests and the benchmarks call
``build.build_lake`` and ``check.check_lake`` with a folder. See README.md.
"""

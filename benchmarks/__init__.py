"""Kalan's performance and scale benchmarks (issue "Performance and scale").

``.venv/bin/python -m benchmarks.run`` runs every section and writes BENCHMARKS.md;
see ``benchmarks/run.py``. Nothing here is imported by the ``kalan`` package.
"""

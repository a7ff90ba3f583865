"""Benchmarks: each prints the project's figure beside a reference measured in the same run on the
same machine, and the ratio. ``python -m bench`` runs them all and writes a results table."""

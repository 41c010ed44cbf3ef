"""Turns corpus files into chunks in the store: load -> clean -> sections -> chunks -> write.

The first four steps are pure functions over small dataclasses; only
``kalan.ingest.pipeline`` touches the store.
"""

"""Benchmarks and load tests, run on demand (`make bench`, `make loadtest`, `make faulttest`).

Nothing here is imported by the service: the bench's baseline view lives in its own URLconf
(`bench.urls`) and settings (`bench.settings`), never in the production URLs.
"""

"""Benchmarks: persona measured beside what users would run instead, printed as JSON."""

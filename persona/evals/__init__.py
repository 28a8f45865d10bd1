"""Evaluation commands: each component's quality on public data, printed as JSON."""

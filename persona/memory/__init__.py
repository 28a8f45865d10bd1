"""Long-term memory: extraction, consolidation, retrieval."""

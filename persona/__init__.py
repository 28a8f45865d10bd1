"""persona: personalization and steerability middleware for LLM chat."""

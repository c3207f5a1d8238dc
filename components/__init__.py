"""Reusable ComponentResources of the LLM inference platform and their pure helpers."""

PACKAGE = "llmplatform"
"""Type-token prefix shared by every component (`llmplatform:<module>:<Type>`)."""

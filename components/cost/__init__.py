"""Monthly cost of a stack and cost per million output tokens, from dated price tables."""

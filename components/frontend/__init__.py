"""The article's Spring AI quotes frontend on Cloud Run, wired to both model endpoints."""

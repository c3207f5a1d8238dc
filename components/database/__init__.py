"""Managed databases the platform's applications use (the frontend's Cloud SQL quotes store)."""

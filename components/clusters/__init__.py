"""Kubernetes clusters per cloud, each exposing a provider and node placements."""

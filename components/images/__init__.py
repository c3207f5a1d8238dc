"""Container images this program builds itself, pushed to a registry next to the cluster."""

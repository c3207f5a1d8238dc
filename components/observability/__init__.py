"""Metrics, autoscaling on the servers' queues, dashboards, alerts and cost, on any cluster."""

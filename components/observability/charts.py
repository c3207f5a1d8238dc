"""Pinned Helm charts of the monitoring stack (chart version and the image it ships).

Versions are the newest in each chart repository's snapshot read for this project; bump them
together with the values builders beside this file.
"""

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class PinnedChart:
    chart: str
    version: str
    repo: str
    release: str
    """Fixed release name: service names derive from it, and other charts address them."""


PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts"

KUBE_PROMETHEUS_STACK = PinnedChart(
    # Prometheus Operator v0.93.1, kube-state-metrics 2.20.0, Grafana 13.2.0 (subchart 12.11.1).
    chart="kube-prometheus-stack",
    version="88.5.3",
    repo=PROMETHEUS_COMMUNITY,
    release="kps",
)
PROMETHEUS_ADAPTER = PinnedChart(
    # prometheus-adapter v0.12.0; serves custom.metrics.k8s.io/v1beta1.
    chart="prometheus-adapter",
    version="5.3.0",
    repo=PROMETHEUS_COMMUNITY,
    release="prometheus-adapter",
)
OPENCOST = PinnedChart(
    chart="opencost",
    version="2.5.17",  # OpenCost 1.120.1
    repo="https://opencost.github.io/opencost-helm-chart",
    release="opencost",
)
DCGM_EXPORTER = PinnedChart(
    chart="dcgm-exporter",
    version="4.8.2",  # image nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless
    repo="https://nvidia.github.io/dcgm-exporter/helm-charts",
    release="dcgm-exporter",
)

PROMETHEUS_SERVICE = f"{KUBE_PROMETHEUS_STACK.release}-prometheus"
"""With `fullnameOverride: kps` the chart names the Prometheus Service `kps-prometheus`."""
PROMETHEUS_PORT = 9090

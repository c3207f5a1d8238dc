"""How a model server scales on its queue: the settings users write, and the pure decisions
(replica bounds, HPA behaviour, how long a burst waits for a new replica)."""

import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from components.config_base import ConfigModel

HPA_SYNC_SECONDS = 15
"""kube-controller-manager's `--horizontal-pod-autoscaler-sync-period` default."""
SCRAPE_INTERVAL_SECONDS = 30
"""How often Prometheus scrapes the servers' `/metrics` (the ServiceMonitors' interval)."""
SCALE_UP_STABILIZATION_SECONDS = 60
"""A burst must last a minute before it buys a replica: a GPU node costs dollars an hour and
takes minutes to arrive, so a few seconds of queue should not order one."""
SCALE_DOWN_WINDOW_BOUNDS = (300, 3600)
"""Kubernetes' default scale-down window, and the most `stabilizationWindowSeconds` accepts."""


class AutoscalingSettings(ConfigModel):
    """`models[].autoscaling`: a HorizontalPodAutoscaler on the server's queue length.
    `models[].replicas` is its minimum."""

    enabled: bool = True
    max_replicas: Annotated[int, Field(ge=1, le=100)] | None = None
    """Unset: this server's share of the replicas its pool can reach at its maxNodes."""
    target_queue_length: Annotated[int, Field(ge=1, le=1000)] = 2
    """Average queued requests per replica the HPA steers towards. A request queues only when
    the running batch is full (vLLM: KV cache or maxNumSeqs; llama.cpp: every slot busy), so
    any sustained queue means the replicas are saturated."""


@dataclass(frozen=True, kw_only=True)
class ScalingPlan:
    min_replicas: int
    max_replicas: int
    queue_metric: str | None
    """The server's own queue metric as Prometheus stores it; None: it exports no metrics."""
    target_queue_length: int
    enabled: bool

    @property
    def has_hpa(self) -> bool:
        return self.enabled and self.queue_metric is not None


def custom_metric_name(prometheus_name: str) -> str:
    """The name the custom metrics API serves a series under: Prometheus' recording-rule colons
    (`vllm:num_requests_waiting`) become underscores, a name every API client accepts."""
    return prometheus_name.replace(":", "_")


def scale_down_window_seconds(first_start_seconds: int) -> int:
    """Keep a replica at least as long as it takes to get it back: a dip shorter than a cold
    start (node + image + weights + warm-up) must not hand the GPU back."""
    low, high = SCALE_DOWN_WINDOW_BOUNDS
    return min(high, max(low, first_start_seconds))


def scale_up_seconds(first_start_seconds: int) -> int:
    """Worst case from a burst to a new replica serving: the queue is scraped, the HPA sees it
    last a stabilisation window, then the new pod needs a node, its image and its weights."""
    reaction = SCRAPE_INTERVAL_SECONDS + HPA_SYNC_SECONDS + SCALE_UP_STABILIZATION_SECONDS
    return reaction + first_start_seconds


def describe_scale_up(seconds: int) -> str:
    """Whole minutes, rounded up: a worst case must not read shorter than it is."""
    return f"{math.ceil(seconds / 60)} min"

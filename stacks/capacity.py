"""Does each pool reach the replicas its servers' autoscalers may ask for? Pure accounting.

A pool reaches `maxNodes` nodes (per zone on GKE, in total on OKE); a server's replica takes
a node's GPUs (or their time-shared slices), or on a CPU pool what its requests leave. The
servers on one pool share it: the sum of each server's `maxReplicas / replicas per node` must
not exceed the nodes the pool reaches, or the HPA asks for pods that stay Pending forever.
A server with a GKE fallback pool counts that pool's nodes too.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from components.catalog.hardware import MachineShape
from components.serving.autoscaling import AutoscalingSettings, ScalingPlan
from components.serving.server_plan import ServerPlan

_ALLOCATABLE_MEMORY = Fraction(9, 10)
"""The kubelet and system reservations keep about a tenth of a node's memory."""


@dataclass(frozen=True, kw_only=True)
class PoolReach:
    name: str
    shape: MachineShape
    nodes: int
    pods_per_gpu: int
    description: str
    """How `nodes` comes about, for messages (e.g. `maxNodes 2 x 2 zones`)."""


@dataclass(frozen=True, kw_only=True)
class ScalingRequest:
    key: str
    """The model entry's config key, e.g. `llm-platform:models[0]`."""
    name: str
    replicas: int
    autoscaling: AutoscalingSettings
    plan: ServerPlan
    pool: PoolReach


def replicas_per_node(shape: MachineShape, plan: ServerPlan, pods_per_gpu: int) -> int:
    if plan.gpus:
        return shape.gpu_count * pods_per_gpu // plan.gpus
    by_cpu = (shape.vcpus - 1) // plan.cpu
    by_memory = math.floor(shape.memory_gib * _ALLOCATABLE_MEMORY) // plan.memory_gib
    return max(0, min(by_cpu, by_memory))


def _nodes(replicas: dict[str, int], per_node: dict[str, int]) -> Fraction:
    """The nodes these servers' replica counts fill, as a fraction (servers may share one)."""
    return sum((Fraction(n, per_node[name]) for name, n in replicas.items()), Fraction(0))


def _what(request: ScalingRequest, replicas: int, per_node: int) -> str:
    plan = request.plan
    each = f"{plan.gpus} GPU" if plan.gpus else f"{plan.cpu} CPU / {plan.memory_gib} GiB"
    return (
        f"{request.name}: {replicas} replicas x {each} ({per_node} per"
        f" {request.pool.shape.name} node)"
    )


def plan_pool(requests: list[ScalingRequest]) -> tuple[dict[str, ScalingPlan], list[str]]:
    """Replica bounds for the servers sharing one pool, or the problems (`key: message`)."""
    pool = requests[0].pool
    per_node = {r.name: replicas_per_node(pool.shape, r.plan, pool.pods_per_gpu) for r in requests}
    minimum = _nodes({r.name: r.replicas for r in requests}, per_node)
    if minimum > pool.nodes:
        listing = "; ".join(_what(r, r.replicas, per_node[r.name]) for r in requests)
        return {}, [
            f"{r.key}.replicas: pool {pool.name!r} reaches {pool.nodes} nodes"
            f" ({pool.description}) but the minimum replicas need {math.ceil(minimum)}"
            f" ({listing}); raise the pool's maxNodes or lower replicas"
            for r in requests
        ]
    maxima = _max_replicas(requests, per_node, pool.nodes)
    used = _nodes(maxima, per_node)
    if used > pool.nodes:
        listing = "; ".join(_what(r, maxima[r.name], per_node[r.name]) for r in requests)
        return {}, [
            f"{r.key}.autoscaling.maxReplicas: pool {pool.name!r} reaches {pool.nodes} nodes"
            f" ({pool.description}) but the autoscalers may ask for {math.ceil(used)}"
            f" ({listing}); raise the pool's maxNodes or lower maxReplicas"
            for r in requests
            if r.autoscaling.enabled and r.autoscaling.max_replicas is not None
        ]
    return {
        r.name: ScalingPlan(
            min_replicas=r.replicas,
            max_replicas=maxima[r.name],
            queue_metric=r.plan.queue_metric,
            target_queue_length=r.autoscaling.target_queue_length,
            enabled=r.autoscaling.enabled,
        )
        for r in requests
    }, []


def _max_replicas(
    requests: list[ScalingRequest], per_node: dict[str, int], nodes: int
) -> dict[str, int]:
    """Explicit maxima as set; unset ones split what the explicit ones leave, evenly by node."""
    fixed: dict[str, int] = {}
    for r in requests:
        if not r.autoscaling.enabled:
            fixed[r.name] = r.replicas
        elif r.autoscaling.max_replicas is not None:
            fixed[r.name] = r.autoscaling.max_replicas
    open_ = [r for r in requests if r.name not in fixed]
    taken = _nodes(fixed, per_node)
    share = (nodes - taken) / len(open_) if open_ else Fraction(0)
    maxima = dict(fixed)
    for r in open_:
        maxima[r.name] = max(r.replicas, math.floor(share * per_node[r.name]))
    return maxima

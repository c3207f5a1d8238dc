"""GPU node pools scale between bounds: a floor (zero is fine) and a ceiling that caps the bill.
A fixed-size GPU pool either idles at full price or turns requests away."""

import re
from collections.abc import Sequence

from platform_guard.values import Resource, dig, is_unknown, items, mapping

GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
OKE_NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
OKE_ADDON = "oci:ContainerEngine/addon:Addon"
OKE_AUTOSCALER_ADDON = "ClusterAutoscaler"
GKE_GPU_MACHINE = re.compile(r"^(a2|a3|a4|g2|g4)-")
"""Accelerator-optimized machine families: their GPUs come with the machine type."""
OKE_GPU_SHAPE = re.compile(r"\.GPU")
"""VM.GPU.A10.1, BM.GPU.A10.4, BM.GPU4.8, ..."""


def gke_gpu_pool_problems(pool: Resource) -> list[str]:
    if pool.type != GKE_NODE_POOL or not _is_gke_gpu(pool):
        return []
    autoscaling = dig(pool.props, "autoscaling")
    if is_unknown(autoscaling):
        return []  # computed: checked again by `pulumi up`
    if not isinstance(autoscaling, dict):
        return ["GPU node pool without autoscaling: set autoscaling.min_node_count/max_node_count"]
    low = _first(autoscaling, "minNodeCount", "totalMinNodeCount")
    high = _first(autoscaling, "maxNodeCount", "totalMaxNodeCount")
    return _bound_problems(low, high)


def oke_gpu_pool_problems(resources: Sequence[Resource]) -> list[tuple[str, str]]:
    """(urn, problem) for each OKE GPU pool that no Cluster Autoscaler add-on scales, and for
    each add-on `nodes` entry (`min:max:pool-ocid`) without sound bounds."""
    addons = [
        r
        for r in resources
        if r.type == OKE_ADDON and r.props.get("addonName") == OKE_AUTOSCALER_ADDON
    ]
    scaled = {urn for addon in addons for urn in addon.dependencies}
    problems = [
        (
            pool.urn,
            "GPU node pool that no Cluster Autoscaler add-on scales: add it to the add-on's"
            " `nodes` configuration as min:max:<pool OCID>",
        )
        for pool in resources
        if pool.type == OKE_NODE_POOL
        and OKE_GPU_SHAPE.search(str(pool.props.get("nodeShape", "")))
        and pool.urn not in scaled
    ]
    for addon in addons:
        problems += [(addon.urn, p) for p in _nodes_problems(addon)]
    return problems


def _nodes_problems(addon: Resource) -> list[str]:
    nodes = next(
        (
            c.get("value")
            for c in items(addon.props.get("configurations"))
            if mapping(c).get("key") == "nodes"
        ),
        None,
    )
    if nodes is None:
        return ["Cluster Autoscaler add-on without a `nodes` configuration (min:max:<pool OCID>)"]
    if is_unknown(nodes):
        return []  # pool OCIDs before the pools exist; checked again by `pulumi up`
    problems = []
    for entry in str(nodes).split(","):
        parts = entry.split(":", 2)
        if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
            problems.append(f"`nodes` entry {entry!r} is not min:max:<pool OCID>")
            continue
        problems += [f"{parts[2]}: {p}" for p in _bound_problems(int(parts[0]), int(parts[1]))]
    return problems


def _is_gke_gpu(pool: Resource) -> bool:
    accelerators = items(dig(pool.props, "nodeConfig", "guestAccelerators"))
    machine = str(dig(pool.props, "nodeConfig", "machineType") or "")
    return bool(accelerators) or bool(GKE_GPU_MACHINE.match(machine))


def _first(values: dict, *keys: str) -> object:
    return next((values[k] for k in keys if values.get(k) is not None), None)


def _bound_problems(low: object, high: object) -> list[str]:
    if is_unknown(low) or is_unknown(high):
        return []
    if not isinstance(high, int | float) or high < 1:
        return [f"no upper bound: max nodes is {_count(high)}, set it to 1 or more"]
    if not isinstance(low, int | float) or low < 0:
        return [f"no lower bound: min nodes is {_count(low)}, set it to 0 or more"]
    if low > high:
        return [f"min nodes {_count(low)} is above max nodes {_count(high)}"]
    return []


def _count(value: object) -> str:
    """Counts as written (the engine sends every number as a float)."""
    return f"{value:g}" if isinstance(value, int | float) else repr(value)

"""Where a pod runs, in cloud-neutral terms: the Kubernetes layer only ever sees this."""

from dataclasses import dataclass, field, replace

from components.catalog.hardware import MachineShape

GPU_RESOURCE = "nvidia.com/gpu"
POOL_NAME_LABEL = "llm-platform/pool"
"""Node label naming the pool, set by this program on every cloud's nodes."""


@dataclass(frozen=True, kw_only=True)
class Toleration:
    key: str
    effect: str
    value: str | None = None

    @property
    def operator(self) -> str:
        return "Exists" if self.value is None else "Equal"


@dataclass(frozen=True, kw_only=True)
class NodePlacement:
    """Node pools as a pod sees them: which to select, which taints to tolerate, their shape."""

    shape: MachineShape
    pool_label: str
    """Node label naming the pool (e.g. `cloud.google.com/gke-nodepool`)."""
    pools: tuple[str, ...]
    """Eligible pools, preferred first: a Spot pool, then its on-demand fallback."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Labels every eligible node carries (accelerator, CPU architecture)."""
    tolerations: tuple[Toleration, ...] = ()

    def with_fallback(self, fallback: "NodePlacement") -> "NodePlacement":
        """Prefer these pools, and fall back to `fallback`'s when they have no capacity.

        Both must be the same shape: the server's flags and requests were sized for it, and
        the shape is what decides the node selector, so this one serves both.
        """
        if fallback.shape != self.shape or fallback.pool_label != self.pool_label:
            raise ValueError(
                f"fallback pools {fallback.pools} are {fallback.shape.name}, not {self.shape.name}"
            )
        extra = tuple(t for t in fallback.tolerations if t not in self.tolerations)
        return replace(
            self,
            pools=self.pools + fallback.pools,
            tolerations=self.tolerations + extra,
        )


# Taints this program puts on GPU nodes (so only pods that ask for a GPU land there) and on Arm
# nodes (so an amd64-only image never lands there by accident; GKE adds this one itself).
GPU_TAINT = Toleration(key="nvidia.com/gpu", value="present", effect="NoSchedule")
ARM_TAINT = Toleration(key="kubernetes.io/arch", value="arm64", effect="NoSchedule")

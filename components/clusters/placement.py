"""Where a pod runs, in cloud-neutral terms: the Kubernetes layer only ever sees this."""

from dataclasses import dataclass, field

from components.catalog.hardware import MachineShape

GPU_RESOURCE = "nvidia.com/gpu"


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
    """A node pool as a pod sees it: how to select it, which taints to tolerate, its shape."""

    pool: str
    shape: MachineShape
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()

"""OKE node pools as users configure them, and the pure pieces of their NodePool arguments."""

import base64
import shlex
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.catalog.hardware import (
    E4_FLEX,
    FLEX_FAMILIES,
    CpuArch,
    MachineShape,
    machine_shape,
)
from components.clusters.placement import (
    ARM_TAINT,
    GPU_TAINT,
    POOL_NAME_LABEL,
    NodePlacement,
    Toleration,
)
from components.config_base import ConfigModel, label_validator

OKE_GPU_SHAPES = ("VM.GPU.A10.1", "VM.GPU.A10.2", "BM.GPU.A10.4")
OkeShape = Literal[
    "VM.GPU.A10.1", "VM.GPU.A10.2", "BM.GPU.A10.4", "VM.Standard.A1.Flex", "VM.Standard.E4.Flex"
]


class OkePoolSettings(ConfigModel):
    name: Annotated[str, label_validator(24)]
    node_shape: OkeShape
    ocpus: int | None = None
    """Flex shapes only (A1: one OCPU is one Arm core)."""
    memory_gb: int | None = None
    """Flex shapes only: 1-64 GB per OCPU (A1: at most 512 GB, E4: 1024 GB)."""
    min_nodes: Annotated[int, Field(ge=0)] = 0
    max_nodes: Annotated[int, Field(ge=1, le=1000)] = 2
    boot_volume_gb: Annotated[int, Field(ge=50, le=32768)] = 200
    """GPU images and vLLM/TGI images are large; the default leaves room for both."""

    @model_validator(mode="after")
    def _size(self) -> "OkePoolSettings":
        if self.min_nodes > self.max_nodes:
            raise ValueError(f"minNodes ({self.min_nodes}) is above maxNodes ({self.max_nodes})")
        family = FLEX_FAMILIES.get(self.node_shape)
        if family is None:
            if self.ocpus is not None or self.memory_gb is not None:
                raise ValueError(
                    f"ocpus/memoryGb: {self.node_shape} has a fixed size; remove them"
                    " (they size the Flex shapes only)"
                )
            return self
        if self.ocpus is None or self.memory_gb is None:
            raise ValueError(f"ocpus and memoryGb: required for {self.node_shape}; set both")
        problem = family.problem(self.ocpus, self.memory_gb)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def shape(self) -> MachineShape:
        family = FLEX_FAMILIES.get(self.node_shape)
        if family is None:
            return machine_shape(self.node_shape)
        assert self.ocpus is not None and self.memory_gb is not None
        return family.shape(self.ocpus, self.memory_gb)

    @property
    def pods_per_gpu(self) -> int:
        return 1

    @property
    def taints(self) -> list[Toleration]:
        """Taints registered by the kubelet (OKE's NodePool has no taints field)."""
        shape = self.shape
        taints = [GPU_TAINT] if shape.has_gpu else []
        if shape.arch is CpuArch.ARM64:
            taints.append(ARM_TAINT)
        return taints


class OkeSystemPoolSettings(ConfigModel):
    """A fixed-size x86 pool for cluster services (CoreDNS, the autoscaler, operators)."""

    nodes: Annotated[int, Field(ge=1, le=10)] = 2
    ocpus: int = 2
    memory_gb: int = 16

    @model_validator(mode="after")
    def _size(self) -> "OkeSystemPoolSettings":
        problem = E4_FLEX.problem(self.ocpus, self.memory_gb)
        if problem is not None:
            raise ValueError(problem)
        return self

    def as_pool(self) -> OkePoolSettings:
        return OkePoolSettings(
            name="system",
            node_shape="VM.Standard.E4.Flex",
            ocpus=self.ocpus,
            memory_gb=self.memory_gb,
            min_nodes=self.nodes,
            max_nodes=self.nodes,
            boot_volume_gb=100,
        )


def pool_placement(pool: OkePoolSettings) -> NodePlacement:
    shape = pool.shape
    return NodePlacement(
        shape=shape,
        pool_label=POOL_NAME_LABEL,
        pools=(pool.name,),
        node_selector={"kubernetes.io/arch": shape.arch.value},
        tolerations=tuple(pool.taints),
    )


OKE_INIT_SCRIPT_URL = "http://169.254.169.254/opc/v2/instance/metadata/oke_init_script"


def node_cloud_init(taints: list[Toleration]) -> str:
    """Base64 cloud-init `user_data` that runs OKE's own node bootstrap, registering `taints`.

    Supplying user_data replaces OKE's default, so the script must fetch and run
    `oke_init_script` itself; `--kubelet-extra-args` is how OKE passes kubelet flags
    (https://docs.oracle.com/iaas/Content/ContEng/Tasks/contengusingcustomcloudinitscripts.htm).
    """
    lines = [
        "#!/bin/bash",
        "set -euo pipefail",
        f"curl --fail -H 'Authorization: Bearer Oracle' -L0 {OKE_INIT_SCRIPT_URL}"
        " | base64 --decode > /var/run/oke-init.sh",
    ]
    run = "bash /var/run/oke-init.sh"
    if taints:
        flags = ",".join(f"{t.key}={t.value or ''}:{t.effect}" for t in taints)
        run += " --kubelet-extra-args " + shlex.quote(f"--register-with-taints={flags}")
    lines.append(run)
    return base64.b64encode(("\n".join(lines) + "\n").encode()).decode()

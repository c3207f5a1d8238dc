"""GKE node pools as users configure them, and the pure translation into NodePool arguments."""

from typing import Annotated, Literal

import pulumi
import pulumi_gcp as gcp
from pydantic import Field, field_validator, model_validator

from components.catalog.hardware import CpuArch, MachineShape, machine_shape
from components.clusters.placement import (
    ARM_TAINT,
    GPU_TAINT,
    POOL_NAME_LABEL,
    NodePlacement,
    Toleration,
)
from components.config_base import ConfigModel, label_validator

POOL_LABEL = "cloud.google.com/gke-nodepool"
ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator"
# Spot nodes are tainted so that only workloads that accept preemption (and say so) land there
# (https://cloud.google.com/kubernetes-engine/docs/how-to/spot-vms#use_taints).
SPOT_TAINT = Toleration(key="cloud.google.com/gke-spot", value="true", effect="NoSchedule")

_GKE_TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}


class GpuSharing(ConfigModel):
    """GKE GPU time-sharing: several pods share one GPU (each must fit its memory)."""

    max_shared_clients_per_gpu: Annotated[int, Field(ge=2, le=48)] = 2


class NodePoolSettings(ConfigModel):
    name: Annotated[str, label_validator(24)]
    machine_type: str
    min_nodes: Annotated[int, Field(ge=0)] = 0
    """Per zone, like GKE's own autoscaling bounds."""
    max_nodes: Annotated[int, Field(ge=1, le=1000)] = 2
    spot: bool = False
    disk_size_gb: Annotated[int, Field(ge=50, le=65536)] = 200
    gpu_sharing: GpuSharing | None = None

    @field_validator("machine_type")
    @classmethod
    def _known_shape(cls, value: str) -> str:
        try:
            shape = machine_shape(value)
        except KeyError as error:
            raise ValueError(
                f"{error.args[0]}; use a g2-standard-*, e2/n2/n2d-standard-*"
                " or t2a-standard-* type"
            ) from None
        if shape.cloud != "gcp":
            raise ValueError(f"{value} is not a Google Cloud machine type")
        return value

    @model_validator(mode="after")
    def _bounds(self) -> "NodePoolSettings":
        if self.min_nodes > self.max_nodes:
            raise ValueError(f"minNodes ({self.min_nodes}) is above maxNodes ({self.max_nodes})")
        if self.gpu_sharing is not None and not self.shape.has_gpu:
            raise ValueError(f"gpuSharing needs a GPU machine type, not {self.machine_type}")
        return self

    @property
    def shape(self) -> MachineShape:
        return machine_shape(self.machine_type)

    @property
    def pods_per_gpu(self) -> int:
        """GPU time-sharing: how many pods may share one of this pool's GPUs."""
        return 1 if self.gpu_sharing is None else self.gpu_sharing.max_shared_clients_per_gpu


class SystemPoolSettings(ConfigModel):
    machine_type: Literal[
        "e2-standard-2", "e2-standard-4", "e2-standard-8", "n2-standard-4", "n2-standard-8"
    ] = "e2-standard-4"
    min_nodes: Annotated[int, Field(ge=1)] = 1
    max_nodes: Annotated[int, Field(ge=1, le=100)] = 3

    def as_pool(self) -> NodePoolSettings:
        return NodePoolSettings(
            name="system",
            machine_type=self.machine_type,
            min_nodes=self.min_nodes,
            max_nodes=self.max_nodes,
            disk_size_gb=100,
        )


def _pool_taints(pool: NodePoolSettings) -> list[Toleration]:
    """Taints this program puts on the pool's nodes (GKE adds the Arm one by itself)."""
    taints = [GPU_TAINT] if pool.shape.has_gpu else []
    if pool.spot:
        taints.append(SPOT_TAINT)
    return taints


def pool_placement(pool: NodePoolSettings) -> NodePlacement:
    shape = pool.shape
    selector: dict[str, str] = {}
    tolerations = _pool_taints(pool)
    if shape.accelerator is not None:
        assert shape.accelerator.gke_accelerator_type is not None
        selector[ACCELERATOR_LABEL] = shape.accelerator.gke_accelerator_type
    if shape.arch is CpuArch.ARM64:
        selector["kubernetes.io/arch"] = CpuArch.ARM64.value
        tolerations.append(ARM_TAINT)
    return NodePlacement(
        shape=shape,
        pool_label=POOL_LABEL,
        pools=(pool.name,),
        node_selector=selector,
        tolerations=tuple(tolerations),
    )


def node_config_args(
    pool: NodePoolSettings, service_account_email: pulumi.Input[str], image_streaming: bool
) -> gcp.container.NodePoolNodeConfigArgs:
    """Hardened node settings: shielded VM, GKE metadata server, no legacy endpoints; image
    streaming (COS containerd) when asked, for images in Artifact Registry."""
    shape = pool.shape
    accelerators = None
    if shape.accelerator is not None:
        accelerators = [
            gcp.container.NodePoolNodeConfigGuestAcceleratorArgs(
                type=shape.accelerator.gke_accelerator_type or "",
                count=shape.gpu_count,
                # GKE installs the NVIDIA driver itself; no driver DaemonSet to maintain.
                gpu_driver_installation_config=gcp.container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs(
                    gpu_driver_version="LATEST"
                ),
                gpu_sharing_config=None
                if pool.gpu_sharing is None
                else gcp.container.NodePoolNodeConfigGuestAcceleratorGpuSharingConfigArgs(
                    gpu_sharing_strategy="TIME_SHARING",
                    max_shared_clients_per_gpu=pool.gpu_sharing.max_shared_clients_per_gpu,
                ),
            )
        ]
    taints = [
        gcp.container.NodePoolNodeConfigTaintArgs(
            key=t.key, value=t.value or "", effect=_GKE_TAINT_EFFECTS[t.effect]
        )
        for t in _pool_taints(pool)
    ]
    return gcp.container.NodePoolNodeConfigArgs(
        machine_type=pool.machine_type,
        disk_size_gb=pool.disk_size_gb,
        disk_type="pd-balanced",
        image_type="COS_CONTAINERD",
        spot=pool.spot,
        service_account=service_account_email,
        oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
        labels={POOL_NAME_LABEL: pool.name},
        guest_accelerators=accelerators,
        taints=taints or None,
        metadata={"disable-legacy-endpoints": "true"},
        shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
            enable_secure_boot=True, enable_integrity_monitoring=True
        ),
        workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
            mode="GKE_METADATA"
        ),
        gcfs_config=gcp.container.NodePoolNodeConfigGcfsConfigArgs(enabled=image_streaming),
    )

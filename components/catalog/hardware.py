"""Accelerators, machine shapes and what each one carries.

Numbers are public specifications. `usable_memory_gib` is what the CUDA runtime reports as the
device's total memory (`torch.cuda.mem_get_info()`), which is what vLLM multiplies by
`--gpu-memory-utilization`; it is below the marketing "24 GB" because of ECC and driver reserves.
"""

from dataclasses import dataclass
from enum import StrEnum

GIB = 1024**3


class CpuArch(StrEnum):
    AMD64 = "amd64"
    ARM64 = "arm64"


@dataclass(frozen=True, kw_only=True)
class Accelerator:
    key: str
    display_name: str
    usable_memory_gib: float
    """Device memory visible to CUDA (per GPU)."""
    gke_accelerator_type: str | None
    """Value for GKE `guest_accelerators.type` and the `cloud.google.com/gke-accelerator` label."""

    @property
    def usable_memory_bytes(self) -> int:
        return int(self.usable_memory_gib * GIB)


# L4: 24 GB GDDR6 (https://www.nvidia.com/en-us/data-center/l4/); CUDA reports 22.06 GiB.
NVIDIA_L4 = Accelerator(
    key="nvidia-l4",
    display_name="NVIDIA L4",
    usable_memory_gib=22.06,
    gke_accelerator_type="nvidia-l4",
)
# A10: 24 GB GDDR6 (https://www.nvidia.com/en-us/data-center/products/a10-gpu/).
NVIDIA_A10 = Accelerator(
    key="nvidia-a10",
    display_name="NVIDIA A10",
    usable_memory_gib=22.06,
    gke_accelerator_type=None,
)

ACCELERATORS: dict[str, Accelerator] = {a.key: a for a in (NVIDIA_L4, NVIDIA_A10)}


@dataclass(frozen=True, kw_only=True)
class MachineShape:
    """A node shape: how many CPUs, how much memory, which GPUs."""

    name: str
    cloud: str
    vcpus: int
    memory_gib: int
    arch: CpuArch = CpuArch.AMD64
    accelerator: Accelerator | None = None
    gpu_count: int = 0

    @property
    def has_gpu(self) -> bool:
        return self.gpu_count > 0


def _g2(size: int, memory_gib: int, gpus: int) -> MachineShape:
    return MachineShape(
        name=f"g2-standard-{size}",
        cloud="gcp",
        vcpus=size,
        memory_gib=memory_gib,
        accelerator=NVIDIA_L4,
        gpu_count=gpus,
    )


# G2 machine family (https://cloud.google.com/compute/docs/gpus#l4-gpus): the L4 count is fixed
# by the machine type.
_GCP_GPU_SHAPES = (
    _g2(4, 16, 1),
    _g2(8, 32, 1),
    _g2(12, 48, 1),
    _g2(16, 64, 1),
    _g2(24, 96, 2),
    _g2(32, 128, 1),
    _g2(48, 192, 4),
    _g2(96, 384, 8),
)

# General-purpose shapes for the system pool (https://cloud.google.com/compute/docs/general-purpose-machines).
_GCP_CPU_SHAPES = tuple(
    MachineShape(name=f"{family}-standard-{size}", cloud="gcp", vcpus=size, memory_gib=size * 4)
    for family in ("e2", "n2", "n2d")
    for size in (2, 4, 8, 16, 32)
) + tuple(
    MachineShape(
        name=f"t2a-standard-{size}",
        cloud="gcp",
        vcpus=size,
        memory_gib=size * 4,
        arch=CpuArch.ARM64,
    )
    for size in (1, 2, 4, 8, 16, 32, 48)
)

# OCI GPU shapes (https://docs.oracle.com/iaas/Content/Compute/References/computeshapes.htm#vm-gpu).
_OCI_GPU_SHAPES = (
    MachineShape(
        name="VM.GPU.A10.1",
        cloud="oci",
        vcpus=30,
        memory_gib=240,
        accelerator=NVIDIA_A10,
        gpu_count=1,
    ),
    MachineShape(
        name="VM.GPU.A10.2",
        cloud="oci",
        vcpus=60,
        memory_gib=480,
        accelerator=NVIDIA_A10,
        gpu_count=2,
    ),
    MachineShape(
        name="BM.GPU.A10.4",
        cloud="oci",
        vcpus=128,
        memory_gib=1024,
        accelerator=NVIDIA_A10,
        gpu_count=4,
    ),
)

MACHINE_SHAPES: dict[str, MachineShape] = {
    s.name: s for s in (*_GCP_GPU_SHAPES, *_GCP_CPU_SHAPES, *_OCI_GPU_SHAPES)
}


@dataclass(frozen=True, kw_only=True)
class FlexFamily:
    """An OCI flexible shape: OCPUs and memory are chosen per node within these limits."""

    name: str
    arch: CpuArch
    vcpus_per_ocpu: int
    """1 on Ampere A1 (an OCPU is one Arm core), 2 on x86 (one core, two hardware threads)."""
    max_ocpus: int
    max_gb_per_ocpu: int
    max_memory_gb: int

    def problem(self, ocpus: int, memory_gb: int) -> str | None:
        """What is wrong with a node of this size (relative keys), or None if it exists."""
        if not 1 <= ocpus <= self.max_ocpus:
            return f"ocpus: {self.name} takes 1..{self.max_ocpus} OCPUs, not {ocpus}"
        most = min(ocpus * self.max_gb_per_ocpu, self.max_memory_gb)
        if not ocpus <= memory_gb <= most:
            return (
                f"memoryGb: {self.name} with {ocpus} OCPUs takes {ocpus}..{most} GB"
                f" (1..{self.max_gb_per_ocpu} GB per OCPU, at most {self.max_memory_gb}),"
                f" not {memory_gb}"
            )
        return None

    def shape(self, ocpus: int, memory_gb: int) -> MachineShape:
        problem = self.problem(ocpus, memory_gb)
        if problem is not None:
            raise ValueError(problem)
        return MachineShape(
            name=self.name,
            cloud="oci",
            vcpus=ocpus * self.vcpus_per_ocpu,
            memory_gib=memory_gb,
            arch=self.arch,
        )


# Flexible shapes (https://docs.oracle.com/iaas/Content/Compute/References/computeshapes.htm#flexible):
# Ampere A1: 1-80 OCPUs, 1-64 GB per OCPU, at most 512 GB; AMD E4: 1-64 OCPUs, 1-64 GB per
# OCPU, at most 1024 GB.
A1_FLEX = FlexFamily(
    name="VM.Standard.A1.Flex",
    arch=CpuArch.ARM64,
    vcpus_per_ocpu=1,
    max_ocpus=80,
    max_gb_per_ocpu=64,
    max_memory_gb=512,
)
E4_FLEX = FlexFamily(
    name="VM.Standard.E4.Flex",
    arch=CpuArch.AMD64,
    vcpus_per_ocpu=2,
    max_ocpus=64,
    max_gb_per_ocpu=64,
    max_memory_gb=1024,
)
FLEX_FAMILIES: dict[str, FlexFamily] = {f.name: f for f in (A1_FLEX, E4_FLEX)}


def a1_flex(ocpus: int, memory_gib: int) -> MachineShape:
    """An Ampere A1 Flex node of the given size (validated against the shape's limits)."""
    return A1_FLEX.shape(ocpus, memory_gib)


def machine_shape(name: str) -> MachineShape:
    """Look a fixed shape up by name; raises KeyError naming the known ones."""
    try:
        return MACHINE_SHAPES[name]
    except KeyError:
        raise KeyError(f"unknown machine type {name!r}") from None


def gpu_machine_types(cloud: str) -> list[str]:
    return [s.name for s in MACHINE_SHAPES.values() if s.cloud == cloud and s.has_gpu]

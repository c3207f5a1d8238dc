"""Pinned server images and the CPU architectures each one is published for."""

from dataclasses import dataclass

from components.catalog.hardware import CpuArch


@dataclass(frozen=True, kw_only=True)
class ServerImage:
    reference: str
    arches: frozenset[CpuArch]
    entrypoint: tuple[str, ...]
    """The image's ENTRYPOINT; the pod replaces it with a launcher and runs it from there."""


# vllm/vllm-openai is published for linux/amd64 (CUDA).
VLLM_VERSION = "0.33.0"
VLLM_IMAGE = ServerImage(
    reference=f"vllm/vllm-openai:v{VLLM_VERSION}",
    arches=frozenset({CpuArch.AMD64}),
    entrypoint=("vllm", "serve"),
)
TGI_IMAGE = ServerImage(
    reference="ghcr.io/huggingface/text-generation-inference:3.3.4",
    arches=frozenset({CpuArch.AMD64}),
    entrypoint=("text-generation-launcher",),
)
# The llama.cpp CPU server image is multi-arch (linux/amd64 and linux/arm64), which is what lets
# it run on Ampere A1 and Tau T2A nodes.
LLAMA_CPP_IMAGE = ServerImage(
    reference="ghcr.io/ggml-org/llama.cpp:server-b11176",
    arches=frozenset({CpuArch.AMD64, CpuArch.ARM64}),
    entrypoint=("/app/llama-server",),
)

"""Pinned server images, the CPU architectures each one runs on, and how long a pull takes."""

from dataclasses import dataclass, field

from components.catalog.hardware import CpuArch
from components.serving.keep_alive import EDGE_KEEP_ALIVE_SECONDS


@dataclass(frozen=True, kw_only=True)
class ImageBuild:
    """An image built from a Dockerfile in this repository and pushed next to the cluster."""

    context: str
    """Directory of the Dockerfile, relative to the repository root."""
    repository: str
    """Image name inside the registry (`<registry>/<repository>:<tag>`)."""
    tag: str
    build_args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ServerImage:
    reference: str
    """What the pod pulls; for a built image, its name before the registry is known."""
    arches: frozenset[CpuArch]
    entrypoint: tuple[str, ...]
    """The image's ENTRYPOINT; the pod replaces it with a launcher and runs it from there."""
    compressed_bytes: int
    """Registry size, which a node without image streaming downloads before the server starts."""
    build: ImageBuild | None = None


# vllm/vllm-openai is published for linux/amd64 (CUDA); its ENTRYPOINT is `vllm serve`.
VLLM_VERSION = "0.33.0"
VLLM_IMAGE = ServerImage(
    reference=f"vllm/vllm-openai:v{VLLM_VERSION}",
    arches=frozenset({CpuArch.AMD64}),
    entrypoint=("vllm", "serve"),
    # v0.19.1 measured 9,612,695,005 bytes on a GKE L4 node (llm-d's pod-snapshot guide);
    # later releases are described as ~9 GB. No figure is published for v0.33.0.
    compressed_bytes=9_612_695_005,
)
# Built for linux/amd64 only (.github/workflows/build.yaml at v3.3.4). Its ENTRYPOINT script
# runs ldconfig and activates the image's virtualenv before exec'ing text-generation-launcher.
TGI_VERSION = "3.3.4"
TGI_IMAGE = ServerImage(
    reference=f"ghcr.io/huggingface/text-generation-inference:{TGI_VERSION}",
    arches=frozenset({CpuArch.AMD64}),
    entrypoint=("/tgi-entrypoint.sh",),
    # No compressed size is published; assumed vLLM's (the same CUDA + PyTorch stack; 3.3.6
    # unpacks to 16.9 GB).
    compressed_bytes=9_612_695_005,
)
# Upstream's ghcr.io/ggml-org/llama.cpp server images have been amd64-only since mid-2025
# (llama.cpp issues 13995, 19177), so the Arm pools run one built here from the pinned release
# for both architectures (images/llama-server/Dockerfile).
LLAMA_CPP_BUILD = "b11063"
LLAMA_CPP_IMAGE = ServerImage(
    reference=f"llama-server:{LLAMA_CPP_BUILD}",
    arches=frozenset({CpuArch.AMD64, CpuArch.ARM64}),
    entrypoint=("/app/llama-server",),
    # Assumed: an Ubuntu base (~30 MB compressed) plus the server and its libraries.
    compressed_bytes=200_000_000,
    build=ImageBuild(
        context="images/llama-server",
        repository="llama-server",
        tag=LLAMA_CPP_BUILD,
        build_args={
            "LLAMA_CPP_TAG": LLAMA_CPP_BUILD,
            "KEEP_ALIVE_SECONDS": str(EDGE_KEEP_ALIVE_SECONDS),
        },
    ),
)

"""Choose OKE worker images for a Kubernetes version from `get_node_pool_option` sources.

OKE image names follow `Oracle-Linux-<os>[-Gen2-GPU|-aarch64]-<YYYY.MM.DD>-<n>-OKE-<k8s>-<build>`
(https://docs.oracle.com/iaas/images/); names without `-OKE-` are platform images without the
OKE node software, and must not be used for managed nodes.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

ImageKind = Literal["x86", "gpu", "aarch64"]
_OKE_IMAGE = re.compile(
    r"^Oracle-Linux-(?P<os>[0-9.]+)(?P<variant>-Gen2-GPU|-aarch64)?-(?P<date>\d{4}\.\d{2}\.\d{2})"
    r"-\d+-OKE-(?P<k8s>[0-9.]+)-(?P<build>\d+)$"
)
_VARIANTS: dict[ImageKind, str | None] = {"x86": None, "gpu": "-Gen2-GPU", "aarch64": "-aarch64"}


@dataclass(frozen=True, kw_only=True)
class ImageSource:
    image_id: str
    source_name: str


def select_node_image(
    sources: Iterable[ImageSource], kubernetes_version: str, kind: ImageKind
) -> ImageSource:
    """The newest Oracle Linux OKE image of `kind` built for `kubernetes_version` (v1.x.y)."""
    version = kubernetes_version.lstrip("v")
    candidates: list[tuple[tuple[int, ...], str, int, ImageSource]] = []
    for source in sources:
        match = _OKE_IMAGE.match(source.source_name)
        if match is None or match["k8s"] != version or match["variant"] != _VARIANTS[kind]:
            continue
        os_version = tuple(int(p) for p in match["os"].split("."))
        candidates.append((os_version, match["date"], int(match["build"]), source))
    if not candidates:
        raise ValueError(
            f"OKE offers no {kind} Oracle Linux image for Kubernetes {kubernetes_version} in"
            " this region; pick a version from `oci ce node-pool-options get"
            " --node-pool-option-id all` (oci.cluster.kubernetesVersion)"
        )
    return max(candidates, key=lambda c: c[:3])[3]


def image_kind(has_gpu: bool, arm: bool) -> ImageKind:
    if has_gpu:
        return "gpu"
    return "aarch64" if arm else "x86"

"""Images and Helm charts are pinned: a digest or an exact release, never a tag that moves
(`latest`, `v0.33`, `main`). A moved tag changes what runs at the next node start, unreviewed."""

import re
from collections.abc import Iterator

from platform_guard.values import Resource, is_unknown
from platform_guard.workloads import HELM_RELEASES, containers

EXACT_CHART_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
EXACT_TAG = re.compile(r"^v?\d+\.\d+\.\d+([._+-][0-9A-Za-z._-]+)?$|^b\d{3,}$|^\d{8}$")
"""A full version (`v0.33.0`, `3.12.8-slim-bookworm`, `573.0.0-stable`), a llama.cpp build
(`b11063`) or a dated release (`20260930`)."""


def chart_problems(resource: Resource) -> list[str]:
    if resource.type not in HELM_RELEASES:
        return []
    version = resource.props.get("version")
    if is_unknown(version) or (isinstance(version, str) and EXACT_CHART_VERSION.match(version)):
        return []
    return [
        f"chart {resource.props.get('chart')!r} at version {version!r}: pin an exact chart"
        " version (x.y.z); without one Helm installs whatever is newest"
    ]


def image_problems(resource: Resource) -> list[str]:
    return [
        f"container {name}: image {image!r} is not pinned: use an exact version tag or"
        " @sha256:<digest>"
        for name, image in _images(resource)
        if not is_pinned(image)
    ]


def is_pinned(image: str) -> bool:
    if DIGEST.search(image):
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False  # no tag: latest
    return bool(EXACT_TAG.match(last.split(":", 1)[1]))


def _images(resource: Resource) -> Iterator[tuple[str, str]]:
    for container in containers(resource):
        image = container.get("image")
        # An image built by this stack (its digest) is unknown until the build runs.
        if isinstance(image, str) and not is_unknown(image):
            yield str(container.get("name", "?")), image

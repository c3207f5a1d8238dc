"""Which upstream registry a pinned image reference comes from, and its path there (pure): the
Artifact Registry remote repository that mirrors it in the cluster's region serves it as
`<region>-docker.pkg.dev/<project>/<repository>/<path>`."""

from dataclasses import dataclass

DOCKER_HUB = "DOCKER_HUB"
"""Artifact Registry's preset for Docker Hub (`public_repository`)."""


@dataclass(frozen=True, kw_only=True)
class Upstream:
    key: str
    """Suffix of the remote repository's ID."""
    public_repository: str | None = None
    uri: str | None = None
    """A registry URL, for upstreams without a preset (`common_repository`)."""


UPSTREAMS = {
    "docker.io": Upstream(key="dockerhub", public_repository=DOCKER_HUB),
    "ghcr.io": Upstream(key="ghcr", uri="https://ghcr.io"),
}


def upstream_path(reference: str) -> tuple[Upstream, str]:
    """`vllm/vllm-openai:v0.33.0` -> (Docker Hub, `vllm/vllm-openai:v0.33.0`);
    `ghcr.io/org/image:tag` -> (ghcr.io, `org/image:tag`). Docker Hub's official images get
    the `library/` namespace their registry path has."""
    first, _, rest = reference.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host, path = first, rest
    else:
        host, path = "docker.io", reference
    if host not in UPSTREAMS:
        raise ValueError(f"{reference}: no mirror for registry {host}; add it to UPSTREAMS")
    if host == "docker.io" and "/" not in path:
        path = f"library/{path}"
    return UPSTREAMS[host], path

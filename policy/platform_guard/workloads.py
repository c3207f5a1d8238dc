"""Where resources keep their containers, and which resources are Helm charts."""

from collections.abc import Iterator
from typing import Any

from platform_guard.values import Resource, dig, items, mapping

HELM_RELEASES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
POD_SPECS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CLOUD_RUN_TEMPLATES: dict[str, tuple[str, ...]] = {
    "gcp:cloudrunv2/service:Service": ("template",),
    "gcp:cloudrunv2/job:Job": ("template", "template"),
}


def containers(resource: Resource) -> Iterator[dict[str, Any]]:
    """Every container (init and ephemeral ones too) of a Kubernetes workload or a Cloud Run
    service or job."""
    if resource.type in POD_SPECS:
        spec = mapping(dig(resource.props, *POD_SPECS[resource.type]))
        keys: tuple[str, ...] = ("initContainers", "containers", "ephemeralContainers")
    elif resource.type in CLOUD_RUN_TEMPLATES:
        spec = mapping(dig(resource.props, *CLOUD_RUN_TEMPLATES[resource.type]))
        keys = ("containers",)
    else:
        return
    for key in keys:
        yield from (c for c in items(spec.get(key)) if isinstance(c, dict))


def env_vars(container: dict[str, Any]) -> list[dict[str, Any]]:
    """A container's environment: `env` in Kubernetes, `envs` on Cloud Run v2."""
    found = items(container.get("env")) + items(container.get("envs"))
    return [e for e in found if isinstance(e, dict)]

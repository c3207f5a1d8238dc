"""In production stacks, clusters and databases refuse deletion: a `pulumi destroy`, a replace
or a console click must not take the serving cluster or the quotes database with it.

- GKE cluster: `deletion_protection` (the provider refuses to delete it; default true).
- Cloud SQL instance: `deletion_protection` (the provider) and
  `settings.deletion_protection_enabled` (the Cloud SQL API, against deletes from anywhere).
- OKE cluster: no such flag exists, so Pulumi's `protect` resource option.
"""

from platform_guard.values import Resource, dig, is_unknown

DEFAULT_PRODUCTION_STACKS = ("prod", "production")
GKE_CLUSTER = "gcp:container/cluster:Cluster"
SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
OKE_CLUSTER = "oci:ContainerEngine/cluster:Cluster"


def deletion_protection_problems(resource: Resource) -> list[str]:
    """Problems of `resource` as a production resource (callers decide what production is)."""
    if resource.type == GKE_CLUSTER and resource.props.get("deletionProtection") is False:
        return ["GKE cluster without deletion protection: set deletion_protection=True"]
    if resource.type == SQL_INSTANCE:
        problems = []
        if resource.props.get("deletionProtection") is False:
            problems.append("Cloud SQL instance with deletion_protection=False")
        enabled = dig(resource.props, "settings", "deletionProtectionEnabled")
        if enabled is not True and not is_unknown(enabled):
            problems.append(
                "Cloud SQL instance without settings.deletion_protection_enabled=True"
                " (the API-side guard against deletes outside Pulumi)"
            )
        return problems
    if resource.type == OKE_CLUSTER and not resource.protect:
        return ["OKE cluster without `protect` (OKE has no deletion-protection flag)"]
    return []

"""No grant reads every secret: Secret Manager access is granted on each secret, OCI Vault reads
are limited to named secrets. A project-wide `secretAccessor` would let the model servers' identity
read the database password and every other team's secrets in the project.
"""

import json
import re
from typing import Any

from platform_guard.values import Resource, is_unknown

SECRET_READING_ROLES = frozenset(
    {"roles/secretmanager.secretAccessor", "roles/secretmanager.admin", "roles/owner"}
)
"""Predefined roles holding `secretmanager.versions.access` (roles/editor does not)."""
BROAD_GRANTS = frozenset(
    {
        "gcp:projects/iAMMember:IAMMember",
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:folder/iAMMember:IAMMember",
        "gcp:folder/iAMBinding:IAMBinding",
        "gcp:organizations/iAMMember:IAMMember",
        "gcp:organizations/iAMBinding:IAMBinding",
    }
)
BROAD_POLICIES = frozenset(
    {
        "gcp:projects/iAMPolicy:IAMPolicy",
        "gcp:folder/iAMPolicy:IAMPolicy",
        "gcp:organizations/iAMPolicy:IAMPolicy",
    }
)
OCI_POLICY = "oci:Identity/policy:Policy"
OCI_SECRET_READ = re.compile(
    r"\bto\s+(read|use|manage)\s+(secret-bundles|secret-family|all-resources)\b", re.IGNORECASE
)
OCI_SECRET_SCOPE = re.compile(r"target\.secret\.(name|id)\s*=", re.IGNORECASE)
"""The Vault service's variables for specific secrets and their bundles."""


def gcp_problems(resource: Resource) -> list[str]:
    roles: list[Any] = []
    if resource.type in BROAD_GRANTS:
        roles = [resource.props.get("role")]
    elif resource.type in BROAD_POLICIES:
        roles = _policy_roles(resource.props.get("policyData"))
    scope = resource.type.split(":", 2)[1].split("/", 1)[0]
    return [
        f"{role} granted on the whole {scope.rstrip('s')}: it reads every secret there;"
        " grant roles/secretmanager.secretAccessor on each secret"
        " (gcp.secretmanager.SecretIamMember)"
        for role in roles
        if role in SECRET_READING_ROLES
    ]


def oci_problems(resource: Resource) -> list[str]:
    if resource.type != OCI_POLICY:
        return []
    statements = resource.props.get("statements") or []
    if is_unknown(statements):
        return []
    return [
        f"statement reads every secret in its scope: {statement!r}; limit it with"
        " where target.secret.name = '...' (or target.secret.id)"
        for statement in statements
        if isinstance(statement, str)
        and OCI_SECRET_READ.search(statement)
        and not OCI_SECRET_SCOPE.search(statement)
    ]


def _policy_roles(policy_data: Any) -> list[str]:
    if not isinstance(policy_data, str) or is_unknown(policy_data):
        return []
    try:
        bindings = json.loads(policy_data).get("bindings") or []
    except (json.JSONDecodeError, AttributeError):
        return []
    return [b["role"] for b in bindings if isinstance(b, dict) and isinstance(b.get("role"), str)]

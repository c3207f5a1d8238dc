"""The model servers' secrets in Google Secret Manager: Hugging Face token and tenants' keys.

Each tenant's key is its own secret, so a client (the Cloud Run frontend, a team's service) can
be allowed to read its own key and no other. The values arrive as secret Outputs (Pulumi
config) or are generated here; Pulumi keeps them
encrypted in state and they never appear in a Kubernetes object (pods mount them through the
GKE Secret Manager add-on).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE
from components.naming import physical_name
from components.serving.secret_files import HF_TOKEN_KEY, api_key_file

SECRET_ID_MAX = 255
SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"


@dataclass(frozen=True, kw_only=True)
class SecretManagerSecretsArgs:
    project: str
    id_prefix: str
    """Prefix of the secret IDs, unique per stack within the project (e.g. `llm-dev`)."""
    hf_token: pulumi.Input[str] | None
    """None: no token (only public models can be served)."""
    api_keys: Mapping[str, pulumi.Output[str]]
    """Tenant name -> its API key (see TenantKeys)."""
    replica_locations: Sequence[str] = ()
    """Empty: automatic replication; else user-managed replicas in these regions only."""


@dataclass(frozen=True, kw_only=True)
class StoredSecret:
    key: str
    """File name in the pod (`api-key-<tenant>`, `hf-token`)."""
    resource_name: pulumi.Output[str]
    """`projects/<project>/secrets/<id>`, what IAM bindings and the CSI driver refer to."""
    version: pulumi.Output[str]
    """Full name of the current version; changes when the value does."""


class SecretManagerSecrets(pulumi.ComponentResource):
    secrets: list[StoredSecret]
    api_keys: dict[str, pulumi.Output[str]]
    """Tenant -> the key it sends as `Authorization: Bearer <tenant>.<secret>` (secret)."""
    api_key_secret_names: dict[str, pulumi.Output[str]]
    """Tenant -> `projects/<p>/secrets/<id>` of its key, for clients that read it from there."""

    def __init__(
        self, name: str, args: SecretManagerSecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:SecretManagerSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.api_keys = dict(args.api_keys)
        values: dict[str, pulumi.Input[str]] = {
            api_key_file(tenant): key for tenant, key in self.api_keys.items()
        }
        if args.hf_token is not None:
            values[HF_TOKEN_KEY] = pulumi.Output.secret(args.hf_token)
        stored = {
            key: store_secret(
                f"{name}-{key}",
                project=args.project,
                secret_id=physical_name(args.id_prefix, key, SECRET_ID_MAX),
                key=key,
                value=value,
                replica_locations=args.replica_locations,
                opts=child,
            )
            for key, value in values.items()
        }
        self.secrets = list(stored.values())
        self.api_key_secret_names = {
            tenant: stored[api_key_file(tenant)].resource_name for tenant in self.api_keys
        }
        self.register_outputs(
            {
                "secrets": [s.resource_name for s in self.secrets],
                "api_keys": self.api_keys,
                "api_key_secret_names": self.api_key_secret_names,
            }
        )


def store_secret(
    name: str,
    *,
    project: str,
    secret_id: str,
    key: str,
    value: pulumi.Input[str],
    replica_locations: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> StoredSecret:
    """One Secret Manager secret and its current version; `value` is stored as a secret."""
    secret = gcp.secretmanager.Secret(
        name,
        project=project,
        secret_id=secret_id,
        replication=_replication(replica_locations),
        labels={"app": "llm-platform", "secret": key},
        opts=opts,
    )
    version = gcp.secretmanager.SecretVersion(
        f"{name}-version",
        secret=secret.id,
        secret_data=pulumi.Output.secret(value),
        opts=opts,
    )
    return StoredSecret(
        key=key,
        resource_name=pulumi.Output.concat("projects/", project, "/secrets/", secret.secret_id),
        version=version.name,
    )


def grant_reads(
    name: str,
    *,
    project: str,
    secrets: Mapping[str, pulumi.Input[str]],
    member: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> list[gcp.secretmanager.SecretIamMember]:
    """`secretAccessor` for `member` on each secret (key -> resource name), never the project."""
    return [
        gcp.secretmanager.SecretIamMember(
            f"{name}-reads-{key}",
            project=project,
            secret_id=secret,
            role=SECRET_ACCESSOR_ROLE,
            member=member,
            opts=opts,
        )
        for key, secret in secrets.items()
    ]


def _replication(locations: Sequence[str]) -> gcp.secretmanager.SecretReplicationArgs:
    if not locations:
        return gcp.secretmanager.SecretReplicationArgs(
            auto=gcp.secretmanager.SecretReplicationAutoArgs()
        )
    return gcp.secretmanager.SecretReplicationArgs(
        user_managed=gcp.secretmanager.SecretReplicationUserManagedArgs(
            replicas=[
                gcp.secretmanager.SecretReplicationUserManagedReplicaArgs(location=location)
                for location in locations
            ]
        )
    )

"""The model servers' secrets in Google Secret Manager: Hugging Face token and API key.

The values arrive as secret Outputs (Pulumi config) or are generated here; Pulumi keeps them
encrypted in state and they never appear in a Kubernetes object (pods mount them through the
GKE Secret Manager add-on).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components import PACKAGE
from components.naming import physical_name
from components.serving.server_plan import API_KEY_KEY, HF_TOKEN_KEY

_SECRET_ID_MAX = 255


@dataclass(frozen=True, kw_only=True)
class SecretManagerSecretsArgs:
    project: str
    id_prefix: str
    """Prefix of the secret IDs, unique per stack within the project (e.g. `llm-dev`)."""
    hf_token: pulumi.Input[str] | None
    """None: no token (only public models can be served)."""
    api_key: pulumi.Input[str] | None
    """None: generate a 48-character key; clients read it from the `apiKey` stack output."""
    replica_locations: Sequence[str] = ()
    """Empty: automatic replication; else user-managed replicas in these regions only."""


@dataclass(frozen=True, kw_only=True)
class StoredSecret:
    key: str
    """File name in the pod (`api-key`, `hf-token`)."""
    resource_name: pulumi.Output[str]
    """`projects/<project>/secrets/<id>`, what IAM bindings and the CSI driver refer to."""
    version: pulumi.Output[str]
    """Full name of the current version; changes when the value does."""


class SecretManagerSecrets(pulumi.ComponentResource):
    secrets: list[StoredSecret]
    api_key: pulumi.Output[str]
    """The key clients send as `Authorization: Bearer ...` (secret)."""
    api_key_resource_name: pulumi.Output[str]
    """`projects/<p>/secrets/<id>` of the API key, for clients that read it from Secret Manager."""

    def __init__(
        self, name: str, args: SecretManagerSecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:SecretManagerSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.api_key is None:
            # No special characters: the key travels in HTTP headers and shell variables.
            generated = random.RandomPassword(
                f"{name}-api-key-value", length=48, special=False, opts=child
            )
            self.api_key = pulumi.Output.secret(generated.result)
        else:
            self.api_key = pulumi.Output.secret(args.api_key)
        values: dict[str, pulumi.Input[str]] = {API_KEY_KEY: self.api_key}
        if args.hf_token is not None:
            values[HF_TOKEN_KEY] = pulumi.Output.secret(args.hf_token)
        self.secrets = [
            self._store(name, key, value, args, child) for key, value in values.items()
        ]
        self.api_key_resource_name = next(
            s.resource_name for s in self.secrets if s.key == API_KEY_KEY
        )
        self.register_outputs(
            {
                "secrets": [s.resource_name for s in self.secrets],
                "api_key": self.api_key,
                "api_key_resource_name": self.api_key_resource_name,
            }
        )

    @staticmethod
    def _store(
        name: str,
        key: str,
        value: pulumi.Input[str],
        args: SecretManagerSecretsArgs,
        child: pulumi.ResourceOptions,
    ) -> StoredSecret:
        secret = gcp.secretmanager.Secret(
            f"{name}-{key}",
            project=args.project,
            secret_id=physical_name(args.id_prefix, key, _SECRET_ID_MAX),
            replication=_replication(args.replica_locations),
            labels={"app": "llm-platform", "secret": key},
            opts=child,
        )
        version = gcp.secretmanager.SecretVersion(
            f"{name}-{key}-version",
            secret=secret.id,
            secret_data=pulumi.Output.secret(value),
            opts=child,
        )
        return StoredSecret(
            key=key,
            resource_name=pulumi.Output.concat(
                "projects/", args.project, "/secrets/", secret.secret_id
            ),
            version=version.name,
        )


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

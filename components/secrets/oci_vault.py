"""The model servers' secrets in OCI Vault: a vault, its master key, one secret per value.

The key also encrypts the OKE cluster's Kubernetes Secrets in etcd. Destroying a vault or key
only schedules deletion (7-30 days), and a key pending deletion makes everything it encrypted
unreadable at once: keep `protect` on in production.
"""

import base64
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_oci as oci

from components import PACKAGE
from components.serving.secret_files import HF_TOKEN_KEY, api_key_file


@dataclass(frozen=True, kw_only=True)
class OciVaultSecretsArgs:
    compartment_id: str
    name_prefix: str
    """Prefix of the secret names, unique per stack (e.g. `llm-dev`)."""
    hf_token: pulumi.Input[str] | None
    api_keys: Mapping[str, pulumi.Output[str]]
    protect: bool


@dataclass(frozen=True, kw_only=True)
class VaultSecret:
    key: str
    """File name in the pod (`api-key-<tenant>`, `hf-token`)."""
    secret_name: str
    """Name in the vault; what the External Secrets Operator looks up."""
    secret_id: pulumi.Output[str]
    version: pulumi.Output[str]
    """Current version number; changes when the value does."""


def _base64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


class OciVaultSecrets(pulumi.ComponentResource):
    vault_id: pulumi.Output[str]
    key_id: pulumi.Output[str]
    secrets: list[VaultSecret]
    api_key_secret_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: OciVaultSecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:oci:OciVaultSecrets", name, None, opts)
        lasting = pulumi.ResourceOptions(parent=self, protect=args.protect)
        vault = oci.kms.Vault(
            f"{name}-vault",
            compartment_id=args.compartment_id,
            display_name=args.name_prefix,
            vault_type="DEFAULT",
            opts=lasting,
        )
        key = oci.kms.Key(
            f"{name}-key",
            compartment_id=args.compartment_id,
            display_name=f"{args.name_prefix}-master",
            management_endpoint=vault.management_endpoint,
            key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32),
            protection_mode="HSM",
            opts=lasting,
        )
        values: dict[str, pulumi.Input[str]] = {
            api_key_file(tenant): value for tenant, value in args.api_keys.items()
        }
        if args.hf_token is not None:
            values[HF_TOKEN_KEY] = args.hf_token
        stored = {k: self._secret(name, k, v, args, vault.id, key.id) for k, v in values.items()}
        self.secrets = list(stored.values())
        self.api_key_secret_ids = {
            tenant: stored[api_key_file(tenant)].secret_id for tenant in args.api_keys
        }
        self.vault_id = vault.id
        self.key_id = key.id
        self.register_outputs({"vault_id": self.vault_id, "key_id": self.key_id})

    def _secret(
        self,
        name: str,
        key: str,
        value: pulumi.Input[str],
        args: OciVaultSecretsArgs,
        vault_id: pulumi.Output[str],
        key_id: pulumi.Output[str],
    ) -> VaultSecret:
        secret_name = f"{args.name_prefix}-{key}"
        secret = oci.vault.Secret(
            f"{name}-{key}",
            compartment_id=args.compartment_id,
            vault_id=vault_id,
            key_id=key_id,
            secret_name=secret_name,
            description=f"llm-platform {key}",
            secret_content=oci.vault.SecretSecretContentArgs(
                content_type="BASE64",
                content=pulumi.Output.secret(value).apply(_base64),
                stage="CURRENT",
            ),
            # The provider does not mark the content secret on its own.
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["secretContent"]),
        )
        return VaultSecret(
            key=key,
            secret_name=secret_name,
            secret_id=secret.id,
            version=secret.current_version_number,
        )

"""Each tenant's API key, made once per stack and stored in every cloud's secret store.

Both edges (Cloud Armor on Google Cloud, API Gateway on OCI) and every model server accept the
same key for a tenant, so a client switches clouds by switching base URL only.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components import PACKAGE
from components.edge.tenants import SECRET_PART_LENGTH, key_prefix

_OLD_PARENT_TYPE = f"{PACKAGE}:gcp:SecretManagerSecrets"
_OLD_PARENT_NAME = "model-secrets"


@dataclass(frozen=True, kw_only=True)
class TenantKeysArgs:
    configured: Mapping[str, pulumi.Input[str] | None]
    """Tenant name -> the secret part of its key from config, or None to generate one."""


class TenantKeys(pulumi.ComponentResource):
    keys: dict[str, pulumi.Output[str]]
    """Tenant -> the key it sends as `Authorization: Bearer <tenant>.<secret>` (secret)."""

    def __init__(
        self, name: str, args: TenantKeysArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:secrets:TenantKeys", name, None, opts)
        self.keys = {
            tenant: self._key(name, tenant, configured)
            for tenant, configured in args.configured.items()
        }
        self.register_outputs({"keys": self.keys})

    def _key(
        self, name: str, tenant: str, configured: pulumi.Input[str] | None
    ) -> pulumi.Output[str]:
        if configured is None:
            # No special characters: the key travels in HTTP headers and shell variables.
            configured = random.RandomPassword(
                f"{name}-{tenant}",
                length=SECRET_PART_LENGTH,
                special=False,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    # Keys generated before both clouds shared them lived under the Secret
                    # Manager component: adopt them instead of issuing new keys.
                    aliases=[
                        pulumi.Alias(
                            name=f"{_OLD_PARENT_NAME}-{tenant}-key-secret",
                            parent=pulumi.create_urn(_OLD_PARENT_NAME, _OLD_PARENT_TYPE),
                        )
                    ],
                ),
            ).result
        return pulumi.Output.secret(pulumi.Output.concat(key_prefix(tenant), configured))

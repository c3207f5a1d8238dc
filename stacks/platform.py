"""Build the clouds the config selects, sharing what is cloud-neutral (the tenants' keys)."""

from dataclasses import dataclass

import pulumi

from components.secrets.tenant_keys import TenantKeys, TenantKeysArgs
from stacks.config import LoadedConfig
from stacks.gcp import GcpStack, build_gcp
from stacks.oci import OciStack, build_oci


@dataclass(frozen=True)
class Platform:
    config: LoadedConfig
    api_keys: dict[str, pulumi.Output[str]]
    gcp: GcpStack | None
    oci: OciStack | None


def build_platform(config: LoadedConfig) -> Platform:
    keys = TenantKeys("tenant-keys", TenantKeysArgs(configured=config.tenant_secrets)).keys
    gcp_settings = config.stack.gcp
    oci_settings = config.stack.oci
    return Platform(
        config=config,
        api_keys=keys,
        gcp=None if gcp_settings is None else build_gcp(config, gcp_settings, keys),
        oci=None if oci_settings is None else build_oci(config, oci_settings, keys),
    )

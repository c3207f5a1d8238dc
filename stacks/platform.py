"""Build the clouds the config selects, sharing what is cloud-neutral (the tenants' keys), then
the frontend, which may call a model on either cloud."""

from dataclasses import dataclass

import pulumi

from components.secrets.tenant_keys import TenantKeys, TenantKeysArgs
from stacks.config import LoadedConfig
from stacks.frontend import FrontendStack, build_frontend
from stacks.gcp import GcpStack, build_gcp
from stacks.oci import OciStack, build_oci


@dataclass(frozen=True)
class Platform:
    config: LoadedConfig
    api_keys: dict[str, pulumi.Output[str]]
    gcp: GcpStack | None
    oci: OciStack | None
    frontend: FrontendStack | None


def build_platform(config: LoadedConfig) -> Platform:
    keys = TenantKeys("tenant-keys", TenantKeysArgs(configured=config.tenant_secrets)).keys
    gcp_settings = config.stack.gcp
    oci_settings = config.stack.oci
    gcp_stack = None if gcp_settings is None else build_gcp(config, gcp_settings, keys)
    oci_stack = None if oci_settings is None else build_oci(config, oci_settings, keys)
    frontend = None
    if gcp_settings is not None and gcp_stack is not None and gcp_settings.frontend is not None:
        frontend = build_frontend(config, gcp_settings, gcp_stack, oci_stack)
    return Platform(config=config, api_keys=keys, gcp=gcp_stack, oci=oci_stack, frontend=frontend)

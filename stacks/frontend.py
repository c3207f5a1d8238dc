"""Assemble the Cloud Run frontend: its database, its secrets, and its wiring to the model it
calls (through that model's public edge, on either cloud) and to Vertex AI."""

from dataclasses import dataclass

import pulumi

from components.database.postgres import PostgresDatabase, PostgresDatabaseArgs
from components.database.private_services import (
    PrivateServicesAccess,
    PrivateServicesAccessArgs,
)
from components.frontend.environment import (
    QuotesDatabaseAccess,
    SelfHostedModel,
    VertexModels,
    app_environment,
)
from components.frontend.frontend_service import (
    CLOUD_SQL_CLIENT_ROLE,
    VERTEX_AI_USER_ROLE,
    FrontendService,
    FrontendServiceArgs,
)
from components.frontend.settings import FrontendSettings
from components.naming import physical_name
from components.secrets.secret_manager import SECRET_ID_MAX, StoredSecret, store_secret
from components.serving.secret_files import api_key_file
from stacks.config import LoadedConfig, PlannedServer, frontend_target
from stacks.gcp import ACCOUNT_ID_MAX, GcpStack
from stacks.gcp_config import GcpConfig
from stacks.oci import OciStack

QUOTES_DATABASE = "quote_db"
"""The name the app's commented-out datasource default uses."""
QUOTES_USER = "quotes"
CLOUD_RUN_TIMEOUT_MAX_SEC = 3600
_SERVICE_NAME_MAX = 49


@dataclass(frozen=True)
class FrontendStack:
    service: FrontendService
    database: PostgresDatabase
    target: PlannedServer


def build_frontend(
    config: LoadedConfig, settings: GcpConfig, gcp_stack: GcpStack, oci_stack: OciStack | None
) -> FrontendStack:
    frontend = settings.frontend
    target = frontend_target(config.stack, config.servers)
    assert frontend is not None and target is not None, "validated in stacks.config"
    opts = gcp_stack.after_apis
    prefix = gcp_stack.prefix
    access = PrivateServicesAccess(
        "private-services",
        PrivateServicesAccessArgs(network=gcp_stack.network.network_id),
        opts=opts,
    )
    database = PostgresDatabase(
        "quotes-db",
        PostgresDatabaseArgs(
            project=settings.project,
            region=settings.region,
            network=gcp_stack.network.network_id,
            settings=frontend.database,
            database=QUOTES_DATABASE,
            user=QUOTES_USER,
            password_secret_id=physical_name(prefix, "quotes-db-password", SECRET_ID_MAX),
            replica_locations=settings.secrets.replica_locations,
            private_services=access.connection,
        ),
        opts=opts,
    )
    environment = app_environment(
        _self_hosted(settings, frontend, target, gcp_stack, oci_stack),
        VertexModels(
            project=settings.project,
            region=settings.vertex_ai.region,
            maas_model=settings.vertex_ai.model,
            gemini_model=frontend.gemini_model,
        ),
        QuotesDatabaseAccess(
            settings=frontend.database,
            private_ip=database.private_ip,
            connection_name=database.connection_name,
            database=database.database,
            user=database.user,
            password=database.password,
        ),
        frontend.jvm_options,
    )
    roles = [VERTEX_AI_USER_ROLE]
    if frontend.database.connection == "connector":
        roles.append(CLOUD_SQL_CLIENT_ROLE)
    if frontend.image is None:
        pulumi.log.warn(
            "gcp.frontend.image is not set: the frontend's repository, database, identity and"
            " secrets are created, but no Cloud Run service; push the app's image to the"
            " frontendRepository output and set gcp.frontend.image (see README)"
        )
    service = FrontendService(
        "frontend",
        FrontendServiceArgs(
            project=settings.project,
            region=settings.region,
            service_name=physical_name(prefix, "quotes", _SERVICE_NAME_MAX),
            account_id=physical_name(prefix, "frontend", ACCOUNT_ID_MAX),
            repository_id=physical_name(prefix, "frontend", 63),
            settings=frontend,
            network=gcp_stack.network.network,
            environment=environment,
            project_roles=roles,
            request_timeout_sec=min(settings.edge.backend_timeout_sec, CLOUD_RUN_TIMEOUT_MAX_SEC),
            ready_after=[database.user_resource],
        ),
        opts=opts,
    )
    return FrontendStack(service=service, database=database, target=target)


def _self_hosted(
    settings: GcpConfig,
    frontend: FrontendSettings,
    target: PlannedServer,
    gcp_stack: GcpStack,
    oci_stack: OciStack | None,
) -> SelfHostedModel:
    name = target.config.name
    api_key = _stored(gcp_stack, api_key_file(frontend.tenant))
    served_name = target.config.checkpoint.served_name
    if target.cloud == "gcp":
        return SelfHostedModel(
            base_url=gcp_stack.edge.endpoints[name], served_name=served_name, api_key=api_key
        )
    assert oci_stack is not None
    # The OCI gateway also wants the tenant's usage-plan token; keep it beside the key.
    client_token = store_secret(
        f"frontend-oci-client-token-{frontend.tenant}",
        project=settings.project,
        secret_id=physical_name(
            gcp_stack.prefix, f"oci-client-token-{frontend.tenant}", SECRET_ID_MAX
        ),
        key=f"oci-client-token-{frontend.tenant}",
        value=oci_stack.gateway.client_tokens[frontend.tenant],
        replica_locations=settings.secrets.replica_locations,
        opts=gcp_stack.after_apis,
    )
    return SelfHostedModel(
        base_url=oci_stack.gateway.endpoints[name],
        served_name=served_name,
        api_key=api_key,
        client_token=client_token,
    )


def _stored(gcp_stack: GcpStack, key: str) -> StoredSecret:
    return next(s for s in gcp_stack.secrets.secrets if s.key == key)

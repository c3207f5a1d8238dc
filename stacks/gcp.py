"""Assemble the Google Cloud path: APIs, network, GKE, secrets, model servers, GCLB edge."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.clusters.gke import (
    GKE_NVIDIA_DRIVER_DIR,
    GKE_STORAGE_CLASS,
    GkeCluster,
    GkeClusterArgs,
)
from components.clusters.gke_network import GkeNetwork, GkeNetworkArgs
from components.clusters.placement import NodePlacement
from components.cost.opencost_prices import gke_custom_prices
from components.edge.gclb import (
    GCLB_SOURCE_RANGES,
    ExposedService,
    GclbEdge,
    GclbEdgeArgs,
    gclb_service_annotations,
)
from components.images.artifact_registry import ArtifactRegistry, ArtifactRegistryArgs
from components.images.built_image import BuiltImage, BuiltImageArgs
from components.images.mirrors import upstream_path
from components.loadtest.load_tests import LoadTests
from components.loadtest.targets import PlannedLoadTest
from components.naming import physical_name
from components.observability.monitoring_stack import MonitoringStack
from components.project_apis import (
    FRONTEND_APIS,
    IMAGE_STREAMING_APIS,
    LOAD_TEST_APIS,
    REQUIRED_APIS,
    WEIGHTS_CACHE_APIS,
    ProjectApis,
    ProjectApisArgs,
)
from components.secrets.gke_secret_files import GkeSecretFiles, GkeSecretFilesArgs
from components.secrets.secret_manager import SecretManagerSecrets, SecretManagerSecretsArgs
from components.secrets.workload_identity import WorkloadIdentity, WorkloadIdentityArgs
from components.serving.model_server import ModelServer, ModelServerArgs
from components.serving.namespace import (
    SERVICE_ACCOUNT_NAME,
    ServingNamespace,
    ServingNamespaceArgs,
)
from components.serving.secret_files import HF_TOKEN_KEY, SecretFiles
from components.serving.server_plan import SERVER_PORT
from stacks.config import LoadedConfig, PlannedServer
from stacks.gcp_config import GcpConfig, VertexAiSettings
from stacks.load_tests import gcp_load_tests, load_test_clients, on_cloud, secret_keys
from stacks.observability import admitted_namespaces, build_monitoring, gpu_nodes
from stacks.weights_cache import ServerWeights, cached_servers, gcp_weights_cache

EDGE_NAME = "llm-edge"
LOAD_TEST_PROVIDER_CLASS = "load-test-secrets"
FILL_PROVIDER_CLASS = "weights-fill-secrets"
ACCOUNT_ID_MAX = 30


@dataclass(frozen=True)
class GcpStack:
    provider: gcp.Provider
    after_apis: pulumi.ResourceOptions
    """Options of a resource calling an API this stack enables (provider and ordering)."""
    prefix: str
    network: GkeNetwork
    cluster: GkeCluster
    secrets: SecretManagerSecrets
    identity: WorkloadIdentity
    namespace: ServingNamespace
    servers: dict[str, ModelServer]
    planned: list[PlannedServer]
    edge: GclbEdge
    monitoring: MonitoringStack
    load_tests: LoadTests | None
    project: str
    region: str
    vertex_ai: VertexAiSettings


def build_gcp(
    config: LoadedConfig, settings: GcpConfig, api_keys: dict[str, pulumi.Output[str]]
) -> GcpStack:
    planned_servers = [s for s in config.servers if s.cloud == "gcp"]
    load_tests = on_cloud(config.load_tests, planned_servers)
    cached = cached_servers(planned_servers)
    # Service-account and secret IDs are project-wide: keep each stack's apart.
    prefix = f"llm-{pulumi.get_stack()}"
    provider = gcp.Provider(
        "gcp",
        project=settings.project,
        region=settings.region,
        default_labels={"managed-by": "pulumi", "app": "llm-platform"},
    )
    cloud = pulumi.ResourceOptions(providers=[provider])
    apis = ProjectApis(
        "apis",
        ProjectApisArgs(
            project=settings.project,
            apis=REQUIRED_APIS
            + (FRONTEND_APIS if settings.frontend is not None else ())
            + (LOAD_TEST_APIS if load_tests else ())
            + (WEIGHTS_CACHE_APIS if cached else ())
            + (IMAGE_STREAMING_APIS if settings.cluster.image_streaming else ()),
        ),
        opts=cloud,
    )
    after_apis = cloud.merge(_after(apis))
    network = GkeNetwork("llm", GkeNetworkArgs(region=settings.region), opts=after_apis)
    cluster = _cluster(settings, prefix, network, after_apis)
    secrets = SecretManagerSecrets(
        "model-secrets",
        SecretManagerSecretsArgs(
            project=settings.project,
            id_prefix=prefix,
            hf_token=config.hf_token,
            api_keys=api_keys,
            replica_locations=settings.secrets.replica_locations,
        ),
        opts=after_apis,
    )
    # Servers that read the weights cache never download: the Hugging Face token is the fill
    # Job's alone.
    server_secrets = [s for s in secrets.secrets if not (cached and s.key == HF_TOKEN_KEY)]
    identity = WorkloadIdentity(
        "model-servers",
        WorkloadIdentityArgs(
            project=settings.project,
            account_id=physical_name(prefix, "models", ACCOUNT_ID_MAX),
            workload_pool=cluster.workload_pool,
            namespace=settings.namespace,
            service_account_name=SERVICE_ACCOUNT_NAME,
            readable_secrets={s.key: s.resource_name for s in server_secrets},
        ),
        opts=after_apis,
    )
    in_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    namespace = ServingNamespace(
        "serving",
        ServingNamespaceArgs(
            namespace=settings.namespace,
            server_port=SERVER_PORT,
            load_balancer_ranges=GCLB_SOURCE_RANGES,
            monitoring_namespaces=admitted_namespaces(
                settings.monitoring_namespaces, config.stack.monitoring.namespace
            ),
            scrape_key=any(s.plan.scrape_key_needed for s in planned_servers),
            service_account_annotations=identity.service_account_annotations,
            client_pods=load_test_clients(load_tests),
        ),
        opts=in_cluster,
    )
    secret_files = GkeSecretFiles(
        "model-server-secrets",
        GkeSecretFilesArgs(namespace=namespace.namespace, secrets=server_secrets),
        opts=in_cluster,
    ).secret_files
    images = _built_images(settings, prefix, cluster, planned_servers, after_apis)
    if settings.cluster.image_streaming:
        images |= _mirrored_images(settings, prefix, cluster, planned_servers, after_apis)
    weights: dict[str, ServerWeights] = {}
    if cached:
        weights = _weights_cache(
            settings, prefix, cached, cluster, secrets, identity, namespace, after_apis
        )
    servers = {
        planned.config.name: _model_server(
            planned,
            cluster,
            namespace,
            secret_files,
            images.get(planned.plan.image.reference),
            weights.get(planned.config.name),
            in_cluster,
        )
        for planned in planned_servers
    }
    edge = _edge(
        settings,
        config,
        namespace,
        servers,
        pulumi.ResourceOptions(providers=[provider, cluster.provider]),
    )
    monitoring = build_monitoring(
        "gke-monitoring",
        config=config,
        cluster_name=f"{prefix}-gke",
        serving=namespace,
        storage_class=GKE_STORAGE_CLASS,
        gpu=gpu_nodes(cluster.placements, driver_host_dir=GKE_NVIDIA_DRIVER_DIR),
        prices=gke_custom_prices(settings.region),
        planned=planned_servers,
        servers=servers,
        opts=in_cluster,
    )
    tests = None
    if load_tests:
        tests = _load_tests(
            settings,
            prefix,
            load_tests,
            cluster,
            secrets,
            namespace,
            planned_servers,
            servers,
            after_apis,
        )
    return GcpStack(
        provider=provider,
        after_apis=after_apis,
        prefix=prefix,
        network=network,
        cluster=cluster,
        secrets=secrets,
        identity=identity,
        namespace=namespace,
        servers=servers,
        planned=planned_servers,
        edge=edge,
        monitoring=monitoring,
        load_tests=tests,
        project=settings.project,
        region=settings.region,
        vertex_ai=settings.vertex_ai,
    )


def _cluster(
    settings: GcpConfig, prefix: str, network: GkeNetwork, opts: pulumi.ResourceOptions
) -> GkeCluster:
    return GkeCluster(
        "llm",
        GkeClusterArgs(
            project=settings.project,
            node_account_id=physical_name(prefix, "nodes", ACCOUNT_ID_MAX),
            location=settings.cluster_location,
            node_locations=settings.cluster.zones,
            network=network.network,
            subnetwork=network.subnetwork,
            release_channel=settings.cluster.release_channel,
            deletion_protection=settings.cluster.deletion_protection,
            system_pool=settings.cluster.system_pool.as_pool(),
            pools=list(settings.cluster.pools),
            master_authorized_cidrs=list(settings.cluster.master_authorized_cidrs),
            image_streaming=settings.cluster.image_streaming,
        ),
        opts=opts,
    )


def _built_images(
    settings: GcpConfig,
    prefix: str,
    cluster: GkeCluster,
    servers: list[PlannedServer],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """Build the images the servers need that upstream does not publish (an arm64
    llama-server), push them to a registry in the cluster's region; pinned reference -> ref."""
    builds = {
        s.plan.image.reference: (s.plan.image, s.plan.image.build)
        for s in servers
        if s.plan.image.build is not None
    }
    if not builds:
        return {}
    registry = ArtifactRegistry(
        "images",
        ArtifactRegistryArgs(
            project=settings.project,
            region=settings.region,
            repository_id=prefix,
            readers=[cluster.node_service_account],
        ),
        opts=opts,
    )
    return {
        reference: BuiltImage(
            build.repository, BuiltImageArgs(image=image, registry=registry.registry), opts=opts
        ).ref
        for reference, (image, build) in builds.items()
    }


def _mirrored_images(
    settings: GcpConfig,
    prefix: str,
    cluster: GkeCluster,
    servers: list[PlannedServer],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """Upstream server images through a pull-through cache per registry in the cluster's
    region: image streaming reads only from Artifact Registry, and nodes stop depending on
    Docker Hub's and ghcr.io's limits. Pinned reference -> mirrored reference."""
    references = sorted({s.plan.image.reference for s in servers if s.plan.image.build is None})
    paths = {reference: upstream_path(reference) for reference in references}
    registries: dict[str, pulumi.Output[str]] = {}
    for upstream, _ in paths.values():
        if upstream.key not in registries:
            registries[upstream.key] = ArtifactRegistry(
                f"mirror-{upstream.key}",
                ArtifactRegistryArgs(
                    project=settings.project,
                    region=settings.region,
                    repository_id=f"{prefix}-{upstream.key}",
                    readers=[cluster.node_service_account],
                    upstream=upstream,
                ),
                opts=opts,
            ).registry
    return {
        reference: pulumi.Output.concat(registries[upstream.key], "/", path)
        for reference, (upstream, path) in paths.items()
    }


def _weights_cache(
    settings: GcpConfig,
    prefix: str,
    cached: list[PlannedServer],
    cluster: GkeCluster,
    secrets: SecretManagerSecrets,
    server_identity: WorkloadIdentity,
    namespace: ServingNamespace,
    cloud: pulumi.ResourceOptions,
) -> dict[str, ServerWeights]:
    in_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    hf_token = next((s for s in secrets.secrets if s.key == HF_TOKEN_KEY), None)
    # Their own SecretProviderClass: the fill Jobs' identity reads the token and nothing else.
    fill_files = None
    if hf_token is not None:
        fill_files = GkeSecretFiles(
            "weights-fill-secrets",
            GkeSecretFilesArgs(
                namespace=namespace.namespace,
                secrets=[hf_token],
                provider_class_name=FILL_PROVIDER_CLASS,
            ),
            opts=in_cluster,
        ).secret_files
    return gcp_weights_cache(
        cached,
        project=settings.project,
        region=settings.region,
        prefix=prefix,
        force_destroy=not settings.cluster.deletion_protection,
        workload_pool=cluster.workload_pool,
        namespace=namespace.namespace,
        namespace_name=settings.namespace,
        hf_token=hf_token,
        fill_secret_files=fill_files,
        server_identity=server_identity,
        cloud=cloud,
        in_cluster=in_cluster,
    )


def _placement(planned: PlannedServer, cluster: GkeCluster) -> NodePlacement:
    placement = cluster.placements[planned.pool.name]
    if planned.fallback_pool is None:
        return placement
    return placement.with_fallback(cluster.placements[planned.fallback_pool.name])


def _model_server(
    planned: PlannedServer,
    cluster: GkeCluster,
    namespace: ServingNamespace,
    secret_files: SecretFiles,
    image: pulumi.Output[str] | None,
    weights: ServerWeights | None,
    opts: pulumi.ResourceOptions,
) -> ModelServer:
    return ModelServer(
        planned.config.name,
        ModelServerArgs(
            namespace=namespace.namespace,
            plan=planned.plan,
            placement=_placement(planned, cluster),
            secrets=secret_files,
            service_account_name=namespace.service_account_name,
            replicas=planned.config.replicas,
            service_annotations=gclb_service_annotations(EDGE_NAME),
            image=image,
            weights=weights.mount if weights else None,
            after=weights.after if weights else (),
        ),
        opts=opts,
    )


def _edge(
    settings: GcpConfig,
    config: LoadedConfig,
    namespace: ServingNamespace,
    servers: dict[str, ModelServer],
    opts: pulumi.ResourceOptions,
) -> GclbEdge:
    exposed = [
        ExposedService(host_label=name, service_name=server.service_name, port=server.port)
        for name, server in servers.items()
    ]
    if settings.edge.domain is None:
        pulumi.log.warn(
            "gcp.edge.domain is not set: the API is served over plain HTTP on the static IP and"
            " the API key crosses the internet unencrypted; set a domain for HTTPS"
        )
    return GclbEdge(
        EDGE_NAME,
        GclbEdgeArgs(
            namespace=namespace.namespace,
            settings=settings.edge,
            tenants=list(config.stack.tenants),
            default_service=exposed[0],
            services=exposed,
        ),
        opts=opts,
    )


def _load_tests(
    settings: GcpConfig,
    prefix: str,
    tests: list[PlannedLoadTest],
    cluster: GkeCluster,
    secrets: SecretManagerSecrets,
    namespace: ServingNamespace,
    planned: list[PlannedServer],
    servers: dict[str, ModelServer],
    cloud: pulumi.ResourceOptions,
) -> LoadTests:
    keys = secret_keys(tests)
    needed = [s for s in secrets.secrets if s.key in keys]
    in_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    # Their own SecretProviderClass: the Jobs' identity may read only these secrets.
    secret_files = GkeSecretFiles(
        "load-test-secrets",
        GkeSecretFilesArgs(
            namespace=namespace.namespace,
            secrets=needed,
            provider_class_name=LOAD_TEST_PROVIDER_CLASS,
        ),
        opts=in_cluster,
    ).secret_files
    return gcp_load_tests(
        tests,
        project=settings.project,
        region=settings.region,
        prefix=prefix,
        force_destroy=not settings.cluster.deletion_protection,
        workload_pool=cluster.workload_pool,
        namespace=namespace.namespace,
        namespace_name=settings.namespace,
        readable_secrets={s.key: s.resource_name for s in needed},
        secret_files=secret_files,
        planned=planned,
        servers=servers,
        cloud=cloud,
        in_cluster=in_cluster,
    )


def _after(apis: ProjectApis) -> pulumi.ResourceOptions:
    # A real ordering need: GKE/Compute calls fail until their API is enabled on the project.
    return pulumi.ResourceOptions(depends_on=list(apis.services))

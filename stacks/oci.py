"""Assemble the Oracle Cloud path: VCN, Vault, OKE, secrets, model servers, LB + API Gateway."""

from dataclasses import dataclass

import pulumi
import pulumi_oci as oci

from components.clusters.oci_network import OciNetwork, OciNetworkArgs
from components.clusters.oke import OKE_STORAGE_CLASS, OkeCluster, OkeClusterArgs
from components.edge.oci_api_gateway import GatewayBackend, OciApiGateway, OciApiGatewayArgs
from components.edge.oci_load_balancer import internal_load_balancer_annotations
from components.loadtest.load_tests import LoadTests
from components.observability.monitoring_stack import MonitoringStack
from components.observability.oci_metrics_reader import (
    OCI_METRICS_PLUGIN,
    OciMetricsReader,
    OciMetricsReaderArgs,
    oci_metrics_datasource,
)
from components.secrets.oci_vault import OciVaultSecrets, OciVaultSecretsArgs
from components.secrets.oke_secret_files import OkeSecretFiles, OkeSecretFilesArgs
from components.serving.model_server import ModelServer, ModelServerArgs
from components.serving.namespace import ServingNamespace, ServingNamespaceArgs
from components.serving.secret_files import SecretFiles
from components.serving.server_plan import SERVER_PORT
from stacks.config import LoadedConfig, PlannedServer
from stacks.load_tests import load_test_clients, oci_load_tests, on_cloud
from stacks.observability import admitted_namespaces, build_monitoring, gpu_nodes
from stacks.oci_config import OciConfig
from stacks.weights_cache import ServerWeights, cached_servers, oci_weights_cache

SYSTEM_POOL = "system"


@dataclass(frozen=True)
class OciStack:
    cluster: OkeCluster
    vault: OciVaultSecrets
    namespace: ServingNamespace
    servers: dict[str, ModelServer]
    planned: list[PlannedServer]
    gateway: OciApiGateway
    monitoring: MonitoringStack
    load_tests: LoadTests | None


def build_oci(
    config: LoadedConfig, settings: OciConfig, api_keys: dict[str, pulumi.Output[str]]
) -> OciStack:
    planned_servers = [s for s in config.servers if s.cloud == "oci"]
    load_tests = on_cloud(config.load_tests, planned_servers)
    cached = cached_servers(planned_servers)
    prefix = f"llm-{pulumi.get_stack()}"
    provider = oci.Provider("oci", region=settings.region, tenancy_ocid=settings.tenancy)
    # IAM (policies) is written in the tenancy's home region only.
    iam_provider = oci.Provider(
        "oci-home", region=settings.iam_region, tenancy_ocid=settings.tenancy
    )
    cloud = pulumi.ResourceOptions(providers=[provider])
    network = _network(settings, planned_servers, cloud)
    vault = OciVaultSecrets(
        "vault",
        OciVaultSecretsArgs(
            compartment_id=settings.compartment,
            name_prefix=prefix,
            hf_token=config.hf_token,
            api_keys=api_keys,
            protect=settings.cluster.protect,
        ),
        opts=cloud,
    )
    cluster = _cluster(settings, network, vault, iam_provider, cloud)
    in_cluster = pulumi.ResourceOptions(providers=[provider, cluster.provider])
    namespace = ServingNamespace(
        "oke-serving",
        ServingNamespaceArgs(
            namespace=settings.namespace,
            server_port=SERVER_PORT,
            # The load balancer reaches pods through NodePorts: packets arrive from nodes.
            load_balancer_ranges=[
                settings.network.load_balancer_subnet,
                settings.network.workers_subnet,
            ],
            monitoring_namespaces=admitted_namespaces(
                settings.monitoring_namespaces, config.stack.monitoring.namespace
            ),
            scrape_key=any(s.plan.scrape_key_needed for s in planned_servers),
            client_pods=load_test_clients(load_tests),
        ),
        opts=in_cluster,
    )
    secret_files = OkeSecretFiles(
        "oke-model-server-secrets",
        OkeSecretFilesArgs(
            namespace=namespace.namespace,
            namespace_name=settings.namespace,
            compartment_id=settings.compartment,
            region=settings.region,
            cluster_id=cluster.cluster_id,
            vault_id=vault.vault_id,
            secrets=vault.secrets,
            system_pool=SYSTEM_POOL,
            iam_provider=iam_provider,
        ),
        opts=in_cluster,
    ).secret_files
    weights: dict[str, ServerWeights] = {}
    if cached:
        weights = oci_weights_cache(
            cached,
            compartment_id=settings.compartment,
            region=settings.region,
            prefix=prefix,
            cluster_id=cluster.cluster_id,
            namespace=namespace.namespace,
            namespace_name=settings.namespace,
            secret_files=secret_files,
            has_hf_token=config.hf_token is not None,
            provider=provider,
            iam_provider=iam_provider,
            cloud=cloud,
            in_cluster=in_cluster,
        )
    servers = {
        planned.config.name: _model_server(
            planned,
            cluster,
            network,
            namespace,
            secret_files,
            settings,
            weights.get(planned.config.name),
            in_cluster,
        )
        for planned in planned_servers
    }
    gateway = _gateway(config, settings, network, planned_servers, servers, cloud)
    OciMetricsReader(
        "oci-grafana-metrics",
        OciMetricsReaderArgs(
            tenancy_id=settings.tenancy,
            compartment_id=settings.compartment,
            name_prefix=prefix,
            iam_provider=iam_provider,
        ),
        opts=cloud,
    )
    monitoring = build_monitoring(
        "oke-monitoring",
        config=config,
        cluster_name=f"{prefix}-oke",
        serving=namespace,
        storage_class=OKE_STORAGE_CLASS,
        gpu=gpu_nodes(cluster.placements),
        # OpenCost prices OKE nodes from Oracle's public price list: no key, no custom model.
        prices=None,
        planned=planned_servers,
        servers=servers,
        opts=in_cluster,
        grafana_plugins=[OCI_METRICS_PLUGIN],
        grafana_datasources=[oci_metrics_datasource()],
    )
    tests = None
    if load_tests:
        tests = oci_load_tests(
            load_tests,
            compartment_id=settings.compartment,
            region=settings.region,
            prefix=prefix,
            cluster_id=cluster.cluster_id,
            namespace=namespace.namespace,
            namespace_name=settings.namespace,
            secret_files=secret_files,
            planned=planned_servers,
            servers=servers,
            provider=provider,
            iam_provider=iam_provider,
            cloud=cloud,
            in_cluster=in_cluster,
        )
    return OciStack(
        cluster=cluster,
        vault=vault,
        namespace=namespace,
        servers=servers,
        planned=planned_servers,
        gateway=gateway,
        monitoring=monitoring,
        load_tests=tests,
    )


def _network(
    settings: OciConfig, servers: list[PlannedServer], opts: pulumi.ResourceOptions
) -> OciNetwork:
    net = settings.network
    endpoint = settings.cluster.endpoint
    return OciNetwork(
        "oke",
        OciNetworkArgs(
            compartment_id=settings.compartment,
            vcn_cidr=net.vcn_cidr,
            api_endpoint_subnet=net.api_endpoint_subnet,
            load_balancer_subnet=net.load_balancer_subnet,
            api_gateway_subnet=net.api_gateway_subnet,
            workers_subnet=net.workers_subnet,
            pods_subnet=net.pods_subnet,
            public_api_endpoint=endpoint.public,
            api_allowed_cidrs=endpoint.allowed_cidrs,
            service_ports=sorted({s.plan.port for s in servers}),
        ),
        opts=opts,
    )


def _cluster(
    settings: OciConfig,
    network: OciNetwork,
    vault: OciVaultSecrets,
    iam_provider: oci.Provider,
    opts: pulumi.ResourceOptions,
) -> OkeCluster:
    cluster = settings.cluster
    return OkeCluster(
        "oke",
        OkeClusterArgs(
            compartment_id=settings.compartment,
            kubernetes_version=cluster.kubernetes_version,
            vcn_id=network.vcn_id,
            api_subnet_id=network.subnet_ids["api"],
            api_nsg_id=network.nsg_ids["cp"],
            public_endpoint=cluster.endpoint.public,
            load_balancer_subnet_id=network.subnet_ids["lb"],
            workers_subnet_id=network.subnet_ids["workers"],
            workers_nsg_id=network.nsg_ids["workers"],
            pods_subnet_id=network.subnet_ids["pods"],
            pods_nsg_id=network.nsg_ids["pods"],
            services_cidr=settings.network.services_cidr,
            max_pods_per_node=cluster.max_pods_per_node,
            system_pool=cluster.system_pool.as_pool(),
            pools=cluster.pools,
            kms_key_id=vault.key_id,
            iam_provider=iam_provider,
            protect=cluster.protect,
        ),
        opts=opts,
    )


def _model_server(
    planned: PlannedServer,
    cluster: OkeCluster,
    network: OciNetwork,
    namespace: ServingNamespace,
    secret_files: SecretFiles,
    settings: OciConfig,
    weights: ServerWeights | None,
    opts: pulumi.ResourceOptions,
) -> ModelServer:
    built = planned.plan.image.build is not None
    return ModelServer(
        planned.config.name,
        ModelServerArgs(
            namespace=namespace.namespace,
            plan=planned.plan,
            placement=cluster.placements[planned.pool.name],
            secrets=secret_files,
            service_account_name=namespace.service_account_name,
            replicas=planned.config.replicas,
            service_type="LoadBalancer",
            service_annotations=internal_load_balancer_annotations(
                network.subnet_ids["lb"], network.nsg_ids["lb"]
            ),
            image=settings.llama_cpp_image if built else None,
            weights=weights.mount if weights else None,
            after=weights.after if weights else (),
        ),
        opts=opts,
    )


def _gateway(
    config: LoadedConfig,
    settings: OciConfig,
    network: OciNetwork,
    planned_servers: list[PlannedServer],
    servers: dict[str, ModelServer],
    opts: pulumi.ResourceOptions,
) -> OciApiGateway:
    tenants = [t.name for t in config.stack.tenants]
    backends = []
    for planned in planned_servers:
        server = servers[planned.config.name]
        if server.load_balancer_address is None:
            raise ValueError(f"{planned.config.name}: OKE model servers need a LoadBalancer")
        backends.append(
            GatewayBackend(
                model=planned.config.name,
                address=server.load_balancer_address,
                port=server.port,
                tenants=planned.config.tenants or tenants,
            )
        )
    edge = settings.edge
    return OciApiGateway(
        "oci-edge",
        OciApiGatewayArgs(
            compartment_id=settings.compartment,
            subnet_id=network.subnet_ids["apigw"],
            nsg_id=network.nsg_ids["apigw"],
            backends=backends,
            tenants=list(config.stack.tenants),
            rate_limit_per_second=edge.rate_limit_per_second,
            rate_key=edge.rate_key,
            read_timeout_sec=edge.read_timeout_sec,
            cors_allowed_origins=edge.cors_allowed_origins,
        ),
        opts=opts,
    )

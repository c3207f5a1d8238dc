"""Assemble the Google Cloud path: APIs, network, GKE, model servers, GCLB edge."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.clusters.gke import GkeCluster, GkeClusterArgs
from components.clusters.gke_network import GkeNetwork, GkeNetworkArgs
from components.edge.gclb import ExposedService, GclbEdge, GclbEdgeArgs, gclb_service_annotations
from components.project_apis import ProjectApis, ProjectApisArgs
from components.serving.model_server import ModelServer, ModelServerArgs
from components.serving.namespace import ServingNamespace, ServingNamespaceArgs
from stacks.config import LoadedConfig, PlannedServer

EDGE_NAME = "llm-edge"


@dataclass(frozen=True)
class GcpStack:
    cluster: GkeCluster
    namespace: ServingNamespace
    servers: dict[str, ModelServer]
    planned: list[PlannedServer]
    edge: GclbEdge
    project: str
    region: str


def build_gcp(config: LoadedConfig) -> GcpStack:
    settings = config.stack.gcp
    provider = gcp.Provider(
        "gcp",
        project=settings.project,
        region=settings.region,
        default_labels={"managed-by": "pulumi", "app": "llm-platform"},
    )
    cloud = pulumi.ResourceOptions(providers=[provider])
    apis = ProjectApis("apis", ProjectApisArgs(project=settings.project), opts=cloud)
    network = GkeNetwork(
        "llm", GkeNetworkArgs(region=settings.region), opts=cloud.merge(_after(apis))
    )
    cluster = GkeCluster(
        "llm",
        GkeClusterArgs(
            project=settings.project,
            location=settings.cluster_location,
            node_locations=settings.cluster.zones,
            network=network.network,
            subnetwork=network.subnetwork,
            release_channel=settings.cluster.release_channel,
            deletion_protection=settings.cluster.deletion_protection,
            system_pool=settings.cluster.system_pool.as_pool(),
            pools=list(settings.cluster.pools),
            master_authorized_cidrs=list(settings.cluster.master_authorized_cidrs),
        ),
        opts=cloud.merge(_after(apis)),
    )
    in_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    namespace = ServingNamespace(
        "serving",
        ServingNamespaceArgs(
            namespace=settings.namespace, hf_token=config.hf_token, api_key=config.api_key
        ),
        opts=in_cluster,
    )
    servers = {
        planned.config.name: ModelServer(
            planned.config.name,
            ModelServerArgs(
                namespace=namespace.namespace,
                plan=planned.plan,
                placement=cluster.placements[planned.pool.name],
                secret_name=namespace.secret_name,
                service_account_name=namespace.service_account_name,
                replicas=planned.config.replicas,
                service_annotations=gclb_service_annotations(EDGE_NAME),
            ),
            opts=in_cluster,
        )
        for planned in config.servers
    }
    exposed = [
        ExposedService(host_label=name, service_name=server.service_name, port=server.port)
        for name, server in servers.items()
    ]
    edge = GclbEdge(
        EDGE_NAME,
        GclbEdgeArgs(
            namespace=namespace.namespace,
            settings=settings.edge,
            default_service=exposed[0],
            services=exposed,
        ),
        opts=pulumi.ResourceOptions(providers=[provider, cluster.provider]),
    )
    if settings.edge.domain is None:
        pulumi.log.warn(
            "gcp.edge.domain is not set: the API is served over plain HTTP on the static IP and"
            " the API key crosses the internet unencrypted; set a domain for HTTPS"
        )
    return GcpStack(
        cluster=cluster,
        namespace=namespace,
        servers=servers,
        planned=config.servers,
        edge=edge,
        project=settings.project,
        region=settings.region,
    )


def _after(apis: ProjectApis) -> pulumi.ResourceOptions:
    # A real ordering need: GKE/Compute calls fail until their API is enabled on the project.
    return pulumi.ResourceOptions(depends_on=list(apis.services))

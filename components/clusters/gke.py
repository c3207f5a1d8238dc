"""A hardened, autoscaled GKE Standard cluster with GPU/Arm pools and its Kubernetes provider."""

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.clusters.gke_network import PODS_RANGE, SERVICES_RANGE
from components.clusters.gke_pools import NodePoolSettings, node_config_args, pool_placement
from components.clusters.kubeconfig import gke_kubeconfig
from components.clusters.placement import NodePlacement

# Since 2024 GKE recommends this single role for node service accounts instead of a list of
# logging/monitoring roles (https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts).
GKE_STORAGE_CLASS = "standard-rwo"
"""GKE's default StorageClass: pd-balanced through the Compute Engine persistent disk CSI."""
GKE_NVIDIA_DRIVER_DIR = "/home/kubernetes/bin/nvidia"
"""Where GKE installs the NVIDIA driver on a GPU node's host."""
NODE_SERVICE_ACCOUNT_ROLE = "roles/container.defaultNodeServiceAccount"


@dataclass(frozen=True, kw_only=True)
class MaintenanceWindow:
    """A weekly window in UTC, RFC 5545 recurrence (GKE needs >= 48h per 32 days)."""

    start: str = "2026-01-03T03:00:00Z"
    end: str = "2026-01-03T09:00:00Z"
    recurrence: str = "FREQ=WEEKLY;BYDAY=SA,SU"


@dataclass(frozen=True, kw_only=True)
class GkeClusterArgs:
    project: str
    node_account_id: str
    """ID of the nodes' service account, unique in the project (6-30 characters)."""
    location: str
    """A region (regional control plane) or a zone (zonal)."""
    node_locations: list[str]
    """Zones of the node pools; for a zonal cluster they may include `location` itself."""
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    release_channel: str = "REGULAR"
    deletion_protection: bool = True
    system_pool: NodePoolSettings
    pools: list[NodePoolSettings]
    master_ipv4_cidr: str = "172.16.0.32/28"
    master_authorized_cidrs: list[str] = field(default_factory=list)
    """Empty: the public control-plane endpoint accepts any source (still needs IAM)."""
    maintenance: MaintenanceWindow = field(default_factory=MaintenanceWindow)
    image_streaming: bool = False
    """GKE image streaming on every pool: images in Artifact Registry start in seconds."""


class GkeCluster(pulumi.ComponentResource):
    name: pulumi.Output[str]
    """Cluster name as GKE knows it."""
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Secret kubeconfig using gke-gcloud-auth-plugin."""
    workload_pool: pulumi.Output[str]
    """Workload Identity pool, `<project>.svc.id.goog`; resolves once the cluster exists, which
    is when IAM starts accepting members of it."""
    provider: k8s.Provider
    """Kubernetes provider bound to this cluster; pass it to Kubernetes components."""
    node_service_account: pulumi.Output[str]
    """IAM member (`serviceAccount:...`) the nodes run as: grant it read on image registries."""
    placements: dict[str, NodePlacement]
    """How to place a pod on each node pool, by pool name."""

    def __init__(
        self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:GkeCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        node_sa = gcp.serviceaccount.Account(
            f"{name}-nodes",
            project=args.project,
            account_id=args.node_account_id,
            display_name=f"GKE nodes of {name}",
            opts=child,
        )
        self.node_service_account = pulumi.Output.concat("serviceAccount:", node_sa.email)
        gcp.projects.IAMMember(
            f"{name}-nodes-role",
            project=args.project,
            role=NODE_SERVICE_ACCOUNT_ROLE,
            member=self.node_service_account,
            opts=child,
        )
        cluster = self._cluster(name, args, child)
        for pool in [args.system_pool, *args.pools]:
            self._node_pool(name, args, cluster, pool, node_sa.email)

        self.name = cluster.name
        self.workload_pool = cluster.workload_identity_config.apply(
            lambda c: (c.workload_pool if c else None) or _workload_pool(args.project)
        )
        self.endpoint = cluster.endpoint
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.name, cluster.endpoint, cluster.master_auth.cluster_ca_certificate
            ).apply(lambda v: gke_kubeconfig(v[0], v[1], v[2] or ""))
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=child,
        )
        self.placements = {p.name: pool_placement(p) for p in args.pools}
        self.register_outputs(
            {"name": self.name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig}
        )

    def _cluster(
        self, name: str, args: GkeClusterArgs, child: pulumi.ResourceOptions
    ) -> gcp.container.Cluster:
        authorized = None
        if args.master_authorized_cidrs:
            authorized = gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=[
                    gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                        cidr_block=cidr, display_name=f"authorized-{i}"
                    )
                    for i, cidr in enumerate(args.master_authorized_cidrs)
                ]
            )
        return gcp.container.Cluster(
            name,
            location=args.location,
            node_locations=cluster_node_locations(args.location, args.node_locations) or None,
            network=args.network,
            subnetwork=args.subnetwork,
            # Node pools are separate resources; GKE still needs a default pool at creation.
            remove_default_node_pool=True,
            initial_node_count=1,
            deletion_protection=args.deletion_protection,
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=args.release_channel),
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=_workload_pool(args.project)
            ),
            # Mounts Secret Manager secrets into pods (CSI) with the pod's Workload Identity.
            secret_manager_config=gcp.container.ClusterSecretManagerConfigArgs(enabled=True),
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=PODS_RANGE,
                services_secondary_range_name=SERVICES_RANGE,
            ),
            # Dataplane V2 (eBPF) enforces NetworkPolicy without the Calico add-on.
            datapath_provider="ADVANCED_DATAPATH",
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=False,
                master_ipv4_cidr_block=args.master_ipv4_cidr,
            ),
            master_authorized_networks_config=authorized,
            enable_shielded_nodes=True,
            addons_config=gcp.container.ClusterAddonsConfigArgs(
                http_load_balancing=gcp.container.ClusterAddonsConfigHttpLoadBalancingArgs(
                    disabled=False
                ),
                horizontal_pod_autoscaling=gcp.container.ClusterAddonsConfigHorizontalPodAutoscalingArgs(
                    disabled=False
                ),
                gce_persistent_disk_csi_driver_config=gcp.container.ClusterAddonsConfigGcePersistentDiskCsiDriverConfigArgs(
                    enabled=True
                ),
                # Mounts the weights cache bucket into the model servers (read-only).
                gcs_fuse_csi_driver_config=gcp.container.ClusterAddonsConfigGcsFuseCsiDriverConfigArgs(
                    enabled=True
                ),
            ),
            cluster_autoscaling=gcp.container.ClusterClusterAutoscalingArgs(
                autoscaling_profile="OPTIMIZE_UTILIZATION"
            ),
            monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
                enable_components=["SYSTEM_COMPONENTS"],
                managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(
                    enabled=True
                ),
            ),
            logging_config=gcp.container.ClusterLoggingConfigArgs(
                enable_components=["SYSTEM_COMPONENTS", "WORKLOADS"]
            ),
            maintenance_policy=gcp.container.ClusterMaintenancePolicyArgs(
                recurring_window=gcp.container.ClusterMaintenancePolicyRecurringWindowArgs(
                    start_time=args.maintenance.start,
                    end_time=args.maintenance.end,
                    recurrence=args.maintenance.recurrence,
                )
            ),
            opts=child,
        )

    def _node_pool(
        self,
        name: str,
        args: GkeClusterArgs,
        cluster: gcp.container.Cluster,
        pool: NodePoolSettings,
        service_account_email: pulumi.Output[str],
    ) -> gcp.container.NodePool:
        return gcp.container.NodePool(
            f"{name}-{pool.name}",
            name=pool.name,
            cluster=cluster.name,
            location=args.location,
            node_locations=args.node_locations or None,
            initial_node_count=pool.min_nodes,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                min_node_count=pool.min_nodes,
                max_node_count=pool.max_nodes,
                # ANY lets the autoscaler take GPUs/Spot capacity in whichever zone has them.
                location_policy="ANY" if pool.spot or pool.shape.has_gpu else "BALANCED",
            ),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            node_config=node_config_args(pool, service_account_email, args.image_streaming),
            # The cluster autoscaler owns the node count; never fight it on `pulumi up`.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=["node_count", "initial_node_count"]
            ),
        )


def cluster_node_locations(location: str, zones: list[str]) -> list[str]:
    """The cluster's `node_locations`: for a zonal cluster, its zones other than its own.

    The provider's create refuses a zonal cluster whose node_locations contain its own zone
    ("node_locations should not contain the original zone"); node pools carry no such rule and
    list every zone.
    """
    return [zone for zone in zones if zone != location]


def _workload_pool(project: str) -> str:
    return f"{project}.svc.id.goog"

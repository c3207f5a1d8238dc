"""An enhanced OKE cluster with VCN-native pod networking, its node pools, add-ons and provider.

Enhanced, because workload identity (used by the cluster autoscaler and the secrets operator)
exists only on enhanced clusters. Node images are picked for the pinned Kubernetes version from
what OKE offers in the region; GPU and Arm nodes are tainted at kubelet registration through
cloud-init, since OKE node pools have no taints field.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_oci as oci

from components import PACKAGE
from components.catalog.hardware import CpuArch
from components.clusters.oke_images import ImageSource, image_kind, select_node_image
from components.clusters.oke_pools import OkePoolSettings, node_cloud_init, pool_placement
from components.clusters.oke_workload_identity import workload_principal
from components.clusters.placement import POOL_NAME_LABEL, NodePlacement

OKE_STORAGE_CLASS = "oci-bv"
"""OKE's block-volume StorageClass (CSI); volumes start at 50 GB."""
AUTOSCALER_NAMESPACE = "kube-system"
AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler"
# Verbs the OCI cluster autoscaler needs with workload identity
# (kubernetes/autoscaler cluster-autoscaler/cloudprovider/oci/README.md).
_AUTOSCALER_PERMISSIONS = (
    "manage cluster-node-pools",
    "manage instance-family",
    "use subnets",
    "read virtual-network-family",
    "use vnics",
    "inspect compartments",
)


@dataclass(frozen=True, kw_only=True)
class OkeClusterArgs:
    compartment_id: str
    kubernetes_version: str
    vcn_id: pulumi.Input[str]
    api_subnet_id: pulumi.Input[str]
    api_nsg_id: pulumi.Input[str]
    public_endpoint: bool
    load_balancer_subnet_id: pulumi.Input[str]
    workers_subnet_id: pulumi.Input[str]
    workers_nsg_id: pulumi.Input[str]
    pods_subnet_id: pulumi.Input[str]
    pods_nsg_id: pulumi.Input[str]
    services_cidr: str
    max_pods_per_node: int
    system_pool: OkePoolSettings
    pools: Sequence[OkePoolSettings]
    kms_key_id: pulumi.Input[str]
    """Vault key that encrypts Kubernetes Secrets in etcd (OKE must be allowed to use it)."""
    iam_provider: oci.Provider
    """Provider for the tenancy's home region, where IAM policies are written."""
    protect: bool


def autoscaler_policy_statements(compartment_id: str, cluster_id: str) -> list[str]:
    who = workload_principal(AUTOSCALER_NAMESPACE, AUTOSCALER_SERVICE_ACCOUNT, cluster_id)
    condition = f"where all {{{who}}}"
    return [
        f"Allow any-user to {permission} in compartment id {compartment_id} {condition}"
        for permission in _AUTOSCALER_PERMISSIONS
    ]


def autoscaler_nodes(bounds: Sequence[tuple[int, int, str]]) -> str:
    """The add-on's `nodes` value: `min:max:<node pool OCID>` per pool, comma-separated."""
    return ",".join(f"{low}:{high}:{pool_id}" for low, high, pool_id in bounds)


class OkeCluster(pulumi.ComponentResource):
    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Secret kubeconfig; it runs `oci ce cluster generate-token`, so the OCI CLI is needed."""
    provider: k8s.Provider
    placements: dict[str, NodePlacement]

    def __init__(
        self, name: str, args: OkeClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:oci:OkeCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        lasting = pulumi.ResourceOptions(parent=self, protect=args.protect)
        secrets_policy = oci.identity.Policy(
            f"{name}-etcd-key-policy",
            compartment_id=args.compartment_id,
            description="OKE encrypts this cluster's Kubernetes Secrets with the vault key",
            statements=[
                # https://docs.oracle.com/iaas/Content/ContEng/Tasks/contengencryptingdata.htm
                pulumi.Output.format(
                    "Allow any-user to use keys in compartment id {0} where all"
                    " {{request.principal.type = 'cluster', target.key.id = '{1}'}}",
                    args.compartment_id,
                    args.kms_key_id,
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, provider=args.iam_provider),
        )
        cluster = oci.containerengine.Cluster(
            f"{name}-cluster",
            compartment_id=args.compartment_id,
            name=name,
            kubernetes_version=args.kubernetes_version,
            type="ENHANCED_CLUSTER",
            vcn_id=args.vcn_id,
            kms_key_id=args.kms_key_id,
            cluster_pod_network_options=[
                oci.containerengine.ClusterClusterPodNetworkOptionArgs(
                    cni_type="OCI_VCN_IP_NATIVE"
                )
            ],
            endpoint_config=oci.containerengine.ClusterEndpointConfigArgs(
                subnet_id=args.api_subnet_id,
                is_public_ip_enabled=args.public_endpoint,
                nsg_ids=[args.api_nsg_id],
            ),
            options=oci.containerengine.ClusterOptionsArgs(
                service_lb_subnet_ids=[args.load_balancer_subnet_id],
                kubernetes_network_config=oci.containerengine.ClusterOptionsKubernetesNetworkConfigArgs(
                    services_cidr=args.services_cidr
                ),
                add_ons=oci.containerengine.ClusterOptionsAddOnsArgs(
                    is_kubernetes_dashboard_enabled=False, is_tiller_enabled=False
                ),
            ),
            # The key must be usable by OKE before the cluster encrypts anything with it.
            opts=pulumi.ResourceOptions.merge(
                lasting, pulumi.ResourceOptions(depends_on=[secrets_policy])
            ),
        )
        sources = oci.containerengine.get_node_pool_option_output(
            node_pool_option_id="all",
            compartment_id=args.compartment_id,
            node_pool_k8s_version=args.kubernetes_version,
        ).sources.apply(
            lambda found: [
                ImageSource(image_id=s.image_id, source_name=s.source_name) for s in found
            ]
        )
        domains = oci.identity.get_availability_domains_output(
            compartment_id=args.compartment_id
        ).availability_domains.apply(lambda found: [d.name for d in found])
        pool_ids = {
            pool.name: self._node_pool(name, pool, args, cluster.id, sources, domains, lasting)
            for pool in [args.system_pool, *args.pools]
        }
        self._add_ons(name, args, cluster.id, pool_ids, child)
        endpoint = "PUBLIC_ENDPOINT" if args.public_endpoint else "PRIVATE_ENDPOINT"
        self.kubeconfig = pulumi.Output.secret(
            oci.containerengine.get_cluster_kube_config_output(
                cluster_id=cluster.id, token_version="2.0.0", endpoint=endpoint
            ).content
        )
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.placements = {pool.name: pool_placement(pool) for pool in args.pools}
        self.cluster_id = cluster.id
        self.register_outputs({"cluster_id": self.cluster_id, "kubeconfig": self.kubeconfig})

    @staticmethod
    def _node_pool(
        name: str,
        pool: OkePoolSettings,
        args: OkeClusterArgs,
        cluster_id: pulumi.Output[str],
        sources: pulumi.Output[list[ImageSource]],
        domains: pulumi.Output[list[str]],
        opts: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        shape = pool.shape
        kind = image_kind(shape.has_gpu, shape.arch is CpuArch.ARM64)
        image = sources.apply(
            lambda found: select_node_image(found, args.kubernetes_version, kind).image_id
        )
        autoscaled = pool.min_nodes != pool.max_nodes
        flex = None
        if pool.ocpus is not None:
            flex = oci.containerengine.NodePoolNodeShapeConfigArgs(
                ocpus=pool.ocpus, memory_in_gbs=pool.memory_gb
            )
        node_pool = oci.containerengine.NodePool(
            f"{name}-{pool.name}",
            cluster_id=cluster_id,
            compartment_id=args.compartment_id,
            name=pool.name,
            kubernetes_version=args.kubernetes_version,
            node_shape=pool.node_shape,
            node_shape_config=flex,
            node_source_details=oci.containerengine.NodePoolNodeSourceDetailsArgs(
                source_type="IMAGE",
                image_id=image,
                boot_volume_size_in_gbs=str(pool.boot_volume_gb),
            ),
            node_config_details=oci.containerengine.NodePoolNodeConfigDetailsArgs(
                size=pool.min_nodes,
                nsg_ids=[args.workers_nsg_id],
                # One placement per availability domain; OKE spreads nodes over each
                # domain's fault domains when none are named.
                placement_configs=domains.apply(
                    lambda names: [
                        oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs(
                            availability_domain=ad, subnet_id=args.workers_subnet_id
                        )
                        for ad in names
                    ]
                ),
                node_pool_pod_network_option_details=oci.containerengine.NodePoolNodeConfigDetailsNodePoolPodNetworkOptionDetailsArgs(
                    cni_type="OCI_VCN_IP_NATIVE",
                    pod_subnet_ids=[args.pods_subnet_id],
                    pod_nsg_ids=[args.pods_nsg_id],
                    max_pods_per_node=args.max_pods_per_node,
                ),
            ),
            initial_node_labels=[
                oci.containerengine.NodePoolInitialNodeLabelArgs(
                    key=POOL_NAME_LABEL, value=pool.name
                )
            ],
            node_metadata={"user_data": node_cloud_init(pool.taints)},
            # Drain nodes (honouring PodDisruptionBudgets) for up to 30 minutes on scale-down.
            node_eviction_node_pool_settings=oci.containerengine.NodePoolNodeEvictionNodePoolSettingsArgs(
                eviction_grace_duration="PT30M", is_force_delete_after_grace_duration=True
            ),
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    ignore_changes=["nodeConfigDetails.size"] if autoscaled else None
                ),
            ),
        )
        return node_pool.id

    def _add_ons(
        self,
        name: str,
        args: OkeClusterArgs,
        cluster_id: pulumi.Output[str],
        pool_ids: dict[str, pulumi.Output[str]],
        opts: pulumi.ResourceOptions,
    ) -> None:
        if any(pool.shape.has_gpu for pool in args.pools):
            # Exposes `nvidia.com/gpu` on GPU nodes; the GPU images bring driver and toolkit.
            oci.containerengine.Addon(
                f"{name}-nvidia-gpu-plugin",
                cluster_id=cluster_id,
                addon_name="NvidiaGpuPlugin",
                override_existing=True,
                remove_addon_resources_on_delete=True,
                opts=opts,
            )
        scaled = [p for p in args.pools if p.min_nodes != p.max_nodes]
        if not scaled:
            return
        policy = oci.identity.Policy(
            f"{name}-autoscaler-policy",
            compartment_id=args.compartment_id,
            description="OKE cluster autoscaler (workload identity) resizes the node pools",
            statements=cluster_id.apply(
                lambda cid: autoscaler_policy_statements(args.compartment_id, cid)
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.iam_provider),
        )
        nodes = pulumi.Output.all(*[pool_ids[p.name] for p in scaled]).apply(
            lambda ids: autoscaler_nodes(
                [(p.min_nodes, p.max_nodes, i) for p, i in zip(scaled, ids, strict=True)]
            )
        )
        oci.containerengine.Addon(
            f"{name}-cluster-autoscaler",
            cluster_id=cluster_id,
            addon_name="ClusterAutoscaler",
            override_existing=True,
            remove_addon_resources_on_delete=True,
            configurations=[
                oci.containerengine.AddonConfigurationArgs(key="authType", value="workload"),
                oci.containerengine.AddonConfigurationArgs(key="nodes", value=nodes),
                oci.containerengine.AddonConfigurationArgs(key="numOfReplicas", value="1"),
            ],
            # Without the policy the autoscaler starts but every resize is refused.
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[policy])),
        )

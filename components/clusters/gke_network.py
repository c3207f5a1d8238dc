"""A dedicated VPC for one GKE cluster: subnet with Pod/Service ranges, Cloud Router and NAT.

Private nodes have no external IP, so Cloud NAT is what lets them pull images and model
weights from the internet.
"""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True, kw_only=True)
class GkeNetworkArgs:
    region: str
    nodes_cidr: str = "10.10.0.0/20"
    pods_cidr: str = "10.20.0.0/14"
    services_cidr: str = "10.24.0.0/20"


class GkeNetwork(pulumi.ComponentResource):
    network: pulumi.Output[str]
    """Self link of the VPC."""
    network_id: pulumi.Output[str]
    """`projects/<project>/global/networks/<name>`, what service networking takes."""
    subnetwork: pulumi.Output[str]
    """Self link of the node subnet."""

    def __init__(
        self, name: str, args: GkeNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:GkeNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vpc = gcp.compute.Network(
            f"{name}-vpc", auto_create_subnetworks=False, routing_mode="REGIONAL", opts=child
        )
        subnet = gcp.compute.Subnetwork(
            f"{name}-nodes",
            network=vpc.id,
            region=args.region,
            ip_cidr_range=args.nodes_cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=PODS_RANGE, ip_cidr_range=args.pods_cidr
                ),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=SERVICES_RANGE, ip_cidr_range=args.services_cidr
                ),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_MIN", flow_sampling=0.5
            ),
            opts=child,
        )
        router = gcp.compute.Router(
            f"{name}-router", network=vpc.id, region=args.region, opts=child
        )
        gcp.compute.RouterNat(
            f"{name}-nat",
            router=router.name,
            region=args.region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child,
        )
        self.network = vpc.self_link
        self.network_id = vpc.id
        self.subnetwork = subnet.self_link
        self.register_outputs({"network": self.network, "subnetwork": self.subnetwork})

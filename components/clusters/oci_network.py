"""The VCN an OKE cluster lives in: subnets, gateways, route tables and NSGs.

Every subnet carries an empty security list instead of the VCN's default one (which admits SSH
from anywhere): all filtering is done by the NSGs in `oci_network_rules`. Only the API Gateway's
subnet (and the Kubernetes API's, when configured public) is public.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_oci as oci

from components import PACKAGE
from components.clusters.oci_network_rules import OSN, Nsg, NsgRule, oke_nsg_rules

ICMP_FRAGMENTATION_NEEDED = oci.core.NetworkSecurityGroupSecurityRuleIcmpOptionsArgs(
    type=3, code=4
)
_PROTOCOLS = {"all": "all", "tcp": "6", "icmp": "1"}


@dataclass(frozen=True, kw_only=True)
class OciNetworkArgs:
    compartment_id: str
    vcn_cidr: str
    api_endpoint_subnet: str
    load_balancer_subnet: str
    api_gateway_subnet: str
    workers_subnet: str
    pods_subnet: str
    public_api_endpoint: bool
    api_allowed_cidrs: Sequence[str]
    service_ports: Sequence[int]
    """Ports the internal load balancers listen on (the model servers' ports)."""


class OciNetwork(pulumi.ComponentResource):
    vcn_id: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    """api, lb, apigw, workers, pods -> subnet OCID."""
    nsg_ids: dict[Nsg, pulumi.Output[str]]

    def __init__(
        self, name: str, args: OciNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:oci:OciNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        compartment = args.compartment_id
        vcn = oci.core.Vcn(
            f"{name}-vcn",
            compartment_id=compartment,
            cidr_blocks=[args.vcn_cidr],
            display_name=name,
            dns_label="llm",
            opts=child,
        )
        # The regional "All <region> Services in Oracle Services Network" entry.
        osn = oci.core.get_services_output().apply(
            lambda r: next(s for s in r.services if s.cidr_block.startswith("all-"))
        )
        internet = oci.core.InternetGateway(
            f"{name}-igw", compartment_id=compartment, vcn_id=vcn.id, enabled=True, opts=child
        )
        nat = oci.core.NatGateway(
            f"{name}-nat", compartment_id=compartment, vcn_id=vcn.id, opts=child
        )
        services = oci.core.ServiceGateway(
            f"{name}-sgw",
            compartment_id=compartment,
            vcn_id=vcn.id,
            services=[oci.core.ServiceGatewayServiceArgs(service_id=osn.id)],
            opts=child,
        )
        public_routes = oci.core.RouteTable(
            f"{name}-public-rt",
            compartment_id=compartment,
            vcn_id=vcn.id,
            route_rules=[
                oci.core.RouteTableRouteRuleArgs(
                    network_entity_id=internet.id,
                    destination="0.0.0.0/0",
                    destination_type="CIDR_BLOCK",
                )
            ],
            opts=child,
        )
        private_routes = oci.core.RouteTable(
            f"{name}-private-rt",
            compartment_id=compartment,
            vcn_id=vcn.id,
            route_rules=[
                oci.core.RouteTableRouteRuleArgs(
                    network_entity_id=nat.id,
                    destination="0.0.0.0/0",
                    destination_type="CIDR_BLOCK",
                ),
                oci.core.RouteTableRouteRuleArgs(
                    network_entity_id=services.id,
                    destination=osn.cidr_block,
                    destination_type="SERVICE_CIDR_BLOCK",
                ),
            ],
            opts=child,
        )
        no_rules = oci.core.SecurityList(
            f"{name}-nsg-only",
            compartment_id=compartment,
            vcn_id=vcn.id,
            display_name=f"{name}-nsg-only",
            egress_security_rules=[],
            ingress_security_rules=[],
            opts=child,
        )

        def subnet(key: str, cidr: str, public: bool) -> pulumi.Output[str]:
            return oci.core.Subnet(
                f"{name}-{key}",
                compartment_id=compartment,
                vcn_id=vcn.id,
                cidr_block=cidr,
                display_name=f"{name}-{key}",
                dns_label=key,
                prohibit_public_ip_on_vnic=not public,
                route_table_id=(public_routes if public else private_routes).id,
                security_list_ids=[no_rules.id],
                opts=child,
            ).id

        self.subnet_ids = {
            "api": subnet("api", args.api_endpoint_subnet, args.public_api_endpoint),
            "lb": subnet("lb", args.load_balancer_subnet, public=False),
            "apigw": subnet("apigw", args.api_gateway_subnet, public=True),
            "workers": subnet("workers", args.workers_subnet, public=False),
            "pods": subnet("pods", args.pods_subnet, public=False),
        }
        self.nsg_ids = {
            key: oci.core.NetworkSecurityGroup(
                f"{name}-{key}-nsg",
                compartment_id=compartment,
                vcn_id=vcn.id,
                display_name=f"{name}-{key}",
                opts=child,
            ).id
            for key in ("cp", "workers", "pods", "lb", "apigw")
        }
        rules = oke_nsg_rules(
            vcn_cidr=args.vcn_cidr,
            api_allowed_cidrs=args.api_allowed_cidrs,
            service_ports=args.service_ports,
        )
        for rule in rules:
            self._rule(f"{name}-{rule.key}", rule, osn.cidr_block, child)
        self.vcn_id = vcn.id
        self.register_outputs({"vcn_id": self.vcn_id, "subnet_ids": self.subnet_ids})

    def _rule(
        self,
        name: str,
        rule: NsgRule,
        osn_cidr: pulumi.Output[str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        if rule.peer_type == "NETWORK_SECURITY_GROUP":
            peer: pulumi.Input[str] = self.nsg_ids[rule.peer]  # type: ignore[index]
        elif rule.peer == OSN:
            peer = osn_cidr
        else:
            peer = rule.peer
        ingress = rule.direction == "INGRESS"
        tcp = None
        if rule.ports is not None:
            tcp = oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsArgs(
                destination_port_range=oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsDestinationPortRangeArgs(
                    min=rule.ports[0], max=rule.ports[1]
                )
            )
        oci.core.NetworkSecurityGroupSecurityRule(
            name,
            network_security_group_id=self.nsg_ids[rule.nsg],
            direction=rule.direction,
            protocol=_PROTOCOLS[rule.protocol],
            description=rule.description,
            source=peer if ingress else None,
            source_type=rule.peer_type if ingress else None,
            destination=None if ingress else peer,
            destination_type=None if ingress else rule.peer_type,
            tcp_options=tcp,
            icmp_options=ICMP_FRAGMENTATION_NEEDED if rule.protocol == "icmp" else None,
            stateless=False,
            opts=opts,
        )

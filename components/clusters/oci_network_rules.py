"""Network security group rules for OKE with VCN-native pod networking, as plain data.

Modelled on terraform-oci-oke `modules/network` (nsg-controlplane/workers/pods/loadbalancers-int),
with these differences:
- ICMP path-MTU discovery (type 3 code 4) is admitted from the VCN only, not 0.0.0.0/0;
- the internal load balancer admits the model servers' ports from the API Gateway's NSG only
  (terraform-oci-oke leaves LB ingress empty for the caller to fill);
- the API Gateway has its own NSG: HTTPS 443 from anywhere (the only rule open to the world)
  and egress to the load balancer's listener ports only;
- workers and pods may reach the internet through the NAT gateway (image pulls, Hugging Face),
  which terraform-oci-oke makes optional.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

API_SERVER_PORT = 6443
OKE_CONTROL_PORT = 12250
KUBELET_PORT = 10250
KUBE_PROXY_HEALTH_PORT = 10256
NODE_PORTS = (30000, 32767)
HTTPS_PORT = 443

Nsg = Literal["cp", "workers", "pods", "lb", "apigw"]
Protocol = Literal["all", "tcp", "icmp"]
ANYWHERE = "0.0.0.0/0"
OSN = "osn"
"""Stands for the Oracle Services Network's service CIDR label."""


@dataclass(frozen=True, kw_only=True)
class NsgRule:
    nsg: Nsg
    direction: Literal["INGRESS", "EGRESS"]
    protocol: Protocol
    peer: str
    """Another NSG's key, a CIDR, or OSN."""
    ports: tuple[int, int] | None = None
    description: str

    @property
    def key(self) -> str:
        """Stable resource-name suffix: adding a rule never renames (replaces) the others."""
        ports = "" if self.ports is None else f"-{self.ports[0]}-{self.ports[1]}"
        peer = self.peer.replace("/", "_")
        return f"{self.nsg}-{self.direction.lower()}-{self.protocol}-{peer}{ports}"

    @property
    def peer_type(self) -> str:
        if self.peer == OSN:
            return "SERVICE_CIDR_BLOCK"
        if self.peer in ("cp", "workers", "pods", "lb", "apigw"):
            return "NETWORK_SECURITY_GROUP"
        return "CIDR_BLOCK"


def _pair(
    source: Nsg, target: Nsg, protocol: Protocol, ports: tuple[int, int] | None, why: str
) -> list[NsgRule]:
    """Egress from `source` and the matching ingress on `target` (NSG rules are per side)."""
    return [
        NsgRule(
            nsg=source,
            direction="EGRESS",
            protocol=protocol,
            peer=target,
            ports=ports,
            description=why,
        ),
        NsgRule(
            nsg=target,
            direction="INGRESS",
            protocol=protocol,
            peer=source,
            ports=ports,
            description=why,
        ),
    ]


def _port(port: int) -> tuple[int, int]:
    return (port, port)


def oke_nsg_rules(
    *, vcn_cidr: str, api_allowed_cidrs: Sequence[str], service_ports: Sequence[int]
) -> list[NsgRule]:
    rules: list[NsgRule] = []
    for peer in ("workers", "pods"):
        rules += _pair(peer, "cp", "tcp", _port(API_SERVER_PORT), f"{peer} to the Kubernetes API")
        rules += _pair(peer, "cp", "tcp", _port(OKE_CONTROL_PORT), f"{peer} to OKE control plane")
    rules += _pair("cp", "workers", "tcp", _port(KUBELET_PORT), "control plane to kubelets")
    rules += _pair("cp", "workers", "all", None, "control plane to webhooks on nodes")
    rules += _pair("cp", "pods", "all", None, "control plane to webhooks and metrics in pods")
    rules += _pair("workers", "workers", "all", None, "node to node")
    rules += _pair("workers", "pods", "all", None, "node to pod")
    rules += _pair("pods", "workers", "all", None, "pod to node")
    rules += _pair("pods", "pods", "all", None, "pod to pod")
    rules += _pair("lb", "workers", "tcp", NODE_PORTS, "load balancer to NodePorts")
    rules += _pair("lb", "workers", "tcp", _port(KUBE_PROXY_HEALTH_PORT), "LB health checks")
    rules += _pair("lb", "pods", "all", None, "load balancer to pods")
    for port in sorted(set(service_ports)):
        rules += _pair("apigw", "lb", "tcp", _port(port), "API Gateway to the model servers")
    rules.append(
        NsgRule(
            nsg="apigw",
            direction="INGRESS",
            protocol="tcp",
            peer=ANYWHERE,
            ports=_port(HTTPS_PORT),
            description="clients to the API Gateway (HTTPS only)",
        )
    )
    rules += [
        NsgRule(
            nsg="cp",
            direction="INGRESS",
            protocol="tcp",
            peer=cidr,
            ports=_port(API_SERVER_PORT),
            description="allowed admins and CI to the Kubernetes API",
        )
        for cidr in api_allowed_cidrs
    ]
    rules.append(
        NsgRule(
            nsg="cp",
            direction="EGRESS",
            protocol="tcp",
            peer=OSN,
            description="control plane to Oracle services",
        )
    )
    for nsg in ("workers", "pods"):
        rules.append(
            NsgRule(
                nsg=nsg,
                direction="EGRESS",
                protocol="all",
                peer=ANYWHERE,
                description="images, model weights and Oracle services (NAT/service gateway)",
            )
        )
    for nsg in ("cp", "workers", "pods", "lb"):
        rules.append(
            NsgRule(
                nsg=nsg,
                direction="INGRESS",
                protocol="icmp",
                peer=vcn_cidr,
                description="path MTU discovery (fragmentation needed) within the VCN",
            )
        )
    return rules

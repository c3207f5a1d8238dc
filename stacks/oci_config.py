"""Oracle Cloud configuration (`llm-platform:oci`): tenancy, network, OKE cluster, edge."""

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.clusters.oke_pools import OkePoolSettings, OkeSystemPoolSettings
from components.config_base import ConfigModel, DnsLabel, NamespaceList, pool_name_problem
from components.images.reference import pinned_image

_REGION = re.compile(r"^[a-z]{2}-[a-z]+-[1-9]$")
_TENANCY = re.compile(r"^ocid1\.tenancy\.oc[0-9]+\.\.[a-z0-9]+$")
_COMPARTMENT = re.compile(r"^ocid1\.(compartment|tenancy)\.oc[0-9]+\.\.[a-z0-9]+$")
_K8S_VERSION = re.compile(r"^v1\.[0-9]{2}\.[0-9]+$")
OKE_KUBERNETES_VERSION = "v1.34.2"
"""A version OKE offers for new enhanced clusters (`oci ce cluster-options get
--cluster-option-id all`); node images are chosen for the same version."""


def _network(value: str, key: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value)
    except ValueError:
        raise ValueError(
            f"{key}: {value!r} is not an IPv4 CIDR with its host bits clear; use e.g. 10.0.0.0/16"
        ) from None


class OciNetworkConfig(ConfigModel):
    """The VCN and its subnets. Every subnet lies inside `vcnCidr`, none overlap, and the
    Kubernetes service range lies outside the VCN (pods get VCN addresses)."""

    vcn_cidr: str = "10.0.0.0/16"
    api_endpoint_subnet: str = "10.0.0.0/28"
    load_balancer_subnet: str = "10.0.1.0/24"
    api_gateway_subnet: str = "10.0.2.0/24"
    workers_subnet: str = "10.0.16.0/20"
    pods_subnet: str = "10.0.64.0/18"
    """VCN-native pod networking: every pod takes an address here."""
    services_cidr: str = "10.96.0.0/16"
    """Kubernetes ClusterIP range; must not overlap the VCN."""

    @property
    def subnets(self) -> dict[str, str]:
        return {
            "apiEndpointSubnet": self.api_endpoint_subnet,
            "loadBalancerSubnet": self.load_balancer_subnet,
            "apiGatewaySubnet": self.api_gateway_subnet,
            "workersSubnet": self.workers_subnet,
            "podsSubnet": self.pods_subnet,
        }

    @model_validator(mode="after")
    def _layout(self) -> "OciNetworkConfig":
        vcn = _network(self.vcn_cidr, "vcnCidr")
        if not 16 <= vcn.prefixlen <= 30:
            raise ValueError(f"vcnCidr: OCI takes /16 to /30 blocks, not /{vcn.prefixlen}")
        subnets = {key: _network(value, key) for key, value in self.subnets.items()}
        outside = [key for key, net in subnets.items() if not net.subnet_of(vcn)]
        if outside:
            raise ValueError(f"{outside} are not inside vcnCidr {vcn}; move them into it")
        keys = list(subnets)
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                if subnets[first].overlaps(subnets[second]):
                    raise ValueError(
                        f"{first} ({subnets[first]}) overlaps {second} ({subnets[second]});"
                        " give each subnet its own range"
                    )
        services = _network(self.services_cidr, "servicesCidr")
        if services.overlaps(vcn):
            raise ValueError(
                f"servicesCidr ({services}) overlaps vcnCidr ({vcn}); pods and nodes hold VCN"
                " addresses, so pick a range outside it such as 10.96.0.0/16"
            )
        return self


class OkeEndpointSettings(ConfigModel):
    public: bool = False
    """False: the Kubernetes API has only a private address (run Pulumi from inside the VCN,
    e.g. through OCI Bastion or a VPN). True: also a public address, open to `allowedCidrs`."""
    allowed_cidrs: list[str] = Field(default_factory=list)
    """Who may reach the Kubernetes API (port 6443) besides the workers and pods."""

    @model_validator(mode="after")
    def _exposure(self) -> "OkeEndpointSettings":
        for value in self.allowed_cidrs:
            net = _network(value, "allowedCidrs")
            if net.prefixlen == 0:
                raise ValueError(
                    "allowedCidrs: 0.0.0.0/0 opens the Kubernetes API to the internet; list"
                    " your CI and admin ranges instead"
                )
        if self.public and not self.allowed_cidrs:
            raise ValueError(
                "allowedCidrs: a public API endpoint needs the ranges allowed to reach it"
                " (your CI runners' and admins' egress CIDRs); list them or set public: false"
            )
        return self


def _default_pools() -> list[OkePoolSettings]:
    """Article 001: an A10 pool for vLLM and an Ampere A1 pool for llama.cpp."""
    return [
        OkePoolSettings(name="a10", node_shape="VM.GPU.A10.1", min_nodes=0, max_nodes=2),
        OkePoolSettings(
            name="a1", node_shape="VM.Standard.A1.Flex", ocpus=16, memory_gb=64, max_nodes=2
        ),
    ]


class OkeClusterConfig(ConfigModel):
    kubernetes_version: str = OKE_KUBERNETES_VERSION
    endpoint: OkeEndpointSettings = OkeEndpointSettings()
    system_pool: OkeSystemPoolSettings = OkeSystemPoolSettings()
    pools: list[OkePoolSettings] = Field(default_factory=_default_pools)
    max_pods_per_node: Annotated[int, Field(ge=1, le=110)] = 31
    """VCN-native networking: each pod takes a VNIC address (31 per VNIC)."""
    protect: bool = True
    """Pulumi `protect` on the cluster and its pools: `pulumi destroy` stops until you unset it
    (OKE has no deletion-protection flag of its own)."""

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not _K8S_VERSION.match(value):
            raise ValueError(
                f"{value!r} is not an OKE version; use the form v1.34.2"
                " (`oci ce cluster-options get --cluster-option-id all`)"
            )
        return value

    @model_validator(mode="after")
    def _unique_pools(self) -> "OkeClusterConfig":
        problem = pool_name_problem(p.name for p in self.pools)
        if problem is not None:
            raise ValueError(problem)
        return self


class OciEdgeSettings(ConfigModel):
    """The public OCI API Gateway in front of the internal load balancers."""

    rate_limit_per_second: Annotated[int, Field(ge=1, le=10_000)] = 20
    """Deployment-wide limit per client IP (`rateKey`), before any usage plan."""
    rate_key: Literal["CLIENT_IP", "TOTAL"] = "CLIENT_IP"
    read_timeout_sec: Annotated[int, Field(ge=1, le=300)] = 300
    """How long the gateway waits on a (streamed) answer; 300 s is API Gateway's maximum."""
    cors_allowed_origins: list[str] = Field(default_factory=list)
    """Browser origins allowed to call the API (e.g. https://app.example.com); empty: none."""

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        wrong = [v for v in values if v != "*" and not re.match(r"^https?://[^/\s]+$", v)]
        if wrong:
            raise ValueError(
                f"{wrong} are not origins; use scheme://host[:port] with no path, or '*'"
            )
        return values


class OciConfig(ConfigModel):
    tenancy: str
    """Tenancy OCID; the OCI providers are bound to it, so credentials for another tenancy
    fail instead of deploying there."""
    compartment: str
    """Compartment OCID holding every resource (the tenancy OCID for the root compartment)."""
    region: str
    home_region: str | None = None
    """The tenancy's home region, where IAM changes are made; unset: `region`."""
    namespace: DnsLabel = "llm"
    network: OciNetworkConfig = OciNetworkConfig()
    cluster: OkeClusterConfig = OkeClusterConfig()
    edge: OciEdgeSettings = OciEdgeSettings()
    monitoring_namespaces: NamespaceList = Field(default_factory=lambda: ["monitoring"])
    """Namespaces allowed (besides the load balancer) to reach the model servers' port."""
    llama_cpp_image: (
        Annotated[
            str,
            pinned_image("iad.ocir.io/<namespace>/llama-server:b11063 or ...@sha256:<digest>"),
        ]
        | None
    ) = None
    """The llama-server image built from images/llama-server (linux/amd64 + linux/arm64),
    pushed where the nodes can pull it without credentials (a public OCIR repository: it
    holds no secret). Required when a llama.cpp model runs on OKE."""

    @field_validator("tenancy")
    @classmethod
    def _tenancy(cls, value: str) -> str:
        if not _TENANCY.match(value):
            raise ValueError(
                f"{value!r} is not a tenancy OCID (ocid1.tenancy.oc1..<id>); copy it from"
                " the console's Tenancy details or `oci iam compartment list`"
            )
        return value

    @field_validator("compartment")
    @classmethod
    def _compartment(cls, value: str) -> str:
        if not _COMPARTMENT.match(value):
            raise ValueError(
                f"{value!r} is not a compartment OCID (ocid1.compartment.oc1..<id>, or the"
                " tenancy OCID for the root compartment)"
            )
        return value

    @field_validator("region", "home_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.match(value):
            raise ValueError(
                f"{value!r} is not an OCI region identifier; use one such as us-ashburn-1"
                " (`oci iam region list`)"
            )
        return value

    @property
    def iam_region(self) -> str:
        return self.home_region or self.region

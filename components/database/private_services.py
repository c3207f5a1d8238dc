"""Private services access: a peering range in the VPC through which Google-managed services
(Cloud SQL) get private IPs, so the database never needs a public address."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE

SERVICE_NETWORKING = "servicenetworking.googleapis.com"
DEFAULT_RANGE = "10.40.0.0/20"
"""Outside the GKE network's ranges and the frontend's default egress subnet: fixed, so that
it cannot be picked over a subnet created at the same time."""


@dataclass(frozen=True, kw_only=True)
class PrivateServicesAccessArgs:
    network: pulumi.Input[str]
    """Self link or ID of the VPC."""
    cidr: str = DEFAULT_RANGE
    """The range Google allocates service IPs from (a /20 holds many Cloud SQL instances; /24
    is the minimum)."""


class PrivateServicesAccess(pulumi.ComponentResource):
    connection: gcp.servicenetworking.Connection
    """Depend on this before creating a private-IP instance: it fails until the peering exists."""

    def __init__(
        self,
        name: str,
        args: PrivateServicesAccessArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:PrivateServicesAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        reserved = gcp.compute.GlobalAddress(
            f"{name}-range",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=args.cidr.split("/")[0],
            prefix_length=int(args.cidr.split("/")[1]),
            network=args.network,
            opts=child,
        )
        self.connection = gcp.servicenetworking.Connection(
            f"{name}-peering",
            network=args.network,
            service=SERVICE_NETWORKING,
            reserved_peering_ranges=[reserved.name],
            # Cloud SQL keeps producer resources for days after an instance is deleted, so
            # deleting the connection is refused for a while; removing the VPC peering instead
            # frees the range and lets the network be deleted.
            deletion_policy="REMOVE_PEERING",
            opts=child,
        )
        self.register_outputs({})

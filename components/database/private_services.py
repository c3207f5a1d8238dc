"""Private services access: a peering range in the VPC through which Google-managed services
(Cloud SQL) get private IPs, so the database never needs a public address."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE

SERVICE_NETWORKING = "servicenetworking.googleapis.com"


@dataclass(frozen=True, kw_only=True)
class PrivateServicesAccessArgs:
    network: pulumi.Input[str]
    """Self link or ID of the VPC."""
    prefix_length: int = 20
    """Size of the range Google allocates from (a /20 holds many Cloud SQL instances; /24 is
    the minimum, Google recommends /16 when the VPC has room)."""


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
            prefix_length=args.prefix_length,
            network=args.network,
            opts=child,
        )
        self.connection = gcp.servicenetworking.Connection(
            f"{name}-peering",
            network=args.network,
            service=SERVICE_NETWORKING,
            reserved_peering_ranges=[reserved.name],
            # Cloud SQL keeps producer resources for days after an instance is deleted, so
            # deleting the connection is refused for a while; abandoning it lets `destroy`
            # finish (the peering goes with the VPC).
            deletion_policy="ABANDON",
            opts=child,
        )
        self.register_outputs({})

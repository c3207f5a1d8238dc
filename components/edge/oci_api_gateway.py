"""The public OCI edge: an API Gateway whose usage plans meter each tenant.

One deployment per model (`https://<gateway>/<model>/v1/...`), routing the OpenAI API paths to
that model's internal load balancer. Every request must carry the tenant's client token in
`X-Client-Token`: the gateway answers 403 without a subscribed token and 429 beyond the tenant's
rate or quota. The token identifies usage; it does not authenticate (Oracle says so): the model
servers still check the tenant's API key (`Authorization: Bearer <tenant>.<secret>`), the same
key as on Google Cloud. Nothing secret is in a deployment spec.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_oci as oci
import pulumi_random as random

from components import PACKAGE
from components.edge.tenants import Tenant

CLIENT_TOKEN_HEADER = "x-client-token"
TOKEN_LOCATION = f"request.headers[{CLIENT_TOKEN_HEADER}]"
# (path, methods) of the OpenAI-compatible API each deployment exposes.
API_ROUTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/v1/chat/completions", ("POST",)),
    ("/v1/completions", ("POST",)),
    ("/v1/models", ("GET",)),
)
CONNECT_TIMEOUT_SECONDS = 10.0
SEND_TIMEOUT_SECONDS = 60.0
CLIENT_TOKEN_LENGTH = 40


@dataclass(frozen=True, kw_only=True)
class GatewayBackend:
    model: str
    """Model server name: the deployment's path prefix."""
    address: pulumi.Input[str]
    """The internal load balancer's private address."""
    port: int
    tenants: Sequence[str]
    """Tenants whose usage plans include this model."""


@dataclass(frozen=True, kw_only=True)
class OciApiGatewayArgs:
    compartment_id: str
    subnet_id: pulumi.Input[str]
    nsg_id: pulumi.Input[str]
    backends: Sequence[GatewayBackend]
    tenants: Sequence[Tenant]
    rate_limit_per_second: int
    rate_key: str
    read_timeout_sec: int
    cors_allowed_origins: Sequence[str]


def tenant_rate_per_second(tenant: Tenant) -> int:
    """Usage plans count per second only: the tenant's allowance spread evenly, at least 1."""
    limit = tenant.rate_limit
    return max(1, math.ceil(limit.requests / limit.interval_sec))


def route_args(
    backend_address: pulumi.Input[str], port: int, read_timeout_sec: int
) -> list[oci.apigateway.DeploymentSpecificationRouteArgs]:
    """Routes to the backend; the route path is not appended by the gateway, so each URL
    names the full path on the server. Only the URL waits for the load balancer's address:
    the paths and methods show in a preview (and to the policy pack) before it exists."""
    return [
        oci.apigateway.DeploymentSpecificationRouteArgs(
            path=path,
            methods=list(methods),
            backend=oci.apigateway.DeploymentSpecificationRouteBackendArgs(
                type="HTTP_BACKEND",
                url=pulumi.Output.concat("http://", backend_address, f":{port}{path}"),
                connect_timeout_in_seconds=CONNECT_TIMEOUT_SECONDS,
                read_timeout_in_seconds=float(read_timeout_sec),
                send_timeout_in_seconds=SEND_TIMEOUT_SECONDS,
            ),
        )
        for path, methods in API_ROUTES
    ]


class OciApiGateway(pulumi.ComponentResource):
    hostname: pulumi.Output[str]
    endpoints: dict[str, pulumi.Output[str]]
    """Model -> OpenAI base URL (`https://<gateway>/<model>/v1`)."""
    client_tokens: dict[str, pulumi.Output[str]]
    """Tenant -> the token it sends in X-Client-Token (secret)."""

    def __init__(
        self, name: str, args: OciApiGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:oci:OciApiGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        gateway = oci.apigateway.Gateway(
            f"{name}-gateway",
            compartment_id=args.compartment_id,
            endpoint_type="PUBLIC",
            subnet_id=args.subnet_id,
            network_security_group_ids=[args.nsg_id],
            display_name=name,
            opts=child,
        )
        deployments = {
            backend.model: self._deployment(name, backend, gateway.id, args, child)
            for backend in args.backends
        }
        self.client_tokens = {}
        for tenant in args.tenants:
            models = [b.model for b in args.backends if tenant.name in b.tenants]
            if not models:
                continue  # no model on OCI accepts this tenant's key
            self.client_tokens[tenant.name] = self._subscribe(
                name, tenant, [deployments[m].id for m in models], args, child
            )
        self.hostname = gateway.hostname
        self.endpoints = {
            model: deployment.endpoint.apply(lambda url: f"{url}/v1")
            for model, deployment in deployments.items()
        }
        self.register_outputs({"hostname": self.hostname, "endpoints": self.endpoints})

    @staticmethod
    def _deployment(
        name: str,
        backend: GatewayBackend,
        gateway_id: pulumi.Output[str],
        args: OciApiGatewayArgs,
        opts: pulumi.ResourceOptions,
    ) -> oci.apigateway.Deployment:
        cors = None
        if args.cors_allowed_origins:
            cors = oci.apigateway.DeploymentSpecificationRequestPoliciesCorsArgs(
                allowed_origins=list(args.cors_allowed_origins),
                allowed_methods=["GET", "POST", "OPTIONS"],
                allowed_headers=["authorization", "content-type", CLIENT_TOKEN_HEADER],
                max_age_in_seconds=600,
            )
        routes = route_args(backend.address, backend.port, args.read_timeout_sec)
        return oci.apigateway.Deployment(
            f"{name}-{backend.model}",
            compartment_id=args.compartment_id,
            gateway_id=gateway_id,
            path_prefix=f"/{backend.model}",
            display_name=backend.model,
            specification=oci.apigateway.DeploymentSpecificationArgs(
                request_policies=oci.apigateway.DeploymentSpecificationRequestPoliciesArgs(
                    rate_limiting=oci.apigateway.DeploymentSpecificationRequestPoliciesRateLimitingArgs(
                        rate_in_requests_per_second=args.rate_limit_per_second,
                        rate_key=args.rate_key,
                    ),
                    usage_plans=oci.apigateway.DeploymentSpecificationRequestPoliciesUsagePlansArgs(
                        token_locations=[TOKEN_LOCATION]
                    ),
                    cors=cors,
                ),
                routes=routes,
            ),
            opts=opts,
        )

    @staticmethod
    def _subscribe(
        name: str,
        tenant: Tenant,
        deployment_ids: list[pulumi.Output[str]],
        args: OciApiGatewayArgs,
        opts: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        quota = None
        if tenant.quota is not None:
            quota = oci.apigateway.UsagePlanEntitlementQuotaArgs(
                unit=tenant.quota.period,
                value=tenant.quota.requests,
                reset_policy="CALENDAR",
                operation_on_breach="REJECT",
            )
        plan = oci.apigateway.UsagePlan(
            f"{name}-{tenant.name}-plan",
            compartment_id=args.compartment_id,
            display_name=tenant.name,
            entitlements=[
                oci.apigateway.UsagePlanEntitlementArgs(
                    name=tenant.name,
                    rate_limit=oci.apigateway.UsagePlanEntitlementRateLimitArgs(
                        unit="SECOND", value=tenant_rate_per_second(tenant)
                    ),
                    quota=quota,
                    targets=[
                        oci.apigateway.UsagePlanEntitlementTargetArgs(deployment_id=d)
                        for d in deployment_ids
                    ],
                )
            ],
            opts=opts,
        )
        token = random.RandomPassword(
            f"{name}-{tenant.name}-token",
            length=CLIENT_TOKEN_LENGTH,
            special=False,
            opts=opts,
        ).result
        oci.apigateway.Subscriber(
            f"{name}-{tenant.name}-subscriber",
            compartment_id=args.compartment_id,
            display_name=tenant.name,
            clients=[oci.apigateway.SubscriberClientArgs(name=tenant.name, token=token)],
            usage_plans=[plan.id],
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["clients"])
            ),
        )
        return pulumi.Output.secret(token)

"""The rules as CrossGuard policies. Each policy adapts one family of rules to pulumi-policy's
callbacks and nothing more; the rules themselves are plain functions (tested on the plan)."""

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from platform_guard import autoscaling, edge, iam, pinning, protection, secrets
from platform_guard.values import Resource, from_stack_resource, from_validation, raw

PACK_NAME = "llm-platform"
ResourceRule = Callable[[Resource], list[str]]


def _validate_with(
    *rules: ResourceRule,
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = from_validation(args)
        for rule in rules:
            for problem in rule(resource):
                report_violation(problem, None)

    return validate


async def _seal_secret_inputs(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """The properties with every credential sealed, or nothing (no remediation) when all are."""
    props = raw(args.props)
    paths = secrets.unsealed_secret_inputs(args.resource_type, props)
    return secrets.seal(props, paths) if paths else {}


def _production_stacks(config: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(config.get("productionStacks") or protection.DEFAULT_PRODUCTION_STACKS)


def _validate_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    resource = from_validation(args)
    if resource.stack in _production_stacks(args.get_config()):
        for problem in protection.deletion_protection_problems(resource):
            report_violation(f"{problem} (stack {resource.stack} is production)", None)


def _validate_stack(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = [from_stack_resource(r) for r in args.resources]
    for urn, problem in [
        *autoscaling.oke_gpu_pool_problems(resources),
        *edge.ingress_backend_problems(resources),
    ]:
        report_violation(problem, urn)


def policies() -> list[Policy]:
    pack: list[Policy] = [
        ResourceValidationPolicy(
            name="secret-inputs-are-secret",
            description=(
                "Inputs that carry a credential (Secret Manager and Vault payloads, database"
                " passwords, gateway client tokens, Kubernetes Secrets, kubeconfigs, Helm values"
                " named like passwords or tokens) are Pulumi secrets; any found in the clear is"
                " sealed before the engine stores it."
            ),
            enforcement_level=EnforcementLevel.REMEDIATE,
            remediate=_seal_secret_inputs,
        ),
        ResourceValidationPolicy(
            name="no-credential-literals-in-env",
            description="Containers take credentials from Secrets, never as literal env values.",
            validate=_validate_with(secrets.credential_literals),
        ),
        ResourceValidationPolicy(
            name="gpu-pools-autoscale-within-bounds",
            description="GKE GPU node pools have autoscaling with a minimum and a maximum.",
            validate=_validate_with(autoscaling.gke_gpu_pool_problems),
        ),
        ResourceValidationPolicy(
            name="public-endpoints-rate-limited-api-only",
            description=(
                "External Ingresses and API Gateway deployments route only /v1/... and /health;"
                " gateways and Cloud Armor policies rate-limit; no public LoadBalancer Service."
            ),
            validate=_validate_with(
                edge.ingress_problems,
                edge.armor_problems,
                edge.gateway_deployment_problems,
                edge.load_balancer_problems,
            ),
        ),
        ResourceValidationPolicy(
            name="images-and-charts-pinned",
            description="Container images by digest or exact version; Helm charts at x.y.z.",
            validate=_validate_with(pinning.image_problems, pinning.chart_problems),
        ),
        ResourceValidationPolicy(
            name="production-deletion-protection",
            description=(
                "In production stacks, GKE and OKE clusters and Cloud SQL instances refuse"
                " deletion."
            ),
            validate=_validate_protection,
            config_schema=PolicyConfigSchema(
                properties={
                    "productionStacks": {
                        "type": "array",
                        "items": {"type": "string"},
                        "default": list(protection.DEFAULT_PRODUCTION_STACKS),
                    }
                }
            ),
        ),
        ResourceValidationPolicy(
            name="no-broad-secret-access",
            description=(
                "No project-, folder- or organization-wide role that reads Secret Manager"
                " payloads; OCI Vault reads limited to named secrets."
            ),
            validate=_validate_with(iam.gcp_problems, iam.oci_problems),
        ),
        StackValidationPolicy(
            name="platform-wiring",
            description=(
                "OKE GPU pools are scaled by the Cluster Autoscaler add-on within bounds; each"
                " Service behind an external Ingress has a rate-limiting Cloud Armor policy."
            ),
            validate=_validate_stack,
        ),
    ]
    return pack

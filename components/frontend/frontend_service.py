"""The quotes app on Cloud Run: its own service account with only the roles it uses, secrets
read from Secret Manager at instance start, Direct VPC egress to the private database, and an
Artifact Registry repository to push its image to."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE
from components.frontend.cloud_run_limits import STARTUP_PROBE_MAX_SECONDS
from components.frontend.environment import APP_PORT, AppVariable
from components.frontend.settings import FrontendSettings, Ingress
from components.images.artifact_registry import ArtifactRegistry, ArtifactRegistryArgs
from components.secrets.secret_manager import StoredSecret, grant_reads

INVOKER_ROLE = "roles/run.invoker"
VERTEX_AI_USER_ROLE = "roles/aiplatform.user"
CLOUD_SQL_CLIENT_ROLE = "roles/cloudsql.client"
STARTUP_PROBE_PERIOD_SECONDS = 10
_INGRESS: dict[Ingress, str] = {
    "all": "INGRESS_TRAFFIC_ALL",
    "internal": "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "internalAndCloudLoadBalancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
}


@dataclass(frozen=True, kw_only=True)
class FrontendServiceArgs:
    project: str
    region: str
    service_name: str
    account_id: str
    """Service-account ID, 6-30 characters, unique in the project."""
    repository_id: str
    settings: FrontendSettings
    network: pulumi.Input[str]
    """The VPC (self link) whose private ranges the instances reach: the database's."""
    environment: Sequence[AppVariable]
    project_roles: Sequence[str]
    """Project-level roles of its service account (Vertex AI, and the Cloud SQL client when
    it connects through the connector)."""
    request_timeout_sec: int
    ready_after: Sequence[pulumi.Resource] = ()
    """What must exist before the app starts (its database user): the first instance runs
    the schema migrations."""


class FrontendService(pulumi.ComponentResource):
    url: pulumi.Output[str] | None
    """The service's URL; None until an image is configured."""
    service_account: pulumi.Output[str]
    repository: pulumi.Output[str]
    """Where to push the app's image (`<region>-docker.pkg.dev/<project>/<repository>`)."""

    def __init__(
        self, name: str, args: FrontendServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:FrontendService", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            f"{name}-sa",
            project=args.project,
            account_id=args.account_id,
            display_name=f"Cloud Run frontend {args.service_name}",
            opts=child,
        )
        member = pulumi.Output.concat("serviceAccount:", account.email)
        grants: list[pulumi.Resource] = [
            gcp.projects.IAMMember(
                f"{name}-{role.rsplit('/', 1)[-1].replace('.', '-')}",
                project=args.project,
                role=role,
                member=member,
                opts=child,
            )
            for role in args.project_roles
        ]
        grants += grant_reads(
            name,
            project=args.project,
            secrets={s.key: s.resource_name for s in _secrets(args.environment)},
            member=member,
            opts=child,
        )
        subnet = gcp.compute.Subnetwork(
            f"{name}-egress",
            network=args.network,
            region=args.region,
            ip_cidr_range=args.settings.egress_cidr,
            private_ip_google_access=True,
            opts=child,
        )
        registry = ArtifactRegistry(
            f"{name}-images",
            ArtifactRegistryArgs(
                project=args.project,
                region=args.region,
                repository_id=args.repository_id,
                # Cloud Run's service agent reads repositories of its own project by default.
                readers=[],
            ),
            opts=child,
        )
        self.service_account = account.email
        self.repository = registry.registry
        self.url = None
        if args.settings.image is not None:
            service = self._service(name, args, account.email, subnet.name, grants)
            self.url = service.uri
        self.register_outputs(
            {
                "url": self.url,
                "service_account": self.service_account,
                "repository": self.repository,
            }
        )

    def _service(
        self,
        name: str,
        args: FrontendServiceArgs,
        account_email: pulumi.Output[str],
        subnet: pulumi.Output[str],
        grants: list[pulumi.Resource],
    ) -> gcp.cloudrunv2.Service:
        settings = args.settings
        assert settings.image is not None
        service = gcp.cloudrunv2.Service(
            f"{name}-service",
            project=args.project,
            location=args.region,
            name=args.service_name,
            ingress=_INGRESS[settings.ingress],
            # Stateless: the data is in Cloud SQL, which has its own protection.
            deletion_protection=False,
            template=gcp.cloudrunv2.ServiceTemplateArgs(
                service_account=account_email,
                scaling=gcp.cloudrunv2.ServiceTemplateScalingArgs(
                    min_instance_count=settings.min_instances,
                    max_instance_count=settings.max_instances,
                ),
                max_instance_request_concurrency=settings.concurrency,
                timeout=f"{args.request_timeout_sec}s",
                vpc_access=gcp.cloudrunv2.ServiceTemplateVpcAccessArgs(
                    # Only private ranges (the database) go through the VPC; the model
                    # endpoints and Vertex AI are reached directly.
                    egress="PRIVATE_RANGES_ONLY",
                    network_interfaces=[
                        gcp.cloudrunv2.ServiceTemplateVpcAccessNetworkInterfaceArgs(
                            subnetwork=subnet
                        )
                    ],
                ),
                containers=[_container(settings, args.environment)],
            ),
            # Cloud Run checks at deploy time that the account can read every secret, and the
            # first instance migrates the schema: both must be in place first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*grants, *args.ready_after]),
        )
        members = ["allUsers"] if settings.public else settings.invokers
        for index, member in enumerate(members):
            gcp.cloudrunv2.ServiceIamMember(
                f"{name}-invoker-{index}",
                project=args.project,
                location=args.region,
                name=service.name,
                role=INVOKER_ROLE,
                member=member,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return service


def _secrets(environment: Sequence[AppVariable]) -> list[StoredSecret]:
    return [v.secret for v in environment if v.secret is not None]


def _container(
    settings: FrontendSettings, environment: Sequence[AppVariable]
) -> gcp.cloudrunv2.ServiceTemplateContainerArgs:
    assert settings.image is not None
    return gcp.cloudrunv2.ServiceTemplateContainerArgs(
        image=settings.image,
        ports=gcp.cloudrunv2.ServiceTemplateContainerPortsArgs(container_port=APP_PORT),
        resources=gcp.cloudrunv2.ServiceTemplateContainerResourcesArgs(
            limits={"cpu": str(settings.cpu), "memory": settings.memory},
            # Billed per request when idle; must be explicit once `resources` is set.
            cpu_idle=True,
            startup_cpu_boost=settings.startup_cpu_boost,
        ),
        envs=[_env(v) for v in environment],
        startup_probe=gcp.cloudrunv2.ServiceTemplateContainerStartupProbeArgs(
            http_get=gcp.cloudrunv2.ServiceTemplateContainerStartupProbeHttpGetArgs(
                path=settings.health_path, port=APP_PORT
            ),
            # A cold JVM with Flyway migrations: allow Cloud Run's maximum, 240 s.
            period_seconds=STARTUP_PROBE_PERIOD_SECONDS,
            timeout_seconds=5,
            failure_threshold=STARTUP_PROBE_MAX_SECONDS // STARTUP_PROBE_PERIOD_SECONDS,
        ),
    )


def _env(variable: AppVariable) -> gcp.cloudrunv2.ServiceTemplateContainerEnvArgs:
    if variable.secret is None:
        return gcp.cloudrunv2.ServiceTemplateContainerEnvArgs(
            name=variable.name, value=variable.value
        )
    return gcp.cloudrunv2.ServiceTemplateContainerEnvArgs(
        name=variable.name,
        value_source=gcp.cloudrunv2.ServiceTemplateContainerEnvValueSourceArgs(
            secret_key_ref=gcp.cloudrunv2.ServiceTemplateContainerEnvValueSourceSecretKeyRefArgs(
                secret=variable.secret.resource_name,
                # The version this update wrote: a changed value rolls out as a new revision.
                version=variable.secret.version.apply(lambda name: name.rsplit("/", 1)[-1]),
            )
        ),
    )

"""The Cloud Run frontend as users configure it (`gcp.frontend`)."""

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.config_base import ConfigModel, DnsLabel
from components.database.settings import DatabaseSettings
from components.edge.tenants import TenantName
from components.frontend.cloud_run_limits import MAX_CONCURRENCY, CpuCount, memory_problem
from components.images.reference import pinned_image

_MEMBER_PREFIXES = ("user:", "group:", "serviceAccount:", "domain:", "principal:", "principalSet:")
EGRESS_SUBNET_MAX_PREFIX = 26
"""Direct VPC egress needs a subnet of /26 or larger: Cloud Run reserves addresses in /28
blocks (https://cloud.google.com/run/docs/configuring/vpc-direct-vpc)."""
_EXAMPLE_IMAGE = "us-central1-docker.pkg.dev/<project>/<repository>/quotes-llm:1.0.0"
Ingress = Literal["all", "internal", "internalAndCloudLoadBalancing"]


class FrontendSettings(ConfigModel):
    image: Annotated[str, pinned_image(_EXAMPLE_IMAGE)] | None = None
    """The Spring AI app, pinned by version tag or digest. Unset: the repository, database,
    identity and secrets are created so the image can be pushed; the service comes with it."""
    tenant: TenantName
    """Whose API key the app sends to the self-hosted model (one of `tenants`)."""
    model: DnsLabel | None = None
    """The self-hosted model it calls (a `models[].name`); unset: the first model."""
    gemini_model: str
    """The Gemini model of the app's /random-quote-llm endpoint (VERTEX_AI_GEMINI_MODEL).
    Google retires Gemini versions on a schedule: pick a current one from Model Garden."""
    cpu: CpuCount = 2
    memory: str = "2Gi"
    concurrency: Annotated[int, Field(ge=1, le=MAX_CONCURRENCY)] = 80
    min_instances: Annotated[int, Field(ge=0, le=1000)] = 0
    """Warm instances kept even without traffic (billed); 0 lets a JVM cold-start on demand."""
    max_instances: Annotated[int, Field(ge=1, le=1000)] = 10
    startup_cpu_boost: bool = True
    """More CPU while the JVM starts: Spring Boot's start-up is CPU-bound."""
    java_tool_options: str | None = None
    """Unset: the app's published JVM flags, with -XX:ActiveProcessorCount set to `cpu`."""
    health_path: str = "/actuator/health"
    """The startup probe's path on port 8080 (Spring Boot Actuator)."""
    ingress: Ingress = "all"
    public: bool = False
    """True: anyone may call it (allUsers); false: only `invokers`, with an identity token."""
    invokers: list[str] = Field(default_factory=list)
    """IAM members allowed to call it, e.g. group:quotes-users@example.com."""
    egress_cidr: str = "10.30.0.0/24"
    """The subnet Cloud Run instances take addresses from to reach the database (/26 or
    larger, inside the cluster's VPC but outside its node, Pod and Service ranges)."""
    database: DatabaseSettings = DatabaseSettings()

    @field_validator("health_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"{value!r} is not a URL path; start it with /")
        return value

    @field_validator("invokers")
    @classmethod
    def _members(cls, values: list[str]) -> list[str]:
        for value in values:
            if value in ("allUsers", "allAuthenticatedUsers"):
                raise ValueError(f"{value} opens the service to everyone; use public: true")
            if not value.startswith(_MEMBER_PREFIXES):
                raise ValueError(
                    f"{value!r} is not an IAM member; write e.g. user:ann@example.com,"
                    " group:team@example.com or serviceAccount:app@project.iam.gserviceaccount.com"
                )
        return values

    @field_validator("egress_cidr")
    @classmethod
    def _egress_subnet(cls, value: str) -> str:
        try:
            network = ipaddress.ip_network(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a CIDR; use e.g. 10.30.0.0/24") from None
        if network.version != 4 or not network.is_private:
            raise ValueError(f"{value!r} must be a private IPv4 range")
        if network.prefixlen > EGRESS_SUBNET_MAX_PREFIX:
            raise ValueError(
                f"{value!r} is too small: Direct VPC egress needs /{EGRESS_SUBNET_MAX_PREFIX}"
                " or larger"
            )
        return value

    @model_validator(mode="after")
    def _sizing(self) -> "FrontendSettings":
        problem = memory_problem(self.memory, self.cpu)
        if problem is not None:
            raise ValueError(f"memory: {problem}")
        if self.min_instances > self.max_instances:
            raise ValueError(
                f"minInstances ({self.min_instances}) is above maxInstances"
                f" ({self.max_instances}); lower minInstances or raise maxInstances"
            )
        if self.public and self.invokers:
            raise ValueError("invokers: a public service admits everyone; remove invokers")
        return self

    @property
    def jvm_options(self) -> str:
        if self.java_tool_options is not None:
            return self.java_tool_options
        # The app's README deploy flags: G1, 80% of the container for the heap, C1 only (fast
        # start), small thread stacks; the JVM must not count the host's cores.
        return (
            "-XX:+UseG1GC -XX:MaxRAMPercentage=80"
            f" -XX:ActiveProcessorCount={self.cpu}"
            " -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Xss256k"
        )

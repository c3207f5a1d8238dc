"""Enable the Google Cloud APIs the platform calls, so a fresh project works on first `up`."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE

REQUIRED_APIS = (
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    # Short-lived tokens for a Kubernetes ServiceAccount acting as a Google service account
    # (Workload Identity), which the Secret Manager CSI driver uses to read the secrets.
    "iamcredentials.googleapis.com",
    # The llama-server image built from images/llama-server is pushed here.
    "artifactregistry.googleapis.com",
    "secretmanager.googleapis.com",
    # Vertex AI Model Garden MaaS (meta/llama3-405b-instruct-maas) for the Cloud Run frontend.
    "aiplatform.googleapis.com",
)
FRONTEND_APIS = (
    "run.googleapis.com",
    "sqladmin.googleapis.com",
    # Private services access: the peering that gives Cloud SQL its private IP.
    "servicenetworking.googleapis.com",
)
"""Also enabled when the stack runs the Cloud Run frontend and its Cloud SQL database."""
LOAD_TEST_APIS = ("storage.googleapis.com",)
"""Also enabled when load tests run on GKE: their results bucket."""
WEIGHTS_CACHE_APIS = ("storage.googleapis.com",)
"""Also enabled with the weights cache: its bucket."""
IMAGE_STREAMING_APIS = ("containerfilesystem.googleapis.com",)
"""Also enabled with image streaming: GKE's Container File System API serves the images."""


@dataclass(frozen=True, kw_only=True)
class ProjectApisArgs:
    project: str
    apis: tuple[str, ...] = REQUIRED_APIS


class ProjectApis(pulumi.ComponentResource):
    services: list[gcp.projects.Service]
    """Depend on these before creating resources of the enabled APIs."""

    def __init__(
        self, name: str, args: ProjectApisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:ProjectApis", name, None, opts)
        self.services = [
            gcp.projects.Service(
                f"{name}-{api.split('.')[0]}",
                project=args.project,
                service=api,
                # Other workloads in the project may use the same API; never switch it off.
                disable_on_destroy=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            # Two features may need the same API: enable it once.
            for api in dict.fromkeys(args.apis)
        ]
        self.register_outputs({})

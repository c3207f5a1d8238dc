"""A Docker repository in Artifact Registry, in the cluster's region, readable by its nodes."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE

READER_ROLE = "roles/artifactregistry.reader"


@dataclass(frozen=True, kw_only=True)
class ArtifactRegistryArgs:
    project: str
    region: str
    repository_id: str
    """Unique in the project and region (lowercase letters, digits, '-')."""
    readers: Sequence[pulumi.Input[str]]
    """IAM members that pull from it (the nodes' service account)."""


class ArtifactRegistry(pulumi.ComponentResource):
    registry: pulumi.Output[str]
    """`<region>-docker.pkg.dev/<project>/<repository>`: the prefix of its image names."""

    def __init__(
        self, name: str, args: ArtifactRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:ArtifactRegistry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        repository = gcp.artifactregistry.Repository(
            f"{name}-repo",
            project=args.project,
            location=args.region,
            repository_id=args.repository_id,
            format="DOCKER",
            description="Images run by the llm-platform stack",
            opts=child,
        )
        for index, member in enumerate(args.readers):
            gcp.artifactregistry.RepositoryIamMember(
                f"{name}-reader-{index}",
                project=args.project,
                location=args.region,
                repository=repository.name,
                role=READER_ROLE,
                member=member,
                opts=child,
            )
        self.registry = pulumi.Output.concat(
            args.region, "-docker.pkg.dev/", args.project, "/", repository.repository_id
        )
        self.register_outputs({"registry": self.registry})

"""A Docker repository in Artifact Registry, in the cluster's region, readable by its nodes."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE
from components.images.mirrors import Upstream

READER_ROLE = "roles/artifactregistry.reader"


@dataclass(frozen=True, kw_only=True)
class ArtifactRegistryArgs:
    project: str
    region: str
    repository_id: str
    """Unique in the project and region (lowercase letters, digits, '-')."""
    readers: Sequence[pulumi.Input[str]]
    """IAM members that pull from it (the nodes' service account)."""
    upstream: Upstream | None = None
    """A pull-through cache of this public registry (REMOTE_REPOSITORY); None: images pushed
    by this stack."""


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
            description="Images run by the llm-platform stack"
            if args.upstream is None
            else f"Pull-through cache of {args.upstream.uri or args.upstream.public_repository}",
            mode=None if args.upstream is None else "REMOTE_REPOSITORY",
            remote_repository_config=_remote_config(args.upstream),
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


def _remote_config(
    upstream: Upstream | None,
) -> gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs | None:
    if upstream is None:
        return None
    if upstream.public_repository is not None:
        return gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
            description=f"{upstream.public_repository} mirror",
            docker_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryArgs(
                public_repository=upstream.public_repository
            ),
        )
    return gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
        description=f"{upstream.uri} mirror",
        common_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigCommonRepositoryArgs(
            uri=upstream.uri or ""
        ),
    )

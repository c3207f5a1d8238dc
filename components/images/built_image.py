"""Build an image from a Dockerfile in this repository for several platforms and push it.

The pod then pulls it by digest (`ref` is `<registry>/<name>:<tag>@sha256:...`), so every
node runs the bytes that were built, whatever happens to the tag later. The build runs on the
machine running `pulumi up` with Docker Buildx and pushes with that machine's Docker credentials
(`gcloud auth configure-docker <region>-docker.pkg.dev` for Artifact Registry). `pulumi
preview` does not build: the new digest is only known after `up`.
"""

from dataclasses import dataclass

import pulumi
import pulumi_docker_build as docker_build

from components import PACKAGE
from components.catalog.hardware import CpuArch
from components.serving.images import ServerImage

_PLATFORMS = {
    CpuArch.AMD64: docker_build.Platform.LINUX_AMD64,
    CpuArch.ARM64: docker_build.Platform.LINUX_ARM64,
}


@dataclass(frozen=True, kw_only=True)
class BuiltImageArgs:
    image: ServerImage
    """A pinned image with a `build`: its Dockerfile, arguments and architectures."""
    registry: pulumi.Input[str]
    """Where to push, e.g. `us-central1-docker.pkg.dev/<project>/<repository>`."""


class BuiltImage(pulumi.ComponentResource):
    ref: pulumi.Output[str]
    """Digest-qualified reference of the pushed image (multi-platform manifest list)."""

    def __init__(
        self, name: str, args: BuiltImageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:images:BuiltImage", name, None, opts)
        build = args.image.build
        if build is None:
            raise ValueError(f"{args.image.reference} has no Dockerfile in this repository")
        image = docker_build.Image(
            f"{name}-image",
            context=docker_build.BuildContextArgs(location=build.context),
            build_args=build.build_args,
            platforms=[_PLATFORMS[arch] for arch in sorted(args.image.arches)],
            tags=[pulumi.Output.concat(args.registry, "/", build.repository, ":", build.tag)],
            push=True,
            # A multi-platform compile takes minutes: pull-request previews must not wait for it.
            build_on_preview=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.ref = image.ref
        self.register_outputs({"ref": self.ref})

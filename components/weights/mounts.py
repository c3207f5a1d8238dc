"""How a model-server pod reads a checkpoint from its cloud's weights cache, read-only, with the
servers' own identity (which may read the bucket and write nothing).

- GKE: a Cloud Storage FUSE CSI ephemeral volume of the checkpoint's prefix, tuned like GKE's
  own serving profile (notes: coldstart-gke.md).
- OKE: OKE has no Object Storage CSI driver; an init container copies the prefix into the pod's
  disk with `oci os object sync` (which drops the prefix from the file names) before the server
  starts. Only that container gets a ServiceAccount token, for workload identity.
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.cloud_cli import OCI_BUCKET_FLAGS, OCI_CLI_IMAGE, oci_bucket_env
from components.weights.selection import COMPLETE_MARKER, WEIGHTS_DIR

WEIGHTS_VOLUME = "weights"
GCS_FUSE_DRIVER = "gcsfuse.csi.storage.gke.io"
GCS_FUSE_SERVING_OPTIONS = (
    "implicit-dirs",
    "metadata-cache:ttl-secs:-1",
    "metadata-cache:negative-ttl-secs:0",
    "metadata-cache:stat-cache-max-size-mb:-1",
    "metadata-cache:type-cache-max-size-mb:-1",
    "file-cache:max-size-mb:0",
    "read:enable-buffered-read:true",
    "read:global-max-blocks:80",
    "read_ahead_kb=131072",
)
"""The mount options of GKE's managed `gcsfusecsi-serving` StorageClass (gcs-fuse-csi-driver
`deploy/base/setup/storageclass.yaml`, 2026-03; buffered read needs GKE 1.34.0-gke.2011000+):
metadata cached for good (files never change under a prefix), no file cache, and parallel
buffered reads into memory instead. A file cache would first write every byte to the node's
pd-balanced boot disk, whose throughput (not the 16 Gbps network of a g2-standard-8) would
then bound the load."""
_TOKEN_VOLUME = "oci-workload-token"
_TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@dataclass(frozen=True, kw_only=True)
class WeightsMount:
    """What a server pod adds to read the cache: volumes, the server's read-only mount, init
    containers, pod annotations."""

    volumes: list[k8s.core.v1.VolumeArgs]
    mount: k8s.core.v1.VolumeMountArgs
    init_containers: list[k8s.core.v1.ContainerArgs] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)
    ephemeral_gib: int = 0
    """Disk the pod needs beside the server's own request (the copied files)."""


def gcs_fuse_mount(bucket: pulumi.Input[str], prefix: str) -> WeightsMount:
    """The prefix mounted read-only at WEIGHTS_DIR. The FUSE sidecar gets no CPU or memory
    limit: its read buffers (80 blocks) and a throttled sidecar would slow the load."""
    options = ",".join([f"only-dir={prefix}", *GCS_FUSE_SERVING_OPTIONS])
    return WeightsMount(
        volumes=[
            k8s.core.v1.VolumeArgs(
                name=WEIGHTS_VOLUME,
                csi=k8s.core.v1.CSIVolumeSourceArgs(
                    driver=GCS_FUSE_DRIVER,
                    read_only=True,
                    volume_attributes={
                        "bucketName": bucket,
                        "mountOptions": options,
                        # The sidecar checks access itself (GKE 1.34.1+); halves STS calls.
                        "skipCSIBucketAccessCheck": "true",
                        "gcsfuseMetadataPrefetchOnMount": "true",
                    },
                ),
            )
        ],
        mount=k8s.core.v1.VolumeMountArgs(
            name=WEIGHTS_VOLUME, mount_path=WEIGHTS_DIR, read_only=True
        ),
        annotations={
            "gke-gcsfuse/volumes": "true",
            # "0": no limit (Standard clusters), with the default requests.
            "gke-gcsfuse/cpu-limit": "0",
            "gke-gcsfuse/memory-limit": "0",
        },
    )


def _oci_token_volume() -> k8s.core.v1.VolumeArgs:
    """What `automountServiceAccountToken` would mount, for the copying container only."""
    return k8s.core.v1.VolumeArgs(
        name=_TOKEN_VOLUME,
        projected=k8s.core.v1.ProjectedVolumeSourceArgs(
            sources=[
                k8s.core.v1.VolumeProjectionArgs(
                    service_account_token=k8s.core.v1.ServiceAccountTokenProjectionArgs(
                        path="token", expiration_seconds=3607
                    )
                ),
                k8s.core.v1.VolumeProjectionArgs(
                    config_map=k8s.core.v1.ConfigMapProjectionArgs(
                        name="kube-root-ca.crt",
                        items=[k8s.core.v1.KeyToPathArgs(key="ca.crt", path="ca.crt")],
                    )
                ),
            ]
        ),
    )


def oci_copy_mount(
    bucket: pulumi.Input[str],
    storage_namespace: pulumi.Input[str],
    region: str,
    prefix: str,
    cache_gib: int,
) -> WeightsMount:
    script = (
        "set -eu; "
        f"oci os object sync {OCI_BUCKET_FLAGS}"
        f' --prefix "$PREFIX/" --dest-dir {WEIGHTS_DIR}; '
        # sync exits 0 for an empty prefix: start only on a complete fill (its marker).
        f"test -s {WEIGHTS_DIR}/{COMPLETE_MARKER}"
    )
    copy = k8s.core.v1.ContainerArgs(
        name="weights",
        image=OCI_CLI_IMAGE,
        command=["/bin/sh", "-c", script],
        env=[
            k8s.core.v1.EnvVarArgs(name=k, value=v)
            for k, v in sorted(
                {
                    **oci_bucket_env(bucket, storage_namespace, region),
                    "PREFIX": prefix,
                    "HOME": "/tmp",
                }.items()
            )
        ],
        # The CLI holds each 128 MiB part in memory, ten parts in flight plus those waiting to
        # be written in order: ~1.3 GiB steady with peaks above 2 GiB (oci-cli source).
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": "1", "memory": "2Gi"}, limits={"memory": "6Gi"}
        ),
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name=WEIGHTS_VOLUME, mount_path=WEIGHTS_DIR),
            k8s.core.v1.VolumeMountArgs(name=_TOKEN_VOLUME, mount_path=_TOKEN_DIR, read_only=True),
        ],
    )
    return WeightsMount(
        volumes=[
            k8s.core.v1.VolumeArgs(
                name=WEIGHTS_VOLUME,
                empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=f"{cache_gib}Gi"),
            ),
            _oci_token_volume(),
        ],
        mount=k8s.core.v1.VolumeMountArgs(
            name=WEIGHTS_VOLUME, mount_path=WEIGHTS_DIR, read_only=True
        ),
        init_containers=[copy],
        ephemeral_gib=cache_gib,
    )

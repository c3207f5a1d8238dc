"""The cloud CLI images that Jobs run with the pod's own identity (no key), how they name a
bucket, and the retry the first call of a new pod needs (notes: upload-cli.md)."""

import pulumi

GCLOUD_IMAGE = "gcr.io/google.com/cloudsdktool/google-cloud-cli:573.0.0-stable"
"""The version cloud-sdk-docker's README documents (gcloud 573.0.0, 2026-06-16); linux/amd64
and linux/arm64. Without a configured account gcloud uses the metadata server, which GKE
Workload Identity answers for the pod's ServiceAccount."""
OCI_CLI_IMAGE = "ghcr.io/oracle/oci-cli:20260930"
"""A weekly dated build of oracle/docker-images' oci-cli image (linux/amd64 and linux/arm64;
ENTRYPOINT `oci`, user `oracle`); `--auth oke_workload_identity` exists since OCI CLI 3.39.0."""


GCLOUD_GCE_CACHE = '"$CLOUDSDK_CONFIG/gce"'
"""gcloud before 576 caches a failed metadata-server check here for 10 minutes (a new pod's
first seconds), which would fail every retry after the first; each gcloud attempt deletes it."""


OCI_BUCKET_FLAGS = '--auth oke_workload_identity -ns "$OS_NAMESPACE" -bn "$BUCKET"'
"""`oci os object` flags naming the bucket of `oci_bucket_env`, signed as the pod's workload."""


def oci_bucket_env(
    bucket: pulumi.Input[str], storage_namespace: pulumi.Input[str], region: str
) -> dict[str, pulumi.Input[str]]:
    """The variables OCI_BUCKET_FLAGS reads, and the region the OKE workload identity signer
    reads in every CLI version (`--region` is ignored with this auth before 3.62.2)."""
    return {
        "BUCKET": bucket,
        "OS_NAMESPACE": storage_namespace,
        "OCI_RESOURCE_PRINCIPAL_REGION": region,
    }


def gcloud_retried(command: str, attempts: int = 5, pause_seconds: int = 5) -> str:
    """`retried` for a gcloud command, forgetting a cached failed metadata check each time."""
    return retried(f"{{ rm -f {GCLOUD_GCE_CACHE}; {command}; }}", attempts, pause_seconds)


def retried(command: str, attempts: int = 5, pause_seconds: int = 5) -> str:
    """`sh` that runs `command` until it succeeds, at most `attempts` times: the GKE metadata
    server can take a few seconds to answer a new pod."""
    numbers = " ".join(str(n) for n in range(1, attempts + 1))
    return (
        f"for attempt in {numbers}; do {command} && break;"
        f' [ "$attempt" = {attempts} ] && exit 1; sleep {pause_seconds}; done'
    )

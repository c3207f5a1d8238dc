"""Assemble one cloud's weights cache: the bucket in the cluster's region, the fill Jobs'
identity (read the Hugging Face token, write the bucket), one fill Job per served checkpoint,
and, for each server, how its pod reads the checkpoint (read-only, with the servers' identity).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_oci as oci

from components.catalog.models import ModelCheckpoint
from components.naming import physical_name
from components.secrets.secret_manager import StoredSecret
from components.secrets.workload_identity import WorkloadIdentity, WorkloadIdentityArgs
from components.serving.namespace import SERVICE_ACCOUNT_NAME as SERVER_SERVICE_ACCOUNT
from components.serving.secret_files import SecretFiles
from components.serving.server_plan import cache_gib
from components.serving.startup_budget import HUB_BYTES_PER_SECOND, MARGIN
from components.weights.buckets import (
    GcsWeightsBucket,
    GcsWeightsBucketArgs,
    OciWeightsBucket,
    OciWeightsBucketArgs,
)
from components.weights.fill_jobs import (
    SERVICE_ACCOUNT_NAME as FILL_SERVICE_ACCOUNT,
)
from components.weights.fill_jobs import (
    CacheStore,
    FillJob,
    WeightsFill,
    WeightsFillArgs,
)
from components.weights.mounts import WeightsMount, gcs_fuse_mount, oci_copy_mount
from components.weights.selection import COMPLETE_MARKER, cache_prefix, serving_files
from components.weights.stores import gcs_store, oci_store
from stacks.config import PlannedServer

BUCKET_NAME_MAX = 63
ACCOUNT_ID_MAX = 30
FILL_SECRETS_PROVIDER_CLASS = "weights-fill-secrets"
_FILL_DEADLINE_FLOOR_SECONDS = 1800
"""The fill Job's limit is twice the download at the Hub's measured rate, never less."""


@dataclass(frozen=True)
class ServerWeights:
    """What one server's pod adds to read the cache, and what must exist before it starts."""

    mount: WeightsMount
    after: list[pulumi.Resource]


def cached_servers(planned: Sequence[PlannedServer]) -> list[PlannedServer]:
    return [p for p in planned if p.plan.weights_dir is not None]


def _checkpoints(planned: Sequence[PlannedServer]) -> list[ModelCheckpoint]:
    unique = {p.config.checkpoint.key: p.config.checkpoint for p in planned}
    return [unique[k] for k in sorted(unique)]


def _fill_job(checkpoint: ModelCheckpoint, has_token: bool) -> FillJob:
    download = checkpoint.weight_bytes / HUB_BYTES_PER_SECOND.value
    prefix = cache_prefix(checkpoint)
    return FillJob(
        key=checkpoint.key,
        repo=checkpoint.hf_repo,
        include=serving_files(checkpoint),
        prefix=prefix,
        marker=f"{prefix}/{COMPLETE_MARKER}",
        needs_token=has_token,
        scratch_gib=cache_gib(checkpoint),
        deadline_seconds=max(_FILL_DEADLINE_FLOOR_SECONDS, int(download * MARGIN * 2)),
    )


def _fill(
    name: str,
    planned: Sequence[PlannedServer],
    *,
    namespace: pulumi.Input[str],
    store: CacheStore,
    secrets: SecretFiles | None,
    annotations: dict[str, pulumi.Input[str]],
    mount_token: bool,
    after: Sequence[pulumi.Resource],
    opts: pulumi.ResourceOptions,
) -> WeightsFill:
    return WeightsFill(
        name,
        WeightsFillArgs(
            namespace=namespace,
            jobs=[_fill_job(c, secrets is not None) for c in _checkpoints(planned)],
            store=store,
            secrets=secrets,
            service_account_annotations=annotations,
            mount_service_account_token=mount_token,
            after=after,
        ),
        opts=opts,
    )


def gcp_weights_cache(
    planned: Sequence[PlannedServer],
    *,
    project: str,
    region: str,
    prefix: str,
    force_destroy: bool,
    workload_pool: pulumi.Input[str],
    namespace: pulumi.Input[str],
    namespace_name: str,
    hf_token: StoredSecret | None,
    fill_secret_files: SecretFiles | None,
    server_identity: WorkloadIdentity,
    cloud: pulumi.ResourceOptions,
    in_cluster: pulumi.ResourceOptions,
) -> dict[str, ServerWeights]:
    """Server name -> its weights; `planned`: this cloud's servers that read the cache."""
    identity = WorkloadIdentity(
        "weights-fill",
        WorkloadIdentityArgs(
            project=project,
            account_id=physical_name(prefix, "weights", ACCOUNT_ID_MAX),
            workload_pool=workload_pool,
            namespace=namespace_name,
            service_account_name=FILL_SERVICE_ACCOUNT,
            readable_secrets={hf_token.key: hf_token.resource_name} if hf_token else {},
            purpose="Weights cache fill",
        ),
        opts=cloud,
    )
    bucket = GcsWeightsBucket(
        "weights-cache",
        GcsWeightsBucketArgs(
            name=physical_name(f"{project}-{prefix}", "weights", BUCKET_NAME_MAX),
            location=region,
            reader=pulumi.Output.concat("serviceAccount:", server_identity.email),
            writer=pulumi.Output.concat("serviceAccount:", identity.email),
            force_destroy=force_destroy,
        ),
        opts=cloud,
    )
    fill = _fill(
        "gke-weights-fill",
        planned,
        namespace=namespace,
        store=gcs_store(bucket.bucket_name),
        secrets=fill_secret_files,
        annotations=identity.service_account_annotations,
        mount_token=False,
        # The upload fails until the Job's identity exists, is bound to its KSA and may write.
        after=[identity, bucket.writer_grant],
        opts=in_cluster,
    )
    return {
        p.config.name: ServerWeights(
            mount=gcs_fuse_mount(bucket.bucket_name, cache_prefix(p.config.checkpoint)),
            after=[fill.jobs[p.config.checkpoint.key], bucket.reader_grant],
        )
        for p in planned
    }


def oci_weights_cache(
    planned: Sequence[PlannedServer],
    *,
    compartment_id: str,
    region: str,
    prefix: str,
    cluster_id: pulumi.Output[str],
    namespace: pulumi.Input[str],
    namespace_name: str,
    secret_files: SecretFiles,
    has_hf_token: bool,
    provider: oci.Provider,
    iam_provider: oci.Provider,
    cloud: pulumi.ResourceOptions,
    in_cluster: pulumi.ResourceOptions,
) -> dict[str, ServerWeights]:
    bucket = OciWeightsBucket(
        "oke-weights-cache",
        OciWeightsBucketArgs(
            compartment_id=compartment_id,
            name=f"{prefix}-weights",
            cluster_id=cluster_id,
            namespace=namespace_name,
            reader_service_account=SERVER_SERVICE_ACCOUNT,
            writer_service_account=FILL_SERVICE_ACCOUNT,
            provider=provider,
            iam_provider=iam_provider,
        ),
        opts=cloud,
    )
    fill = _fill(
        "oke-weights-fill",
        planned,
        namespace=namespace,
        store=oci_store(bucket.bucket_name, bucket.storage_namespace, region),
        secrets=secret_files if has_hf_token else None,
        annotations={},
        mount_token=True,
        after=[bucket.writer_policy],
        opts=in_cluster,
    )
    return {
        p.config.name: ServerWeights(
            mount=oci_copy_mount(
                bucket.bucket_name,
                bucket.storage_namespace,
                region,
                cache_prefix(p.config.checkpoint),
                cache_gib(p.config.checkpoint),
            ),
            after=[fill.jobs[p.config.checkpoint.key], bucket.reader_policy],
        )
        for p in planned
    }

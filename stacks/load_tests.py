"""Assemble one cloud's load tests: the results bucket, the Jobs' identity (read the tenant
keys and the Hugging Face token, write the bucket, nothing else), their secret files, and the
cloud-neutral Jobs."""

from collections.abc import Sequence

import pulumi
import pulumi_oci as oci

from components.loadtest.guidellm import BenchmarkSpec, benchmark_secrets
from components.loadtest.load_tests import (
    LOAD_TEST_COMPONENT,
    SERVICE_ACCOUNT_NAME,
    LoadTestJob,
    LoadTests,
    LoadTestsArgs,
    ResultUpload,
)
from components.loadtest.result_buckets import (
    GcsResultBucket,
    GcsResultBucketArgs,
    OciResultBucket,
    OciResultBucketArgs,
)
from components.loadtest.result_stores import gcs_upload, oci_upload
from components.loadtest.targets import PlannedLoadTest
from components.naming import physical_name
from components.secrets.workload_identity import WorkloadIdentity, WorkloadIdentityArgs
from components.serving.model_server import ModelServer
from components.serving.secret_files import SecretFiles
from stacks.config import PlannedServer

BUCKET_NAME_MAX = 63
ACCOUNT_ID_MAX = 30


def load_test_clients(tests: Sequence[PlannedLoadTest]) -> list[dict[str, str]]:
    """Pod labels the serving namespace must admit: the Jobs', when this cloud runs any
    (`tests` are this cloud's, see `on_cloud`)."""
    return [LOAD_TEST_COMPONENT] if tests else []


def secret_keys(tests: Sequence[PlannedLoadTest]) -> set[str]:
    return {key for t in tests for key in benchmark_secrets(t.tenant).files}


def _jobs(
    tests: Sequence[PlannedLoadTest],
    planned: Sequence[PlannedServer],
    servers: dict[str, ModelServer],
    namespace_name: str,
    after: Sequence[pulumi.Resource],
) -> list[LoadTestJob]:
    by_name = {p.config.name: p for p in planned}
    jobs = []
    for test in tests:
        target = by_name[test.server]
        server = servers[test.server]
        if test.note is not None:
            pulumi.log.warn(test.note)
        jobs.append(
            LoadTestJob(
                name=test.name,
                spec=BenchmarkSpec(
                    target_url=(
                        f"http://{server.service_name}.{namespace_name}.svc.cluster.local"
                        f":{server.port}/v1"
                    ),
                    model=target.config.checkpoint.served_name,
                    tokenizer=target.config.checkpoint.served_name,
                    workload=test.workload,
                    concurrency=test.concurrency,
                    requests=test.config.requests,
                    max_seconds=test.config.max_seconds,
                    request_timeout_sec=test.config.request_timeout_sec,
                    tenant=test.tenant,
                ),
                after=[server, *after],
            )
        )
    return jobs


def on_cloud(
    tests: Sequence[PlannedLoadTest], planned: Sequence[PlannedServer]
) -> list[PlannedLoadTest]:
    names = {p.config.name for p in planned}
    return [t for t in tests if t.server in names]


def gcp_load_tests(
    tests: Sequence[PlannedLoadTest],
    *,
    project: str,
    region: str,
    prefix: str,
    force_destroy: bool,
    workload_pool: pulumi.Input[str],
    namespace: pulumi.Input[str],
    namespace_name: str,
    readable_secrets: dict[str, pulumi.Input[str]],
    secret_files: SecretFiles,
    planned: Sequence[PlannedServer],
    servers: dict[str, ModelServer],
    cloud: pulumi.ResourceOptions,
    in_cluster: pulumi.ResourceOptions,
) -> LoadTests:
    identity = WorkloadIdentity(
        "load-tests",
        WorkloadIdentityArgs(
            project=project,
            account_id=physical_name(prefix, "loadtest", ACCOUNT_ID_MAX),
            workload_pool=workload_pool,
            namespace=namespace_name,
            service_account_name=SERVICE_ACCOUNT_NAME,
            readable_secrets=readable_secrets,
            purpose="Load tests",
        ),
        opts=cloud,
    )
    bucket = GcsResultBucket(
        "load-test-results",
        GcsResultBucketArgs(
            name=physical_name(f"{project}-{prefix}", "load-tests", BUCKET_NAME_MAX),
            location=region,
            writer=pulumi.Output.concat("serviceAccount:", identity.email),
            force_destroy=force_destroy,
        ),
        opts=cloud,
    )
    return _load_tests(
        "gke-load-tests",
        tests,
        planned=planned,
        servers=servers,
        namespace=namespace,
        namespace_name=namespace_name,
        secret_files=secret_files,
        upload=gcs_upload(bucket.bucket_name),
        annotations=identity.service_account_annotations,
        mount_token=False,
        opts=in_cluster,
    )


def oci_load_tests(
    tests: Sequence[PlannedLoadTest],
    *,
    compartment_id: str,
    region: str,
    prefix: str,
    cluster_id: pulumi.Output[str],
    namespace: pulumi.Input[str],
    namespace_name: str,
    secret_files: SecretFiles,
    planned: Sequence[PlannedServer],
    servers: dict[str, ModelServer],
    provider: oci.Provider,
    iam_provider: oci.Provider,
    cloud: pulumi.ResourceOptions,
    in_cluster: pulumi.ResourceOptions,
) -> LoadTests:
    bucket = OciResultBucket(
        "oke-load-test-results",
        OciResultBucketArgs(
            compartment_id=compartment_id,
            name=f"{prefix}-load-tests",
            cluster_id=cluster_id,
            namespace=namespace_name,
            service_account=SERVICE_ACCOUNT_NAME,
            provider=provider,
            iam_provider=iam_provider,
        ),
        opts=cloud,
    )
    return _load_tests(
        "oke-load-tests",
        tests,
        planned=planned,
        servers=servers,
        namespace=namespace,
        namespace_name=namespace_name,
        secret_files=secret_files,
        upload=oci_upload(bucket.bucket_name, bucket.storage_namespace, region),
        annotations={},
        mount_token=True,
        # The upload fails until the policy exists.
        after=[bucket.policy],
        opts=in_cluster,
    )


def _load_tests(
    name: str,
    tests: Sequence[PlannedLoadTest],
    *,
    planned: Sequence[PlannedServer],
    servers: dict[str, ModelServer],
    namespace: pulumi.Input[str],
    namespace_name: str,
    secret_files: SecretFiles,
    upload: ResultUpload,
    annotations: dict[str, pulumi.Input[str]],
    mount_token: bool,
    opts: pulumi.ResourceOptions,
    after: Sequence[pulumi.Resource] = (),
) -> LoadTests:
    return LoadTests(
        name,
        LoadTestsArgs(
            namespace=namespace,
            jobs=_jobs(tests, planned, servers, namespace_name, after),
            secrets=secret_files,
            upload=upload,
            service_account_annotations=annotations,
            mount_service_account_token=mount_token,
        ),
        opts=opts,
    )

"""The condition that names one OKE workload in an IAM policy (workload identity works on
enhanced clusters only): its namespace, Kubernetes ServiceAccount and cluster.

Form: https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contenggrantingworkloadaccesstoresources.htm
"""


def workload_principal(namespace: str, service_account: str, cluster_id: str) -> str:
    """The clauses for a `where all {...}` condition, without the braces."""
    return (
        "request.principal.type = 'workload',"
        f" request.principal.namespace = '{namespace}',"
        f" request.principal.service_account = '{service_account}',"
        f" request.principal.cluster_id = '{cluster_id}'"
    )


CREATE_ONLY = ("OBJECT_CREATE", "OBJECT_INSPECT")
"""Single-part uploads of new names (load-test reports: each run has its own prefix)."""


def bucket_writer_policy(
    compartment_id: str,
    namespace: str,
    service_account: str,
    cluster_id: str,
    bucket: str,
    permissions: tuple[str, ...] = CREATE_ONLY,
) -> list[str]:
    """Read the bucket (the CLI checks that it exists) and write objects in it: Oracle's
    "write objects" common policy, limited to one workload identity, one bucket and
    `permissions`. Multipart uploads (any file over 128 MiB) need OBJECT_OVERWRITE too."""
    who = (
        f"{workload_principal(namespace, service_account, cluster_id)},"
        f" target.bucket.name = '{bucket}'"
    )
    allowed = ", ".join(f"request.permission = '{p}'" for p in permissions)
    return [
        f"Allow any-user to read buckets in compartment id {compartment_id} where all {{{who}}}",
        f"Allow any-user to manage objects in compartment id {compartment_id} where all"
        f" {{{who}, any {{{allowed}}}}}",
    ]


def bucket_reader_policy(
    compartment_id: str, namespace: str, service_account: str, cluster_id: str, bucket: str
) -> list[str]:
    """List and get the objects of one bucket: `read objects` covers ListObjects, HeadObject
    and GetObject; nothing here calls GetBucket."""
    who = (
        f"{workload_principal(namespace, service_account, cluster_id)},"
        f" target.bucket.name = '{bucket}'"
    )
    return [
        f"Allow any-user to read objects in compartment id {compartment_id} where all {{{who}}}"
    ]

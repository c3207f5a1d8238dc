"""The weights-cache bucket of each cloud, in the cluster's region: readable by the model
servers' identity, writable by the fill Job's identity only, never public."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_oci as oci

from components import PACKAGE
from components.clusters.oke_workload_identity import bucket_reader_policy, bucket_writer_policy
from components.private_buckets import private_gcs_bucket, private_oci_bucket

GCS_READER_ROLE = "roles/storage.objectViewer"
"""Get and list objects: what the FUSE sidecar needs (`storage.objects.list` for its access
check), nothing more."""
GCS_WRITER_ROLE = "roles/storage.objectUser"
"""`gcloud storage rsync` lists and reads the destination before it writes."""
OCI_FILL_PERMISSIONS = ("OBJECT_CREATE", "OBJECT_INSPECT", "OBJECT_OVERWRITE")
"""Every shard is a multipart upload (over 128 MiB), which needs OBJECT_OVERWRITE; a retried
Job overwrites a partial upload."""


@dataclass(frozen=True, kw_only=True)
class GcsWeightsBucketArgs:
    name: str
    """Globally unique bucket name."""
    location: str
    reader: pulumi.Input[str]
    """IAM member of the model servers, `serviceAccount:<email>`."""
    writer: pulumi.Input[str]
    """IAM member of the fill Job."""
    force_destroy: bool
    """Let `pulumi destroy` delete a bucket that still holds checkpoints."""


class GcsWeightsBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    reader_grant: gcp.storage.BucketIAMMember
    """A server that mounts the bucket fails its access check until this exists."""
    writer_grant: gcp.storage.BucketIAMMember

    def __init__(
        self, name: str, args: GcsWeightsBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:weights:GcsWeightsBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Regional (the cluster's region): a zonal GPU pool in any of its zones reads it at
        # the same price, and a copy per zone (Hyperdisk ML) is not needed.
        bucket = private_gcs_bucket(
            f"{name}-bucket",
            name=args.name,
            location=args.location,
            force_destroy=args.force_destroy,
            opts=child,
        )
        self.reader_grant = gcp.storage.BucketIAMMember(
            f"{name}-reader",
            bucket=bucket.name,
            role=GCS_READER_ROLE,
            member=args.reader,
            opts=child,
        )
        self.writer_grant = gcp.storage.BucketIAMMember(
            f"{name}-writer",
            bucket=bucket.name,
            role=GCS_WRITER_ROLE,
            member=args.writer,
            opts=child,
        )
        self.bucket_name = bucket.name
        self.register_outputs({"bucket_name": self.bucket_name})


@dataclass(frozen=True, kw_only=True)
class OciWeightsBucketArgs:
    compartment_id: str
    name: str
    """Unique in the tenancy's Object Storage namespace; the policies name it."""
    cluster_id: pulumi.Input[str]
    namespace: str
    """Kubernetes namespace of the servers and the fill Job."""
    reader_service_account: str
    writer_service_account: str
    provider: oci.Provider
    iam_provider: oci.Provider
    """Policies are written in the tenancy's home region."""


class OciWeightsBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    storage_namespace: pulumi.Output[str]
    reader_policy: oci.identity.Policy
    writer_policy: oci.identity.Policy

    def __init__(
        self, name: str, args: OciWeightsBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:weights:OciWeightsBucket", name, None, opts)
        bucket = private_oci_bucket(
            f"{name}-bucket",
            compartment_id=args.compartment_id,
            name=args.name,
            provider=args.provider,
            parent=self,
        )
        iam = pulumi.ResourceOptions(parent=self, provider=args.iam_provider)
        cluster_id = pulumi.Output.from_input(args.cluster_id)
        self.reader_policy = oci.identity.Policy(
            f"{name}-reader",
            compartment_id=args.compartment_id,
            description="Model servers read their checkpoints from the weights cache",
            statements=cluster_id.apply(
                lambda cid: bucket_reader_policy(
                    args.compartment_id,
                    args.namespace,
                    args.reader_service_account,
                    cid,
                    args.name,
                )
            ),
            opts=iam,
        )
        self.writer_policy = oci.identity.Policy(
            f"{name}-writer",
            compartment_id=args.compartment_id,
            description="The fill Jobs write checkpoints into the weights cache",
            statements=cluster_id.apply(
                lambda cid: bucket_writer_policy(
                    args.compartment_id,
                    args.namespace,
                    args.writer_service_account,
                    cid,
                    args.name,
                    OCI_FILL_PERMISSIONS,
                )
            ),
            opts=iam,
        )
        self.bucket_name = bucket.name
        self.storage_namespace = bucket.namespace
        self.register_outputs(
            {"bucket_name": self.bucket_name, "storage_namespace": self.storage_namespace}
        )

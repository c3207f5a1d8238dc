"""The bucket each cloud keeps load-test reports in, with write access for the Jobs' identity
only: no public access, nothing for the model servers."""

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_oci as oci

from components import PACKAGE
from components.clusters.oke_workload_identity import bucket_writer_policy
from components.private_buckets import private_gcs_bucket, private_oci_bucket

RESULTS_RETENTION_DAYS = 365
GCS_WRITER_ROLE = "roles/storage.objectUser"
"""gcloud lists and reads the destination before it writes (storage.objects.get/list), which
objectCreator lacks; Google's upload guide grants objectUser. Runs never overwrite each other
(each has its own prefix), so the delete it also grants goes unused."""


@dataclass(frozen=True, kw_only=True)
class GcsResultBucketArgs:
    name: str
    """Globally unique bucket name."""
    location: str
    writer: pulumi.Input[str]
    """IAM member, `serviceAccount:<email>`."""
    force_destroy: bool
    """Let `pulumi destroy` delete a bucket that still holds reports."""


class GcsResultBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: GcsResultBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:GcsResultBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bucket = private_gcs_bucket(
            f"{name}-bucket",
            name=args.name,
            location=args.location,
            force_destroy=args.force_destroy,
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        age=RESULTS_RETENTION_DAYS
                    ),
                )
            ],
            opts=child,
        )
        gcp.storage.BucketIAMMember(
            f"{name}-writer",
            bucket=bucket.name,
            role=GCS_WRITER_ROLE,
            member=args.writer,
            opts=child,
        )
        self.bucket_name = bucket.name
        self.register_outputs({"bucket_name": self.bucket_name})


@dataclass(frozen=True, kw_only=True)
class OciResultBucketArgs:
    compartment_id: str
    name: str
    """Unique in the tenancy's Object Storage namespace; the policy names it."""
    cluster_id: pulumi.Input[str]
    namespace: str
    """Kubernetes namespace of the writing workload."""
    service_account: str
    provider: oci.Provider
    iam_provider: oci.Provider
    """Policies are written in the tenancy's home region."""


class OciResultBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    storage_namespace: pulumi.Output[str]
    policy: oci.identity.Policy

    def __init__(
        self, name: str, args: OciResultBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:oci:OciResultBucket", name, None, opts)
        # No lifecycle rule: it needs a tenancy-level policy for the Object Storage service
        # itself (`Allow service objectstorage-<region> to manage object-family ...`).
        bucket = private_oci_bucket(
            f"{name}-bucket",
            compartment_id=args.compartment_id,
            name=args.name,
            provider=args.provider,
            parent=self,
        )
        self.policy = oci.identity.Policy(
            f"{name}-writer",
            compartment_id=args.compartment_id,
            description="Load-test Jobs write their reports into their results bucket",
            statements=pulumi.Output.from_input(args.cluster_id).apply(
                lambda cid: bucket_writer_policy(
                    args.compartment_id, args.namespace, args.service_account, cid, args.name
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.iam_provider),
        )
        self.bucket_name = bucket.name
        self.storage_namespace = bucket.namespace
        self.register_outputs(
            {"bucket_name": self.bucket_name, "storage_namespace": self.storage_namespace}
        )

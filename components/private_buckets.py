"""The one way this stack makes a bucket: in a given region, never public (pure helpers that
create the resource; the owning component grants access)."""

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp
import pulumi_oci as oci


def private_gcs_bucket(
    resource_name: str,
    *,
    name: str,
    location: str,
    force_destroy: bool,
    lifecycle_rules: Sequence[gcp.storage.BucketLifecycleRuleArgs] = (),
    opts: pulumi.ResourceOptions,
) -> gcp.storage.Bucket:
    """Uniform bucket-level access (IAM only, no ACLs), public access prevention enforced."""
    return gcp.storage.Bucket(
        resource_name,
        name=name,
        location=location,
        storage_class="STANDARD",
        uniform_bucket_level_access=True,
        public_access_prevention="enforced",
        force_destroy=force_destroy,
        lifecycle_rules=list(lifecycle_rules) or None,
        opts=opts,
    )


def private_oci_bucket(
    resource_name: str,
    *,
    compartment_id: str,
    name: str,
    provider: oci.Provider,
    parent: pulumi.Resource,
) -> oci.objectstorage.Bucket:
    """`NoPublicAccess`, Standard tier, in the tenancy's Object Storage namespace."""
    storage_namespace = oci.objectstorage.get_namespace_output(
        compartment_id=compartment_id,
        opts=pulumi.InvokeOutputOptions(parent=parent, provider=provider),
    ).namespace
    return oci.objectstorage.Bucket(
        resource_name,
        compartment_id=compartment_id,
        namespace=storage_namespace,
        name=name,
        access_type="NoPublicAccess",
        storage_tier="Standard",
        opts=pulumi.ResourceOptions(parent=parent, provider=provider),
    )

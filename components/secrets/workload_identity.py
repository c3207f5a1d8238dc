"""GKE Workload Identity for the model servers: a Google service account that can read their
secrets and nothing else, impersonated by one Kubernetes ServiceAccount. No keys anywhere.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components import PACKAGE
from components.secrets.secret_manager import grant_reads

WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser"
GKE_SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account"


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    project: str
    account_id: str
    """Service-account ID, 6-30 characters, unique in the project."""
    workload_pool: pulumi.Input[str]
    """The cluster's `<project>.svc.id.goog`, taken from the cluster so that the binding waits
    for it: IAM rejects members of a pool that no cluster has created yet."""
    namespace: str
    service_account_name: str
    """The Kubernetes ServiceAccount allowed to act as this identity."""
    readable_secrets: Mapping[str, pulumi.Input[str]]
    """Secret Manager resource names (`projects/<p>/secrets/<id>`) this identity may read, by
    a stable key used in the binding's name."""
    purpose: str = "Model servers"
    """Shown in the service account's display name."""


class WorkloadIdentity(pulumi.ComponentResource):
    email: pulumi.Output[str]
    service_account_annotations: dict[str, pulumi.Input[str]]
    """Annotations binding the Kubernetes ServiceAccount to this identity."""

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:WorkloadIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            f"{name}-gsa",
            project=args.project,
            account_id=args.account_id,
            display_name=f"{args.purpose} ({args.namespace}/{args.service_account_name})",
            opts=child,
        )
        member = pulumi.Output.concat("serviceAccount:", account.email)
        gcp.serviceaccount.IAMMember(
            f"{name}-wi-user",
            service_account_id=account.name,
            role=WORKLOAD_IDENTITY_USER_ROLE,
            member=pulumi.Output.concat(
                "serviceAccount:",
                args.workload_pool,
                f"[{args.namespace}/{args.service_account_name}]",
            ),
            opts=child,
        )
        grant_reads(
            name, project=args.project, secrets=args.readable_secrets, member=member, opts=child
        )
        self.email = account.email
        self.service_account_annotations = {GKE_SERVICE_ACCOUNT_ANNOTATION: account.email}
        self.register_outputs({"email": self.email})

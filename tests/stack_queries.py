"""Type tokens and small queries over a Recording, shared by the stack tests."""

from collections.abc import Iterator
from typing import Any

from pulumi.runtime import rpc

from stacks.mock_engine import Recording

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
BACKEND_CONFIG = "kubernetes:cloud.google.com/v1:BackendConfig"
SECRET = "gcp:secretmanager/secret:Secret"
SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
SECRET_IAM_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
GSA = "gcp:serviceaccount/account:Account"
GSA_IAM_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
KSA = "kubernetes:core/v1:ServiceAccount"
SECRET_PROVIDER_CLASS = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def pod_spec(recording: Recording, name: str = "llama-3-1-8b-deployment") -> dict[str, Any]:
    return recording.one(DEPLOYMENT, name).inputs["spec"]["template"]["spec"]


def plain_strings(value: Any) -> Iterator[str]:
    """Every string in recorded inputs that is NOT inside a Pulumi secret."""
    if rpc.is_rpc_secret(value):
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from plain_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from plain_strings(item)
    elif isinstance(value, str):
        yield value


def secret_value(value: Any) -> Any:
    """The value inside a recorded Pulumi secret (fails if it is not one)."""
    assert rpc.is_rpc_secret(value), value
    return value["value"]


CLOUD_RUN_SERVICE = "gcp:cloudrunv2/service:Service"
CLOUD_RUN_INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
SQL_USER = "gcp:sql/user:User"
SERVICE_NETWORKING = "gcp:servicenetworking/connection:Connection"
PROJECT_SERVICE = "gcp:projects/service:Service"

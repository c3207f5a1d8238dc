"""Deliver OCI Vault secrets to pods on OKE with the External Secrets Operator (ESO).

Why not the OCI Secrets Store CSI provider: its image is amd64-only (oracle/oci-secrets-store-
csi-driver-provider issue 29), and the Ampere A1 pods need their keys too. ESO's images are
multi-arch. ESO reads the vault with OKE workload identity as a dedicated ServiceAccount that no
pod runs as, and writes one Kubernetes Secret, which etcd keeps encrypted with the vault's key
(the cluster's `kms_key_id`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_oci as oci

from components import PACKAGE
from components.clusters.oke_workload_identity import workload_principal
from components.clusters.placement import POOL_NAME_LABEL
from components.naming import known_name
from components.secrets.oci_vault import VaultSecret
from components.serving.secret_files import SecretFiles

ESO_CHART = "external-secrets"
ESO_CHART_VERSION = "2.9.0"
ESO_CHART_REPO = "https://charts.external-secrets.io"
ESO_NAMESPACE = "external-secrets"
ESO_API_VERSION = "external-secrets.io/v1"
VAULT_READER = "vault-reader"
"""ServiceAccount whose workload identity may read the vault; ESO requests its tokens."""
SECRET_NAME = "model-server-secrets"
REFRESH_INTERVAL = "1h"


def vault_reader_policy(
    compartment_id: str, namespace: str, cluster_id: str, secret_names: Sequence[str]
) -> list[str]:
    """Reads of these secrets only, by name (the name is what ESO asks for: a `remoteRef.key`),
    not of every secret in the compartment."""
    names = ", ".join(f"target.secret.name = '{n}'" for n in sorted(secret_names))
    return [
        f"Allow any-user to read secret-bundles in compartment id {compartment_id} where all"
        f" {{{workload_principal(namespace, VAULT_READER, cluster_id)}, any {{{names}}}}}"
    ]


def external_secret_data(secrets: Sequence[VaultSecret]) -> list[dict[str, object]]:
    """One entry per file: the Kubernetes Secret key <- the vault secret's name."""
    return [
        {"secretKey": s.key, "remoteRef": {"key": s.secret_name}}
        for s in sorted(secrets, key=lambda s: s.key)
    ]


@dataclass(frozen=True, kw_only=True)
class OkeSecretFilesArgs:
    namespace: pulumi.Input[str]
    namespace_name: str
    """The same namespace as a plain string, for the IAM policy written before it exists."""
    compartment_id: str
    region: str
    cluster_id: pulumi.Input[str]
    vault_id: pulumi.Input[str]
    secrets: Sequence[VaultSecret]
    system_pool: str
    """Pool (POOL_NAME_LABEL value) the operator runs on."""
    iam_provider: oci.Provider


class OkeSecretFiles(pulumi.ComponentResource):
    secret_files: SecretFiles

    def __init__(
        self, name: str, args: OkeSecretFilesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:oci:OkeSecretFiles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        on_system = {POOL_NAME_LABEL: args.system_pool}
        operator = k8s.helm.v3.Release(
            f"{name}-operator",
            chart=ESO_CHART,
            version=ESO_CHART_VERSION,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=ESO_CHART_REPO),
            namespace=ESO_NAMESPACE,
            create_namespace=True,
            values={
                "installCRDs": True,
                "nodeSelector": on_system,
                "webhook": {"nodeSelector": on_system},
                "certController": {"nodeSelector": on_system},
            },
            opts=child,
        )
        policy = oci.identity.Policy(
            f"{name}-vault-reader-policy",
            compartment_id=args.compartment_id,
            description="External Secrets Operator reads the model servers' vault secrets",
            statements=pulumi.Output.from_input(args.cluster_id).apply(
                lambda cid: vault_reader_policy(
                    args.compartment_id,
                    args.namespace_name,
                    cid,
                    [s.secret_name for s in args.secrets],
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.iam_provider),
        )
        reader = k8s.core.v1.ServiceAccount(
            f"{name}-vault-reader",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=VAULT_READER, namespace=args.namespace),
            automount_service_account_token=False,
            opts=child,
        )
        store = k8s.apiextensions.CustomResource(
            f"{name}-store",
            api_version=ESO_API_VERSION,
            kind="SecretStore",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="oci-vault", namespace=args.namespace),
            spec={
                "provider": {
                    "oracle": {
                        "vault": args.vault_id,
                        "region": args.region,
                        "principalType": "Workload",
                        "serviceAccountRef": {"name": known_name(reader, VAULT_READER)},
                    }
                }
            },
            # The CRDs come with the chart; the policy must exist before the first read.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[operator, policy]),
        )
        revision = pulumi.Output.all(*[s.version for s in args.secrets]).apply(
            lambda versions: ",".join(str(v) for v in versions if v)
        )
        external = k8s.apiextensions.CustomResource(
            f"{name}-external-secret",
            api_version=ESO_API_VERSION,
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=SECRET_NAME, namespace=args.namespace),
            spec={
                "refreshInterval": REFRESH_INTERVAL,
                "secretStoreRef": {"kind": "SecretStore", "name": known_name(store, "oci-vault")},
                "target": {
                    "name": SECRET_NAME,
                    "creationPolicy": "Owner",
                    # A new vault version changes the spec, so ESO syncs at once instead of
                    # at the next refresh, before the pods roll on the same revision.
                    "template": {"metadata": {"annotations": {"llm-platform/revision": revision}}},
                },
                "data": external_secret_data(args.secrets),
            },
            opts=child,
        )
        self.secret_files = SecretFiles(
            secret_name=known_name(external, SECRET_NAME), revision=revision
        )
        self.register_outputs({"secret_name": SECRET_NAME, "revision": revision})

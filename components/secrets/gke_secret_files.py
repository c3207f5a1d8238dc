"""Deliver Secret Manager secrets to pods with the GKE Secret Manager add-on (CSI driver).

The add-on (cluster `secretManagerConfig.enabled`) installs the Secrets Store CSI driver and
Google's provider. A SecretProviderClass lists which secret becomes which file; the driver fetches
them with the pod's own Workload Identity when the pod starts, so the values live only in
Secret Manager and in the pod's in-memory volume.
(https://cloud.google.com/secret-manager/docs/secret-manager-managed-csi-component)
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components import PACKAGE
from components.naming import known_name
from components.secrets.secret_manager import StoredSecret
from components.serving.secret_files import SecretFiles

GKE_SECRETS_CSI_DRIVER = "secrets-store-gke.csi.k8s.io"
PROVIDER_CLASS_NAME = "model-server-secrets"


def secret_provider_class_parameters(resource_names: dict[str, str]) -> str:
    """The `parameters.secrets` document: file name -> latest version of its secret.

    `latest` plus a rollout on every new version (see SecretFiles.revision) means a restarted
    pod and a freshly rolled one always agree.
    """
    entries = [
        {"resourceName": f"{resource}/versions/latest", "path": key}
        for key, resource in sorted(resource_names.items())
    ]
    return yaml.safe_dump(entries, sort_keys=False)


@dataclass(frozen=True, kw_only=True)
class GkeSecretFilesArgs:
    namespace: pulumi.Input[str]
    secrets: Sequence[StoredSecret]
    provider_class_name: str = PROVIDER_CLASS_NAME


class GkeSecretFiles(pulumi.ComponentResource):
    secret_files: SecretFiles
    """What a model-server pod mounts to get one file per secret."""

    def __init__(
        self, name: str, args: GkeSecretFilesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:GkeSecretFiles", name, None, opts)
        keys = [s.key for s in args.secrets]
        parameters = pulumi.Output.all(*[s.resource_name for s in args.secrets]).apply(
            lambda names: secret_provider_class_parameters(dict(zip(keys, names, strict=True)))
        )
        provider_class = k8s.apiextensions.CustomResource(
            f"{name}-class",
            api_version="secrets-store.csi.x-k8s.io/v1",
            kind="SecretProviderClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.provider_class_name, namespace=args.namespace
            ),
            spec={"provider": "gke", "parameters": {"secrets": parameters}},
            opts=pulumi.ResourceOptions(parent=self),
        )
        revision = pulumi.Output.all(*[s.version for s in args.secrets]).apply(
            lambda versions: ",".join(sorted(v for v in versions if v))
        )
        self.secret_files = SecretFiles(
            csi_driver=GKE_SECRETS_CSI_DRIVER,
            provider_class=known_name(provider_class, args.provider_class_name),
            revision=revision,
        )
        self.register_outputs({"provider_class": args.provider_class_name, "revision": revision})

"""The namespace model servers live in: ServiceAccount and the Secret their pods read.

Cloud-neutral: the Kubernetes provider arrives through `opts`, and the secret values arrive as
secret Outputs (from Pulumi config, Secret Manager or OCI Vault), never as plain strings.
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components import PACKAGE
from components.serving.server_plan import API_KEY_KEY, HF_TOKEN_KEY


@dataclass(frozen=True, kw_only=True)
class ServingNamespaceArgs:
    namespace: str
    hf_token: pulumi.Input[str] | None
    api_key: pulumi.Input[str] | None
    """None: generate a 48-character key (clients read it from the `apiKey` stack output)."""
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)


class ServingNamespace(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    service_account_name: pulumi.Output[str]
    secret_name: pulumi.Output[str]
    api_key: pulumi.Output[str]
    """The key clients send as `Authorization: Bearer ...` (secret)."""

    def __init__(
        self, name: str, args: ServingNamespaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:serving:ServingNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.namespace,
                labels={"app.kubernetes.io/part-of": "llm-platform"},
            ),
            opts=child,
        )
        namespace = ns.metadata.apply(lambda m: m.name or args.namespace)
        if args.api_key is None:
            # No special characters: the key travels in HTTP headers and shell variables.
            api_key = random.RandomPassword(
                f"{name}-api-key", length=48, special=False, opts=child
            )
            self.api_key = pulumi.Output.secret(api_key.result)
        else:
            self.api_key = pulumi.Output.secret(args.api_key)
        data: dict[str, pulumi.Input[str]] = {API_KEY_KEY: self.api_key}
        if args.hf_token is not None:
            data[HF_TOKEN_KEY] = pulumi.Output.secret(args.hf_token)
        secret = k8s.core.v1.Secret(
            f"{name}-secrets",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="model-server-secrets", namespace=namespace),
            type="Opaque",
            string_data=data,
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="model-server",
                namespace=namespace,
                annotations=args.service_account_annotations or None,
            ),
            # Model servers call no Kubernetes API.
            automount_service_account_token=False,
            opts=child,
        )
        self.namespace = namespace
        self.secret_name = secret.metadata.apply(lambda m: m.name or "")
        self.service_account_name = account.metadata.apply(lambda m: m.name or "")
        self.register_outputs(
            {
                "namespace": self.namespace,
                "secret_name": self.secret_name,
                "service_account_name": self.service_account_name,
            }
        )

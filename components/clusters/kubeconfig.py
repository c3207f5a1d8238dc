"""Kubeconfig for a GKE cluster that authenticates like `gcloud` does, without stored keys."""

import json


def gke_kubeconfig(cluster_name: str, endpoint: str, ca_certificate: str) -> str:
    """A kubeconfig (JSON is valid YAML) using the gke-gcloud-auth-plugin exec credential.

    The plugin exchanges the caller's Application Default Credentials for a short-lived token,
    so the kubeconfig itself holds no credential; it is still exported as a secret because the
    endpoint and CA identify a private control plane.
    """
    context = f"gke_{cluster_name}"
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": context,
                    "cluster": {
                        "server": f"https://{endpoint}",
                        "certificate-authority-data": ca_certificate,
                    },
                }
            ],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
            "users": [
                {
                    "name": context,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "gke-gcloud-auth-plugin",
                            # Application Default Credentials, not the gcloud user: what
                            # `pulumi up` itself uses, and what a CI job with workload identity
                            # federation has (it has no `gcloud auth login` user).
                            "args": ["--use_application_default_credentials"],
                            "provideClusterInfo": True,
                            "installHint": "Install gke-gcloud-auth-plugin: "
                            "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl",
                        }
                    },
                }
            ],
        }
    )

"""Secret values as files in the model-server pod, and the launcher that exports them.

The values come from a Secrets Store CSI volume (Secret Manager on GKE, OCI Vault on OKE), so they
never pass through the Kubernetes API or a manifest. vLLM, TGI and llama-server read their API key
and Hugging Face token from environment variables only, so the container starts through a small
`sh -c` launcher that reads each file into its variable and then `exec`s the server (which stays
PID 1 and receives SIGTERM directly).
"""

from dataclasses import dataclass

import pulumi

SECRETS_VOLUME = "secrets"
SECRETS_MOUNT_PATH = "/var/run/secrets/llm-platform"


@dataclass(frozen=True, kw_only=True)
class SecretFiles:
    """A CSI volume holding one file per secret key (`api-key`, `hf-token`)."""

    csi_driver: str
    provider_class: pulumi.Input[str]
    """Name of the SecretProviderClass in the pod's namespace."""
    revision: pulumi.Input[str]
    """Changes whenever a secret value changes; stamped on the pod template to roll the pods."""


def launcher_command(
    secret_env: dict[str, str], mount_path: str = SECRETS_MOUNT_PATH
) -> list[str]:
    """`command` for the container: export each variable from its file, then run the args.

    `secret_env` maps an environment variable to a file (secret key) in `mount_path`.
    The script holds only paths, never values.
    """
    exports = [
        f'{variable}="$(cat {mount_path}/{key})" && export {variable}'
        for variable, key in sorted(secret_env.items())
    ]
    script = " && ".join([*exports, 'exec "$@"'])
    # The word after the script becomes $0; the container args become "$@".
    return ["/bin/sh", "-c", script, "model-server"]

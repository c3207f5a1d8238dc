"""Secret values as files in the model-server pod, and the launcher that hands them over.

On GKE the values come from a Secrets Store CSI volume (Secret Manager), so they never pass
through the Kubernetes API. On OKE the External Secrets Operator copies them from OCI Vault into
a Kubernetes Secret (etcd encrypted with a Vault key): the OCI CSI provider has no arm64 image,
and the Ampere pods need their keys too. Either way no value is in a manifest.

The servers take their API keys and the Hugging Face token from environment variables or from
trailing command-line arguments, so the container starts through a small `sh -c` launcher that
reads each file and then `exec`s the server (which stays PID 1 and receives SIGTERM directly).
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

SECRETS_VOLUME = "secrets"
SECRETS_MOUNT_PATH = "/var/run/secrets/llm-platform"
HF_TOKEN_KEY = "hf-token"


def api_key_file(tenant: str) -> str:
    """The secret key (file name in the pod) of a tenant's API key."""
    return f"api-key-{tenant}"


@dataclass(frozen=True, kw_only=True)
class SecretInputs:
    """How one server receives its secret files."""

    env: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Variable -> files whose contents it holds, joined with commas."""
    trailing_flag: str | None = None
    """A flag appended after every other argument, followed by each of `trailing_files` as a
    word of its own (vLLM's `--api-key k1 k2 ...`: it takes the keys that follow it)."""
    trailing_files: tuple[str, ...] = ()

    @property
    def files(self) -> set[str]:
        return {f for files in self.env.values() for f in files} | set(self.trailing_files)


@dataclass(frozen=True, kw_only=True)
class SecretFiles:
    """A volume holding one file per secret key (`api-key-<tenant>`, `hf-token`): a Secrets
    Store CSI volume (`csi_driver` + `provider_class`) or a Kubernetes Secret (`secret_name`)."""

    revision: pulumi.Input[str]
    """Changes whenever a secret value changes; stamped on the pod template to roll the pods."""
    csi_driver: str | None = None
    provider_class: pulumi.Input[str] | None = None
    """Name of the SecretProviderClass in the pod's namespace."""
    secret_name: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        if (self.csi_driver is None) == (self.secret_name is None):
            raise ValueError("SecretFiles takes either csi_driver/provider_class or secret_name")

    def volume(self, name: str, keys: list[str] | None = None) -> k8s.core.v1.VolumeArgs:
        """`keys`: only these files of a Kubernetes Secret (a CSI volume holds what its
        SecretProviderClass lists)."""
        if self.secret_name is not None:
            return k8s.core.v1.VolumeArgs(
                name=name,
                # Read-only for every user: llama-server's image runs as a non-root user,
                # as the CSI driver's files are (0644) on GKE.
                secret=k8s.core.v1.SecretVolumeSourceArgs(
                    secret_name=self.secret_name,
                    default_mode=0o444,
                    items=[k8s.core.v1.KeyToPathArgs(key=k, path=k) for k in keys]
                    if keys is not None
                    else None,
                ),
            )
        assert self.csi_driver is not None and self.provider_class is not None
        return k8s.core.v1.VolumeArgs(
            name=name,
            csi=k8s.core.v1.CSIVolumeSourceArgs(
                driver=self.csi_driver,
                read_only=True,
                volume_attributes={"secretProviderClass": self.provider_class},
            ),
        )


def _path(key: str, mount_path: str) -> str:
    """A key is a file in the secrets volume, or an absolute path to a file mounted apart."""
    return key if key.startswith("/") else f"{mount_path}/{key}"


def launcher_command(inputs: SecretInputs, mount_path: str = SECRETS_MOUNT_PATH) -> list[str]:
    """`command` for the container: read every file, export the variables, then run the args
    plus the trailing secret arguments. The script holds only paths, never values.

    Each file is read into an unexported shell variable and must be non-empty: an empty key
    would switch vLLM's authentication off, and a missing file must stop the pod, not start an
    open server. `&&` stops at the first failure.
    """
    files = sorted(inputs.files)
    slot = {key: f"s{index}" for index, key in enumerate(files)}
    steps = [f'{slot[k]}="$(cat {_path(k, mount_path)})" && test -n "${slot[k]}"' for k in files]
    for variable, keys in sorted(inputs.env.items()):
        joined = ",".join(f"${slot[k]}" for k in keys)
        steps.append(f'{variable}="{joined}" && export {variable}')
    trailing = ""
    if inputs.trailing_flag is not None and inputs.trailing_files:
        words = " ".join(f'"${slot[k]}"' for k in inputs.trailing_files)
        trailing = f" {inputs.trailing_flag} {words}"
    script = " && ".join([*steps, f'exec "$@"{trailing}'])
    # The word after the script becomes $0; the container args become "$@".
    return ["/bin/sh", "-c", script, "model-server"]

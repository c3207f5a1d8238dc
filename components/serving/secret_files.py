"""Secret values as files in the model-server pod, and the launcher that hands them over.

The values come from a Secrets Store CSI volume (Secret Manager on GKE, OCI Vault on OKE), so they
never pass through the Kubernetes API or a manifest. The servers take their API keys and the
Hugging Face token from environment variables or from trailing command-line arguments, so the
container starts through a small `sh -c` launcher that reads each file and then `exec`s the
server (which stays PID 1 and receives SIGTERM directly).
"""

from dataclasses import dataclass, field

import pulumi

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
    """A CSI volume holding one file per secret key (`api-key-<tenant>`, `hf-token`)."""

    csi_driver: str
    provider_class: pulumi.Input[str]
    """Name of the SecretProviderClass in the pod's namespace."""
    revision: pulumi.Input[str]
    """Changes whenever a secret value changes; stamped on the pod template to roll the pods."""


def launcher_command(inputs: SecretInputs, mount_path: str = SECRETS_MOUNT_PATH) -> list[str]:
    """`command` for the container: read every file, export the variables, then run the args
    plus the trailing secret arguments. The script holds only paths, never values.

    Each file is read into an unexported shell variable and must be non-empty: an empty key
    would switch vLLM's authentication off, and a missing file must stop the pod, not start an
    open server. `&&` stops at the first failure.
    """
    files = sorted(inputs.files)
    slot = {key: f"s{index}" for index, key in enumerate(files)}
    steps = [f'{slot[k]}="$(cat {mount_path}/{k})" && test -n "${slot[k]}"' for k in files]
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

"""Typed access to the llm-platform stack's outputs (its contract, `stacks/contract.py` in the
platform's repository), for programs that call its models.

Every name read here is in READS, and the platform's tests run this program against its own
outputs: renaming or removing one of them fails there, not in your next `pulumi up`.
"""

from dataclasses import dataclass
from typing import Any

import pulumi

SUPPORTED_CONTRACT = 2
"""The contract version this module was written against; outputs are only added within it."""
READS = ("contractVersion", "models", "endpoint", "apiKeys")


@dataclass(frozen=True)
class Model:
    name: str
    served_model_name: str
    """What to send as `model` in OpenAI requests."""
    cloud: str
    context_tokens: int
    base_url: str | None
    """OCI models: their gateway URL; GKE models are behind the stack's `endpoint`."""


def _model(name: str, models: dict[str, Any]) -> Model:
    if name not in models:
        raise ValueError(f"the platform serves no model {name!r}; it serves {sorted(models)}")
    entry = models[name]
    return Model(
        name=name,
        served_model_name=entry["servedModelName"],
        cloud=entry["cloud"],
        context_tokens=int(entry["contextTokens"]),
        base_url=entry.get("baseUrl"),
    )


def _check(values: list[Any]) -> bool:
    """Every name this module reads is there, and the contract is the one it was written for."""
    found = dict(zip(READS, values, strict=True))
    missing = [name for name, value in found.items() if value is None]
    if missing:
        raise ValueError(
            f"the platform stack exports no {missing} (renamed or removed?); this program"
            f" reads contract v{SUPPORTED_CONTRACT}"
        )
    # Numbers cross StackReference as floats.
    version = int(found["contractVersion"])
    if version != SUPPORTED_CONTRACT:
        raise ValueError(
            f"the platform exports contract v{version}; this program reads"
            f" v{SUPPORTED_CONTRACT}: update platform_outputs.py"
        )
    return True


class PlatformOutputs:
    def __init__(self, reference: pulumi.StackReference) -> None:
        self._reference = reference
        # One check before any value is used: a renamed output or a newer contract fails once,
        # with one message. It holds no secret value, so it does not make every read secret.
        checked = pulumi.Output.all(*[reference.get_output(name) for name in READS])
        self._ready: pulumi.Output[bool] = pulumi.Output.unsecret(checked.apply(_check))

    def _read(self, name: str) -> pulumi.Output[Any]:
        assert name in READS, f"add {name} to READS"
        value = self._reference.get_output(name)
        return pulumi.Output.all(self._ready, value).apply(lambda pair: pair[1])

    def model(self, name: str) -> pulumi.Output[Model]:
        return self._read("models").apply(lambda models: _model(name, models))

    def base_url(self, name: str) -> pulumi.Output[str]:
        """The OpenAI base URL (`.../v1`) to call `name` at."""
        return pulumi.Output.all(self.model(name), self._read("endpoint")).apply(
            lambda pair: pair[0].base_url or pair[1]
        )

    def api_key(self, tenant: str) -> pulumi.Output[str]:
        """The tenant's key, `Authorization: Bearer <key>`; stays secret."""

        def pick(keys: dict[str, str]) -> str:
            if tenant not in keys:
                raise ValueError(f"the platform has no tenant {tenant!r}")
            return keys[tenant]

        return pulumi.Output.secret(self._read("apiKeys").apply(pick))

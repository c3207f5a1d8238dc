"""Base class for every piece of user configuration: strict, immutable, camelCase in YAML."""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")


class ConfigModel(BaseModel):
    """Unknown keys are errors (a typo must not silently fall back to a default)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


class SettingError(ValueError):
    """A setting that cannot work, with the config key (relative to its entry) it came from."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError("must be 1-40 lowercase letters, digits or '-', starting with a letter")
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
"""A name that becomes a Kubernetes object name and a DNS host label."""

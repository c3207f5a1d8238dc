"""Base class for every piece of user configuration: strict, immutable, camelCase in YAML."""

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")


class ConfigModel(BaseModel):
    """Unknown keys are errors (a typo must not silently fall back to a default), and values
    are not coerced: `minNodes: true` or `replicas: "2"` is a mistake to report, not a 1 or a 2.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
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


def repeated(values: Iterable[Hashable]) -> list[str]:
    """The values that occur more than once, sorted, for a 'must be unique' message."""
    counts = Counter(values)
    return sorted(str(v) for v, n in counts.items() if n > 1)


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError("must be 1-40 lowercase letters, digits or '-', starting with a letter")
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
"""A name that becomes a Kubernetes object name and a DNS host label."""

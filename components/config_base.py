"""Base class for every piece of user configuration: strict, immutable, camelCase in YAML."""

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


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


def label_validator(max_length: int, why: str = "") -> AfterValidator:
    """Accepts 1-`max_length` lowercase letters, digits or '-', starting with a letter and not
    ending with '-' (a DNS label); `why` says where else the name ends up."""
    pattern = re.compile(rf"^[a-z]([a-z0-9-]{{0,{max_length - 2}}}[a-z0-9])?$")
    message = (
        f"must be 1-{max_length} lowercase letters, digits or '-', starting with a letter{why}"
    )

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


DnsLabel = Annotated[str, label_validator(40)]
"""A name that becomes a Kubernetes object name and a DNS host label."""


_NAMESPACE_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _namespace_names(values: list[str]) -> list[str]:
    wrong = [v for v in values if not _NAMESPACE_NAME.match(v)]
    if wrong:
        raise ValueError(f"{wrong} are not Kubernetes namespace names")
    return values


NamespaceList = Annotated[list[str], AfterValidator(_namespace_names)]
"""Kubernetes namespace names (RFC 1123 labels)."""


def pool_name_problem(names: Iterable[str]) -> str | None:
    """User pools need distinct names, and `system` is the cluster's own pool."""
    names = list(names)
    duplicates = sorted(set(repeated(names)) | ({"system"} & set(names)))
    if duplicates:
        return f"pool names must be unique and not 'system': {duplicates}"
    return None

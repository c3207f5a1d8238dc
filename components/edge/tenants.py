"""API tenants: who may call the model servers, with which key, and how often.

One list for every cloud: the Google Cloud edge turns it into Cloud Armor rules, the OCI edge
into API Gateway usage plans. A tenant's key has the form `<tenant>.<secret>`: the edge can
recognise the tenant from the public prefix (a Cloud Armor rule matches it with `startsWith`)
while only the secret store and the model servers ever hold the secret part.
"""

from typing import Annotated, Literal

from pydantic import Field

from components.config_base import ConfigModel, label_validator
from components.edge.settings import RateLimitSettings

KEY_SEPARATOR = "."
"""Between the tenant name and the secret part of a key; tenant names never contain it."""
SECRET_PART_LENGTH = 48
TenantName = Annotated[
    str,
    label_validator(
        24,
        " (it is the public prefix of the tenant's key and part of its secret's ID)",
    ),
]


class Quota(ConfigModel):
    """Requests allowed per calendar period (OCI API Gateway usage plans; periods reset at
    the start of each minute/hour/day/week/month, UTC)."""

    requests: Annotated[int, Field(gt=0, le=1_000_000_000)]
    period: Literal["MINUTE", "HOUR", "DAY", "WEEK", "MONTH"] = "MONTH"


class Tenant(ConfigModel):
    name: TenantName
    rate_limit: RateLimitSettings = RateLimitSettings()
    """Requests this tenant's key may make per interval, across all its clients."""
    quota: Quota | None = None
    """OCI only (Cloud Armor has no quotas): requests per calendar period; unset: unlimited."""


def default_tenants() -> list[Tenant]:
    return [Tenant(name="default")]


TenantList = Annotated[list[Tenant], Field(min_length=1, max_length=50)]
"""At most 50: each tenant costs a Cloud Armor rule and an API Gateway usage plan."""


def key_prefix(tenant: str) -> str:
    """The public part of every key of `tenant` (what the edge matches)."""
    return f"{tenant}{KEY_SEPARATOR}"

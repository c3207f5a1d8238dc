"""Edge settings as users configure them (`gcp.edge`)."""

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.config_base import ConfigModel

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Cloud Armor accepts only these rate-limit intervals
# (https://cloud.google.com/armor/docs/rate-limiting-overview).
_BAN_MAX_REQUESTS = 10_000
"""Cloud Armor's limit on rateLimitThreshold.count for rate_based_ban (throttle: 1,000,000)."""
MANAGED_CERTIFICATE_DOMAIN_MAX = 63
"""ManagedCertificate (networking.gke.io/v1) CRD: each domain at most 63 characters."""
RateLimitInterval = Literal[10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600]


class BanThreshold(ConfigModel):
    requests: Annotated[int, Field(gt=0, le=10_000_000)]
    interval_sec: RateLimitInterval = 600


class RateLimitSettings(ConfigModel):
    action: Literal["throttle", "rate_based_ban"] = "throttle"
    requests: Annotated[int, Field(gt=0, le=1_000_000)] = 60
    """Requests allowed per interval to whoever the limit counts (a tenant's key, an IP)."""
    interval_sec: RateLimitInterval = 60
    ban_duration_sec: Annotated[int, Field(ge=60, le=86400)] = 600
    ban_threshold: BanThreshold | None = None
    """rate_based_ban only: throttle above `requests` (429), and ban for banDurationSec only the
    clients whose requests also exceed this; unset: a client over `requests` is refused for
    banDurationSec."""

    @model_validator(mode="after")
    def _ban_limits(self) -> "RateLimitSettings":
        if self.ban_threshold is not None and self.action != "rate_based_ban":
            raise ValueError("banThreshold needs action: rate_based_ban; remove it or switch")
        if self.action == "rate_based_ban" and self.requests > _BAN_MAX_REQUESTS:
            raise ValueError(
                f"requests ({self.requests}) is above {_BAN_MAX_REQUESTS}, the most Cloud Armor"
                " accepts for rate_based_ban; lower it or use a longer intervalSec"
            )
        return self


class EdgeSettings(ConfigModel):
    domain: str | None = None
    """With a domain: HTTPS with a Google-managed certificate and HTTP->HTTPS redirect.
    Without: plain HTTP on the static IP (for trials only; the API key crosses in clear)."""
    backend_timeout_sec: Annotated[int, Field(ge=30, le=86400)] = 600
    """Longest a single (streamed) generation may take."""
    draining_timeout_sec: Annotated[int, Field(ge=0, le=3600)] = 120
    per_ip_rate_limit: RateLimitSettings = RateLimitSettings(requests=30)
    """Per client IP, for requests that carry no tenant's key prefix (no key, a mistyped or a
    guessed one): they never reach a tenant's allowance, and cannot flood the servers."""
    deny_source_ranges: list[str] = Field(default_factory=list)
    """CIDRs refused with 403 before any other rule."""

    @field_validator("domain")
    @classmethod
    def _hostname(cls, value: str | None) -> str | None:
        if value is not None and not _HOSTNAME.match(value):
            raise ValueError(
                f"{value!r} is not a DNS hostname; use a lowercase name such as llm.example.com"
            )
        if value is not None and len(value) > MANAGED_CERTIFICATE_DOMAIN_MAX:
            raise ValueError(
                f"{value!r} is {len(value)} characters; a Google-managed certificate takes"
                f" domains of at most {MANAGED_CERTIFICATE_DOMAIN_MAX}: use a shorter name"
            )
        return value

    @field_validator("deny_source_ranges")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an IP range; use CIDR like 203.0.113.0/24"
                ) from None
        if len(values) > 10:
            raise ValueError("Cloud Armor takes at most 10 ranges per rule")
        return values

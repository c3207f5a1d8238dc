"""Translate the tenants and edge settings into Cloud Armor security-policy rules (pure).

Cloud Armor stops at the first rule (by priority) that matches, and a rate-limit rule whose
traffic conforms allows the request. So every request meets exactly one limit: the rule of the
tenant whose key prefix it carries, or, failing that, the per-IP rule.
"""

import pulumi_gcp as gcp

from components.edge.public_paths import outside_public_paths_expression
from components.edge.settings import EdgeSettings, RateLimitSettings
from components.edge.tenants import Tenant, key_prefix

DENY_LIST_PRIORITY = 1000
PUBLIC_PATHS_PRIORITY = 1100
TENANT_PRIORITY_BASE = 2000
PER_IP_PRIORITY = 3000
DEFAULT_RULE_PRIORITY = 2147483647
"""Cloud Armor's mandatory default rule sits at the lowest priority."""
API_KEY_HEADER = "Authorization"


def _match_all() -> gcp.compute.SecurityPolicyRuleMatchArgs:
    return gcp.compute.SecurityPolicyRuleMatchArgs(
        versioned_expr="SRC_IPS_V1",
        config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"]),
    )


def _match_expression(expression: str) -> gcp.compute.SecurityPolicyRuleMatchArgs:
    return gcp.compute.SecurityPolicyRuleMatchArgs(
        expr=gcp.compute.SecurityPolicyRuleMatchExprArgs(expression=expression)
    )


def tenant_key_expression(tenant: str) -> str:
    """Matches requests whose bearer key starts with the tenant's public prefix.

    Only the prefix is in the policy; the secret part of the key never leaves Secret Manager
    and the servers. Header names are lower-case in Cloud Armor's language.
    """
    return f"request.headers['{API_KEY_HEADER.lower()}'].startsWith('Bearer {key_prefix(tenant)}')"


def _rate_limit_options(
    limit: RateLimitSettings, *, by_header: bool
) -> gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs:
    return gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs(
        conform_action="allow",
        exceed_action="deny(429)",
        enforce_on_key="HTTP_HEADER" if by_header else "IP",
        enforce_on_key_name=API_KEY_HEADER if by_header else None,
        rate_limit_threshold=gcp.compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
            count=limit.requests, interval_sec=limit.interval_sec
        ),
        ban_duration_sec=limit.ban_duration_sec if limit.action == "rate_based_ban" else None,
        ban_threshold=None
        if limit.ban_threshold is None
        else gcp.compute.SecurityPolicyRuleRateLimitOptionsBanThresholdArgs(
            count=limit.ban_threshold.requests, interval_sec=limit.ban_threshold.interval_sec
        ),
    )


def tenant_rule(index: int, tenant: Tenant) -> gcp.compute.SecurityPolicyRuleArgs:
    """The tenant's limit, counted per Authorization value: its key has its own bucket, and a
    request with the tenant's prefix but a wrong secret cannot spend that bucket (the server
    refuses it with 401 before any inference)."""
    limit = tenant.rate_limit
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=TENANT_PRIORITY_BASE + index,
        action=limit.action,
        match=_match_expression(tenant_key_expression(tenant.name)),
        rate_limit_options=_rate_limit_options(limit, by_header=True),
        description=f"tenant {tenant.name}: {limit.requests} requests per {limit.interval_sec}s",
    )


def per_ip_rule(limit: RateLimitSettings) -> gcp.compute.SecurityPolicyRuleArgs:
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=PER_IP_PRIORITY,
        action=limit.action,
        match=_match_all(),
        rate_limit_options=_rate_limit_options(limit, by_header=False),
        description=(
            f"no tenant key: {limit.requests} requests per {limit.interval_sec}s per client IP"
        ),
    )


def _deny_list_rule(ranges: list[str]) -> gcp.compute.SecurityPolicyRuleArgs:
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=DENY_LIST_PRIORITY,
        action="deny(403)",
        match=gcp.compute.SecurityPolicyRuleMatchArgs(
            versioned_expr="SRC_IPS_V1",
            config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=ranges),
        ),
        description="deny list",
    )


def _public_paths_rule() -> gcp.compute.SecurityPolicyRuleArgs:
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=PUBLIC_PATHS_PRIORITY,
        action="deny(404)",
        match=_match_expression(outside_public_paths_expression()),
        description="only /v1/* and /health are public",
    )


def security_policy_rules(
    edge: EdgeSettings, tenants: list[Tenant]
) -> list[gcp.compute.SecurityPolicyRuleArgs]:
    rules = [_deny_list_rule(edge.deny_source_ranges)] if edge.deny_source_ranges else []
    rules.append(_public_paths_rule())
    rules += [tenant_rule(index, tenant) for index, tenant in enumerate(tenants)]
    rules.append(per_ip_rule(edge.per_ip_rate_limit))
    rules.append(
        gcp.compute.SecurityPolicyRuleArgs(
            priority=DEFAULT_RULE_PRIORITY,
            action="allow",
            match=_match_all(),
            description="default",
        )
    )
    return rules

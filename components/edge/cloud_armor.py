"""Translate rate-limit settings into Cloud Armor security-policy rules (pure)."""

import pulumi_gcp as gcp

from components.edge.settings import EdgeSettings, RateLimitSettings

DENY_LIST_PRIORITY = 1000
RATE_LIMIT_PRIORITY = 2000
DEFAULT_RULE_PRIORITY = 2147483647
"""Cloud Armor's mandatory default rule sits at the lowest priority."""
API_KEY_HEADER = "Authorization"


def _match_all() -> gcp.compute.SecurityPolicyRuleMatchArgs:
    return gcp.compute.SecurityPolicyRuleMatchArgs(
        versioned_expr="SRC_IPS_V1",
        config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"]),
    )


def rate_limit_rule(limit: RateLimitSettings) -> gcp.compute.SecurityPolicyRuleArgs:
    by_header = limit.key == "api-key"
    options = gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs(
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
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=RATE_LIMIT_PRIORITY,
        action=limit.action,
        match=_match_all(),
        rate_limit_options=options,
        description=f"{limit.requests} requests per {limit.interval_sec}s per {limit.key}",
    )


def security_policy_rules(edge: EdgeSettings) -> list[gcp.compute.SecurityPolicyRuleArgs]:
    rules = []
    if edge.deny_source_ranges:
        rules.append(
            gcp.compute.SecurityPolicyRuleArgs(
                priority=DENY_LIST_PRIORITY,
                action="deny(403)",
                match=gcp.compute.SecurityPolicyRuleMatchArgs(
                    versioned_expr="SRC_IPS_V1",
                    config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(
                        src_ip_ranges=edge.deny_source_ranges
                    ),
                ),
                description="deny list",
            )
        )
    rules.append(rate_limit_rule(edge.rate_limit))
    rules.append(
        gcp.compute.SecurityPolicyRuleArgs(
            priority=DEFAULT_RULE_PRIORITY,
            action="allow",
            match=_match_all(),
            description="default",
        )
    )
    return rules

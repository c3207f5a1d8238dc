"""Rate-limit settings become the Cloud Armor rules the edge attaches (pure translation)."""

import pulumi_gcp as gcp

from components.edge.cloud_armor import (
    DEFAULT_RULE_PRIORITY,
    DENY_LIST_PRIORITY,
    RATE_LIMIT_PRIORITY,
    rate_limit_rule,
    security_policy_rules,
)
from components.edge.settings import BanThreshold, EdgeSettings, RateLimitSettings


def options_of(
    rule: gcp.compute.SecurityPolicyRuleArgs,
) -> gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs:
    options = rule.rate_limit_options
    assert isinstance(options, gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs)
    return options


def test_throttle_per_ip_answers_429_without_a_ban() -> None:
    rule = rate_limit_rule(RateLimitSettings(requests=30, interval_sec=60))
    options = options_of(rule)
    assert rule.action == "throttle"
    assert options.exceed_action == "deny(429)"
    assert options.enforce_on_key == "IP" and options.enforce_on_key_name is None
    assert options.ban_duration_sec is None and options.ban_threshold is None


def test_rate_based_ban_per_api_key_with_a_ban_threshold() -> None:
    rule = rate_limit_rule(
        RateLimitSettings(
            action="rate_based_ban",
            requests=120,
            key="api-key",
            ban_duration_sec=900,
            ban_threshold=BanThreshold(requests=1000, interval_sec=600),
        )
    )
    options = options_of(rule)
    assert rule.action == "rate_based_ban"
    assert (options.enforce_on_key, options.enforce_on_key_name) == (
        "HTTP_HEADER",
        "Authorization",
    )
    assert options.ban_duration_sec == 900
    threshold = options.ban_threshold
    assert isinstance(threshold, gcp.compute.SecurityPolicyRuleRateLimitOptionsBanThresholdArgs)
    assert (threshold.count, threshold.interval_sec) == (1000, 600)


def test_rules_are_ordered_deny_list_then_rate_limit_then_default() -> None:
    rules = security_policy_rules(EdgeSettings(deny_source_ranges=["203.0.113.0/24"]))
    assert [r.priority for r in rules] == [
        DENY_LIST_PRIORITY,
        RATE_LIMIT_PRIORITY,
        DEFAULT_RULE_PRIORITY,
    ]
    assert rules[0].action == "deny(403)"
    assert rules[-1].action == "allow"


def test_without_deny_list_there_is_no_deny_rule() -> None:
    rules = security_policy_rules(EdgeSettings())
    assert [r.priority for r in rules] == [RATE_LIMIT_PRIORITY, DEFAULT_RULE_PRIORITY]

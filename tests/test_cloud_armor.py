"""Tenants and edge settings become the Cloud Armor rules the edge attaches (pure)."""

import pulumi_gcp as gcp
import pytest

from components.edge.cloud_armor import (
    DEFAULT_RULE_PRIORITY,
    DENY_LIST_PRIORITY,
    PER_IP_PRIORITY,
    PUBLIC_PATHS_PRIORITY,
    TENANT_PRIORITY_BASE,
    per_ip_rule,
    security_policy_rules,
    tenant_key_expression,
    tenant_rule,
)
from components.edge.public_paths import outside_public_paths_expression
from components.edge.settings import BanThreshold, EdgeSettings, RateLimitSettings
from components.edge.tenants import Tenant


def options_of(
    rule: gcp.compute.SecurityPolicyRuleArgs,
) -> gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs:
    options = rule.rate_limit_options
    assert isinstance(options, gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs)
    return options


def expression_of(rule: gcp.compute.SecurityPolicyRuleArgs) -> str:
    match = rule.match
    assert isinstance(match, gcp.compute.SecurityPolicyRuleMatchArgs)
    assert isinstance(match.expr, gcp.compute.SecurityPolicyRuleMatchExprArgs)
    assert isinstance(match.expr.expression, str)
    return match.expr.expression


def test_per_ip_limit_throttles_with_429_without_a_ban() -> None:
    rule = per_ip_rule(RateLimitSettings(requests=30, interval_sec=60))
    options = options_of(rule)
    assert rule.action == "throttle" and rule.priority == PER_IP_PRIORITY
    assert options.exceed_action == "deny(429)"
    assert options.enforce_on_key == "IP" and options.enforce_on_key_name is None
    assert options.ban_duration_sec is None and options.ban_threshold is None


def test_tenant_rule_matches_the_key_prefix_and_counts_per_key() -> None:
    tenant = Tenant(
        name="frontend",
        rate_limit=RateLimitSettings(
            action="rate_based_ban",
            requests=120,
            ban_duration_sec=900,
            ban_threshold=BanThreshold(requests=1000, interval_sec=600),
        ),
    )
    rule = tenant_rule(3, tenant)
    options = options_of(rule)
    assert rule.priority == TENANT_PRIORITY_BASE + 3
    assert rule.action == "rate_based_ban"
    assert expression_of(rule) == (
        "request.headers['authorization'].startsWith('Bearer frontend.')"
    )
    assert (options.enforce_on_key, options.enforce_on_key_name) == (
        "HTTP_HEADER",
        "Authorization",
    )
    assert options.ban_duration_sec == 900
    threshold = options.ban_threshold
    assert isinstance(threshold, gcp.compute.SecurityPolicyRuleRateLimitOptionsBanThresholdArgs)
    assert (threshold.count, threshold.interval_sec) == (1000, 600)


def test_one_tenant_name_is_never_the_prefix_of_another_tenants_rule() -> None:
    # The separator ends the prefix: `ab.` keys never match the rule of tenant `a`.
    assert "'Bearer a.'" in tenant_key_expression("a")
    assert not "Bearer ab.secret".startswith("Bearer a.")


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/v1/chat/completions", False),
        ("/v1/models", False),
        ("/health", False),
        ("/invocations", True),
        ("/tokenize", True),
        ("/metrics", True),
        ("/v1", True),
        ("/version", True),
        ("/healthz", True),
        ("/", True),
    ],
)
def test_only_the_api_and_health_are_outside_the_404_rule(path: str, refused: bool) -> None:
    expression = outside_public_paths_expression()
    # Evaluate the CEL subset the rule uses with Python's equivalents.
    python = (
        expression.replace("request.path.startsWith", "path.startswith")
        .replace("request.path", "path")
        .replace("||", " or ")
        .replace("!(", "not (")
    )
    assert eval(python, {"path": path}) is refused


def test_rules_are_ordered_deny_list_paths_tenants_per_ip_default() -> None:
    tenants = [Tenant(name="web"), Tenant(name="batch")]
    rules = security_policy_rules(EdgeSettings(deny_source_ranges=["203.0.113.0/24"]), tenants)
    assert [r.priority for r in rules] == [
        DENY_LIST_PRIORITY,
        PUBLIC_PATHS_PRIORITY,
        TENANT_PRIORITY_BASE,
        TENANT_PRIORITY_BASE + 1,
        PER_IP_PRIORITY,
        DEFAULT_RULE_PRIORITY,
    ]
    assert rules[0].action == "deny(403)"
    assert rules[1].action == "deny(404)"
    assert rules[-1].action == "allow"


def test_without_deny_list_there_is_no_deny_rule() -> None:
    rules = security_policy_rules(EdgeSettings(), [Tenant(name="default")])
    assert [r.priority for r in rules] == [
        PUBLIC_PATHS_PRIORITY,
        TENANT_PRIORITY_BASE,
        PER_IP_PRIORITY,
        DEFAULT_RULE_PRIORITY,
    ]

"""Project-wide physical names stay valid and distinct per stack."""

import re

import pytest

from components.naming import physical_name

_SERVICE_ACCOUNT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


def test_short_names_are_kept_readable() -> None:
    assert physical_name("llm-dev", "models", 30) == "llm-dev-models"


def test_stack_names_with_dots_and_capitals_become_valid_ids() -> None:
    assert physical_name("llm-Team.Prod", "nodes", 30) == "llm-team-prod-nodes"


@pytest.mark.parametrize("stack", ["a-very-long-staging-stack-name", "x" * 60, "eu-west-prod-2"])
def test_long_names_are_shortened_to_valid_service_account_ids(stack: str) -> None:
    name = physical_name(f"llm-{stack}", "models", 30)
    assert _SERVICE_ACCOUNT_ID.match(name), name


def test_shortened_names_stay_distinct_and_stable() -> None:
    first = physical_name("llm-customer-a-production-eu", "models", 30)
    second = physical_name("llm-customer-b-production-eu", "models", 30)
    assert first != second
    assert first == physical_name("llm-customer-a-production-eu", "models", 30)


def test_names_starting_with_a_digit_get_a_letter_first() -> None:
    assert physical_name("1st", "models", 30)[0].isalpha()

"""The GitHub workflows: every action pinned to a commit, its inputs the ones that commit's
`action.yml` declares (tests/data/github_actions.json, read from each action's repository at
that commit), a preview of every stack file on pull requests with the diff commented, and
`pulumi up` on merge only through protected environments. .ci/run also runs actionlint."""

import json
import re
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, STACKS

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS: dict[str, Any] = json.loads((ROOT / "tests/data/github_actions.json").read_text())
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{40})$")


def _load(name: str) -> dict[Any, Any]:
    # YAML 1.1 reads the key `on` as True.
    return yaml.safe_load((WORKFLOWS / name).read_text())


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_known_commit_with_known_inputs(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    for step in _steps(_load(name)):
        if "uses" not in step:
            continue
        match = PINNED.match(step["uses"])
        assert match, f"{step['uses']}: pin to a commit (40 hex digits)"
        known = ACTIONS[match["action"]]
        assert match["commit"] == known["commit"], step["uses"]
        assert f"{step['uses']} # {known['tag']}" in text  # the tag it is, for people
        unknown = set(step.get("with", {})) - set(known["inputs"])
        assert not unknown, f"{match['action']} has no inputs {unknown}"


def test_pull_requests_are_tested_then_every_stack_file_previewed_with_a_comment() -> None:
    workflow = _load("pull-request.yml")
    assert workflow[True] == {"pull_request": {"branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "read"}
    assert "bash .ci/run" in [s.get("run") for s in workflow["jobs"]["test"]["steps"]]
    preview = workflow["jobs"]["preview"]
    assert preview["needs"] == "test"
    assert "head.repo.full_name == github.repository" in preview["if"]  # no secrets for forks
    assert sorted(m["stack"] for m in preview["strategy"]["matrix"]["include"]) == STACKS
    [pulumi] = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert preview["permissions"]["pull-requests"] == "write"
    assert preview["permissions"]["id-token"] == "write"


def test_merges_deploy_dev_then_prod_through_protected_environments() -> None:
    workflow = _load("deploy.yml")
    assert workflow[True]["push"] == {"branches": ["main"]}
    up = workflow["jobs"]["up"]
    assert up["needs"] == "test"
    assert [m["stack"] for m in up["strategy"]["matrix"]["include"]] == ["dev", "prod"]
    assert up["strategy"]["max-parallel"] == 1
    assert up["environment"] == "${{ matrix.stack }}"
    assert up["concurrency"]["cancel-in-progress"] is False
    [pulumi] = [s for s in up["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == "up"
    auth = next(s for s in up["steps"] if s.get("uses", "").startswith("google-github-"))
    assert set(auth["with"]) == {"workload_identity_provider", "service_account"}
    oci_key = next(s for s in up["steps"] if s.get("if") == "matrix.oci")
    assert oci_key["env"] == {"OCI_PRIVATE_KEY": "${{ secrets.OCI_DEPLOY_PRIVATE_KEY }}"}


@pytest.mark.parametrize(("name", "job"), [("pull-request.yml", "preview"), ("deploy.yml", "up")])
def test_previews_and_updates_run_the_policy_pack(name: str, job: str) -> None:
    steps = _load(name)["jobs"][job]["steps"]
    [index] = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@")]
    assert steps[index]["with"]["policyPacks"] == "policy"
    # Its virtualenv, as policy/PulumiPolicy.yaml names it, is ready before Pulumi runs.
    venv = next(s for s in steps[:index] if "policy/requirements.txt" in s.get("run", ""))
    assert "python3 -m venv policy/venv" in venv["run"]
    assert "virtualenv: venv" in (ROOT / "policy/PulumiPolicy.yaml").read_text()


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_no_credential_is_written_into_a_workflow(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert "credentials_json" not in text  # workload identity federation, not a key file
    assert "BEGIN" not in text and "pul-" not in text
    for value in re.findall(r"(?:TOKEN|KEY|PASSWORD)[A-Z_]*: (.+)", text):
        assert value.startswith("${{ secrets."), value

"""Shared fixtures: a realistic raw config and a runner for the real program under mocks."""

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stacks import plan
from stacks.mock_engine import Recording, main_program, run_program

ROOT = Path(__file__).resolve().parent.parent
HF_TOKEN = "hf_TESTtokenDoNotLeak1234"
KEY_SECRET = "test-key-secret-do-not-leak-5678"
"""The secret part of the `default` tenant's key, as set in config."""

BASE_CONFIG: dict[str, Any] = {
    "gcp": {
        "project": "test-project-123",
        "region": "us-central1",
        "cluster": {
            "zones": ["us-central1-a"],
            "deletionProtection": False,
            "pools": [
                {"name": "l4", "machineType": "g2-standard-8", "minNodes": 0, "maxNodes": 3}
            ],
        },
    },
    "models": [
        {
            "name": "llama-3-1-8b",
            "model": "llama-3.1-8b-instruct",
            "pool": "l4",
            "server": {"type": "vllm", "maxModelLen": 8192},
        }
    ],
}


@pytest.fixture
def raw_config() -> dict[str, Any]:
    return copy.deepcopy(BASE_CONFIG)


ProgramRunner = Callable[..., Recording]


def run_config(
    raw: dict[str, Any],
    *,
    hf_token: str | None = HF_TOKEN,
    key_secrets: dict[str, str] | None = None,
    recording: Recording | None = None,
) -> Recording:
    """Run `__main__.py` with the given raw config values and secrets, like `pulumi preview`.

    `key_secrets`: tenant -> the secret part of its key in config (default: the `default`
    tenant's is KEY_SECRET; pass {} to have every key generated)."""
    config = {f"llm-platform:{k}": json.dumps(v) for k, v in raw.items()}
    key_secrets = {"default": KEY_SECRET} if key_secrets is None else key_secrets
    secrets: dict[str, str | None] = {
        "llm-platform:huggingFaceToken": hf_token,
        **{f"llm-platform:keySecret-{t}": v for t, v in key_secrets.items()},
    }
    config.update({k: v for k, v in secrets.items() if v is not None})
    main = str(ROOT / "__main__.py")
    return run_program(
        main_program(main),
        project="llm-platform",
        stack="test",
        config=config,
        secret_keys=[k for k, v in secrets.items() if v is not None],
        recording=recording,
    )


@pytest.fixture
def run_stack() -> ProgramRunner:
    return run_config


STACK_FILES = sorted(p.name for p in ROOT.glob("Pulumi.*.yaml"))
STACKS = [f.removeprefix("Pulumi.").removesuffix(".yaml") for f in STACK_FILES]


def copy_project(destination: Path) -> Path:
    """The program's entry point and stack files in `destination`, to plan there."""
    for name in ("Pulumi.yaml", "__main__.py", *STACK_FILES):
        shutil.copy(ROOT / name, destination / name)
    return destination


@pytest.fixture(scope="session")
def stack_plan(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, Any]]:
    """The plan document of a stack file in the repository, made once per test run by the
    offline plan command (`python -m stacks.plan <stack>`) in a copy of the project."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    documents: dict[str, dict[str, Any]] = {}

    def document(stack: str) -> dict[str, Any]:
        if stack not in documents:
            assert plan.main([stack], root=project) == 0
            documents[stack] = json.loads((project / f"build/plan/{stack}.json").read_text())
        return documents[stack]

    return document

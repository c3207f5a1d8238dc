"""The outputs contract: the recorded snapshot, the version rule, the plan's outputs against the
declaration, secrets exported as secrets, and the README's list."""

import json
import shutil
from pathlib import Path

import pytest

from stacks import contract
from stacks.mock_engine import SECRET
from tests.conftest import BASE_CONFIG, run_config
from tests.test_oci_config import oci_raw

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_recorded_snapshot_is_the_contract() -> None:
    recorded = contract.load_snapshot(contract.CONTRACT_VERSION)
    assert recorded == contract.snapshot(), (
        "the outputs contract changed: run `uv run python -m stacks.contract --write` and"
        " commit stacks/contracts/"
    )


def test_within_a_version_nothing_breaks_a_reader() -> None:
    recorded = contract.load_snapshot(contract.CONTRACT_VERSION)
    assert recorded is not None
    assert contract.breaking_changes(recorded, contract.snapshot()) == []


def _with(outputs: dict, **changes: dict | None) -> dict:
    new = json.loads(json.dumps(outputs))
    for name, spec in changes.items():
        if spec is None:
            del new["outputs"][name]
        else:
            new["outputs"][name] = spec
    return new


def test_removal_retyping_unsecreting_and_narrowing_are_breaking_additions_are_not() -> None:
    old = contract.snapshot()
    assert contract.breaking_changes(old, _with(old, endpoint=None)) == ["endpoint: removed"]
    retyped = {"type": "map", "secret": False, "present": "gcp"}
    assert contract.breaking_changes(old, _with(old, endpoint=retyped)) == [
        "endpoint: type 'str' -> 'map'"
    ]
    plain = {"type": "map", "secret": False, "present": "always"}
    assert contract.breaking_changes(old, _with(old, apiKeys=plain)) == [
        "apiKeys: secret True -> False"
    ]
    narrowed = {"type": "str", "secret": False, "present": "oci"}
    assert contract.breaking_changes(old, _with(old, monitoringNamespace=narrowed)) == [
        "monitoringNamespace: present 'always' -> 'oci'"
    ]
    added = {"type": "str", "secret": False, "present": "always"}
    assert contract.breaking_changes(old, _with(old, newOutput=added)) == []


def test_writing_a_breaking_snapshot_without_a_new_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(contract.SNAPSHOTS, tmp_path / "contracts")
    monkeypatch.setattr(contract, "SNAPSHOTS", tmp_path / "contracts")
    before = contract.snapshot_path(contract.CONTRACT_VERSION).read_text()
    monkeypatch.setattr(
        contract, "OUTPUTS", {k: v for k, v in contract.OUTPUTS.items() if k != "endpoint"}
    )
    assert contract.main(["--write"]) == 1
    assert "endpoint: removed" in capsys.readouterr().err
    assert contract.snapshot_path(contract.CONTRACT_VERSION).read_text() == before
    monkeypatch.setattr(contract, "CONTRACT_VERSION", contract.CONTRACT_VERSION + 1)
    assert contract.main(["--write"]) == 0
    assert contract.load_snapshot(contract.CONTRACT_VERSION) is not None


@pytest.mark.parametrize("raw", [BASE_CONFIG, oci_raw()], ids=["gcp", "oci"])
def test_the_outputs_are_the_declared_ones_and_secrets_stay_secret(raw: dict) -> None:
    outputs = run_config(dict(raw)).outputs
    assert contract.conformance_problems(outputs, SECRET) == []
    secret = {n for n, s in contract.OUTPUTS.items() if s.secret and n in outputs}
    assert secret and all(outputs[n] == SECRET for n in secret)


def test_conformance_catches_an_undeclared_a_plain_secret_and_a_wrong_type() -> None:
    outputs = {"contractVersion": "2", "apiKeys": {"a": "b"}, "extra": 1}
    problems = contract.conformance_problems(outputs, SECRET)
    assert "extra: not in the contract" in problems
    assert "apiKeys: declared secret but exported in plain text" in problems
    assert "contractVersion: declared int, got str" in problems
    assert "models: missing" in problems


def test_the_readme_lists_every_output() -> None:
    missing = [name for name in contract.OUTPUTS if f"| `{name}` |" not in README]
    assert missing == []

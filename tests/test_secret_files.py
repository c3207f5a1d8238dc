"""The secrets launcher and the SecretProviderClass document, run for real."""

import subprocess
from pathlib import Path

import pytest
import yaml

from components.secrets.gke_secret_files import secret_provider_class_parameters
from components.serving.secret_files import SecretInputs, launcher_command

PRINT_ARGS_AND_ENV = 'printf "%s|" "$@" "$LLAMA_API_KEY" "$HF_TOKEN"'


def run(inputs: SecretInputs, tmp_path: Path, *server: str) -> subprocess.CompletedProcess:
    command = launcher_command(inputs, str(tmp_path))
    return subprocess.run([*command, *server], capture_output=True, text=True)


def test_launcher_exports_each_file_then_execs_the_server(tmp_path: Path) -> None:
    (tmp_path / "api-key-a").write_text("a.key-with-$pecial 'chars'\n")
    (tmp_path / "api-key-b").write_text("b.second")
    (tmp_path / "hf-token").write_text("hf_abc")
    inputs = SecretInputs(
        env={"LLAMA_API_KEY": ("api-key-a", "api-key-b"), "HF_TOKEN": ("hf-token",)}
    )
    result = run(inputs, tmp_path, "sh", "-c", PRINT_ARGS_AND_ENV, "server")
    assert result.returncode == 0, result.stderr
    # Values are taken verbatim (no shell expansion), minus the trailing newline.
    assert result.stdout == "a.key-with-$pecial 'chars',b.second|hf_abc|"
    assert not any("key-with" in part for part in launcher_command(inputs))


def test_trailing_keys_follow_every_other_argument_one_word_each(tmp_path: Path) -> None:
    (tmp_path / "api-key-a").write_text("a.one two")
    (tmp_path / "api-key-b").write_text("b.three")
    inputs = SecretInputs(trailing_flag="--api-key", trailing_files=("api-key-a", "api-key-b"))
    result = run(inputs, tmp_path, "sh", "-c", 'printf "%s|" "$@"', "vllm", "org/model", "--x")
    assert result.stdout == "org/model|--x|--api-key|a.one two|b.three|"
    # The keys are shell variables of the launcher, never exported to the server.
    env = run(inputs, tmp_path, "sh", "-c", "env")
    assert "a.one two" not in env.stdout


@pytest.mark.parametrize("content", [None, "", "\n"])
def test_launcher_refuses_to_start_without_a_usable_key(tmp_path: Path, content) -> None:
    (tmp_path / "api-key-b").write_text("b.fine")
    if content is not None:
        (tmp_path / "api-key-a").write_text(content)
    inputs = SecretInputs(trailing_flag="--api-key", trailing_files=("api-key-b", "api-key-a"))
    result = run(inputs, tmp_path, "echo", "started")
    assert result.returncode != 0
    assert "started" not in result.stdout


def test_launcher_without_secrets_just_runs_the_server() -> None:
    result = subprocess.run(
        [*launcher_command(SecretInputs()), "echo", "started"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "started\n"


def test_provider_class_maps_each_file_to_the_latest_version() -> None:
    document = secret_provider_class_parameters(
        {"hf-token": "projects/p/secrets/b", "api-key-a": "projects/p/secrets/a"}
    )
    assert yaml.safe_load(document) == [
        {"resourceName": "projects/p/secrets/a/versions/latest", "path": "api-key-a"},
        {"resourceName": "projects/p/secrets/b/versions/latest", "path": "hf-token"},
    ]

"""The secrets launcher and the SecretProviderClass document, run for real."""

import subprocess
from pathlib import Path

import yaml

from components.secrets.gke_secret_files import secret_provider_class_parameters
from components.serving.secret_files import launcher_command


def test_launcher_exports_each_file_then_execs_the_server(tmp_path: Path) -> None:
    (tmp_path / "api-key").write_text("key-with-$pecial 'chars'\n")
    (tmp_path / "hf-token").write_text("hf_abc")
    command = launcher_command({"VLLM_API_KEY": "api-key", "HF_TOKEN": "hf-token"}, str(tmp_path))
    result = subprocess.run(
        [*command, "sh", "-c", 'printf "%s|%s|%s" "$VLLM_API_KEY" "$HF_TOKEN" "$$"'],
        capture_output=True,
        text=True,
        check=True,
    )
    key, token, _ = result.stdout.split("|")
    # Values are taken verbatim (no shell expansion), minus the trailing newline.
    assert (key, token) == ("key-with-$pecial 'chars'", "hf_abc")
    assert not any("key-with" in part for part in command)


def test_launcher_refuses_to_start_when_a_secret_file_is_missing(tmp_path: Path) -> None:
    command = launcher_command({"VLLM_API_KEY": "api-key"}, str(tmp_path))
    result = subprocess.run([*command, "echo", "started"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "started" not in result.stdout


def test_launcher_without_secrets_just_runs_the_server() -> None:
    result = subprocess.run(
        [*launcher_command({}), "echo", "started"], capture_output=True, text=True, check=True
    )
    assert result.stdout == "started\n"


def test_provider_class_maps_each_file_to_the_latest_version() -> None:
    document = secret_provider_class_parameters(
        {"hf-token": "projects/p/secrets/b", "api-key": "projects/p/secrets/a"}
    )
    assert yaml.safe_load(document) == [
        {"resourceName": "projects/p/secrets/a/versions/latest", "path": "api-key"},
        {"resourceName": "projects/p/secrets/b/versions/latest", "path": "hf-token"},
    ]

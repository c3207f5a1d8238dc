"""Secrets on Google Cloud: Secret Manager holds the values, Workload Identity reads them, pods
mount them through the GKE CSI driver, and no value ever appears in plain text.

Most tests run with the weights cache off, where the servers download from Hugging Face and so
read the token themselves; with the cache on only the fill Job reads it
(tests/test_weights_cache_stack.py)."""

import json

import pytest
import yaml

from components.secrets.gke_secret_files import GKE_SECRETS_CSI_DRIVER
from stacks.mock_engine import SECRET as REDACTED
from stacks.mock_engine import Recording
from tests.conftest import HF_TOKEN, KEY_SECRET
from tests.stack_queries import (
    CLUSTER,
    DEPLOYMENT,
    GSA,
    GSA_IAM_MEMBER,
    KSA,
    PROJECT_IAM_MEMBER,
    SECRET,
    SECRET_IAM_MEMBER,
    SECRET_PROVIDER_CLASS,
    SECRET_VERSION,
    plain_strings,
    pod_spec,
    secret_value,
)

API_KEY_SECRET = "projects/test-project-123/secrets/llm-test-api-key-default"
HF_TOKEN_SECRET = "projects/test-project-123/secrets/llm-test-hf-token"


@pytest.fixture
def stack(raw_config, run_stack) -> Recording:
    raw_config["weightsCache"] = {"enabled": False}
    return run_stack(raw_config)


def test_no_secret_value_appears_in_plain_text_anywhere(stack) -> None:
    plain = [s for r in stack.resources for s in plain_strings(r.inputs)]
    plain += list(plain_strings(stack.outputs))
    assert not [s for s in plain if HF_TOKEN in s or KEY_SECRET in s]
    everything = json.dumps([r.redacted_inputs() for r in stack.resources])
    assert HF_TOKEN not in everything and KEY_SECRET not in everything
    assert stack.outputs["apiKeys"] == REDACTED
    assert stack.outputs["kubeconfig"] == REDACTED


def test_values_are_stored_only_as_secret_manager_versions(stack) -> None:
    secrets = {r.inputs["secretId"]: r for r in stack.of_type(SECRET)}
    assert set(secrets) == {"llm-test-api-key-default", "llm-test-hf-token"}
    stored = {
        next(s for s in secrets.values() if s.urn in v.dependencies).inputs["secretId"]: (
            secret_value(v.inputs["secretData"])
        )
        for v in stack.of_type(SECRET_VERSION)
    }
    assert stored == {
        "llm-test-api-key-default": f"default.{KEY_SECRET}",
        "llm-test-hf-token": HF_TOKEN,
    }
    # The only Kubernetes Secret is Grafana's generated admin password, in the monitoring
    # namespace: no tenant key or token ever passes through the Kubernetes API on GKE.
    [grafana] = stack.of_type("kubernetes:core/v1:Secret")
    assert grafana.inputs["metadata"] == {"name": "grafana-admin", "namespace": "monitoring"}
    assert grafana.redacted_inputs()["stringData"] == REDACTED


def test_secrets_have_replication_and_labels(stack, raw_config, run_stack) -> None:
    for secret in stack.of_type(SECRET):
        assert secret.inputs["replication"] == {"auto": {}}
        assert secret.inputs["labels"]["app"] == "llm-platform"
    raw_config["gcp"]["secrets"] = {"replicaLocations": ["us-central1", "us-east1"]}
    regional = run_stack(raw_config)
    for secret in regional.of_type(SECRET):
        assert secret.inputs["replication"] == {
            "userManaged": {"replicas": [{"location": "us-central1"}, {"location": "us-east1"}]}
        }


def test_api_key_is_generated_when_not_configured(raw_config, run_stack) -> None:
    recording = run_stack(raw_config, key_secrets={})
    password = recording.one("random:index/randomPassword:RandomPassword", "tenant-keys-default")
    assert password.inputs["length"] >= 32 and password.inputs["special"] is False
    [api_key_version] = [
        v
        for v in recording.of_type(SECRET_VERSION)
        if recording.one(SECRET, "model-secrets-api-key-default").urn in v.dependencies
    ]
    assert password.urn in api_key_version.dependencies
    assert recording.outputs["apiKeys"] == REDACTED
    assert recording.outputs["apiKeySecrets"] == {"default": API_KEY_SECRET}


TWO_TENANTS = [
    {"name": "web", "rateLimit": {"requests": 60, "intervalSec": 60}},
    {"name": "batch", "rateLimit": {"requests": 600, "intervalSec": 60}},
]


def test_two_tenants_get_two_secret_keys_two_rules_and_one_server_accepting_both(
    raw_config, run_stack
) -> None:
    raw_config["tenants"] = TWO_TENANTS
    recording = run_stack(raw_config, key_secrets={"web": "web-secret-part-0001"})
    ids = {s.inputs["secretId"] for s in recording.of_type(SECRET)}
    assert {"llm-test-api-key-web", "llm-test-api-key-batch"} <= ids
    # web's secret part comes from config, batch's is generated.
    passwords = recording.of_type("random:index/randomPassword:RandomPassword")
    assert {p.name for p in passwords if p.name.startswith("tenant-keys")} == {"tenant-keys-batch"}
    policy = recording.one("gcp:compute/securityPolicy:SecurityPolicy").inputs
    limits = {
        r["match"]["expr"]["expression"]: r["rateLimitOptions"]["rateLimitThreshold"]["count"]
        for r in policy["rules"]
        if "expr" in r["match"] and "rateLimitOptions" in r
    }
    assert limits == {
        "request.headers['authorization'].startsWith('Bearer web.')": 60,
        "request.headers['authorization'].startsWith('Bearer batch.')": 600,
    }
    [container] = pod_spec(recording)["containers"]
    script = container["command"][2]
    assert script.endswith('exec "$@" --api-key "$s1" "$s0"')  # files read in sorted order
    assert "/api-key-batch" in script and "/api-key-web" in script
    files = yaml.safe_load(
        recording.one(SECRET_PROVIDER_CLASS, "model-server-secrets-class").inputs["spec"][
            "parameters"
        ]["secrets"]
    )
    # The weights cache is on: the servers never download, the token is the fill Job's.
    assert {f["path"] for f in files} == {"api-key-web", "api-key-batch"}
    assert recording.outputs["apiKeys"] == REDACTED
    assert set(recording.outputs["apiKeySecrets"]) == {"web", "batch"}
    everything = json.dumps([r.redacted_inputs() for r in recording.resources])
    assert "web-secret-part-0001" not in everything + json.dumps(recording.outputs)


def test_model_servers_run_as_the_workload_identity_service_account(stack) -> None:
    ksa = stack.one(KSA, "serving-sa")
    gsa = stack.one(GSA, "model-servers-gsa")
    assert gsa.inputs["accountId"] == "llm-test-models"
    assert "iam.gke.io/gcp-service-account" in ksa.inputs["metadata"]["annotations"]
    assert gsa.urn in ksa.dependencies
    spec = pod_spec(stack)
    assert spec["serviceAccountName"] == ksa.inputs["metadata"]["name"] == "model-server"
    assert ksa.urn in stack.one(DEPLOYMENT).dependencies
    binding = stack.one(GSA_IAM_MEMBER, "model-servers-wi-user")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"] == (
        "serviceAccount:test-project-123.svc.id.goog[llm/model-server]"
    )
    assert gsa.urn in binding.dependencies
    # IAM refuses members of a workload pool until a cluster has created it.
    assert stack.one(CLUSTER).urn in binding.dependencies


def test_secret_access_is_granted_per_secret_not_on_the_project(stack) -> None:
    gsa = stack.one(GSA, "model-servers-gsa")
    grants = [g for g in stack.of_type(SECRET_IAM_MEMBER) if g.name.startswith("model-servers")]
    assert {g.inputs["secretId"] for g in grants} == {API_KEY_SECRET, HF_TOKEN_SECRET}
    for grant in grants:
        assert grant.inputs["role"] == "roles/secretmanager.secretAccessor"
        assert gsa.urn in grant.dependencies
    project_roles = {m.inputs["role"] for m in stack.of_type(PROJECT_IAM_MEMBER)}
    assert project_roles == {"roles/container.defaultNodeServiceAccount"}


def test_pods_mount_the_secrets_through_the_gke_csi_driver(stack) -> None:
    assert stack.one(CLUSTER).inputs["secretManagerConfig"] == {"enabled": True}
    provider_class = stack.one(SECRET_PROVIDER_CLASS, "model-server-secrets-class")
    assert provider_class.inputs["spec"]["provider"] == "gke"
    files = yaml.safe_load(provider_class.inputs["spec"]["parameters"]["secrets"])
    assert files == [
        {"resourceName": f"{API_KEY_SECRET}/versions/latest", "path": "api-key-default"},
        {"resourceName": f"{HF_TOKEN_SECRET}/versions/latest", "path": "hf-token"},
    ]
    spec = pod_spec(stack)
    volume = next(v for v in spec["volumes"] if "csi" in v)
    assert volume["csi"] == {
        "driver": GKE_SECRETS_CSI_DRIVER,
        "readOnly": True,
        "volumeAttributes": {"secretProviderClass": provider_class.inputs["metadata"]["name"]},
    }
    assert provider_class.urn in stack.one(DEPLOYMENT).dependencies


def test_server_reads_its_key_and_token_from_the_mounted_files(stack) -> None:
    [container] = pod_spec(stack)["containers"]
    shell, flag, script, _ = container["command"]
    assert (shell, flag) == ("/bin/sh", "-c")
    assert '"$(cat /var/run/secrets/llm-platform/api-key-default)"' in script
    assert '"$(cat /var/run/secrets/llm-platform/hf-token)"' in script
    assert 'HF_TOKEN="$s1" && export HF_TOKEN' in script
    assert script.endswith('exec "$@" --api-key "$s0"')
    assert container["args"][:3] == ["vllm", "serve", "meta-llama/Llama-3.1-8B-Instruct"]
    # Nothing secret comes through the environment block of the manifest.
    assert {e["name"] for e in container["env"]} == {"HF_HOME", "VLLM_HTTP_TIMEOUT_KEEP_ALIVE"}
    mount = next(m for m in container["volumeMounts"] if m["name"] == "secrets")
    assert mount == {
        "name": "secrets",
        "mountPath": "/var/run/secrets/llm-platform",
        "readOnly": True,
    }


def test_pods_roll_when_a_secret_version_changes(stack) -> None:
    deployment = stack.one(DEPLOYMENT)
    annotations = deployment.inputs["spec"]["template"]["metadata"]["annotations"]
    assert "llm-platform/secret-revision" in annotations
    for version in stack.of_type(SECRET_VERSION):
        assert version.urn in deployment.dependencies


def test_public_model_without_token_stores_only_the_api_key(raw_config, run_stack) -> None:
    raw_config["gcp"]["cluster"]["pools"] = [
        {"name": "arm", "machineType": "t2a-standard-16", "maxNodes": 2}
    ]
    raw_config["models"] = [
        {
            "name": "chat-cpu",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "arm",
            "server": {"type": "llamacpp"},
        }
    ]
    recording = run_stack(raw_config, hf_token=None)
    assert [s.inputs["secretId"] for s in recording.of_type(SECRET)] == [
        "llm-test-api-key-default"
    ]
    [grant] = recording.of_type(SECRET_IAM_MEMBER)
    assert grant.inputs["secretId"] == API_KEY_SECRET
    [container] = pod_spec(recording, "chat-cpu-deployment")["containers"]
    # The tenant's key, then Prometheus' scrape key (llama-server guards /metrics too).
    assert 'LLAMA_API_KEY="$s1,$s0" && export LLAMA_API_KEY' in container["command"][2]
    assert 's0="$(cat /var/run/secrets/llm-platform-scrape/key)"' in container["command"][2]
    assert "HF_TOKEN" not in container["command"][2]
    assert container["args"][0] == "/app/llama-server"


def test_secrets_and_identity_are_created_in_parallel_with_the_cluster(stack) -> None:
    apis = {r.urn for r in stack.of_type("gcp:projects/service:Service")}
    cluster = stack.one(CLUSTER).urn
    for secret in stack.of_type(SECRET):
        assert set(secret.dependencies) <= apis
    for account in stack.of_type(GSA):
        assert cluster not in account.dependencies

"""The offline plan command: JSON contract, manifests, redaction, exit 2 on bad config."""

import json
from pathlib import Path

import pytest
import yaml

from stacks import contract, plan
from stacks.config import ConfigError
from stacks.mock_engine import Recording
from tests.conftest import STACKS, copy_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_in_the_repository_plans_safely(stack_plan, stack: str) -> None:
    document = stack_plan(stack)
    # Other teams read these through StackReference: only declared names, types and secrets.
    assert contract.conformance_problems(document["outputs"], "[secret]") == []
    by_type: dict[str, list[dict]] = {}
    for resource in document["resources"]:
        by_type.setdefault(resource["type"], []).append(resource["inputs"])
    assert by_type.get("gcp:container/cluster:Cluster") or by_type.get(
        "oci:ContainerEngine/cluster:Cluster"
    )
    for cluster in by_type.get("gcp:container/cluster:Cluster", []):
        assert cluster["location"] not in cluster.get("nodeLocations", [])
        [ingress] = by_type["kubernetes:networking.k8s.io/v1:Ingress"]
        assert "defaultBackend" not in ingress["spec"]
        for rule in ingress["spec"]["rules"]:
            assert {p["path"] for p in rule["http"]["paths"]} == {"/v1", "/health"}
    # On OCI only the API Gateway's HTTPS listener is open to the world.
    open_rules = [
        r
        for r in by_type.get(
            "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", []
        )
        if r["direction"] == "INGRESS" and r.get("source") == "0.0.0.0/0"
    ]
    assert [r["tcpOptions"]["destinationPortRange"] for r in open_rules] in (
        [],
        [{"min": 443, "max": 443}],
    )
    for service in by_type["kubernetes:core/v1:Service"]:
        if service["spec"]["type"] == "LoadBalancer":
            annotations = service["metadata"]["annotations"]
            assert annotations["service.beta.kubernetes.io/oci-load-balancer-internal"] == "true"
    for deployment in by_type["kubernetes:apps/v1:Deployment"]:
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert not [a for a in container["args"] if a.startswith("--") and "=" in a]
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert document["outputs"]["apiKeys"] == "[secret]"


def test_mixed_stack_runs_every_server_type_for_two_tenants(project_copy: Path) -> None:
    assert plan.main(["mixed"], root=project_copy) == 0
    manifests = project_copy / "build/plan/mixed/manifests"

    def container(name: str) -> dict:
        deployment = yaml.safe_load((manifests / f"deployment-{name}-deployment.yaml").read_text())
        [found] = deployment["spec"]["template"]["spec"]["containers"]
        return found

    vllm, tgi, llama = container("gemma-7b"), container("gemma-7b-awq"), container("chat-cpu")
    assert vllm["args"][vllm["args"].index("--tensor-parallel-size") + 1] == "2"
    assert vllm["command"][2].endswith('--api-key "$s1" "$s0"')  # web, batch
    assert tgi["args"][0] == "/tgi-entrypoint.sh" and "API_KEY=" in tgi["command"][2]
    assert "api-key-web" not in tgi["command"][2]
    # web, batch, then Prometheus' scrape key (sorted first: an absolute path)
    assert 'LLAMA_API_KEY="$s2,$s1,$s0"' in llama["command"][2]
    assert llama["image"] == "[unknown]"  # the digest of the image built for amd64 and arm64


def test_dev_plan_writes_the_documented_json_and_manifests(project_copy: Path) -> None:
    assert plan.main(["dev"], root=project_copy) == 0
    document = json.loads((project_copy / "build/plan/dev.json").read_text())
    assert document["stack"] == "dev"
    assert set(document) == {"stack", "resources", "outputs"}
    keys = {"urn", "type", "name", "parent", "provider", "custom", "protect", "inputs"}
    keys.add("dependencies")
    assert all(set(r) == keys for r in document["resources"])
    types = {r["type"] for r in document["resources"]}
    assert {
        "gcp:container/cluster:Cluster",
        "gcp:container/nodePool:NodePool",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:cloud.google.com/v1:BackendConfig",
        "kubernetes:networking.k8s.io/v1:Ingress",
        "gcp:compute/globalAddress:GlobalAddress",
    } <= types
    components = {r["urn"] for r in document["resources"] if not r["custom"]}
    for resource in document["resources"]:
        if resource["custom"] and not resource["type"].startswith("pulumi:providers:"):
            assert resource["parent"] in components, resource["name"]
    manifests = project_copy / "build/plan/dev/manifests"
    deployment = yaml.safe_load(
        (manifests / "deployment-llama-3-1-8b-deployment.yaml").read_text()
    )
    assert deployment["kind"] == "Deployment"
    assert deployment["spec"]["replicas"] == 1


def test_prod_plan_is_regional_protected_and_falls_back_from_spot(project_copy: Path) -> None:
    assert plan.main(["prod"], root=project_copy) == 0
    document = json.loads((project_copy / "build/plan/prod.json").read_text())

    def one(type_token: str) -> dict:
        [found] = [r for r in document["resources"] if r["type"] == type_token]
        return found["inputs"]

    cluster = one("gcp:container/cluster:Cluster")
    assert cluster["deletionProtection"] is True
    assert cluster["location"] == "us-central1"
    bans = {
        r["description"].split(":")[0]: r["rateLimitOptions"]["enforceOnKey"]
        for r in one("gcp:compute/securityPolicy:SecurityPolicy")["rules"]
        if r["action"] == "rate_based_ban"
    }
    assert bans == {"tenant frontend": "HTTP_HEADER", "no tenant key": "IP"}
    assert set(document["outputs"]["apiKeySecrets"]) == {"frontend", "batch"}
    manifests = project_copy / "build/plan/prod/manifests"
    deployment = yaml.safe_load(
        (manifests / "deployment-llama-3-1-8b-deployment.yaml").read_text()
    )
    affinity = deployment["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    [term] = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"][0]["values"] == ["l4-spot", "l4"]
    assert (manifests / "managedcertificate-llm-edge-certificate.yaml").exists()


def test_secure_values_are_never_decrypted_or_printed(project_copy: Path, capsys) -> None:
    ciphertext = "v1:replace-me-with-pulumi-config-set-secret"
    assert plan.main(["dev"], root=project_copy) == 0
    printed = capsys.readouterr().out
    written = (project_copy / "build/plan/dev.json").read_text()
    for path in (project_copy / "build/plan/dev/manifests").iterdir():
        written += path.read_text()
    assert ciphertext not in printed + written
    document = json.loads((project_copy / "build/plan/dev.json").read_text())
    versions = [
        r
        for r in document["resources"]
        if r["type"] == "gcp:secretmanager/secretVersion:SecretVersion"
    ]
    assert {v["inputs"]["secretData"] for v in versions} == {"[secret]"}
    assert document["outputs"]["apiKeys"] == "[secret]"
    assert document["outputs"]["kubeconfig"] == "[secret]"


def test_plan_prints_the_fit_verdict_of_every_model(project_copy: Path, capsys) -> None:
    assert plan.main(["dev"], root=project_copy) == 0
    printed = capsys.readouterr().out
    assert "KV cache" in printed and "full-length sequences at once" in printed


def test_invalid_stack_file_exits_2_naming_the_key(project_copy: Path, capsys) -> None:
    stack_file = yaml.safe_load((project_copy / "Pulumi.dev.yaml").read_text())
    stack_file["config"]["llm-platform:gcp"]["cluster"]["pools"][0]["machineType"] = (
        "a3-highgpu-8g"
    )
    stack_file["config"]["llm-platform:gcp"]["cluster"]["pools"][0]["minNodes"] = -1
    (project_copy / "Pulumi.bad.yaml").write_text(yaml.safe_dump(stack_file))
    assert plan.main(["bad"], root=project_copy) == 2
    error = capsys.readouterr().err
    assert "llm-platform:gcp.cluster.pools[0].machineType: unknown machine type" in error
    assert "llm-platform:gcp.cluster.pools[0].minNodes:" in error
    assert "Traceback" not in error
    assert not (project_copy / "build/plan/bad.json").exists()


def test_invalid_stack_registers_nothing(project_copy: Path) -> None:
    stack_file = yaml.safe_load((project_copy / "Pulumi.dev.yaml").read_text())
    stack_file["config"]["llm-platform:models"][0]["pool"] = "missing"
    (project_copy / "Pulumi.bad.yaml").write_text(yaml.safe_dump(stack_file))
    recording = Recording()
    with pytest.raises(ConfigError):
        plan.run_stack("bad", root=project_copy, recording=recording)
    assert recording.resources == []


def test_missing_stack_file_exits_2(project_copy: Path, capsys) -> None:
    assert plan.main(["staging"], root=project_copy) == 2
    assert "Pulumi.staging.yaml not found" in capsys.readouterr().err


def test_nested_secure_value_is_refused(project_copy: Path) -> None:
    (project_copy / "Pulumi.nested.yaml").write_text(
        yaml.safe_dump({"config": {"llm-platform:gcp": {"token": {"secure": "v1:abc"}}}})
    )
    with pytest.raises(plan.StackFileError, match="own top-level"):
        plan.read_stack_config("nested", project_copy)

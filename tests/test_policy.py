"""The CrossGuard policy pack (`policy/`): every stack file's plan passes it, and each rule
rejects (or, for secrets, seals) a resource broken the way a careless change would break it."""

import copy
import json
import subprocess
import sys

import grpc
import pytest
from google.protobuf import empty_pb2
from platform_guard import pinning, secrets
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import Secret
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from stacks.mock_engine import UNKNOWN
from tests.conftest import ROOT, STACKS
from tests.crossguard import (
    PolicyPackRunner,
    Violation,
    analyze_request,
    custom_resources,
    engine_value,
    find,
)

GKE_POOL = "gcp:container/nodePool:NodePool"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
SQL_USER = "gcp:sql/user:User"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CLOUD_RUN = "gcp:cloudrunv2/service:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
SERVICE = "kubernetes:core/v1:Service"
ARMOR = "gcp:compute/securityPolicy:SecurityPolicy"
HELM = "kubernetes:helm.sh/v3:Release"
K8S_SECRET = "kubernetes:core/v1:Secret"
OKE_CLUSTER = "oci:ContainerEngine/cluster:Cluster"
OKE_ADDON = "oci:ContainerEngine/addon:Addon"
GATEWAY_DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
SUBSCRIBER = "oci:ApiGateway/subscriber:Subscriber"
OCI_POLICY = "oci:Identity/policy:Policy"
SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
SEALED = {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG}


@pytest.fixture(scope="module")
def pack() -> PolicyPackRunner:
    return PolicyPackRunner()


def policies_of(violations: list[Violation]) -> set[str]:
    return {v.policy for v in violations}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_passes_the_pack(stack_plan, pack: PolicyPackRunner, stack: str) -> None:
    document = stack_plan(stack)
    assert pack.check_plan(document) == []
    # Nothing to seal: every credential is already a secret.
    assert [
        (r["name"], fixes) for r in document["resources"] if (fixes := pack.remediate(r))
    ] == []


# secret-inputs-are-secret (a remediation: it seals, it does not reject)


CLEAR_CREDENTIALS = [
    # (stack, type, where the credential goes, a clear value, where the seal must land)
    ("prod", SQL_USER, ("password",), "hunter2", ("password",)),
    ("dev", K8S_SECRET, ("stringData",), {"api-key": "plain"}, ("stringData",)),
    (
        "oci",
        SUBSCRIBER,
        ("clients",),
        [{"name": "chatbot", "token": "plain-token"}],
        ("clients", 0, "token"),
    ),
    (
        "oci",
        "oci:Vault/secret:Secret",
        ("secretContent",),
        {"content": "aGk=", "contentType": "BASE64"},
        ("secretContent", "content"),
    ),
    (
        "prod",
        "gcp:secretmanager/secretVersion:SecretVersion",
        ("secretData",),
        "x",
        ("secretData",),
    ),
]


@pytest.mark.parametrize(("stack", "type_token", "at", "clear", "sealed_at"), CLEAR_CREDENTIALS)
def test_a_credential_in_the_clear_is_sealed(
    stack_plan, pack, stack, type_token, at, clear, sealed_at
) -> None:
    resource = find(stack_plan(stack), type_token)
    resource["inputs"][at[0]] = clear
    fixed = pack.remediate(resource)["secret-inputs-are-secret"]
    sealed = fixed
    for step in sealed_at:
        sealed = sealed[step]
    expected = clear
    for step in sealed_at[1:]:
        expected = expected[step]
    assert sealed == {**SEALED, "value": expected}
    # Everything else as it was.
    assert {k: v for k, v in fixed.items() if k != at[0]} == {
        k: engine_value(v) for k, v in resource["inputs"].items() if k != at[0]
    }
    assert pack.check_plan({"resources": [resource]}) == []  # sealed, not rejected


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"adminPassword": "admin"}, ("grafana", "adminPassword")),
        (
            {"grafana.ini": {"security": {"admin_password": "admin"}}},
            ("grafana", "grafana.ini", "security", "admin_password"),
        ),
        ({"8080": {"token": "t"}}, ("grafana", "8080", "token")),
    ],
)
def test_a_helm_value_named_like_a_password_is_sealed(stack_plan, pack, values, where) -> None:
    release = find(stack_plan("dev"), HELM, "gke-monitoring-kps")
    release["inputs"]["values"]["grafana"].update(values)
    fixed = pack.remediate(release)["secret-inputs-are-secret"]["values"]
    sealed = fixed
    clear = release["inputs"]["values"]
    for step in where:
        sealed, clear = sealed[step], clear[step]
    assert sealed == {**SEALED, "value": clear}
    # Only that value: the rest of the chart's values stay as they were.
    original = find(stack_plan("dev"), HELM, "gke-monitoring-kps")["inputs"]["values"]
    assert {k: v for k, v in fixed["grafana"].items() if k not in values} == engine_value(
        original["grafana"]
    )


def test_credential_names_exclude_names_of_secrets() -> None:
    named = [n for n in ("adminPassword", "HF_TOKEN", "VLLM_API_KEY", "clientSecret")]
    assert all(secrets.CREDENTIAL_NAME.search(n) for n in named)
    not_credentials = ("existingSecret", "secretKey", "passwordKey", "tokenSecretRef", "HF_HOME")
    assert not [n for n in not_credentials if secrets.CREDENTIAL_NAME.search(n)]


def test_an_unknown_credential_counts_as_clear_unless_marked_secret() -> None:
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    clear = {"password": UNKNOWN_STRING_VALUE}
    assert secrets.unsealed_secret_inputs(SQL_USER, clear) == [("password",)]
    assert (
        secrets.unsealed_secret_inputs(SQL_USER, {"password": Secret(UNKNOWN_STRING_VALUE)}) == []
    )


# no-credential-literals-in-env


def test_a_literal_token_in_a_container_env_is_rejected(stack_plan, pack) -> None:
    deployment = find(stack_plan("dev"), DEPLOYMENT)
    [container] = deployment["inputs"]["spec"]["template"]["spec"]["containers"]
    container["env"].append({"name": "HF_TOKEN", "value": "hf_plain"})
    [violation] = pack.analyze(deployment)
    assert violation.policy == "no-credential-literals-in-env"
    assert violation.level == "MANDATORY"  # fails the preview, stops the update
    assert "env HF_TOKEN is a literal value" in violation.message
    container["env"][-1] = {
        "name": "HF_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "hf", "key": "token"}},
    }
    assert pack.analyze(deployment) == []


def test_a_literal_password_on_cloud_run_is_rejected(stack_plan, pack) -> None:
    service = find(stack_plan("prod"), CLOUD_RUN)
    [container] = service["inputs"]["template"]["containers"]
    assert [e for e in container["envs"] if "valueSource" in e]  # the real ones: from secrets
    container["envs"].append({"name": "DB_PASSWORD", "value": "plain"})
    [violation] = pack.analyze(service)
    assert violation.policy == "no-credential-literals-in-env"
    assert "env DB_PASSWORD is a literal value" in violation.message


# gpu-pools-autoscale-within-bounds


@pytest.mark.parametrize(
    ("autoscaling", "expected"),
    [
        (None, "without autoscaling"),
        ({"minNodeCount": 0, "maxNodeCount": 0}, "no upper bound"),
        ({"minNodeCount": 3, "maxNodeCount": 2}, "min nodes 3 is above max nodes 2"),
    ],
)
def test_a_gke_gpu_pool_needs_autoscaling_bounds(stack_plan, pack, autoscaling, expected) -> None:
    pool = find(stack_plan("prod"), GKE_POOL, "llm-l4")
    if autoscaling is None:
        del pool["inputs"]["autoscaling"]
    else:
        pool["inputs"]["autoscaling"] = autoscaling
    [violation] = pack.analyze(pool)
    assert violation.policy == "gpu-pools-autoscale-within-bounds"
    assert expected in violation.message


def test_a_cpu_pool_may_have_a_fixed_size(stack_plan, pack) -> None:
    pool = find(stack_plan("prod"), GKE_POOL, "llm-system")
    del pool["inputs"]["autoscaling"]
    assert pack.analyze(pool) == []


def test_an_oke_gpu_pool_must_be_scaled_by_the_autoscaler_add_on(stack_plan, pack) -> None:
    document = stack_plan("oci")
    resources = custom_resources(document)
    addon = next(r for r in resources if r["name"] == "oke-cluster-autoscaler")
    a10 = next(r for r in resources if r["name"] == "oke-a10")
    addon["dependencies"] = [d for d in addon["dependencies"] if d != a10["urn"]]
    addon["inputs"]["configurations"][1]["value"] = "3:1:oke-a1-id"
    violations = pack.analyze_stack(resources)
    assert {(v.policy, v.urn) for v in violations} == {
        ("platform-wiring", a10["urn"]),
        ("platform-wiring", addon["urn"]),
    }
    assert any("min nodes 3 is above max nodes 1" in v.message for v in violations)


# public-endpoints-rate-limited-api-only


@pytest.mark.parametrize(
    ("path", "path_type"),
    [("/metrics", "Prefix"), ("/", "Prefix"), ("/invocations", "Exact"), ("/v1", "Exact")],
)
def test_an_external_ingress_routes_only_the_api(stack_plan, pack, path, path_type) -> None:
    ingress = find(stack_plan("prod"), INGRESS)
    paths = ingress["inputs"]["spec"]["rules"][0]["http"]["paths"]
    paths.append({**paths[0], "path": path, "pathType": path_type})
    [violation] = pack.analyze(ingress)
    assert violation.policy == "public-endpoints-rate-limited-api-only"
    assert f"path {path!r} is public" in violation.message


def test_an_external_ingress_has_no_default_backend(stack_plan, pack) -> None:
    ingress = find(stack_plan("prod"), INGRESS)
    ingress["inputs"]["spec"]["defaultBackend"] = {"service": {"name": "x", "port": {"number": 1}}}
    assert ["default backend" in v.message for v in pack.analyze(ingress)] == [True]


def test_an_internal_ingress_may_route_anything(stack_plan, pack) -> None:
    ingress = find(stack_plan("prod"), INGRESS)
    ingress["inputs"]["metadata"]["annotations"]["kubernetes.io/ingress.class"] = "gce-internal"
    ingress["inputs"]["spec"]["rules"][0]["http"]["paths"][0]["path"] = "/"
    assert pack.analyze(ingress) == []


def test_a_cloud_armor_policy_must_rate_limit(stack_plan, pack) -> None:
    armor = find(stack_plan("prod"), ARMOR)
    rules = armor["inputs"]["rules"]
    armor["inputs"]["rules"] = [r for r in rules if "rateLimitOptions" not in r]
    [violation] = pack.analyze(armor)
    assert "without a rate limit" in violation.message


def test_a_service_behind_the_ingress_needs_cloud_armor(stack_plan, pack) -> None:
    document = stack_plan("prod")
    resources = custom_resources(document)
    service = next(
        r
        for r in resources
        if r["type"] == SERVICE and "cloud.google.com/backend-config" in str(r["inputs"])
    )
    del service["inputs"]["metadata"]["annotations"]["cloud.google.com/backend-config"]
    [violation] = pack.analyze_stack(resources)
    assert violation.urn == service["urn"]
    assert "without a BackendConfig" in violation.message


def test_a_backend_config_needs_a_rate_limiting_armor_policy(stack_plan, pack) -> None:
    document = stack_plan("prod")
    resources = custom_resources(document)
    armor = next(r for r in resources if r["type"] == ARMOR)
    armor["inputs"]["rules"] = [r for r in armor["inputs"]["rules"] if "rateLimitOptions" not in r]
    messages = [v.message for v in pack.analyze_stack(resources)]
    assert messages == [
        "Service llama-3-1-8b: BackendConfig llm-edge-backend's Cloud Armor policy"
        " has no rate limit"
    ]


def test_a_gateway_deployment_rate_limits_and_routes_only_the_api(stack_plan, pack) -> None:
    deployment = find(stack_plan("oci"), GATEWAY_DEPLOYMENT)
    spec = deployment["inputs"]["specification"]
    del spec["requestPolicies"]["rateLimiting"]
    spec["routes"].append({**spec["routes"][0], "path": "/invocations"})
    messages = sorted(v.message for v in pack.analyze(deployment))
    assert len(messages) == 2
    assert messages[0].startswith("API Gateway deployment without rate limiting")
    assert messages[1].startswith("route '/invocations' is public")


def test_a_gateway_route_may_not_forward_to_a_private_path(stack_plan, pack) -> None:
    deployment = find(stack_plan("oci"), GATEWAY_DEPLOYMENT)
    route = deployment["inputs"]["specification"]["routes"][0]
    assert route["path"] == "/v1/chat/completions"
    route["backend"]["url"] = "http://10.0.0.5:8000/invocations"
    [violation] = pack.analyze(deployment)
    assert "forwards to '/invocations' on the server" in violation.message
    route["backend"]["url"] = "http://10.0.0.5:8000/v1/chat/completions"
    assert pack.analyze(deployment) == []


def test_a_rate_limit_in_preview_mode_does_not_count(stack_plan, pack) -> None:
    armor = find(stack_plan("prod"), ARMOR)
    for rule in armor["inputs"]["rules"]:
        if "rateLimitOptions" in rule:
            rule["preview"] = True
    [violation] = pack.analyze(armor)
    assert "preview mode" in violation.message


def test_a_public_load_balancer_service_is_rejected(stack_plan, pack) -> None:
    service = find(stack_plan("oci"), SERVICE, "llama-8b-a10-service")
    del service["inputs"]["metadata"]["annotations"][
        "service.beta.kubernetes.io/oci-load-balancer-internal"
    ]
    [violation] = pack.analyze(service)
    assert "LoadBalancer Service with a public address" in violation.message


# images-and-charts-pinned


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("vllm/vllm-openai:v0.33.0", True),
        ("ghcr.io/huggingface/text-generation-inference:3.3.4", True),
        ("iad.ocir.io/ns/llama-server:b11063", True),
        ("ghcr.io/oracle/oci-cli:20260930", True),
        ("python:3.12.8-slim-bookworm@sha256:" + "a" * 64, True),
        ("localhost:5000/app@sha256:" + "0" * 64, True),
        ("vllm/vllm-openai:latest", False),
        ("vllm/vllm-openai", False),
        ("localhost:5000/vllm", False),
        ("vllm/vllm-openai:v0.33", False),
        ("python:3", False),
        ("ghcr.io/ggml-org/llama.cpp:server", False),
    ],
)
def test_which_images_are_pinned(image: str, pinned: bool) -> None:
    assert pinning.is_pinned(image) is pinned


def test_a_moving_image_tag_is_rejected(stack_plan, pack) -> None:
    deployment = find(stack_plan("dev"), DEPLOYMENT)
    [container] = deployment["inputs"]["spec"]["template"]["spec"]["containers"]
    container["image"] = "vllm/vllm-openai:latest"
    [violation] = pack.analyze(deployment)
    assert violation.policy == "images-and-charts-pinned"
    assert "'vllm/vllm-openai:latest' is not pinned" in violation.message


def test_an_init_container_image_is_checked_too(stack_plan, pack) -> None:
    job = find(
        stack_plan("dev"), "kubernetes:batch/v1:Job", "gke-weights-fill-llama-3.1-8b-instruct"
    )
    job["inputs"]["spec"]["template"]["spec"]["initContainers"][0]["image"] = "python:3.12"
    assert policies_of(pack.analyze(job)) == {"images-and-charts-pinned"}


@pytest.mark.parametrize("version", ["", "^88.5.0", "88.5", "~2.9", None])
def test_a_chart_without_an_exact_version_is_rejected(stack_plan, pack, version) -> None:
    release = find(stack_plan("dev"), HELM, "gke-monitoring-kps")
    if version is None:
        del release["inputs"]["version"]
    else:
        release["inputs"]["version"] = version
    [violation] = pack.analyze(release)
    assert "pin an exact chart version" in violation.message


# production-deletion-protection


def test_dev_as_a_production_stack_fails_for_its_cluster_and_database(stack_plan) -> None:
    pack = PolicyPackRunner({"production-deletion-protection": {"productionStacks": ["dev"]}})
    violations = [
        v
        for v in pack.check_plan(stack_plan("dev"))
        if v.policy == "production-deletion-protection"
    ]
    assert sorted(v.message.split(":")[0].split(" (")[0] for v in violations) == [
        "Cloud SQL instance with deletion_protection=False",
        "Cloud SQL instance without settings.deletion_protection_enabled=True",
        "GKE cluster without deletion protection",
    ]
    assert all(v.message.endswith("(stack dev is production)") for v in violations)
    assert {v.level for v in violations} == {"MANDATORY"}


def test_an_oke_cluster_in_production_needs_protect(stack_plan) -> None:
    pack = PolicyPackRunner({"production-deletion-protection": {"productionStacks": ["oci"]}})
    cluster = find(stack_plan("oci"), OKE_CLUSTER)
    assert cluster["protect"] is False  # the example stack sets cluster.protect: false
    [violation] = pack.analyze(cluster)
    assert "OKE cluster without `protect`" in violation.message
    cluster["protect"] = True
    assert pack.analyze(cluster) == []


def test_the_prod_stack_is_production_by_default(stack_plan, pack) -> None:
    cluster = find(stack_plan("prod"), GKE_CLUSTER)
    assert cluster["urn"].startswith("urn:pulumi:prod::")
    cluster["inputs"]["deletionProtection"] = False
    [violation] = pack.analyze(cluster)
    assert violation.policy == "production-deletion-protection"
    instance = find(stack_plan("prod"), SQL_INSTANCE)
    instance["inputs"]["settings"]["deletionProtectionEnabled"] = False
    assert ["deletion_protection_enabled" in v.message for v in pack.analyze(instance)] == [True]


# no-broad-secret-access


def test_a_project_wide_secret_accessor_is_rejected(stack_plan, pack) -> None:
    member = find(stack_plan("prod"), "gcp:projects/iAMMember:IAMMember")
    member["inputs"]["role"] = "roles/secretmanager.secretAccessor"
    [violation] = pack.analyze(member)
    assert violation.policy == "no-broad-secret-access"
    assert "on the whole project" in violation.message
    member["inputs"]["role"] = "roles/editor"  # no secretmanager.versions.access
    assert pack.analyze(member) == []


def test_a_project_iam_policy_granting_secret_admin_is_rejected(pack) -> None:
    policy = {
        "type": "gcp:projects/iAMPolicy:IAMPolicy",
        "name": "project-policy",
        "urn": "urn:pulumi:prod::llm-platform::gcp:projects/iAMPolicy:IAMPolicy::project-policy",
        "inputs": {
            "project": "p",
            "policyData": json.dumps(
                {"bindings": [{"role": "roles/secretmanager.admin", "members": ["group:x"]}]}
            ),
        },
    }
    assert policies_of(pack.analyze(policy)) == {"no-broad-secret-access"}


def test_an_oci_vault_read_must_name_its_secrets(stack_plan, pack) -> None:
    policy = find(stack_plan("oci"), OCI_POLICY, "oke-model-server-secrets-vault-reader-policy")
    [statement] = policy["inputs"]["statements"]
    policy["inputs"]["statements"] = [statement.split(", any {target.secret.name")[0] + "}"]
    [violation] = pack.analyze(policy)
    assert "reads every secret in its scope" in violation.message


# The pack as the CLI runs it


def test_the_pack_serves_the_engine_as_pulumi_starts_it(stack_plan) -> None:
    """`pulumi preview --policy-pack policy` runs `python -m pulumi.policy <engine> policy` in
    the pack's virtualenv and talks gRPC to the port it prints."""
    server = subprocess.Popen(
        [sys.executable, "-m", "pulumi.policy", "127.0.0.1:1", str(ROOT / "policy")],
        cwd=ROOT / "policy",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
            levels = {
                p.name: analyzer_pb2.EnforcementLevel.Name(p.enforcementLevel)
                for p in info.policies
            }
            ingress = find(stack_plan("prod"), INGRESS)
            ingress["inputs"]["spec"]["rules"][0]["http"]["paths"][0]["path"] = "/"
            response = analyzer.Analyze(analyze_request(ingress), timeout=30)
    finally:
        server.kill()
        server.wait()
    assert info.name == "llm-platform"
    assert levels == {
        "secret-inputs-are-secret": "REMEDIATE",
        "no-credential-literals-in-env": "MANDATORY",
        "gpu-pools-autoscale-within-bounds": "MANDATORY",
        "public-endpoints-rate-limited-api-only": "MANDATORY",
        "images-and-charts-pinned": "MANDATORY",
        "production-deletion-protection": "MANDATORY",
        "no-broad-secret-access": "MANDATORY",
        "platform-wiring": "MANDATORY",
    }
    [diagnostic] = response.diagnostics
    assert diagnostic.policyName == "public-endpoints-rate-limited-api-only"
    assert "path '/' is public" in diagnostic.message


def test_the_readme_documents_every_policy() -> None:
    from platform_guard.pack import policies

    readme = (ROOT / "README.md").read_text()
    assert "pulumi preview --stack prod --policy-pack policy" in readme
    assert not [p.name for p in policies() if f"| `{p.name}`" not in readme]


def _with_unknown_at_each_path(value, at=(), depth=4):
    """(path, copy of the resource inputs with that value unknown), for every path."""
    if depth == 0 or not isinstance(value, dict | list):
        return
    keys = range(len(value)) if isinstance(value, list) else list(value)
    for key in keys:
        yield (*at, key)
        yield from _with_unknown_at_each_path(value[key], (*at, key), depth - 1)


@pytest.mark.parametrize("stack", ["prod", "oci"])
def test_unknown_values_in_a_preview_never_break_or_fail_a_rule(stack_plan, pack, stack) -> None:
    """Anything computed by another resource can be unknown in a preview, whole objects
    included; the rules then say nothing (`pulumi up` checks the known value)."""
    checked = 0
    for resource in custom_resources(stack_plan(stack)):
        for path in list(_with_unknown_at_each_path(resource["inputs"])):
            broken = copy.deepcopy(resource)
            holder = broken["inputs"]
            for step in path[:-1]:
                holder = holder[step]
            holder[path[-1]] = UNKNOWN
            assert pack.analyze(broken) == [], (resource["name"], path)
            checked += 1
    assert checked > 1000

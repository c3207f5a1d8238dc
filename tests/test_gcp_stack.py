"""The Google Cloud stack under mocks: resource arguments and the wiring between components."""

import json

import pytest

from stacks.mock_engine import Recording
from tests.stack_queries import (
    BACKEND_CONFIG,
    CLUSTER,
    DEPLOYMENT,
    INGRESS,
    NODE_POOL,
    SERVICE,
    pod_spec,
)


@pytest.fixture
def stack(raw_config, run_stack) -> Recording:
    return run_stack(raw_config)


def test_cluster_is_private_with_workload_identity_and_no_default_pool(stack) -> None:
    cluster = stack.one(CLUSTER).inputs
    assert cluster["removeDefaultNodePool"] is True
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "test-project-123.svc.id.goog"}
    assert cluster["privateClusterConfig"]["enablePrivateNodes"] is True
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["location"] == "us-central1-a"
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["deletionProtection"] is False


def test_l4_pool_is_g2_with_driver_taint_and_autoscaling(stack) -> None:
    pool = stack.one(NODE_POOL, "llm-l4")
    node = pool.inputs["nodeConfig"]
    assert node["machineType"].startswith("g2-standard-")
    [gpu] = node["guestAccelerators"]
    assert gpu["type"] == "nvidia-l4" and gpu["count"] == 1
    assert gpu["gpuDriverInstallationConfig"] == {"gpuDriverVersion": "LATEST"}
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in node["taints"]
    assert pool.inputs["autoscaling"]["minNodeCount"] == 0
    assert pool.inputs["autoscaling"]["maxNodeCount"] == 3
    assert "nodeCount" in pool.ignore_changes
    assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}


def test_pools_belong_to_the_cluster_component(stack) -> None:
    cluster = stack.one(CLUSTER)
    for pool in stack.of_type(NODE_POOL):
        assert pool.parent == cluster.parent
        assert pool.parent.endswith("llmplatform:gcp:GkeCluster::llm")


def test_vllm_pod_requests_the_gpu_and_lands_on_the_l4_pool(stack) -> None:
    spec = pod_spec(stack)
    [container] = spec["containers"]
    assert container["image"] == "vllm/vllm-openai:v0.33.0"
    assert "--model=meta-llama/Llama-3.1-8B-Instruct" in container["args"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["resources"]["requests"]["nvidia.com/gpu"] == "1"
    pool = stack.one(NODE_POOL, "llm-l4").inputs
    assert spec["nodeSelector"]["cloud.google.com/gke-nodepool"] == pool["name"]
    assert spec["nodeSelector"]["cloud.google.com/gke-accelerator"] == "nvidia-l4"
    assert {
        "key": "nvidia.com/gpu",
        "operator": "Equal",
        "value": "present",
        "effect": "NoSchedule",
    } in spec["tolerations"]


def test_pod_has_model_cache_shared_memory_and_health_probes(stack) -> None:
    spec = pod_spec(stack)
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["dshm"]["emptyDir"]["medium"] == "Memory"
    assert "sizeLimit" in volumes["model-cache"]["emptyDir"]
    [container] = spec["containers"]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/dev/shm", "/models"} <= mounts
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    startup = container["startupProbe"]
    # 16 GB of weights at a conservative 50 MB/s plus four minutes of loading and warm-up.
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 16e9 / 50e6 + 240


def test_service_selects_the_pods_on_the_server_port(stack) -> None:
    service = stack.one(SERVICE).inputs
    deployment = stack.one(DEPLOYMENT).inputs
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    [port] = service["spec"]["ports"]
    [container_port] = deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert port["port"] == 8000 == container_port["containerPort"]
    assert port["targetPort"] == container_port["name"]


def test_ingress_routes_to_the_service_through_the_backend_config(stack) -> None:
    ingress = stack.one(INGRESS).inputs
    service = stack.one(SERVICE).inputs
    backend = ingress["spec"]["defaultBackend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"number": 8000}}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["kubernetes.io/ingress.class"] == "gce"
    assert "kubernetes.io/ingress.global-static-ip-name" in annotations
    bound = json.loads(service["metadata"]["annotations"]["cloud.google.com/backend-config"])
    backend_config = stack.one(BACKEND_CONFIG).inputs
    assert bound["default"] == backend_config["metadata"]["name"]
    health = backend_config["spec"]["healthCheck"]
    assert (
        health["requestPath"] == "/health" and health["port"] == 8000 and health["type"] == "HTTP"
    )
    assert backend_config["spec"]["timeoutSec"] >= 300


def test_cloud_armor_rate_limit_is_attached_to_the_backend(stack) -> None:
    policy = stack.one("gcp:compute/securityPolicy:SecurityPolicy")
    [rule] = [r for r in policy.inputs["rules"] if "rateLimitOptions" in r]
    assert rule["action"] == "throttle"
    assert rule["rateLimitOptions"]["rateLimitThreshold"] == {"count": 60, "intervalSec": 60}
    assert rule["rateLimitOptions"]["exceedAction"] == "deny(429)"
    backend_config = stack.one(BACKEND_CONFIG)
    assert policy.urn in backend_config.dependencies
    assert "securityPolicy" in backend_config.inputs["spec"]


def test_domain_adds_managed_certificate_and_https_redirect(raw_config, run_stack) -> None:
    raw_config["gcp"]["edge"] = {"domain": "llm.example.com"}
    recording = run_stack(raw_config)
    cert = recording.one("kubernetes:networking.gke.io/v1:ManagedCertificate").inputs
    assert cert["spec"]["domains"] == ["llm.example.com", "llama-3-1-8b.llm.example.com"]
    frontend = recording.one("kubernetes:networking.gke.io/v1beta1:FrontendConfig").inputs
    assert frontend["spec"]["redirectToHttps"]["enabled"] is True
    annotations = recording.one(INGRESS).inputs["metadata"]["annotations"]
    assert annotations["networking.gke.io/managed-certificates"] == cert["metadata"]["name"]
    assert annotations["networking.gke.io/v1beta1.FrontendConfig"] == frontend["metadata"]["name"]
    assert recording.outputs["endpoint"] == "https://llm.example.com/v1"
    assert not recording.warnings


def test_without_domain_the_plan_warns_about_plain_http(stack) -> None:
    assert any("plain HTTP" in w for w in stack.warnings)
    assert not stack.of_type("kubernetes:networking.gke.io/v1:ManagedCertificate")


def test_kubernetes_objects_use_the_cluster_provider(stack) -> None:
    provider = stack.one("pulumi:providers:kubernetes")
    for resource in stack.resources:
        if resource.type.startswith("kubernetes:"):
            assert resource.provider.startswith(provider.urn), resource.name


def test_several_models_side_by_side(raw_config, run_stack) -> None:
    raw_config["gcp"]["cluster"]["pools"].append(
        {"name": "arm", "machineType": "t2a-standard-16", "maxNodes": 2}
    )
    raw_config["models"] += [
        {
            "name": "llama-1b",
            "model": "llama-3.2-1b-instruct",
            "pool": "l4",
            "server": {"type": "vllm"},
        },
        {
            "name": "chat-cpu",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "arm",
            "server": {"type": "llamacpp", "parallel": 4},
        },
    ]
    recording = run_stack(raw_config)
    assert {d.name for d in recording.of_type(DEPLOYMENT)} == {
        "llama-3-1-8b-deployment",
        "llama-1b-deployment",
        "chat-cpu-deployment",
    }
    cpu_spec = pod_spec(recording, "chat-cpu-deployment")
    assert cpu_spec["nodeSelector"]["kubernetes.io/arch"] == "arm64"
    assert "nvidia.com/gpu" not in cpu_spec["containers"][0]["resources"]["limits"]
    assert len(recording.of_type("kubernetes:policy/v1:PodDisruptionBudget")) == 3
    assert set(recording.outputs["models"]) == {"llama-3-1-8b", "llama-1b", "chat-cpu"}


def test_apis_are_enabled_before_the_cluster(stack) -> None:
    services = {r.inputs["service"]: r.urn for r in stack.of_type("gcp:projects/service:Service")}
    assert {
        "container.googleapis.com",
        "aiplatform.googleapis.com",
        "secretmanager.googleapis.com",
    } <= set(services)
    assert stack.outputs["vertexAiModel"] == "meta/llama3-405b-instruct-maas"
    assert stack.outputs["vertexAiEndpoint"].startswith(
        "https://us-central1-aiplatform.googleapis.com/"
    )


def test_spot_pool_is_tainted_and_model_falls_back_to_on_demand(raw_config, run_stack) -> None:
    raw_config["gcp"]["cluster"]["pools"] = [
        {"name": "l4-spot", "machineType": "g2-standard-8", "spot": True, "maxNodes": 4},
        {"name": "l4", "machineType": "g2-standard-8", "maxNodes": 1},
    ]
    raw_config["gcp"]["cluster"]["requireOnDemandFallback"] = True
    raw_config["models"][0].update(pool="l4-spot", fallbackPool="l4")
    recording = run_stack(raw_config)
    spot = recording.one(NODE_POOL, "llm-l4-spot").inputs
    on_demand = recording.one(NODE_POOL, "llm-l4").inputs
    spot_taint = {"key": "cloud.google.com/gke-spot", "value": "true", "effect": "NO_SCHEDULE"}
    assert spot["nodeConfig"]["spot"] is True and spot_taint in spot["nodeConfig"]["taints"]
    assert on_demand["nodeConfig"]["spot"] is False
    assert spot_taint not in on_demand["nodeConfig"]["taints"]
    spec = pod_spec(recording)
    assert "cloud.google.com/gke-nodepool" not in spec["nodeSelector"]
    assert spec["nodeSelector"]["cloud.google.com/gke-accelerator"] == "nvidia-l4"
    affinity = spec["affinity"]["nodeAffinity"]
    [required] = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert required["matchExpressions"] == [
        {"key": "cloud.google.com/gke-nodepool", "operator": "In", "values": ["l4-spot", "l4"]}
    ]
    [preferred] = affinity["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred["preference"]["matchExpressions"][0]["values"] == ["l4-spot"]
    tolerated = {t["key"] for t in spec["tolerations"]}
    assert tolerated == {"nvidia.com/gpu", "cloud.google.com/gke-spot"}


def test_only_the_load_balancer_and_monitoring_reach_the_servers(stack) -> None:
    policy = stack.one("kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs
    pod_labels = stack.one(DEPLOYMENT).inputs["spec"]["template"]["metadata"]["labels"]
    assert policy["metadata"]["namespace"] == "llm"
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    [rule] = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": 8000, "protocol": "TCP"}]
    cidrs = {p["ipBlock"]["cidr"] for p in rule["from"] if "ipBlock" in p}
    assert cidrs == {"130.211.0.0/22", "35.191.0.0/16"}
    namespaces = {
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for p in rule["from"]
        if "namespaceSelector" in p
    }
    assert namespaces == {"gmp-system", "monitoring"}
    assert not [p for p in rule["from"] if "podSelector" in p]

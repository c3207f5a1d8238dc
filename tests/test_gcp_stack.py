"""The Google Cloud stack under mocks: resource arguments and the wiring between components."""

import json

import pulumi
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
    # Pulled through the region's Docker Hub mirror (image streaming reads only from there).
    assert container["image"] == (
        "us-central1-docker.pkg.dev/test-project-123/llm-test-dockerhub/vllm/vllm-openai:v0.33.0"
    )
    # The weights come from the cache, mounted at /weights.
    assert container["args"][:3] == ["vllm", "serve", "/weights"]
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
    # Weights read through FUSE (16.06 GB at 1.14 GB/s: 15 s) and 73 s of engine start, twice
    # over, is under the 300 s floor a probe never goes below.
    assert startup["periodSeconds"] * startup["failureThreshold"] == 300


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


def ingress_paths(rule: dict) -> dict[str, tuple[str, dict]]:
    return {p["path"]: (p["pathType"], p["backend"]["service"]) for p in rule["http"]["paths"]}


def test_ingress_routes_only_the_api_and_health_to_the_service(stack) -> None:
    ingress = stack.one(INGRESS)
    service = stack.one(SERVICE)
    # No default backend: GKE's own answers 404 to /invocations, /metrics, /tokenize, ...
    assert "defaultBackend" not in ingress.inputs["spec"]
    [rule] = ingress.inputs["spec"]["rules"]
    assert "host" not in rule
    backend = {"name": service.inputs["metadata"]["name"], "port": {"number": 8000}}
    assert ingress_paths(rule) == {"/v1": ("Prefix", backend), "/health": ("Exact", backend)}
    # The literal Service name: the Ingress (and the load balancer) never wait for the model.
    assert service.urn not in ingress.dependencies
    assert not [d for d in ingress.dependencies if "ModelServer" in d]


def test_cloud_armor_refuses_every_path_outside_the_api_with_404(stack) -> None:
    policy = stack.one("gcp:compute/securityPolicy:SecurityPolicy").inputs
    [paths] = [r for r in policy["rules"] if r["action"] == "deny(404)"]
    assert paths["match"]["expr"]["expression"] == (
        "!(request.path.startsWith('/v1/') || request.path == '/health')"
    )
    assert paths["priority"] < min(
        r["priority"] for r in policy["rules"] if "rateLimitOptions" in r
    )


def test_ingress_routes_to_the_service_through_the_backend_config(stack) -> None:
    service = stack.one(SERVICE).inputs
    ingress = stack.one(INGRESS).inputs
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


def test_cloud_armor_rate_limits_are_attached_to_the_backend(stack) -> None:
    policy = stack.one("gcp:compute/securityPolicy:SecurityPolicy")
    tenant, per_ip = [r for r in policy.inputs["rules"] if "rateLimitOptions" in r]
    assert tenant["action"] == "throttle"
    assert tenant["rateLimitOptions"]["rateLimitThreshold"] == {"count": 60, "intervalSec": 60}
    assert tenant["rateLimitOptions"]["enforceOnKey"] == "HTTP_HEADER"
    assert per_ip["rateLimitOptions"]["rateLimitThreshold"] == {"count": 30, "intervalSec": 60}
    assert per_ip["rateLimitOptions"]["enforceOnKey"] == "IP"
    assert per_ip["rateLimitOptions"]["exceedAction"] == "deny(429)"
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
    assert not [w for w in recording.warnings if "domain" in w]


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


def test_llama_server_on_arm_runs_the_image_built_here_for_both_architectures(
    raw_config, run_stack
) -> None:
    raw_config["gcp"]["cluster"]["pools"].append(
        {"name": "arm", "machineType": "t2a-standard-16", "maxNodes": 2}
    )
    raw_config["models"].append(
        {
            "name": "chat-cpu",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "arm",
            "server": {"type": "llamacpp"},
        }
    )
    recording = run_stack(raw_config)
    build = recording.one("docker-build:index:Image")
    assert build.inputs["platforms"] == ["linux/amd64", "linux/arm64"]
    assert build.inputs["context"] == {"location": "images/llama-server"}
    assert build.inputs["buildArgs"] == {"LLAMA_CPP_TAG": "b11063", "KEEP_ALIVE_SECONDS": "620"}
    assert build.inputs["push"] is True and build.inputs["buildOnPreview"] is False
    registry = recording.one("gcp:artifactregistry/repository:Repository", "images-repo")
    assert registry.inputs["format"] == "DOCKER"
    assert "mode" not in registry.inputs  # a standard repository, pushed to
    assert registry.inputs["location"] == "us-central1"
    assert registry.urn in build.dependencies
    reader = recording.one(
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "images-reader-0"
    )
    assert reader.inputs["role"] == "roles/artifactregistry.reader"
    # The pod pulls what was pushed, by digest (known once `pulumi up` built it).
    deployment = recording.one(DEPLOYMENT, "chat-cpu-deployment")
    assert build.urn in deployment.dependencies
    [container] = pod_spec(recording, "chat-cpu-deployment")["containers"]
    assert isinstance(container["image"], pulumi.output.Unknown)
    # GPU servers keep their pinned upstream image (through the region's mirror); nothing is
    # built for them.
    [gpu] = pod_spec(recording)["containers"]
    assert gpu["image"].endswith("/llm-test-dockerhub/vllm/vllm-openai:v0.33.0")


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
    # Inside the namespace, only the load-test Jobs' pods.
    pods = [p["podSelector"]["matchLabels"] for p in rule["from"] if "podSelector" in p]
    assert pods == [{"app.kubernetes.io/component": "load-test"}]


def test_zonal_cluster_does_not_list_its_own_zone_but_its_pools_do(raw_config, run_stack) -> None:
    raw_config["gcp"]["cluster"]["zones"] = ["us-central1-a", "us-central1-b"]
    recording = run_stack(raw_config)
    cluster = recording.one(CLUSTER).inputs
    assert cluster["location"] == "us-central1-a"
    # The provider refuses "node_locations should not contain the original zone".
    assert cluster["nodeLocations"] == ["us-central1-b"]
    pool = recording.one(NODE_POOL, "llm-l4").inputs
    assert pool["nodeLocations"] == ["us-central1-a", "us-central1-b"]


def test_single_zone_cluster_sets_no_node_locations(stack) -> None:
    assert "nodeLocations" not in stack.one(CLUSTER).inputs
    assert stack.one(NODE_POOL, "llm-l4").inputs["nodeLocations"] == ["us-central1-a"]


def test_regional_cluster_lists_every_zone(raw_config, run_stack) -> None:
    raw_config["gcp"]["cluster"].update(regional=True, zones=["us-central1-a", "us-central1-b"])
    cluster = run_stack(raw_config).one(CLUSTER).inputs
    assert cluster["location"] == "us-central1"
    assert cluster["nodeLocations"] == ["us-central1-a", "us-central1-b"]


def test_pulumi_waits_for_a_model_server_as_long_as_its_first_start_takes(stack) -> None:
    deployment = stack.one(DEPLOYMENT)
    service = stack.one(SERVICE)
    # Twice the expected first start with a cold image mirror: node 72 s, a plain pull of the
    # 9.6 GB image at 36.7 MB/s (262 s), weights 15 s, engine 73 s = 422 s -> 844 s -> 15 min.
    assert deployment.custom_timeouts["create"] == "15m"  # pulumi-kubernetes' default is 10
    assert service.custom_timeouts == deployment.custom_timeouts
    for other in stack.resources:
        waited = other.type.startswith("kubernetes:") and other not in (deployment, service)
        if waited and other.type != "kubernetes:batch/v1:Job":
            assert not other.custom_timeouts, other.name


def test_update_timeout_covers_replacing_every_replica_one_by_one(raw_config, run_stack) -> None:
    raw_config["models"][0]["replicas"] = 3
    deployment = run_stack(raw_config).one(DEPLOYMENT)
    timeouts = deployment.custom_timeouts
    assert int(timeouts["update"][:-1]) == 3 * int(timeouts["create"][:-1])


def test_server_containers_drop_capabilities_and_drain_before_stopping(stack) -> None:
    spec = pod_spec(stack)
    [container] = spec["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pre_stop >= 15
    # The grace period covers the pre-stop wait plus the edge's connection draining.
    assert spec["terminationGracePeriodSeconds"] >= pre_stop + 120


def test_https_redirect_keeps_the_method(raw_config, run_stack) -> None:
    raw_config["gcp"]["edge"] = {"domain": "llm.example.com"}
    recording = run_stack(raw_config)
    frontend = recording.one("kubernetes:networking.gke.io/v1beta1:FrontendConfig").inputs
    assert frontend["spec"]["redirectToHttps"]["responseCodeName"] == "PERMANENT_REDIRECT"
    rules = recording.one(INGRESS).inputs["spec"]["rules"]
    assert [r["host"] for r in rules] == ["llm.example.com", "llama-3-1-8b.llm.example.com"]
    assert all(set(ingress_paths(r)) == {"/v1", "/health"} for r in rules)


def test_kubeconfig_uses_application_default_credentials() -> None:
    import json as json_module

    from components.clusters.kubeconfig import gke_kubeconfig

    document = json_module.loads(gke_kubeconfig("c", "1.2.3.4", "Q0E="))
    [user] = document["users"]
    assert user["user"]["exec"]["args"] == ["--use_application_default_credentials"]


def test_workload_identity_and_image_apis_are_enabled(stack) -> None:
    services = {r.inputs["service"] for r in stack.of_type("gcp:projects/service:Service")}
    assert {"iamcredentials.googleapis.com", "artifactregistry.googleapis.com"} <= services

"""The OCI path under mocks: arguments and wiring of network, OKE, Vault, servers and edge."""

import base64
from typing import Any

import pytest

from stacks.mock_engine import Recording
from tests.conftest import HF_TOKEN, KEY_SECRET, run_config
from tests.stack_queries import DEPLOYMENT, SERVICE, plain_strings, secret_value
from tests.test_oci_config import oci_raw

OKE_CLUSTER = "oci:ContainerEngine/cluster:Cluster"
OKE_POOL = "oci:ContainerEngine/nodePool:NodePool"
ADDON = "oci:ContainerEngine/addon:Addon"
POLICY = "oci:Identity/policy:Policy"
NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
VAULT_SECRET = "oci:Vault/secret:Secret"
GATEWAY_DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
USAGE_PLAN = "oci:ApiGateway/usagePlan:UsagePlan"
SUBSCRIBER = "oci:ApiGateway/subscriber:Subscriber"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(scope="module")
def oci_recording() -> Recording:
    raw = oci_raw(
        tenants=[
            {"name": "default", "quota": {"requests": 1000, "period": "DAY"}},
            {"name": "batch", "rateLimit": {"requests": 600, "intervalSec": 60}},
        ]
    )
    raw["models"] = [
        {
            "name": "llama-8b-a10",
            "model": "llama-3.1-8b-instruct",
            "pool": "a10",
            "server": {"type": "vllm", "maxModelLen": 16384},
        },
        {
            "name": "llama-8b-a1",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "a1",
            "tenants": ["batch"],
            "server": {"type": "llamacpp"},
        },
    ]
    return run_config(raw)


def inputs(recording: Recording, type_token: str, name: str) -> dict[str, Any]:
    return recording.one(type_token, name).inputs


def test_enhanced_cluster_with_vcn_native_pods_and_etcd_encryption(oci_recording) -> None:
    cluster = oci_recording.one(OKE_CLUSTER)
    assert cluster.inputs["type"] == "ENHANCED_CLUSTER"
    assert cluster.inputs["kubernetesVersion"] == "v1.34.2"
    assert cluster.inputs["clusterPodNetworkOptions"] == [{"cniType": "OCI_VCN_IP_NATIVE"}]
    assert cluster.inputs["kmsKeyId"] == "vault-key-id"
    assert cluster.inputs["endpointConfig"]["isPublicIpEnabled"] is False
    policy = oci_recording.one(POLICY, "oke-etcd-key-policy")
    assert policy.urn in cluster.dependencies
    [statement] = policy.inputs["statements"]
    assert "request.principal.type = 'cluster'" in statement and "'vault-key-id'" in statement


def test_pools_get_the_right_image_taint_and_autoscaling(oci_recording) -> None:
    pools = {p.name: p for p in oci_recording.of_type(OKE_POOL)}
    assert set(pools) == {"oke-system", "oke-a10", "oke-a1"}
    images = {n: p.inputs["nodeSourceDetails"]["imageId"] for n, p in pools.items()}
    # The mock region lists x86, GPU and aarch64 OKE images as plan.0, .1 and .2.
    assert images == {
        "oke-system": "ocid1.image.oc1.plan.0",
        "oke-a10": "ocid1.image.oc1.plan.1",
        "oke-a1": "ocid1.image.oc1.plan.2",
    }
    a10 = pools["oke-a10"].inputs
    init = base64.b64decode(a10["nodeMetadata"]["user_data"]).decode()
    assert "--register-with-taints=nvidia.com/gpu=present:NoSchedule" in init
    assert pools["oke-a1"].inputs["nodeShapeConfig"] == {"ocpus": 16, "memoryInGbs": 64}
    assert len(a10["nodeConfigDetails"]["placementConfigs"]) == 3  # one per AD
    assert a10["nodeConfigDetails"]["nodePoolPodNetworkOptionDetails"]["cniType"] == (
        "OCI_VCN_IP_NATIVE"
    )
    assert pools["oke-a10"].ignore_changes == ["nodeConfigDetails.size"]
    assert pools["oke-system"].ignore_changes == []


def test_autoscaler_add_on_gets_bounds_and_its_workload_policy(oci_recording) -> None:
    addon = oci_recording.one(ADDON, "oke-cluster-autoscaler")
    config = {c["key"]: c["value"] for c in addon.inputs["configurations"]}
    assert config["authType"] == "workload"
    assert config["nodes"] == "0:2:oke-a10-id,0:2:oke-a1-id"
    policy = oci_recording.one(POLICY, "oke-autoscaler-policy")
    assert policy.urn in addon.dependencies
    assert all(
        "request.principal.service_account = 'cluster-autoscaler'" in s
        and "request.principal.cluster_id = 'oke-cluster-id'" in s
        for s in policy.inputs["statements"]
    )
    assert oci_recording.one(ADDON, "oke-nvidia-gpu-plugin").inputs["addonName"] == (
        "NvidiaGpuPlugin"
    )


def test_each_workload_lands_on_its_pool(oci_recording) -> None:
    vllm = inputs(oci_recording, DEPLOYMENT, "llama-8b-a10-deployment")["spec"]["template"]
    spec = vllm["spec"]
    assert spec["nodeSelector"] == {"kubernetes.io/arch": "amd64", "llm-platform/pool": "a10"}
    assert {
        "key": "nvidia.com/gpu",
        "operator": "Equal",
        "value": "present",
        "effect": "NoSchedule",
    } in spec["tolerations"]
    llama = inputs(oci_recording, DEPLOYMENT, "llama-8b-a1-deployment")["spec"]["template"]["spec"]
    assert llama["nodeSelector"] == {"kubernetes.io/arch": "arm64", "llm-platform/pool": "a1"}
    [container] = llama["containers"]
    assert container["image"] == "iad.ocir.io/ns/llama-server:b11063"
    threads = container["args"][container["args"].index("--threads") + 1]
    assert container["resources"]["limits"]["cpu"] == threads  # whole cores, Guaranteed QoS
    resources = container["resources"]
    for kind in ("cpu", "memory"):
        assert resources["limits"][kind] == resources["requests"][kind]
    # Only the keys this server reads: not the other tenants', not the Hugging Face token.
    assert llama["volumes"][1] == {
        "name": "secrets",
        "secret": {
            "secretName": "model-server-secrets",
            "defaultMode": 0o444,
            "items": [{"key": "api-key-batch", "path": "api-key-batch"}],
        },
    }


def test_services_are_internal_load_balancers_in_their_subnet(oci_recording) -> None:
    for name in ("llama-8b-a10-service", "llama-8b-a1-service"):
        service = inputs(oci_recording, SERVICE, name)
        assert service["spec"]["type"] == "LoadBalancer"
        annotations = service["metadata"]["annotations"]
        prefix = "service.beta.kubernetes.io/oci-load-balancer"
        assert annotations[f"{prefix}-internal"] == "true"
        assert annotations[f"{prefix}-subnet1"] == "oke-lb-id"
        assert annotations["oci.oraclecloud.com/oci-network-security-groups"] == "oke-lb-nsg-id"
        assert int(annotations[f"{prefix}-connection-idle-timeout"]) > 300


def test_gateway_routes_follow_the_load_balancer_and_plans_meter_tenants(oci_recording) -> None:
    for model in ("llama-8b-a10", "llama-8b-a1"):
        deployment = oci_recording.one(GATEWAY_DEPLOYMENT, f"oci-edge-{model}")
        assert deployment.inputs["pathPrefix"] == f"/{model}"
        service = oci_recording.one(SERVICE, f"{model}-service")
        assert service.urn in deployment.dependencies  # routes use the LB's address
        policies = deployment.inputs["specification"]["requestPolicies"]
        assert policies["usagePlans"] == {"tokenLocations": ["request.headers[x-client-token]"]}
        assert policies["rateLimiting"] == {"rateInRequestsPerSecond": 20, "rateKey": "CLIENT_IP"}
    plans = {p.name: p.inputs["entitlements"][0] for p in oci_recording.of_type(USAGE_PLAN)}
    assert plans["oci-edge-default-plan"]["quota"] == {
        "unit": "DAY",
        "value": 1000,
        "resetPolicy": "CALENDAR",
        "operationOnBreach": "REJECT",
    }
    assert plans["oci-edge-batch-plan"]["rateLimit"] == {"unit": "SECOND", "value": 10}
    # default may not call the llama.cpp server; batch may call both.
    assert [t["deploymentId"] for t in plans["oci-edge-default-plan"]["targets"]] == [
        "oci-edge-llama-8b-a10-id"
    ]
    assert len(plans["oci-edge-batch-plan"]["targets"]) == 2
    for subscriber in oci_recording.of_type(SUBSCRIBER):
        # Secret (the token is a random password's result), and unknown until `up`: never a
        # literal in the program.
        [client] = secret_value(subscriber.inputs["clients"])
        assert not isinstance(client["token"], str)


def test_vault_secrets_reach_pods_through_external_secrets(oci_recording) -> None:
    names = {s.inputs["secretName"] for s in oci_recording.of_type(VAULT_SECRET)}
    assert names == {"llm-test-hf-token", "llm-test-api-key-default", "llm-test-api-key-batch"}
    hf_token = oci_recording.one(VAULT_SECRET, "vault-hf-token")
    assert base64.b64decode(secret_value(hf_token.inputs["secretContent"])["content"]) == (
        HF_TOKEN.encode()
    )
    release = oci_recording.one(HELM_RELEASE, "oke-model-server-secrets-operator")
    assert (release.inputs["chart"], release.inputs["version"]) == ("external-secrets", "2.9.0")
    store = oci_recording.one(SECRET_STORE)
    assert store.inputs["spec"]["provider"]["oracle"]["principalType"] == "Workload"
    assert release.urn in store.dependencies
    external = oci_recording.one(EXTERNAL_SECRET).inputs["spec"]
    assert {d["secretKey"]: d["remoteRef"]["key"] for d in external["data"]} == {
        "api-key-batch": "llm-test-api-key-batch",
        "api-key-default": "llm-test-api-key-default",
        "hf-token": "llm-test-hf-token",
    }
    [policy] = oci_recording.one(POLICY, "oke-model-server-secrets-vault-reader-policy").inputs[
        "statements"
    ]
    assert "read secret-bundles" in policy and "service_account = 'vault-reader'" in policy
    # Only the secrets the ExternalSecret names, not every secret in the compartment.
    assert policy.endswith(
        "any {target.secret.name = 'llm-test-api-key-batch',"
        " target.secret.name = 'llm-test-api-key-default',"
        " target.secret.name = 'llm-test-hf-token'}}"
    )


def test_only_the_gateway_listener_is_open_to_the_world(oci_recording) -> None:
    open_rules = [
        r.inputs
        for r in oci_recording.of_type(NSG_RULE)
        if r.inputs["direction"] == "INGRESS" and r.inputs.get("source") == "0.0.0.0/0"
    ]
    assert [(r["networkSecurityGroupId"], r["tcpOptions"]) for r in open_rules] == [
        ("oke-apigw-nsg-id", {"destinationPortRange": {"min": 443, "max": 443}})
    ]


def test_no_secret_in_plain_text(oci_recording) -> None:
    for resource in oci_recording.resources:
        for text in plain_strings(resource.inputs):
            assert HF_TOKEN not in text and KEY_SECRET not in text, resource.name
    assert oci_recording.outputs["ociClientTokens"] == "[secret]"
    assert oci_recording.outputs["apiKeys"] == "[secret]"
    assert oci_recording.outputs["ociKubeconfig"] == "[secret]"

"""OCI configuration: one config for both clouds, and clear errors naming the key."""

import copy
from typing import Any

import pytest

from components.catalog.hardware import A1_FLEX
from components.clusters.oke_images import ImageSource, select_node_image
from components.clusters.oke_pools import OkePoolSettings, node_cloud_init
from components.clusters.placement import ARM_TAINT, GPU_TAINT
from stacks.config import ConfigError, validate

OCI: dict[str, Any] = {
    "tenancy": "ocid1.tenancy.oc1..aaaatenancy",
    "compartment": "ocid1.compartment.oc1..aaaacompartment",
    "region": "us-ashburn-1",
    "llamaCppImage": "iad.ocir.io/ns/llama-server:b11063",
}


def oci_raw(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"oci": copy.deepcopy(OCI)}
    raw.update(overrides)
    return raw


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        validate(raw, has_hf_token=True)
    return error.value.problems


def test_oci_only_stack_serves_article_001_by_default() -> None:
    stack, servers = validate(oci_raw(), has_hf_token=True)
    assert stack.gcp is None
    by_name = {s.config.name: s for s in servers}
    assert set(by_name) == {"llama-8b-a10", "llama-1b-a10", "llama-8b-a1"}
    assert {s.cloud for s in servers} == {"oci"}
    assert by_name["llama-8b-a10"].plan.context == 16384
    assert by_name["llama-8b-a1"].pool.shape.arch.value == "arm64"
    assert by_name["llama-8b-a1"].config.server.type == "llamacpp"


def test_neither_cloud_is_an_error() -> None:
    [problem] = problems({})
    assert "no cloud configured" in problem


def test_model_on_a_pool_of_the_other_cloud_names_the_key(raw_config) -> None:
    raw = {**raw_config, **oci_raw()}
    raw["models"] = [{**raw_config["models"][0], "pool": "a10", "cloud": "gcp"}]
    found = problems(raw)
    assert any(
        p.startswith("llm-platform:models[0].pool: gcp has no pool named 'a10'")
        and "set cloud: oci" in p
        for p in found
    )


def test_cloud_not_configured_is_an_error() -> None:
    raw = oci_raw(
        models=[{"name": "m", "model": "llama-3.2-1b-instruct", "pool": "l4", "cloud": "gcp"}]
    )
    assert any("models[0].cloud: gcp is not configured" in p for p in problems(raw))


def test_cloud_inferred_from_the_pool_when_both_are_configured(raw_config) -> None:
    raw = {**raw_config, **oci_raw()}
    raw["models"] = [
        raw_config["models"][0],
        {"name": "small", "model": "llama-3.2-1b-instruct", "pool": "a10"},
    ]
    _, servers = validate(raw, has_hf_token=True)
    assert [(s.config.name, s.cloud) for s in servers] == [
        ("llama-3-1-8b", "gcp"),
        ("small", "oci"),
    ]


def test_cloud_without_models_is_an_error(raw_config) -> None:
    raw = {**raw_config, **oci_raw()}
    assert any(p.startswith("llm-platform:oci: no model runs on it") for p in problems(raw))


@pytest.mark.parametrize(
    ("pool", "key", "words"),
    [
        ({"nodeShape": "VM.GPU.A10.1", "ocpus": 8, "memoryGb": 64}, "pools[0]", "fixed size"),
        ({"nodeShape": "VM.Standard.A1.Flex", "ocpus": 0, "memoryGb": 16}, "pools[0]", "1..80"),
        ({"nodeShape": "VM.Standard.A1.Flex", "ocpus": 4, "memoryGb": 300}, "pools[0]", "4..256"),
        ({"nodeShape": "VM.Standard.A1.Flex", "ocpus": 4}, "pools[0]", "required"),
        ({"nodeShape": "VM.Standard.E5.Flex"}, "pools[0].nodeShape", "VM.GPU.A10.1"),
    ],
)
def test_bad_pool_names_the_key(pool: dict[str, Any], key: str, words: str) -> None:
    raw = oci_raw()
    raw["oci"]["cluster"] = {"pools": [{"name": "p", **pool}]}
    found = problems(raw)
    assert any(p.startswith(f"llm-platform:oci.cluster.{key}") and words in p for p in found), (
        found
    )


def test_negative_quota_names_the_key() -> None:
    raw = oci_raw(tenants=[{"name": "web", "quota": {"requests": -5, "period": "DAY"}}])
    assert any(p.startswith("llm-platform:tenants[0].quota.requests:") for p in problems(raw))


@pytest.mark.parametrize(
    ("network", "words"),
    [
        ({"podsSubnet": "10.0.16.0/20"}, "overlaps podsSubnet (10.0.16.0/20)"),
        ({"workersSubnet": "10.1.0.0/24"}, "not inside vcnCidr"),
        ({"servicesCidr": "10.0.128.0/20"}, "servicesCidr (10.0.128.0/20) overlaps vcnCidr"),
        ({"vcnCidr": "10.0.0.1/16"}, "host bits"),
    ],
)
def test_bad_network_layout_names_the_key(network: dict[str, str], words: str) -> None:
    raw = oci_raw()
    raw["oci"]["network"] = network
    found = problems(raw)
    assert any(p.startswith("llm-platform:oci.network") and words in p for p in found), found


def test_public_api_endpoint_needs_an_allow_list_and_never_the_world() -> None:
    raw = oci_raw()
    raw["oci"]["cluster"] = {"endpoint": {"public": True}}
    assert any("allowedCidrs: a public API endpoint" in p for p in problems(raw))
    raw["oci"]["cluster"] = {"endpoint": {"public": True, "allowedCidrs": ["0.0.0.0/0"]}}
    assert any("opens the Kubernetes API to the internet" in p for p in problems(raw))


def test_llama_cpp_on_oke_needs_a_pinned_image() -> None:
    raw = oci_raw()
    del raw["oci"]["llamaCppImage"]
    assert any(p.startswith("llm-platform:oci.llamaCppImage: required") for p in problems(raw))
    raw["oci"]["llamaCppImage"] = "iad.ocir.io/ns/llama-server:latest"
    assert any(
        p.startswith("llm-platform:oci.llamaCppImage: ") and "moving tag 'latest'" in p
        for p in problems(raw)
    )


def test_more_tenants_than_usage_plans_is_an_error() -> None:
    raw = oci_raw(tenants=[{"name": f"t{i}"} for i in range(21)])
    assert any("20 usage plans per tenancy" in p for p in problems(raw))


def test_a1_flex_limits() -> None:
    assert A1_FLEX.problem(80, 512) is None
    assert A1_FLEX.problem(81, 512) is not None
    assert A1_FLEX.problem(16, 15) is not None  # at least 1 GB per OCPU
    assert A1_FLEX.shape(16, 64).vcpus == 16  # one OCPU is one Arm core


def test_gpu_and_arm_pools_register_their_taints_through_cloud_init() -> None:
    import base64

    a10 = OkePoolSettings(name="a10", node_shape="VM.GPU.A10.2")
    a1 = OkePoolSettings(name="a1", node_shape="VM.Standard.A1.Flex", ocpus=8, memory_gb=32)
    assert a10.taints == [GPU_TAINT] and a1.taints == [ARM_TAINT]
    script = base64.b64decode(node_cloud_init(a10.taints)).decode()
    assert "oke_init_script | base64 --decode > /var/run/oke-init.sh" in script
    assert script.strip().endswith(
        "bash /var/run/oke-init.sh --kubelet-extra-args"
        " --register-with-taints=nvidia.com/gpu=present:NoSchedule"
    )
    plain = base64.b64decode(node_cloud_init([])).decode()
    assert plain.strip().endswith("bash /var/run/oke-init.sh")


def test_node_image_is_the_newest_oke_build_of_the_right_kind() -> None:
    sources = [
        ImageSource(
            image_id="old", source_name="Oracle-Linux-8.10-Gen2-GPU-2025.08.31-0-OKE-1.34.2-1191"
        ),
        ImageSource(
            image_id="new", source_name="Oracle-Linux-8.10-Gen2-GPU-2025.11.20-0-OKE-1.34.2-1345"
        ),
        ImageSource(image_id="plain", source_name="Oracle-Linux-8.10-Gen2-GPU-2026.01.10-0"),
        ImageSource(
            image_id="other", source_name="Oracle-Linux-8.10-Gen2-GPU-2026.01.10-0-OKE-1.33.1-1400"
        ),
        ImageSource(
            image_id="arm", source_name="Oracle-Linux-8.10-aarch64-2025.11.20-0-OKE-1.34.2-1345"
        ),
    ]
    assert select_node_image(sources, "v1.34.2", "gpu").image_id == "new"
    assert select_node_image(sources, "v1.34.2", "aarch64").image_id == "arm"
    with pytest.raises(ValueError, match=r"no x86 Oracle Linux image for Kubernetes v1\.34\.2"):
        select_node_image(sources, "v1.34.2", "x86")

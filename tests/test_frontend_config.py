"""The frontend's configuration: pure checks (tiers, Cloud Run sizing, pinned images) and clear
errors naming the key for every bad value."""

import copy
from typing import Any

import pytest

from components.cost.frontend_cost import cloud_run_line, cloud_sql_hourly, cloud_sql_line
from components.database.settings import DatabaseSettings
from components.database.tiers import tier_problem
from components.frontend.cloud_run_limits import memory_mib, memory_problem
from components.frontend.settings import FrontendSettings
from components.images.reference import pinned_image_problem
from stacks.config import ConfigError, frontend_target, validate
from tests.conftest import BASE_CONFIG
from tests.test_oci_config import OCI

IMAGE = "us-central1-docker.pkg.dev/test-project-123/llm-test-frontend/quotes-llm:1.0.0"
FRONTEND: dict[str, Any] = {"image": IMAGE, "tenant": "quotes", "geminiModel": "gemini-x"}


def frontend_raw(**frontend: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["gcp"]["frontend"] = {**FRONTEND, **frontend}
    raw["tenants"] = [{"name": "default"}, {"name": "quotes"}]
    return raw


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        validate(raw, has_hf_token=True)
    return error.value.problems


def one_problem(raw: dict[str, Any], key: str) -> str:
    [problem] = problems(raw)
    assert problem.startswith(f"llm-platform:{key}: "), problem
    return problem


@pytest.mark.parametrize(
    ("tier", "edition", "wrong"),
    [
        ("db-custom-1-3840", "ENTERPRISE", None),
        ("db-custom-2-7680", "ENTERPRISE", None),
        ("db-custom-96-624128", "ENTERPRISE", None),
        ("db-f1-micro", "ENTERPRISE", None),
        ("db-perf-optimized-N-8", "ENTERPRISE_PLUS", None),
        ("db-custom-3-7680", "ENTERPRISE", "1 or an even number of vCPUs"),
        ("db-custom-98-401408", "ENTERPRISE", "1 or an even number of vCPUs"),
        ("db-custom-1-4000", "ENTERPRISE", "multiple of 256 MiB"),
        ("db-custom-1-3584", "ENTERPRISE", "1 vCPU take 3840..6656 MiB"),
        ("db-custom-1-6912", "ENTERPRISE", "1 vCPU take 3840..6656 MiB"),
        ("db-custom-4-3840", "ENTERPRISE", None),
        ("db-custom-8-7168", "ENTERPRISE", "8 vCPU take 7372..53248 MiB"),
        ("db-custom-4-3584", "ENTERPRISE", "4 vCPU take 3840..26624 MiB"),
        ("db-custom-1-3840", "ENTERPRISE_PLUS", "runs on edition ENTERPRISE"),
        ("db-g1-small", "ENTERPRISE_PLUS", "runs on edition ENTERPRISE"),
        ("db-perf-optimized-N-2", "ENTERPRISE", "runs on edition ENTERPRISE_PLUS"),
        ("db-perf-optimized-N-6", "ENTERPRISE_PLUS", "Enterprise Plus has N-2/4/8"),
        ("db-n1-standard-1", "ENTERPRISE", "is not a Cloud SQL for PostgreSQL tier"),
        ("db-custom-2", "ENTERPRISE", "is not a Cloud SQL for PostgreSQL tier"),
    ],
)
def test_cloud_sql_tiers(tier: str, edition: Any, wrong: str | None) -> None:
    problem = tier_problem(tier, edition)
    if wrong is None:
        assert problem is None
    else:
        assert problem is not None and wrong in problem


@pytest.mark.parametrize(
    ("memory", "cpu", "fits"),
    [
        ("512Mi", 1, True),
        ("4Gi", 1, True),
        ("4097Mi", 1, False),
        ("511Mi", 1, False),
        ("8Gi", 2, True),
        ("9Gi", 2, False),
        ("1Gi", 4, False),
        ("2Gi", 4, True),
        ("24Gi", 6, True),
        ("32Gi", 8, True),
        ("33Gi", 8, False),
    ],
)
def test_cloud_run_memory_per_cpu(memory: str, cpu: int, fits: bool) -> None:
    assert (memory_problem(memory, cpu) is None) is fits


def test_memory_strings() -> None:
    assert memory_mib("2Gi") == 2048
    assert memory_mib("512Mi") == 512
    assert memory_mib("2G") is None
    assert memory_mib("0Mi") is None
    assert "not a memory size" in (memory_problem("2GB", 2) or "")


@pytest.mark.parametrize(
    ("reference", "pinned"),
    [
        ("r/p/quotes-llm:1.0.0", True),
        ("r/p/quotes-llm@sha256:" + "a" * 64, True),
        ("r/p/quotes-llm:1.0@sha256:" + "a" * 64, True),
        ("localhost:5000/quotes-llm", False),
        ("r/p/quotes-llm", False),
        ("r/p/quotes-llm:latest", False),
    ],
)
def test_pinned_images(reference: str, pinned: bool) -> None:
    assert (pinned_image_problem(reference, "x:1") is None) is pinned


def test_jvm_flags_follow_the_cpu_count() -> None:
    settings = FrontendSettings.model_validate({**FRONTEND, "cpu": 4, "memory": "4Gi"})
    assert "-XX:ActiveProcessorCount=4" in settings.jvm_options
    assert "-XX:MaxRAMPercentage=80" in settings.jvm_options
    custom = FrontendSettings.model_validate({**FRONTEND, "javaToolOptions": "-Xmx1g"})
    assert custom.jvm_options == "-Xmx1g"


def test_a_valid_frontend_config_passes() -> None:
    stack, _ = validate(frontend_raw(), has_hf_token=True)
    assert stack.gcp is not None and stack.gcp.frontend is not None
    assert stack.gcp.frontend.database.edition == "ENTERPRISE"


def test_image_without_tag_or_digest() -> None:
    problem = one_problem(
        frontend_raw(image="us-central1-docker.pkg.dev/p/r/quotes-llm"), "gcp.frontend.image"
    )
    assert "has no tag or digest" in problem
    problem = one_problem(
        frontend_raw(image=IMAGE.replace("1.0.0", "latest")), "gcp.frontend.image"
    )
    assert "'latest'" in problem


def test_min_instances_above_max() -> None:
    problem = one_problem(frontend_raw(minInstances=5, maxInstances=2), "gcp.frontend")
    assert "minInstances (5) is above maxInstances (2)" in problem


def test_region_without_the_maas_model() -> None:
    raw = frontend_raw()
    raw["gcp"]["vertexAi"] = {"region": "europe-west4"}
    problem = one_problem(raw, "gcp.vertexAi")
    assert "offers meta/llama3-405b-instruct-maas in ['us-central1'], not europe-west4" in problem
    raw["gcp"]["vertexAi"] = {"model": "meta/llama-9-instruct-maas"}
    assert "is not a known MaaS model" in one_problem(raw, "gcp.vertexAi")


def test_database_tier_cloud_sql_refuses() -> None:
    problem = one_problem(
        frontend_raw(database={"tier": "db-n1-standard-2"}), "gcp.frontend.database"
    )
    assert "tier: 'db-n1-standard-2' is not a Cloud SQL for PostgreSQL tier" in problem
    problem = one_problem(
        frontend_raw(database={"tier": "db-perf-optimized-N-4"}), "gcp.frontend.database"
    )
    assert "set edition: ENTERPRISE_PLUS" in problem


def test_log_retention_above_the_edition_limit() -> None:
    problem = one_problem(frontend_raw(database={"logRetentionDays": 14}), "gcp.frontend.database")
    assert "ENTERPRISE keeps at most 7 days" in problem


def test_backup_window_must_be_a_time() -> None:
    problem = one_problem(
        frontend_raw(database={"backupStartTime": "3am"}), "gcp.frontend.database.backupStartTime"
    )
    assert "use HH:MM" in problem


def test_memory_that_does_not_fit_the_cpu() -> None:
    problem = one_problem(frontend_raw(cpu=1, memory="8Gi"), "gcp.frontend")
    assert "8Gi does not fit 1 vCPU" in problem


def test_invokers_are_iam_members_and_exclusive_with_public() -> None:
    assert "use public: true" in one_problem(
        frontend_raw(invokers=["allUsers"]), "gcp.frontend.invokers"
    )
    assert "is not an IAM member" in one_problem(
        frontend_raw(invokers=["ann@example.com"]), "gcp.frontend.invokers"
    )
    assert "remove invokers" in one_problem(
        frontend_raw(public=True, invokers=["user:ann@example.com"]), "gcp.frontend"
    )


def test_egress_subnet_must_be_big_enough_and_free() -> None:
    assert "/26 or larger" in one_problem(
        frontend_raw(egressCidr="10.30.0.0/27"), "gcp.frontend.egressCidr"
    )
    assert "overlaps the VPC's ranges ['10.20.0.0/14']" in one_problem(
        frontend_raw(egressCidr="10.21.0.0/24"), "gcp"
    )
    assert "['10.40.0.0/20']" in one_problem(frontend_raw(egressCidr="10.40.8.0/24"), "gcp")


def test_tenant_must_exist_and_be_accepted_by_the_model() -> None:
    raw = frontend_raw(tenant="nobody")
    assert "'nobody' is not in llm-platform:tenants" in one_problem(raw, "gcp.frontend.tenant")
    raw = frontend_raw()
    raw["models"][0]["tenants"] = ["default"]
    assert "accepts only ['default']" in one_problem(raw, "gcp.frontend.tenant")


def second_gke_model(raw: dict[str, Any]) -> dict[str, Any]:
    raw["gcp"]["cluster"]["pools"][0]["maxNodes"] = 4
    second = copy.deepcopy(raw["models"][0])
    second["name"] = "second"
    raw["models"].append(second)
    return raw


def test_a_model_behind_a_host_name_needs_a_domain() -> None:
    raw = second_gke_model(frontend_raw(model="second"))
    problem = one_problem(raw, "gcp.frontend.model")
    assert "served at second.<domain>" in problem and "'llama-3-1-8b'" in problem
    raw["gcp"]["edge"] = {"domain": "llm.example.com"}
    validate(raw, has_hf_token=True)


def test_unknown_model() -> None:
    problem = one_problem(frontend_raw(model="nope"), "gcp.frontend.model")
    assert "no model named 'nope'" in problem


def test_default_target_is_the_first_gke_model_even_beside_oci() -> None:
    raw = frontend_raw()
    raw["oci"] = copy.deepcopy(OCI)
    raw["models"].insert(
        0, {"name": "on-oke", "model": "llama-3.2-1b-instruct", "pool": "a10", "cloud": "oci"}
    )
    stack, servers = validate(raw, has_hf_token=True)
    target = frontend_target(stack, servers)
    assert target is not None and target.config.name == "llama-3-1-8b"


def test_cloud_sql_cost_by_hand() -> None:
    zonal = DatabaseSettings(tier="db-custom-1-3840")
    # 1 vCPU x $0.0413 + 3.75 GiB x $0.007 = $0.06755/h, plus 10 GB SSD at $0.17.
    assert cloud_sql_hourly(zonal) == pytest.approx(0.06755)
    assert cloud_sql_line(zonal).monthly_max == pytest.approx(0.06755 * 730 + 1.7)
    regional = DatabaseSettings(tier="db-custom-2-7680", availability="REGIONAL")
    assert cloud_sql_line(regional).monthly_min == pytest.approx(
        (2 * 0.0413 + 7.5 * 0.007) * 2 * 730 + 10 * 0.17 * 2
    )
    micro = DatabaseSettings(tier="db-f1-micro")
    assert cloud_sql_hourly(micro) == pytest.approx(0.0105)
    plus = DatabaseSettings(tier="db-perf-optimized-N-2", edition="ENTERPRISE_PLUS")
    assert cloud_sql_hourly(plus) == pytest.approx(2 * 0.0537 + 16 * 0.0091)


def test_cloud_run_cost_from_idle_minimum_to_busy_maximum() -> None:
    settings = FrontendSettings.model_validate(
        {**FRONTEND, "cpu": 2, "memory": "2Gi", "minInstances": 1, "maxInstances": 20}
    )
    line = cloud_run_line(settings)
    seconds = 730 * 3600
    assert line.monthly_min == pytest.approx((2 + 2) * 0.0000025 * seconds)
    assert line.monthly_max == pytest.approx(20 * (2 * 0.000024 + 2 * 0.0000025) * seconds)
    scale_to_zero = FrontendSettings.model_validate(FRONTEND)
    assert cloud_run_line(scale_to_zero).monthly_min == 0

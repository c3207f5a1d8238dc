"""The Cloud Run frontend under mocks: what the service receives, from where, and with which
rights; secrets only as Secret Manager references."""

import copy
from typing import Any

import pytest

from components.frontend.environment import CONTRACT
from stacks.mock_engine import Recording
from tests.conftest import ProgramRunner
from tests.stack_queries import (
    CLOUD_RUN_INVOKER,
    CLOUD_RUN_SERVICE,
    PROJECT_IAM_MEMBER,
    PROJECT_SERVICE,
    SECRET_IAM_MEMBER,
    SECRET_VERSION,
    SERVICE_NETWORKING,
    SQL_INSTANCE,
    SQL_USER,
    plain_strings,
    secret_value,
)
from tests.test_frontend_config import frontend_raw
from tests.test_oci_config import OCI

QUOTES_SECRET = "quotes-key-secret-do-not-leak-0001"
DOMAIN = "llm.example.com"


def run(run_stack: ProgramRunner, raw: dict[str, Any]) -> Recording:
    return run_stack(raw, key_secrets={"default": "default-secret", "quotes": QUOTES_SECRET})


@pytest.fixture
def stack(run_stack: ProgramRunner) -> Recording:
    raw = frontend_raw()
    raw["gcp"]["edge"] = {"domain": DOMAIN}
    return run(run_stack, raw)


def env(recording: Recording) -> dict[str, Any]:
    [container] = recording.one(CLOUD_RUN_SERVICE).inputs["template"]["containers"]
    return {e["name"]: e.get("value", e.get("valueSource")) for e in container["envs"]}


def frontend_member(recording: Recording, resource: Any) -> bool:
    return "frontend-sa" in " ".join(resource.dependencies)


def test_service_gets_both_endpoints_and_model_names(stack: Recording) -> None:
    variables = env(stack)
    assert variables["OPENAI_API_GKE_IP"] == f"https://{DOMAIN}"
    assert variables["OPENAI_API_GKE_MODEL"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert variables["VERTEX_AI_PROJECT_ID"] == "test-project-123"
    assert variables["VERTEX_AI_LOCATION"] == "us-central1"
    assert variables["VERTEX_AI_MODEL"] == "meta/llama3-405b-instruct-maas"
    assert variables["VERTEX_AI_GEMINI_MODEL"] == "gemini-x"
    assert variables["SPRING_DATASOURCE_USERNAME"] == "quotes"
    assert set(variables) == set(CONTRACT) - {"OPENAI_API_CLIENT_TOKEN"}


def test_key_and_password_arrive_only_as_secret_references(stack: Recording) -> None:
    variables = env(stack)
    key_ref = variables["OPENAI_API_KEY"]["secretKeyRef"]
    assert key_ref["secret"] == "projects/test-project-123/secrets/llm-test-api-key-quotes"
    password_ref = variables["SPRING_DATASOURCE_PASSWORD"]["secretKeyRef"]
    assert (
        password_ref["secret"] == "projects/test-project-123/secrets/llm-test-quotes-db-password"
    )
    service = stack.one(CLOUD_RUN_SERVICE)
    # Pinned to the version this update wrote, so a new value rolls out a new revision.
    assert any(d.endswith("::quotes-db-password-secret-version") for d in service.dependencies)
    for resource in stack.resources:
        assert not any(QUOTES_SECRET in s for s in plain_strings(resource.inputs)), resource.name
    version = stack.one(SECRET_VERSION, "quotes-db-password-secret-version")
    secret_value(version.inputs["secretData"])


def test_base_url_follows_the_edge(run_stack: ProgramRunner) -> None:
    raw = frontend_raw()
    raw["gcp"]["edge"] = {"domain": "other.example.org"}
    assert env(run(run_stack, raw))["OPENAI_API_GKE_IP"] == "https://other.example.org"
    raw = frontend_raw(model="second")
    raw["gcp"]["edge"] = {"domain": DOMAIN}
    raw["gcp"]["cluster"]["pools"][0]["maxNodes"] = 4
    second = copy.deepcopy(raw["models"][0])
    second["name"] = "second"
    raw["models"].append(second)
    assert env(run(run_stack, raw))["OPENAI_API_GKE_IP"] == f"https://second.{DOMAIN}"
    # Without a domain the URL is the load balancer's IP, known only once it exists.
    without = run(run_stack, frontend_raw())
    service = without.one(CLOUD_RUN_SERVICE)
    assert any(d.endswith("GlobalAddress::llm-edge-ip") for d in service.dependencies)


def test_a_model_on_oci_is_reached_through_its_api_gateway(run_stack: ProgramRunner) -> None:
    raw = frontend_raw(model="on-oke")
    raw["oci"] = copy.deepcopy(OCI)
    raw["models"].append(
        {"name": "on-oke", "model": "llama-3.2-1b-instruct", "pool": "a10", "cloud": "oci"}
    )
    recording = run(run_stack, raw)
    service = recording.one(CLOUD_RUN_SERVICE)
    assert any(
        d.endswith("oci:ApiGateway/deployment:Deployment::oci-edge-on-oke")
        for d in service.dependencies
    ), service.dependencies
    variables = env(recording)
    assert variables["OPENAI_API_GKE_MODEL"] == "meta-llama/Llama-3.2-1B-Instruct"
    token_ref = variables["OPENAI_API_CLIENT_TOKEN"]["secretKeyRef"]
    assert token_ref["secret"].endswith("/secrets/llm-test-oci-client-token-quotes")
    stored = recording.one(SECRET_VERSION, "frontend-oci-client-token-quotes-version")
    secret_value(stored.inputs["secretData"])


def test_service_account_has_exactly_its_roles(stack: Recording) -> None:
    roles = {
        r.inputs["role"] for r in stack.of_type(PROJECT_IAM_MEMBER) if frontend_member(stack, r)
    }
    assert roles == {"roles/aiplatform.user"}
    read = {
        r.inputs["secretId"] for r in stack.of_type(SECRET_IAM_MEMBER) if frontend_member(stack, r)
    }
    assert read == {
        "projects/test-project-123/secrets/llm-test-api-key-quotes",
        "projects/test-project-123/secrets/llm-test-quotes-db-password",
    }


def test_connector_mode_adds_the_cloud_sql_client_role(run_stack: ProgramRunner) -> None:
    recording = run(run_stack, frontend_raw(database={"connection": "connector"}))
    roles = {
        r.inputs["role"]
        for r in recording.of_type(PROJECT_IAM_MEMBER)
        if frontend_member(recording, r)
    }
    assert roles == {"roles/aiplatform.user", "roles/cloudsql.client"}
    service = recording.one(CLOUD_RUN_SERVICE)
    assert any(d.endswith("DatabaseInstance::quotes-db-instance") for d in service.dependencies)


def test_database_is_private_encrypted_backed_up(stack: Recording) -> None:
    instance = stack.one(SQL_INSTANCE)
    settings = instance.inputs["settings"]
    assert instance.inputs["databaseVersion"] == "POSTGRES_17"
    assert settings["edition"] == "ENTERPRISE" and settings["tier"] == "db-custom-1-3840"
    ip = settings["ipConfiguration"]
    assert ip["ipv4Enabled"] is False and ip["sslMode"] == "ENCRYPTED_ONLY"
    backups = settings["backupConfiguration"]
    assert backups["enabled"] is True and backups["pointInTimeRecoveryEnabled"] is True
    assert backups["transactionLogRetentionDays"] == 7
    assert instance.inputs["deletionProtection"] is True
    assert settings["deletionProtectionEnabled"] is True
    assert any(
        d.endswith(f"{SERVICE_NETWORKING}::private-services-peering")
        for d in instance.dependencies
    )
    database = stack.one("gcp:sql/database:Database")
    assert database.inputs["deletionPolicy"] == "PREVENT"
    peering = stack.one(SERVICE_NETWORKING)
    assert peering.inputs["deletionPolicy"] == "REMOVE_PEERING"
    reserved = stack.one("gcp:compute/globalAddress:GlobalAddress", "private-services-range")
    assert (reserved.inputs["address"], reserved.inputs["prefixLength"]) == ("10.40.0.0", 20)
    user = stack.one(SQL_USER)
    assert user.inputs["name"] == "quotes"
    secret_value(user.inputs["password"])


def test_deletion_protection_follows_config(run_stack: ProgramRunner) -> None:
    recording = run(run_stack, frontend_raw(database={"deletionProtection": False}))
    instance = recording.one(SQL_INSTANCE)
    assert instance.inputs["deletionProtection"] is False
    assert instance.inputs["settings"]["deletionProtectionEnabled"] is False
    assert recording.one("gcp:sql/database:Database").inputs["deletionPolicy"] == "DELETE"


def test_service_waits_for_its_grants_and_database_user(stack: Recording) -> None:
    deps = stack.one(CLOUD_RUN_SERVICE).dependencies
    assert any(d.endswith("SecretIamMember::frontend-reads-api-key-quotes") for d in deps)
    assert any(d.endswith("SecretIamMember::frontend-reads-db-password") for d in deps)
    assert any(d.endswith(f"{SQL_USER}::quotes-db-user") for d in deps)


def test_jvm_sizing_and_startup_probe(stack: Recording) -> None:
    template = stack.one(CLOUD_RUN_SERVICE).inputs["template"]
    [container] = template["containers"]
    assert container["resources"] == {
        "limits": {"cpu": "2", "memory": "2Gi"},
        "cpuIdle": True,
        "startupCpuBoost": True,
    }
    probe = container["startupProbe"]
    assert probe["httpGet"] == {"path": "/actuator/health", "port": 8080}
    assert probe["periodSeconds"] * probe["failureThreshold"] == 240
    assert template["scaling"] == {"minInstanceCount": 0, "maxInstanceCount": 10}
    assert template["maxInstanceRequestConcurrency"] == 80
    assert template["vpcAccess"]["egress"] == "PRIVATE_RANGES_ONLY"


def test_invokers(run_stack: ProgramRunner) -> None:
    private = run(run_stack, frontend_raw(invokers=["group:team@example.com"]))
    [member] = private.of_type(CLOUD_RUN_INVOKER)
    assert member.inputs["member"] == "group:team@example.com"
    assert member.inputs["role"] == "roles/run.invoker"
    public = run(run_stack, frontend_raw(public=True))
    assert [m.inputs["member"] for m in public.of_type(CLOUD_RUN_INVOKER)] == ["allUsers"]
    assert not run(run_stack, frontend_raw()).of_type(CLOUD_RUN_INVOKER)


def test_without_an_image_everything_but_the_service_is_created(run_stack: ProgramRunner) -> None:
    raw = frontend_raw()
    del raw["gcp"]["frontend"]["image"]
    recording = run(run_stack, raw)
    assert not recording.of_type(CLOUD_RUN_SERVICE)
    assert recording.of_type(SQL_INSTANCE)
    assert "frontendUrl" not in recording.outputs
    assert recording.outputs["frontendRepository"] == (
        "us-central1-docker.pkg.dev/test-project-123/llm-test-frontend"
    )
    assert any("gcp.frontend.image is not set" in w for w in recording.warnings)


def test_frontend_apis_and_outputs_only_with_a_frontend(
    stack: Recording, raw_config: dict[str, Any], run_stack: ProgramRunner
) -> None:
    apis = {s.inputs["service"] for s in stack.of_type(PROJECT_SERVICE)}
    assert {"run.googleapis.com", "sqladmin.googleapis.com"} <= apis
    assert "servicenetworking.googleapis.com" in apis
    for name in ("frontendUrl", "frontendServiceAccount", "quotesDatabase"):
        assert name in stack.outputs
    items = {line["item"] for line in stack.outputs["costEstimate"]["lines"]}
    assert {"cloud sql quotes db", "cloud run frontend"} <= items
    plain = run_stack(raw_config)
    assert "run.googleapis.com" not in {
        s.inputs["service"] for s in plain.of_type(PROJECT_SERVICE)
    }
    assert "frontendServiceAccount" not in plain.outputs
    assert not plain.of_type(SQL_INSTANCE)

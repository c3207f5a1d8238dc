"""Load tests under mocks: the Jobs, their target, key, identity, secrets and result buckets."""

import pytest

from stacks.mock_engine import Recording
from tests.conftest import HF_TOKEN, KEY_SECRET, run_config
from tests.stack_queries import (
    GSA,
    GSA_IAM_MEMBER,
    KSA,
    NETWORK_POLICY,
    SECRET_IAM_MEMBER,
    SECRET_PROVIDER_CLASS,
    plain_strings,
)
from tests.test_oci_config import oci_raw

JOB = "kubernetes:batch/v1:Job"
BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_IAM = "gcp:storage/bucketIAMMember:BucketIAMMember"
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_POLICY = "oci:Identity/policy:Policy"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


@pytest.fixture(scope="module")
def gke(request) -> Recording:
    from tests.conftest import BASE_CONFIG

    raw = dict(BASE_CONFIG)
    raw["tenants"] = [{"name": "default"}, {"name": "bench"}]
    raw["loadTests"] = [
        {"name": "rag", "preset": "rag", "tenant": "bench", "requests": 50},
        {"name": "chatbot", "preset": "chatbot"},
    ]
    return run_config(raw, key_secrets={"default": KEY_SECRET, "bench": "bench-secret-0000"})


def _job(recording: Recording, test: str) -> dict:
    return recording.one(JOB, f"gke-load-tests-{test}").inputs


def _option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_one_job_per_test_against_the_servers_service(gke) -> None:
    tests = {j.name for j in gke.of_type(JOB) if j.name.startswith("gke-load-tests")}
    assert tests == {"gke-load-tests-rag", "gke-load-tests-chatbot"}
    job = _job(gke, "rag")
    assert job["metadata"]["name"] == "load-test-rag"
    assert job["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"
    assert job["spec"]["backoffLimit"] == 0
    pod = job["spec"]["template"]["spec"]
    [bench] = pod["initContainers"]
    assert bench["image"] == "ghcr.io/vllm-project/guidellm:v0.8.1"
    backend = _option(bench["args"], "--backend")
    assert "target=http://llama-3-1-8b.llm.svc.cluster.local:8000/v1" in backend
    assert "model=meta-llama/Llama-3.1-8B-Instruct" in backend
    assert _option(bench["args"], "--data") == (
        "kind=synthetic_text,prompt_tokens=2000,output_tokens=200"
    )
    assert "kind=max_requests,count=50" in bench["args"]
    chatbot = _job(gke, "chatbot")["spec"]["template"]["spec"]["initContainers"][0]
    assert _option(chatbot["args"], "--data") == (
        "kind=synthetic_text,prompt_tokens=100,output_tokens=100"
    )


def test_a_job_starts_after_its_server_is_ready(gke) -> None:
    job = gke.one(JOB, "gke-load-tests-rag")
    server = gke.one(DEPLOYMENT)
    # The component's children, Deployment included (pulumi-kubernetes awaits its rollout).
    assert server.urn in job.dependencies


def test_the_tenant_key_comes_from_its_own_secret_files_not_a_literal(gke) -> None:
    pod = _job(gke, "rag")["spec"]["template"]["spec"]
    bench = pod["initContainers"][0]
    script = bench["command"][2]
    assert "/var/run/secrets/llm-platform/api-key-bench" in script
    assert "GUIDELLM__SPEC__BACKEND__API_KEY" in script and "HF_TOKEN" in script
    [secrets] = [v for v in pod["volumes"] if v["name"] == "secrets"]
    assert secrets["csi"]["volumeAttributes"]["secretProviderClass"] == "load-test-secrets"
    provider_class = gke.one(SECRET_PROVIDER_CLASS, "load-test-secrets-class").inputs
    listed = provider_class["spec"]["parameters"]["secrets"]
    # Only what the Jobs send: bench's and default's keys (the chatbot test) and the token.
    assert "api-key-bench" in listed and "api-key-default" in listed and "hf-token" in listed
    for secret in (KEY_SECRET, "bench-secret-0000", HF_TOKEN):
        for job in gke.of_type(JOB):
            assert not any(secret in s for s in plain_strings(job.inputs))


def test_the_jobs_identity_reads_its_secrets_and_writes_the_bucket_only(gke) -> None:
    gsa = gke.one(GSA, "load-tests-gsa")
    assert gsa.inputs["accountId"] == "llm-test-loadtest"
    grants = {
        g.inputs["secretId"]
        for g in gke.of_type(SECRET_IAM_MEMBER)
        if g.name.startswith("load-tests")
    }
    assert grants == {
        "projects/test-project-123/secrets/llm-test-api-key-bench",
        "projects/test-project-123/secrets/llm-test-api-key-default",
        "projects/test-project-123/secrets/llm-test-hf-token",
    }
    binding = gke.one(GSA_IAM_MEMBER, "load-tests-wi-user").inputs
    assert binding["member"] == "serviceAccount:test-project-123.svc.id.goog[llm/load-test]"
    writer = gke.one(BUCKET_IAM, "load-test-results-writer").inputs
    assert writer["role"] == "roles/storage.objectUser"
    bucket = gke.one(BUCKET, "load-test-results-bucket").inputs
    assert writer["bucket"] == bucket["name"] == "test-project-123-llm-test-load-tests"
    assert bucket["publicAccessPrevention"] == "enforced"
    assert bucket["uniformBucketLevelAccess"] is True
    assert bucket["location"] == "us-central1"
    # The model servers' identity gets nothing on the bucket.
    assert writer["member"] != "serviceAccount:" + str(gke.one(GSA, "model-servers-gsa").inputs)
    ksa = gke.one(KSA, "gke-load-tests-sa").inputs
    assert ksa["metadata"]["name"] == "load-test"
    assert "iam.gke.io/gcp-service-account" in ksa["metadata"]["annotations"]
    assert ksa["automountServiceAccountToken"] is False


def test_results_are_uploaded_to_the_bucket_under_the_test_and_time(gke) -> None:
    pod = _job(gke, "rag")["spec"]["template"]["spec"]
    [upload] = pod["containers"]
    assert upload["image"] == "gcr.io/google.com/cloudsdktool/google-cloud-cli:573.0.0-stable"
    env = {e["name"]: e["value"] for e in upload["env"]}
    assert env["BUCKET"] == "test-project-123-llm-test-load-tests"
    assert env["TEST"] == "rag"
    assert (
        'gcloud storage rsync "$RESULTS" "gs://$BUCKET/$TEST/$run" --recursive'
        in upload["command"][2]
    )


def test_the_servers_admit_the_load_test_pods(gke) -> None:
    policy = gke.one(NETWORK_POLICY).inputs
    [rule] = policy["spec"]["ingress"]
    pods = [p["podSelector"]["matchLabels"] for p in rule["from"] if "podSelector" in p]
    assert pods == [{"app.kubernetes.io/component": "load-test"}]
    labels = _job(gke, "rag")["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/component"] == "load-test"


def test_without_load_tests_nothing_is_created_and_nothing_admitted() -> None:
    from tests.conftest import BASE_CONFIG

    raw = dict(BASE_CONFIG, loadTests=[], weightsCache={"enabled": False})
    recording = run_config(raw)
    assert recording.of_type(JOB) == [] and recording.of_type(BUCKET) == []
    [rule] = recording.one(NETWORK_POLICY).inputs["spec"]["ingress"]
    assert not [p for p in rule["from"] if "podSelector" in p]


@pytest.fixture(scope="module")
def oke() -> Recording:
    return run_config(oci_raw())


def test_on_oke_the_article_tests_write_to_object_storage_with_workload_identity(oke) -> None:
    jobs = {j.name: j.inputs for j in oke.of_type(JOB) if j.name.startswith("oke-load-tests")}
    assert set(jobs) == {"oke-load-tests-chatbot", "oke-load-tests-rag"}
    chatbot = jobs["oke-load-tests-chatbot"]["spec"]["template"]["spec"]
    backend = _option(chatbot["initContainers"][0]["args"], "--backend")
    assert "target=http://llama-8b-a1.llm.svc.cluster.local:8000/v1" in backend
    assert "kind=concurrent,streams=4" in chatbot["initContainers"][0]["args"]
    # Workload identity signs with the pod's ServiceAccount token.
    assert chatbot["automountServiceAccountToken"] is True
    [volume] = [v for v in chatbot["volumes"] if v["name"] == "secrets"]
    assert {i["key"] for i in volume["secret"]["items"]} == {"api-key-default", "hf-token"}
    [upload] = chatbot["containers"]
    assert "--auth oke_workload_identity" in upload["command"][2]
    assert "--no-overwrite" in upload["command"][2]
    env = {e["name"]: e["value"] for e in upload["env"]}
    assert env["OCI_RESOURCE_PRINCIPAL_REGION"] == "us-ashburn-1"
    bucket = oke.one(OCI_BUCKET, "oke-load-test-results-bucket").inputs
    assert bucket["accessType"] == "NoPublicAccess"
    assert env["BUCKET"] == bucket["name"] == "llm-test-load-tests"
    [policy] = [p for p in oke.of_type(OCI_POLICY) if p.name == "oke-load-test-results-writer"]
    statements = policy.inputs["statements"]
    assert len(statements) == 2
    for statement in statements:
        assert "request.principal.service_account = 'load-test'" in statement
        assert "target.bucket.name = 'llm-test-load-tests'" in statement
    assert "request.permission = 'OBJECT_CREATE'" in statements[1]
    assert policy.urn in oke.one(JOB, "oke-load-tests-rag").dependencies


def test_the_outputs_say_where_each_test_runs_and_its_results_land(gke) -> None:
    tests = gke.outputs["loadTests"]
    assert set(tests) == {"rag", "chatbot"}
    assert tests["rag"] | {"namespace": None} == {
        "cloud": "gcp",
        "job": "load-test-rag",
        "namespace": None,
        "server": "llama-3-1-8b",
        "preset": "rag",
        "inputTokens": 2000,
        "outputTokens": 200,
        "concurrency": 16,
        "requests": 50,
        "results": "gs://test-project-123-llm-test-load-tests/rag/",
    }

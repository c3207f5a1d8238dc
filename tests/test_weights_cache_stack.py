"""The weights cache under mocks: buckets, who may read and write them, the fill Jobs, how the
servers mount their checkpoint, and that nothing but the fill Job reads the Hugging Face token.
Also the GKE image pull cut: image streaming and the regional pull-through mirrors."""

import re

import pytest
import yaml

from stacks.mock_engine import Recording
from tests.conftest import BASE_CONFIG, HF_TOKEN, run_config
from tests.stack_queries import (
    CLUSTER,
    DEPLOYMENT,
    GSA,
    GSA_IAM_MEMBER,
    KSA,
    NODE_POOL,
    PROJECT_SERVICE,
    SECRET_IAM_MEMBER,
    SECRET_PROVIDER_CLASS,
    plain_strings,
    pod_spec,
)
from tests.test_oci_config import oci_raw

JOB = "kubernetes:batch/v1:Job"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_IAM = "gcp:storage/bucketIAMMember:BucketIAMMember"
REPOSITORY = "gcp:artifactregistry/repository:Repository"
REPOSITORY_IAM = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_POLICY = "oci:Identity/policy:Policy"
HF_SECRET = "projects/test-project-123/secrets/llm-test-hf-token"
FILL_JOB = "gke-weights-fill-llama-3.1-8b-instruct"


@pytest.fixture(scope="module")
def gke() -> Recording:
    return run_config(dict(BASE_CONFIG, loadTests=[]))


def _containers(pod: dict) -> dict[str, dict]:
    return {c["name"]: c for c in pod.get("initContainers", []) + pod["containers"]}


def test_the_gke_bucket_is_private_readable_by_servers_writable_by_the_fill_job(gke) -> None:
    bucket = gke.one(BUCKET, "weights-cache-bucket").inputs
    assert bucket["name"] == "test-project-123-llm-test-weights"
    assert bucket["location"] == "us-central1"  # the cluster's region, any of its zones
    assert bucket["uniformBucketLevelAccess"] is True
    assert bucket["publicAccessPrevention"] == "enforced"
    reader = gke.one(BUCKET_IAM, "weights-cache-reader")
    writer = gke.one(BUCKET_IAM, "weights-cache-writer")
    assert reader.inputs["role"] == "roles/storage.objectViewer"
    assert writer.inputs["role"] == "roles/storage.objectUser"
    servers = gke.one(GSA, "model-servers-gsa")
    fill = gke.one(GSA, "weights-fill-gsa")
    assert servers.urn in reader.dependencies and fill.urn not in reader.dependencies
    assert fill.urn in writer.dependencies and servers.urn not in writer.dependencies
    assert fill.inputs["accountId"] == "llm-test-weights"
    binding = gke.one(GSA_IAM_MEMBER, "weights-fill-wi-user").inputs
    assert binding["member"] == "serviceAccount:test-project-123.svc.id.goog[llm/weights-fill]"
    assert {b.name for b in gke.of_type(BUCKET_IAM)} == {
        "weights-cache-reader",
        "weights-cache-writer",
    }


def test_only_the_fill_job_reads_the_hugging_face_token(gke) -> None:
    grants = {g.name: g.inputs["secretId"] for g in gke.of_type(SECRET_IAM_MEMBER)}
    readers = {name for name, secret in grants.items() if secret == HF_SECRET}
    assert readers == {"weights-fill-reads-hf-token"}
    server_files = yaml.safe_load(
        gke.one(SECRET_PROVIDER_CLASS, "model-server-secrets-class").inputs["spec"]["parameters"][
            "secrets"
        ]
    )
    assert [f["path"] for f in server_files] == ["api-key-default"]
    fill_files = yaml.safe_load(
        gke.one(SECRET_PROVIDER_CLASS, "weights-fill-secrets-class").inputs["spec"]["parameters"][
            "secrets"
        ]
    )
    assert fill_files == [{"resourceName": f"{HF_SECRET}/versions/latest", "path": "hf-token"}]
    [server] = pod_spec(gke)["containers"]
    assert "hf-token" not in server["command"][2]
    assert {e["name"]: e["value"] for e in server["env"]}["HF_HUB_OFFLINE"] == "1"
    everything = list(plain_strings([r.inputs for r in gke.resources]))
    assert not [s for s in everything if HF_TOKEN in s]


def test_one_fill_job_checks_fetches_then_uploads_with_its_own_identity(gke) -> None:
    [job] = gke.of_type(JOB)
    assert job.name == FILL_JOB
    spec = job.inputs["spec"]
    assert job.inputs["metadata"]["name"] == "weights-llama-3-1-8b-instruct"
    # pulumi up waits for it (no skipAwait), as long as twice a 16 GB download takes.
    assert "annotations" not in job.inputs["metadata"]
    assert spec["activeDeadlineSeconds"] == 1800
    assert job.custom_timeouts["create"] == "31m"
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "weights-fill"
    assert pod["automountServiceAccountToken"] is False
    assert [c["name"] for c in pod["initContainers"]] == ["check", "fetch"]
    containers = _containers(pod)
    fetch = containers["fetch"]
    assert fetch["image"].startswith("python:3.12.8-slim-bookworm@sha256:")
    assert fetch["args"] == [
        "python3",
        "/opt/weights-fill/hf_fetch.py",
        "--repo",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--include",
        "*.safetensors",
        "--include",
        "*.json",
        "--include",
        "tokenizer.model",
        "--include",
        "*.jinja",
        "--include",
        "*.txt",
        "--dest",
        "/scratch/weights",
        "--revision-file",
        "/scratch/revision",
        "--skip-if",
        "/scratch/done",
    ]
    assert 'HF_TOKEN="$s0" && export HF_TOKEN' in fetch["command"][2]
    assert fetch["resources"]["requests"]["ephemeral-storage"] == "19Gi"  # 16 GB + 10% + 2
    check, upload = containers["check"], containers["upload"]
    assert 'gcloud storage objects describe "gs://$BUCKET/$MARKER"' in check["command"][2]
    assert (
        'gcloud storage rsync "$WEIGHTS" "gs://$BUCKET/$PREFIX" --recursive'
        in (upload["command"][2])
    )
    # The marker goes last, once the files are all there.
    assert upload["command"][2].endswith(
        'gcloud storage cp "$REVISION" "gs://$BUCKET/$MARKER"; } && break;'
        ' [ "$attempt" = 5 ] && exit 1; sleep 5; done'
    )
    env = {e["name"]: e["value"] for e in upload["env"]}
    assert env["PREFIX"] == "models/llama-3.1-8b-instruct"
    assert env["MARKER"] == "models/llama-3.1-8b-instruct/.complete"
    assert env["BUCKET"] == "test-project-123-llm-test-weights"
    script = gke.one(CONFIG_MAP, "gke-weights-fill-script")
    assert "def fetch(" in script.inputs["data"]["hf_fetch.py"]
    assert gke.one(BUCKET_IAM, "weights-cache-writer").urn in job.dependencies
    assert gke.one(GSA_IAM_MEMBER, "weights-fill-wi-user").urn in job.dependencies
    assert 'rm -f "$CLOUDSDK_CONFIG/gce"' in check["command"][2]
    ksa = next(k for k in gke.of_type(KSA) if k.inputs["metadata"]["name"] == "weights-fill")
    annotations = ksa.inputs["metadata"]["annotations"]
    assert "iam.gke.io/gcp-service-account" in annotations


def test_the_server_mounts_its_prefix_read_only_through_gcs_fuse_after_the_fill(gke) -> None:
    deployment = gke.one(DEPLOYMENT)
    assert gke.one(JOB).urn in deployment.dependencies
    assert gke.one(BUCKET_IAM, "weights-cache-reader").urn in deployment.dependencies
    template = deployment.inputs["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert annotations["gke-gcsfuse/volumes"] == "true"
    assert annotations["gke-gcsfuse/cpu-limit"] == annotations["gke-gcsfuse/memory-limit"] == "0"
    volume = next(v for v in template["spec"]["volumes"] if v["name"] == "weights")
    assert volume["csi"]["driver"] == "gcsfuse.csi.storage.gke.io"
    assert volume["csi"]["readOnly"] is True
    attributes = volume["csi"]["volumeAttributes"]
    assert attributes["bucketName"] == "test-project-123-llm-test-weights"
    options = attributes["mountOptions"].split(",")
    assert options[0] == "only-dir=models/llama-3.1-8b-instruct"
    assert {"file-cache:max-size-mb:0", "read:enable-buffered-read:true"} <= set(options)
    [server] = template["spec"]["containers"]
    mount = next(m for m in server["volumeMounts"] if m["name"] == "weights")
    assert mount == {"name": "weights", "mountPath": "/weights", "readOnly": True}
    assert server["args"][2] == "/weights"
    assert server["args"][server["args"].index("--served-model-name") + 1] == (
        "meta-llama/Llama-3.1-8B-Instruct"
    )
    # Only caches on the server's own disk now; the weights are not copied there.
    assert server["resources"]["requests"]["ephemeral-storage"] == "10Gi"
    assert gke.one(CLUSTER).inputs["addonsConfig"]["gcsFuseCsiDriverConfig"] == {"enabled": True}


def test_gke_streams_images_pulled_through_regional_mirrors(gke) -> None:
    for pool in gke.of_type(NODE_POOL):
        assert pool.inputs["nodeConfig"]["gcfsConfig"] == {"enabled": True}
    [mirror] = gke.of_type(REPOSITORY)
    assert mirror.name == "mirror-dockerhub-repo"
    assert mirror.inputs["mode"] == "REMOTE_REPOSITORY"
    assert mirror.inputs["remoteRepositoryConfig"]["dockerRepository"] == {
        "publicRepository": "DOCKER_HUB"
    }
    reader = gke.one(REPOSITORY_IAM)
    assert reader.inputs["role"] == "roles/artifactregistry.reader"
    assert gke.one(GSA, "llm-nodes").urn in reader.dependencies  # the nodes pull
    [server] = pod_spec(gke)["containers"]
    assert server["image"] == (
        "us-central1-docker.pkg.dev/test-project-123/llm-test-dockerhub/vllm/vllm-openai:v0.33.0"
    )
    apis = {s.inputs["service"] for s in gke.of_type(PROJECT_SERVICE)}
    assert {"containerfilesystem.googleapis.com", "storage.googleapis.com"} <= apis


def test_tgi_images_come_through_a_ghcr_mirror() -> None:
    raw = dict(BASE_CONFIG, loadTests=[])
    raw["models"] = [
        {
            "name": "tgi-8b",
            "model": "llama-3.1-8b-instruct",
            "pool": "l4",
            "server": {"type": "tgi"},
        }
    ]
    recording = run_config(raw)
    [mirror] = recording.of_type(REPOSITORY)
    assert mirror.inputs["remoteRepositoryConfig"]["commonRepository"] == {
        "uri": "https://ghcr.io"
    }
    [server] = pod_spec(recording, "tgi-8b-deployment")["containers"]
    assert server["image"].endswith("/llm-test-ghcr/huggingface/text-generation-inference:3.3.4")
    assert server["args"][server["args"].index("--model-id") + 1] == "/weights"


def test_without_the_cache_servers_download_and_nothing_is_cached() -> None:
    recording = run_config(
        dict(
            BASE_CONFIG,
            loadTests=[],
            weightsCache={"enabled": False},
            gcp={
                **BASE_CONFIG["gcp"],
                "cluster": {**BASE_CONFIG["gcp"]["cluster"], "imageStreaming": False},
            },
        )
    )
    assert recording.of_type(JOB) == [] and recording.of_type(BUCKET) == []
    assert recording.of_type(REPOSITORY) == []
    [server] = pod_spec(recording)["containers"]
    assert server["image"] == "vllm/vllm-openai:v0.33.0"
    assert server["args"][2] == "meta-llama/Llama-3.1-8B-Instruct"
    assert 'HF_TOKEN="$s1" && export HF_TOKEN' in server["command"][2]
    assert "HF_HUB_OFFLINE" not in {e["name"] for e in server["env"]}
    assert not [v for v in pod_spec(recording)["volumes"] if v["name"] == "weights"]
    # The probe follows the budget: 16.06 GB at 53.1 MB/s (303 s) + 73 s, twice: 752 s.
    probe = server["startupProbe"]
    assert (probe["periodSeconds"], probe["failureThreshold"]) == (10, 76)


@pytest.fixture(scope="module")
def oke() -> Recording:
    return run_config(oci_raw(loadTests=[]))


def test_oke_fills_each_checkpoint_once_with_write_rights_only_there(oke) -> None:
    names = [j.inputs["metadata"]["name"] for j in oke.of_type(JOB)]
    assert "weights-llama-3-1-8b-instruct-q8-0-gguf" in names
    for name in names:  # DNS-1123 labels, or the API server refuses the Job
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", name), name
    jobs = {j.name for j in oke.of_type(JOB)}
    assert jobs == {
        "oke-weights-fill-llama-3.1-8b-instruct",
        "oke-weights-fill-llama-3.2-1b-instruct",
        "oke-weights-fill-llama-3.1-8b-instruct-q8_0-gguf",
    }
    gguf = oke.one(JOB, "oke-weights-fill-llama-3.1-8b-instruct-q8_0-gguf").inputs
    pod = gguf["spec"]["template"]["spec"]
    fetch = _containers(pod)["fetch"]
    includes = [fetch["args"][i + 1] for i, a in enumerate(fetch["args"]) if a == "--include"]
    assert includes == ["Meta-Llama-3.1-8B-Instruct-Q8_0.gguf"]
    # OKE workload identity signs with the ServiceAccount token.
    assert pod["automountServiceAccountToken"] is True
    upload = _containers(pod)["upload"]["command"][2]
    assert "oci os object bulk-upload --auth oke_workload_identity" in upload
    assert '--object-prefix "$PREFIX/" --overwrite' in upload
    assert 'oci os object put --auth oke_workload_identity -ns "$OS_NAMESPACE"' in upload
    writer = oke.one(OCI_POLICY, "oke-weights-cache-writer")
    statements = writer.inputs["statements"]
    assert "request.principal.service_account = 'weights-fill'" in statements[1]
    assert "target.bucket.name = 'llm-test-weights'" in statements[1]
    assert "request.permission = 'OBJECT_OVERWRITE'" in statements[1]
    assert writer.urn in oke.one(JOB, "oke-weights-fill-llama-3.2-1b-instruct").dependencies


def test_oke_servers_copy_their_prefix_with_read_only_rights(oke) -> None:
    reader = oke.one(OCI_POLICY, "oke-weights-cache-reader").inputs["statements"]
    assert len(reader) == 1
    assert reader[0].startswith("Allow any-user to read objects in compartment id")
    assert "request.principal.service_account = 'model-server'" in reader[0]
    assert "target.bucket.name = 'llm-test-weights'" in reader[0]
    bucket = oke.one(OCI_BUCKET, "oke-weights-cache-bucket").inputs
    assert bucket["accessType"] == "NoPublicAccess" and bucket["storageTier"] == "Standard"
    deployment = oke.one(DEPLOYMENT, "llama-8b-a1-deployment")
    assert oke.one(OCI_POLICY, "oke-weights-cache-reader").urn in deployment.dependencies
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    [copy] = pod["initContainers"]
    script = copy["command"][2]
    assert 'oci os object sync --auth oke_workload_identity -ns "$OS_NAMESPACE" -bn "$BUCKET"' in (
        script
    )
    assert '--prefix "$PREFIX/" --dest-dir /weights' in script
    assert script.endswith("test -s /weights/.complete")
    env = {e["name"]: e["value"] for e in copy["env"]}
    assert env["PREFIX"] == "models/llama-3.1-8b-instruct-q8_0-gguf"
    token_mount = {m["name"]: m for m in copy["volumeMounts"]}["oci-workload-token"]
    assert token_mount["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"
    [server] = pod["containers"]
    assert "oci-workload-token" not in {m["name"] for m in server["volumeMounts"]}
    assert {"name": "weights", "mountPath": "/weights", "readOnly": True} in server["volumeMounts"]
    args = server["args"]
    assert args[args.index("--model") + 1] == "/weights/Meta-Llama-3.1-8B-Instruct-Q8_0.gguf"
    assert "--hf-repo" not in args
    # The copy (8.5 GB + 10% + 2 GiB) lands on the pod's disk beside the 10 GiB of caches.
    assert server["resources"]["requests"]["ephemeral-storage"] == "21Gi"

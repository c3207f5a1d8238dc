"""Load-test Jobs on any Kubernetes cluster: one Job per configured test, run once when it is
created (re-run with `pulumi up --replace <urn>`), GuideLLM first, then an upload of its report
files to the cloud's bucket with the pod's own identity.

Cloud-neutral: the Kubernetes provider arrives through `opts`; the cloud supplies the identity
annotations of the Jobs' ServiceAccount, the secret files and the upload container.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.loadtest.guidellm import (
    GUIDELLM_IMAGE,
    RESULTS_DIR,
    WORKER_PROCESSES,
    BenchmarkSpec,
    benchmark_secrets,
    guidellm_args,
)
from components.naming import known_name
from components.serving.secret_files import (
    SECRETS_MOUNT_PATH,
    SecretFiles,
    SecretInputs,
    launcher_command,
)

LOAD_TEST_COMPONENT = {"app.kubernetes.io/component": "load-test"}
"""The label of every load-test pod; the model servers' NetworkPolicy admits it."""
SERVICE_ACCOUNT_NAME = "load-test"
"""Fixed, because the cloud identity binding names it before the namespace exists."""
RESULTS_VOLUME = "results"
SCRATCH_VOLUME = "scratch"
SCRATCH_DIR = "/scratch"
"""Writable space apart from the results: the tokenizer cache, the CLIs' configuration."""
SECRETS_VOLUME = "secrets"
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}
"""pulumi-kubernetes would otherwise hold `pulumi up` until the benchmark finishes."""
DEADLINE_MARGIN_SECONDS = 900
"""Beyond the benchmark's own limit: image pulls, the tokenizer download, the upload."""


@dataclass(frozen=True, kw_only=True)
class ResultUpload:
    """A container that copies `RESULTS_DIR` to the cloud's bucket under `<test>/<UTC time>/`.

    It reads the test's name from `$TEST` and writes with the pod's own cloud identity."""

    image: str
    script: str
    """`sh` script; `$TEST` names the test, `$RESULTS` the directory."""
    env: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    location: pulumi.Input[str]
    """Where results land, for people: `gs://bucket/`, `oci://bucket@namespace/`."""


@dataclass(frozen=True, kw_only=True)
class LoadTestJob:
    name: str
    spec: BenchmarkSpec
    after: Sequence[pulumi.Resource] = ()
    """The target server: a benchmark against a server still starting fails its health check."""


@dataclass(frozen=True, kw_only=True)
class LoadTestsArgs:
    namespace: pulumi.Input[str]
    jobs: Sequence[LoadTestJob]
    secrets: SecretFiles
    upload: ResultUpload
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    mount_service_account_token: bool = False
    """OKE workload identity signs requests with the pod's ServiceAccount token."""


def job_name(test: str) -> str:
    return f"load-test-{test}"


def _guidellm_container(spec: BenchmarkSpec, inputs: SecretInputs) -> k8s.core.v1.ContainerArgs:
    return k8s.core.v1.ContainerArgs(
        name="guidellm",
        image=GUIDELLM_IMAGE,
        command=launcher_command(inputs),
        args=guidellm_args(spec),
        env=[
            k8s.core.v1.EnvVarArgs(
                name="GUIDELLM__MAX_WORKER_PROCESSES", value=str(WORKER_PROCESSES)
            ),
            # Not under the results, which are uploaded as they are.
            k8s.core.v1.EnvVarArgs(name="HF_HOME", value=f"{SCRATCH_DIR}/huggingface"),
        ],
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": str(WORKER_PROCESSES), "memory": "3Gi"},
            limits={"memory": "6Gi"},
        ),
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name=RESULTS_VOLUME, mount_path=RESULTS_DIR),
            k8s.core.v1.VolumeMountArgs(name=SCRATCH_VOLUME, mount_path=SCRATCH_DIR),
            k8s.core.v1.VolumeMountArgs(
                name=SECRETS_VOLUME, mount_path=SECRETS_MOUNT_PATH, read_only=True
            ),
        ],
    )


def _upload_container(test: str, upload: ResultUpload) -> k8s.core.v1.ContainerArgs:
    env = {"TEST": test, "RESULTS": RESULTS_DIR, **upload.env}
    return k8s.core.v1.ContainerArgs(
        name="upload",
        image=upload.image,
        command=["/bin/sh", "-c", upload.script],
        env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted(env.items())],
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": "100m", "memory": "256Mi"}, limits={"memory": "1Gi"}
        ),
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name=RESULTS_VOLUME, mount_path=RESULTS_DIR),
            k8s.core.v1.VolumeMountArgs(name=SCRATCH_VOLUME, mount_path=SCRATCH_DIR),
        ],
    )


class LoadTests(pulumi.ComponentResource):
    job_names: dict[str, str]
    """Test -> its Job's name (`kubectl logs job/<name> -c guidellm`)."""
    results_location: pulumi.Input[str]

    def __init__(
        self, name: str, args: LoadTestsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:loadtest:LoadTests", name, None, opts)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=SERVICE_ACCOUNT_NAME,
                namespace=args.namespace,
                annotations=args.service_account_annotations or None,
                labels=LOAD_TEST_COMPONENT,
            ),
            automount_service_account_token=args.mount_service_account_token,
            opts=pulumi.ResourceOptions(parent=self),
        )
        account_name = known_name(account, SERVICE_ACCOUNT_NAME)
        self.job_names = {}
        for job in args.jobs:
            self.job_names[job.name] = self._job(name, job, args, account_name)
        self.results_location = args.upload.location
        self.register_outputs({"job_names": self.job_names, "results": self.results_location})

    def _job(
        self,
        name: str,
        job: LoadTestJob,
        args: LoadTestsArgs,
        account_name: pulumi.Input[str],
    ) -> str:
        inputs = benchmark_secrets(job.spec.tenant)
        pod = k8s.core.v1.PodSpecArgs(
            service_account_name=account_name,
            automount_service_account_token=args.mount_service_account_token,
            restart_policy="Never",
            # The benchmark first, then the upload: a failed run uploads nothing and fails
            # the Job. GPU and Arm nodes are tainted, so both land on the system pool.
            init_containers=[_guidellm_container(job.spec, inputs)],
            containers=[_upload_container(job.name, args.upload)],
            security_context=k8s.core.v1.PodSecurityContextArgs(
                run_as_non_root=True, run_as_user=1001, fs_group=0
            ),
            volumes=[
                k8s.core.v1.VolumeArgs(
                    name=RESULTS_VOLUME,
                    empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="1Gi"),
                ),
                k8s.core.v1.VolumeArgs(
                    name=SCRATCH_VOLUME,
                    empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="2Gi"),
                ),
                args.secrets.volume(SECRETS_VOLUME, sorted(inputs.files)),
            ],
        )
        resource_name = job_name(job.name)
        k8s.batch.v1.Job(
            f"{name}-{job.name}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=resource_name,
                namespace=args.namespace,
                labels=LOAD_TEST_COMPONENT,
                annotations=SKIP_AWAIT,
            ),
            spec=k8s.batch.v1.JobSpecArgs(
                # A load test that fails is a finding, not something to retry unnoticed.
                backoff_limit=0,
                active_deadline_seconds=job.spec.max_seconds + DEADLINE_MARGIN_SECONDS,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels={**LOAD_TEST_COMPONENT, "llm-platform/load-test": job.name}
                    ),
                    spec=pod,
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(job.after)),
        )
        return resource_name

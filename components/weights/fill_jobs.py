"""Fill Jobs on any Kubernetes cluster: one Job per cached checkpoint downloads its serving files
from Hugging Face once and copies them into the cloud's cache bucket, with the Job's own
identity, the only one allowed to write there.

Three steps in one pod, in order (a failure stops the pod and fails the Job):
1. `check` (the cloud's CLI image): the bucket already holds the prefix's completion marker,
   so the rest is skipped; a re-created Job costs seconds, not a 16 GB download.
2. `fetch` (a stock Python image): `hf_fetch.py`, shipped in a ConfigMap, downloads the files
   at one commit into the pod's scratch space, with the Hugging Face token when there is one.
3. `upload` (the cloud's CLI image): copies them under `<prefix>/`, then writes the marker.

Cloud-neutral: the Kubernetes provider arrives through `opts`; the cloud supplies the CLI steps
(`CacheStore`), the identity annotations of the ServiceAccount and the secret files.
pulumi-kubernetes waits for a Job to complete, so servers that depend on it start after it.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.naming import known_name
from components.serving.secret_files import (
    HF_TOKEN_KEY,
    SECRETS_MOUNT_PATH,
    SecretFiles,
    SecretInputs,
    launcher_command,
)

FILL_COMPONENT = {"app.kubernetes.io/component": "weights-fill"}
SERVICE_ACCOUNT_NAME = "weights-fill"
"""Fixed, because the cloud identity binding names it before the namespace exists."""
PYTHON_IMAGE = (
    "python:3.12.8-slim-bookworm"
    "@sha256:2199a62885a12290dc9c5be3ca0681d367576ab7bf037da120e564723292a2f0"
)
"""Docker's official image (linux/amd64 and linux/arm64); the digest as two unrelated public
repositories pin it. `hf_fetch.py` needs only its standard library."""
SCRATCH_DIR = "/scratch"
WEIGHTS_DIR = f"{SCRATCH_DIR}/weights"
DONE_FILE = f"{SCRATCH_DIR}/done"
"""Created by `check` when the bucket already holds the checkpoint."""
REVISION_FILE = f"{SCRATCH_DIR}/revision"
"""The commit `fetch` read; `upload` stores it as the completion marker."""
SCRIPT_DIR = "/opt/weights-fill"
SCRIPT_NAME = "hf_fetch.py"
RUN_AS_USER = 1001
DNS_LABEL_MAX = 63
_SCRATCH_VOLUME = "scratch"
_SCRIPT_VOLUME = "script"
_SECRETS_VOLUME = "secrets"


@dataclass(frozen=True, kw_only=True)
class CacheStore:
    """How one cloud's CLI checks and fills the cache bucket with the pod's own identity.

    Both scripts are `sh`; they read `$PREFIX` (`models/<key>`), `$MARKER` (the marker's object
    name), `$DONE`, `$WEIGHTS` and `$REVISION` from the environment."""

    image: str
    check_script: str
    """Exit 0; create `$DONE` when `$MARKER` exists in the bucket."""
    upload_script: str
    """Copy `$WEIGHTS` under `$PREFIX/`, then `$REVISION` to `$MARKER`."""
    env: dict[str, pulumi.Input[str]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class FillJob:
    key: str
    """The checkpoint's catalogue key: names the Job."""
    repo: str
    include: tuple[str, ...]
    prefix: str
    marker: str
    needs_token: bool
    scratch_gib: int
    """Room for the downloaded files."""
    deadline_seconds: int
    """The Job's `activeDeadlineSeconds` and how long `pulumi up` waits for it."""


@dataclass(frozen=True, kw_only=True)
class WeightsFillArgs:
    namespace: pulumi.Input[str]
    jobs: Sequence[FillJob]
    store: CacheStore
    secrets: SecretFiles | None
    """Holds `hf-token`; None: no token, the repositories are read anonymously."""
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    mount_service_account_token: bool = False
    """OKE workload identity signs requests with the pod's ServiceAccount token."""
    after: Sequence[pulumi.Resource] = ()
    """The write grant: an upload before it exists fails the Job."""


def job_name(key: str) -> str:
    """`weights-<key>` as a DNS label: catalogue keys carry dots and underscores
    (`llama-3.1-8b-instruct-q8_0-gguf`), which Kubernetes names refuse."""
    name = re.sub(r"[^a-z0-9-]+", "-", f"weights-{key.lower()}").strip("-")
    if len(name) > DNS_LABEL_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:6]
        name = f"{name[: DNS_LABEL_MAX - 7].rstrip('-')}-{digest}"
    return name


def fetch_args(job: FillJob) -> list[str]:
    args = ["python3", f"{SCRIPT_DIR}/{SCRIPT_NAME}", "--repo", job.repo]
    for pattern in job.include:
        args += ["--include", pattern]
    return [
        *args,
        "--dest",
        WEIGHTS_DIR,
        "--revision-file",
        REVISION_FILE,
        "--skip-if",
        DONE_FILE,
    ]


def _cli_container(
    name: str, script: str, job: FillJob, store: CacheStore
) -> k8s.core.v1.ContainerArgs:
    env: dict[str, pulumi.Input[str]] = {
        "PREFIX": job.prefix,
        "MARKER": job.marker,
        "DONE": DONE_FILE,
        "WEIGHTS": WEIGHTS_DIR,
        "REVISION": REVISION_FILE,
        "HOME": SCRATCH_DIR,
        **store.env,
    }
    return k8s.core.v1.ContainerArgs(
        name=name,
        image=store.image,
        command=["/bin/sh", "-c", script],
        env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted(env.items())],
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": "500m", "memory": "512Mi"}, limits={"memory": "2Gi"}
        ),
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name=_SCRATCH_VOLUME, mount_path=SCRATCH_DIR)],
    )


def _fetch_container(job: FillJob) -> k8s.core.v1.ContainerArgs:
    inputs = SecretInputs(env={"HF_TOKEN": (HF_TOKEN_KEY,)} if job.needs_token else {})
    mounts = [
        k8s.core.v1.VolumeMountArgs(name=_SCRATCH_VOLUME, mount_path=SCRATCH_DIR),
        k8s.core.v1.VolumeMountArgs(name=_SCRIPT_VOLUME, mount_path=SCRIPT_DIR, read_only=True),
    ]
    if job.needs_token:
        mounts.append(
            k8s.core.v1.VolumeMountArgs(
                name=_SECRETS_VOLUME, mount_path=SECRETS_MOUNT_PATH, read_only=True
            )
        )
    return k8s.core.v1.ContainerArgs(
        name="fetch",
        image=PYTHON_IMAGE,
        command=launcher_command(inputs),
        args=fetch_args(job),
        env=[k8s.core.v1.EnvVarArgs(name="PYTHONUNBUFFERED", value="1")],
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": "1", "memory": "512Mi", "ephemeral-storage": f"{job.scratch_gib}Gi"},
            limits={"memory": "1Gi"},
        ),
        volume_mounts=mounts,
    )


class WeightsFill(pulumi.ComponentResource):
    jobs: dict[str, k8s.batch.v1.Job]
    """Checkpoint key -> its Job: a server reading the cache depends on it."""

    def __init__(
        self, name: str, args: WeightsFillArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:weights:WeightsFill", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=SERVICE_ACCOUNT_NAME,
                namespace=args.namespace,
                annotations=args.service_account_annotations or None,
                labels=FILL_COMPONENT,
            ),
            automount_service_account_token=args.mount_service_account_token,
            opts=child,
        )
        script = k8s.core.v1.ConfigMap(
            f"{name}-script",
            metadata=k8s.meta.v1.ObjectMetaArgs(namespace=args.namespace, labels=FILL_COMPONENT),
            data={SCRIPT_NAME: Path(__file__).with_name(SCRIPT_NAME).read_text()},
            opts=child,
        )
        account_name = known_name(account, SERVICE_ACCOUNT_NAME)
        self.jobs = {
            job.key: self._job(name, job, args, account_name, script.metadata.name)
            for job in args.jobs
        }
        self.register_outputs({"jobs": {k: j.metadata.name for k, j in self.jobs.items()}})

    def _job(
        self,
        name: str,
        job: FillJob,
        args: WeightsFillArgs,
        account_name: pulumi.Input[str],
        script_config_map: pulumi.Input[str],
    ) -> k8s.batch.v1.Job:
        volumes = [
            k8s.core.v1.VolumeArgs(
                name=_SCRATCH_VOLUME,
                empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
                    size_limit=f"{job.scratch_gib + 1}Gi"
                ),
            ),
            k8s.core.v1.VolumeArgs(
                name=_SCRIPT_VOLUME,
                config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=script_config_map),
            ),
        ]
        if job.needs_token:
            assert args.secrets is not None
            volumes.append(args.secrets.volume(_SECRETS_VOLUME, [HF_TOKEN_KEY]))
        pod = k8s.core.v1.PodSpecArgs(
            service_account_name=account_name,
            automount_service_account_token=args.mount_service_account_token,
            restart_policy="Never",
            # GPU and Arm nodes are tainted: the Job runs on the system pool.
            init_containers=[
                _cli_container("check", args.store.check_script, job, args.store),
                _fetch_container(job),
            ],
            containers=[_cli_container("upload", args.store.upload_script, job, args.store)],
            security_context=k8s.core.v1.PodSecurityContextArgs(
                run_as_non_root=True,
                run_as_user=RUN_AS_USER,
                fs_group=0,
                seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
            ),
            volumes=volumes,
        )
        return k8s.batch.v1.Job(
            f"{name}-{job.key}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=job_name(job.key), namespace=args.namespace, labels=FILL_COMPONENT
            ),
            spec=k8s.batch.v1.JobSpecArgs(
                # The Hub or the bucket may fail once; a third failure is a real problem.
                backoff_limit=2,
                active_deadline_seconds=job.deadline_seconds,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels={**FILL_COMPONENT, "llm-platform/checkpoint": job_name(job.key)}
                    ),
                    spec=pod,
                ),
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(args.after),
                custom_timeouts=pulumi.CustomTimeouts(
                    create=f"{job.deadline_seconds // 60 + 1}m",
                    update=f"{job.deadline_seconds // 60 + 1}m",
                ),
            ),
        )

"""The model-server pod, built from a ServerPlan and a NodePlacement (pure, typed args)."""

import math

import pulumi
import pulumi_kubernetes as k8s

from components.clusters.placement import GPU_RESOURCE, NodePlacement
from components.serving.scrape_key import scrape_key_volume
from components.serving.secret_files import (
    SECRETS_MOUNT_PATH,
    SECRETS_VOLUME,
    SecretFiles,
    launcher_command,
)
from components.serving.server_plan import ServerPlan
from components.weights.mounts import WeightsMount

HEALTH_PATH = "/health"
"""vLLM, TGI and llama-server all answer 200 here once the model is loaded."""
PORT_NAME = "http"
CACHE_VOLUME = "model-cache"
SHM_VOLUME = "dshm"
STARTUP_PERIOD_SECONDS = 10
PRE_STOP_SECONDS = 30
"""A terminating pod keeps serving this long before the server gets SIGTERM: the time for the
endpoint to leave the Service and the load balancer's NEG, so rollouts, scale-downs and Spot
preemptions do not cut requests that are still being routed to it (502s at the edge)."""
DRAINING_SECONDS = 120
"""Then in-flight generations get this long to finish (the edge's connection draining)."""


def _env(plan: ServerPlan) -> list[k8s.core.v1.EnvVarArgs]:
    return [k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted(plan.env.items())]


def _probe(period: int, failures: int, timeout: int = 5) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=HEALTH_PATH, port=PORT_NAME),
        period_seconds=period,
        failure_threshold=failures,
        timeout_seconds=timeout,
    )


def _resources(plan: ServerPlan, extra_disk_gib: int) -> k8s.core.v1.ResourceRequirementsArgs:
    disk_gib = plan.cache_size_gib + extra_disk_gib
    requests = {
        "cpu": str(plan.cpu),
        "memory": f"{plan.memory_gib}Gi",
        "ephemeral-storage": f"{disk_gib}Gi",
    }
    limits = {
        "memory": f"{plan.memory_gib}Gi",
        "ephemeral-storage": f"{disk_gib + 5}Gi",
    }
    if not plan.gpus:
        # CPU inference (llama.cpp) runs one thread per core it requested: a limit equal to
        # the whole-core request makes the pod Guaranteed, so a static CPU manager pins those
        # cores and no neighbour steals cycles from the matrix multiplications.
        limits["cpu"] = requests["cpu"]
    # GPU servers get no CPU limit: throttling a tokenizer or scheduler thread adds latency.
    if plan.gpus:
        requests[GPU_RESOURCE] = str(plan.gpus)
        limits[GPU_RESOURCE] = str(plan.gpus)
    return k8s.core.v1.ResourceRequirementsArgs(requests=requests, limits=limits)


def _volumes(
    plan: ServerPlan, secrets: SecretFiles, weights: WeightsMount | None
) -> tuple[list[k8s.core.v1.VolumeArgs], list[k8s.core.v1.VolumeMountArgs]]:
    volumes = [
        k8s.core.v1.VolumeArgs(
            name=CACHE_VOLUME,
            empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=f"{plan.cache_size_gib}Gi"),
        ),
        # Only the files this server reads (a Kubernetes Secret may hold more: the Hugging Face
        # token that only the weights cache's fill Job needs).
        secrets.volume(SECRETS_VOLUME, sorted(k for k in plan.secrets.files if "/" not in k)),
    ]
    mounts = [
        k8s.core.v1.VolumeMountArgs(name=CACHE_VOLUME, mount_path=plan.cache_path),
        k8s.core.v1.VolumeMountArgs(
            name=SECRETS_VOLUME, mount_path=SECRETS_MOUNT_PATH, read_only=True
        ),
    ]
    if plan.shm_size_gib is not None:
        volumes.append(
            k8s.core.v1.VolumeArgs(
                name=SHM_VOLUME,
                empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
                    medium="Memory", size_limit=f"{plan.shm_size_gib}Gi"
                ),
            )
        )
        mounts.append(k8s.core.v1.VolumeMountArgs(name=SHM_VOLUME, mount_path="/dev/shm"))
    if plan.scrape_key_needed:
        volume, mount = scrape_key_volume()
        volumes.append(volume)
        mounts.append(mount)
    if weights is not None:
        volumes += weights.volumes
        mounts.append(weights.mount)
    return volumes, mounts


def _node_affinity(placement: NodePlacement) -> k8s.core.v1.AffinityArgs | None:
    """Several pools (Spot, then on-demand): allow all of them, prefer the first."""
    if len(placement.pools) == 1:
        return None

    def pools_in(pools: tuple[str, ...]) -> k8s.core.v1.NodeSelectorTermArgs:
        return k8s.core.v1.NodeSelectorTermArgs(
            match_expressions=[
                k8s.core.v1.NodeSelectorRequirementArgs(
                    key=placement.pool_label, operator="In", values=list(pools)
                )
            ]
        )

    return k8s.core.v1.AffinityArgs(
        node_affinity=k8s.core.v1.NodeAffinityArgs(
            required_during_scheduling_ignored_during_execution=k8s.core.v1.NodeSelectorArgs(
                node_selector_terms=[pools_in(placement.pools)]
            ),
            preferred_during_scheduling_ignored_during_execution=[
                k8s.core.v1.PreferredSchedulingTermArgs(
                    weight=100, preference=pools_in(placement.pools[:1])
                )
            ],
        )
    )


def _node_selector(placement: NodePlacement) -> dict[str, str]:
    if len(placement.pools) == 1:
        return {**placement.node_selector, placement.pool_label: placement.pools[0]}
    return dict(placement.node_selector)


def model_server_pod_spec(
    plan: ServerPlan,
    image: pulumi.Input[str],
    placement: NodePlacement,
    secrets: SecretFiles,
    service_account_name: pulumi.Input[str],
    weights: WeightsMount | None = None,
) -> k8s.core.v1.PodSpecArgs:
    """`weights`: the checkpoint read from the cloud's weights cache (the plan's
    `weights_dir`); None: the server downloads it from Hugging Face."""
    volumes, mounts = _volumes(plan, secrets, weights)
    container = k8s.core.v1.ContainerArgs(
        name="server",
        image=image,
        command=launcher_command(plan.secrets),
        args=[*plan.image.entrypoint, *plan.args],
        ports=[k8s.core.v1.ContainerPortArgs(name=PORT_NAME, container_port=plan.port)],
        env=_env(plan),
        resources=_resources(plan, weights.ephemeral_gib if weights else 0),
        volume_mounts=mounts,
        # Sized from the start-up budget: weights, load and warm-up, with its margin.
        startup_probe=_probe(
            STARTUP_PERIOD_SECONDS, math.ceil(plan.startup_seconds / STARTUP_PERIOD_SECONDS)
        ),
        readiness_probe=_probe(period=5, failures=3),
        liveness_probe=_probe(period=15, failures=4, timeout=10),
        lifecycle=k8s.core.v1.LifecycleArgs(
            pre_stop=k8s.core.v1.LifecycleHandlerArgs(
                # The kubelet sleeps (Kubernetes 1.30+): no `sleep` binary needed in the image.
                sleep=k8s.core.v1.SleepActionArgs(seconds=PRE_STOP_SECONDS)
            )
        ),
        # The servers need no Linux capability; the GPU reaches them through the device plugin.
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=False,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        ),
    )
    return k8s.core.v1.PodSpecArgs(
        init_containers=weights.init_containers if weights and weights.init_containers else None,
        containers=[container],
        volumes=volumes,
        service_account_name=service_account_name,
        automount_service_account_token=False,
        enable_service_links=False,
        node_selector=_node_selector(placement),
        affinity=_node_affinity(placement),
        tolerations=[
            k8s.core.v1.TolerationArgs(
                key=t.key, operator=t.operator, value=t.value, effect=t.effect
            )
            for t in placement.tolerations
        ],
        termination_grace_period_seconds=PRE_STOP_SECONDS + DRAINING_SECONDS,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")
        ),
    )

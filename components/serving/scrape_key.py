"""The key Prometheus sends when it scrapes llama-server.

llama-server's `--api-key` guards every path but `/health` (b11063 `tools/server/server-http.cpp`
public endpoints), `/metrics` included; vLLM and TGI serve `/metrics` without a key. A key of
its own keeps the scraper out of the tenants' quotas and audit: it lives only in the cluster,
as a Secret in the serving namespace that the ServiceMonitor reads and the pod mounts, and the
NetworkPolicy lets only the monitoring namespaces use it.
"""

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

SCRAPE_KEY_SECRET = "metrics-scrape-key"
SCRAPE_KEY_FIELD = "key"
SCRAPE_KEY_VOLUME = "scrape-key"
SCRAPE_KEY_DIR = "/var/run/secrets/llm-platform-scrape"
SCRAPE_KEY_FILE = f"{SCRAPE_KEY_DIR}/{SCRAPE_KEY_FIELD}"
"""Absolute: it sits beside, not in, the tenants' secret volume."""
_KEY_LENGTH = 40


def scrape_key_secret(
    name: str, namespace: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> k8s.core.v1.Secret:
    key = random.RandomPassword(f"{name}-value", length=_KEY_LENGTH, special=False, opts=opts)
    return k8s.core.v1.Secret(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=SCRAPE_KEY_SECRET, namespace=namespace),
        string_data={SCRAPE_KEY_FIELD: key.result},
        opts=opts,
    )


def scrape_key_volume() -> tuple[k8s.core.v1.VolumeArgs, k8s.core.v1.VolumeMountArgs]:
    volume = k8s.core.v1.VolumeArgs(
        name=SCRAPE_KEY_VOLUME,
        secret=k8s.core.v1.SecretVolumeSourceArgs(
            secret_name=SCRAPE_KEY_SECRET, default_mode=0o444
        ),
    )
    mount = k8s.core.v1.VolumeMountArgs(
        name=SCRAPE_KEY_VOLUME, mount_path=SCRAPE_KEY_DIR, read_only=True
    )
    return volume, mount

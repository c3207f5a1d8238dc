"""One model server's scrape and scaling: a ServiceMonitor on its `/metrics`, and an
`autoscaling/v2` HorizontalPodAutoscaler on its queue gauge served by prometheus-adapter.

The HPA owns the Deployment's `replicas` (ModelServer ignores that field on update).
"""

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.serving.autoscaling import (
    SCALE_UP_STABILIZATION_SECONDS,
    SCRAPE_INTERVAL_SECONDS,
    ScalingPlan,
    custom_metric_name,
    scale_down_window_seconds,
)
from components.serving.scrape_key import SCRAPE_KEY_FIELD, SCRAPE_KEY_SECRET

METRICS_PATH = "/metrics"
_SCALE_DOWN_PERIOD_SECONDS = 300
"""Hand back at most one replica per five minutes once the window has passed."""


@dataclass(frozen=True, kw_only=True)
class ServerAutoscalerArgs:
    namespace: pulumi.Input[str]
    server_name: str
    """The Deployment's and the Service's name."""
    selector: dict[str, str]
    """The Service's labels (what the ServiceMonitor selects)."""
    port_name: str
    scaling: ScalingPlan
    first_start_seconds: int
    """Cold start of a replica; the scale-down window keeps one at least this long."""
    scrape_key: bool
    """Scrape with the namespace's scrape key (llama-server guards `/metrics`)."""
    crds: pulumi.Resource
    """The chart that installs the ServiceMonitor CRD."""


def hpa_behavior(
    first_start_seconds: int,
) -> k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs:
    return k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(
        # One replica a minute: a loading replica exports no queue yet, which the HPA reads as
        # an empty queue, so it does not pile up GPU nodes while the first one boots.
        scale_up=k8s.autoscaling.v2.HPAScalingRulesArgs(
            stabilization_window_seconds=SCALE_UP_STABILIZATION_SECONDS,
            select_policy="Max",
            policies=[
                k8s.autoscaling.v2.HPAScalingPolicyArgs(type="Pods", value=1, period_seconds=60)
            ],
        ),
        scale_down=k8s.autoscaling.v2.HPAScalingRulesArgs(
            stabilization_window_seconds=scale_down_window_seconds(first_start_seconds),
            select_policy="Min",
            policies=[
                k8s.autoscaling.v2.HPAScalingPolicyArgs(
                    type="Pods", value=1, period_seconds=_SCALE_DOWN_PERIOD_SECONDS
                )
            ],
        ),
    )


class ServerAutoscaler(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ServerAutoscalerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:observability:ServerAutoscaler", name, None, opts)
        scaling = args.scaling
        if scaling.queue_metric is None:
            raise ValueError(
                f"{args.server_name} exports no metrics: nothing to scrape or scale on"
            )
        authorization = None
        if args.scrape_key:
            authorization = {
                "type": "Bearer",
                "credentials": {"name": SCRAPE_KEY_SECRET, "key": SCRAPE_KEY_FIELD},
            }
        k8s.apiextensions.CustomResource(
            f"{name}-monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.server_name, namespace=args.namespace),
            spec={
                "selector": {"matchLabels": args.selector},
                "endpoints": [
                    {
                        "port": args.port_name,
                        "path": METRICS_PATH,
                        "interval": f"{SCRAPE_INTERVAL_SECONDS}s",
                        **({"authorization": authorization} if authorization else {}),
                    }
                ],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.crds]),
        )
        if scaling.has_hpa:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=args.server_name, namespace=args.namespace
                ),
                spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                        api_version="apps/v1", kind="Deployment", name=args.server_name
                    ),
                    min_replicas=scaling.min_replicas,
                    max_replicas=scaling.max_replicas,
                    metrics=[
                        k8s.autoscaling.v2.MetricSpecArgs(
                            type="Pods",
                            pods=k8s.autoscaling.v2.PodsMetricSourceArgs(
                                metric=k8s.autoscaling.v2.MetricIdentifierArgs(
                                    name=custom_metric_name(scaling.queue_metric)
                                ),
                                target=k8s.autoscaling.v2.MetricTargetArgs(
                                    type="AverageValue",
                                    average_value=str(scaling.target_queue_length),
                                ),
                            ),
                        )
                    ],
                    behavior=hpa_behavior(args.first_start_seconds),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})

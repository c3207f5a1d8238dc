"""Lets Grafana's OCI Metrics data source read OCI Monitoring (API Gateway statistics) with
instance principals: a dynamic group of the compartment's instances and a read-only policy,
as the plugin's OKE guide prescribes (oracle/oci-grafana-metrics docs/kubernetes.md)."""

from dataclasses import dataclass

import pulumi
import pulumi_oci as oci

from components import PACKAGE

OCI_METRICS_PLUGIN = "oci-metrics-datasource"


def oci_metrics_datasource() -> dict[str, object]:
    return {
        "name": "OCI Metrics",
        "type": OCI_METRICS_PLUGIN,
        "access": "proxy",
        # profile0 must be DEFAULT; "OCI Instance" signs requests as the node (instance principal).
        "jsonData": {"profile0": "DEFAULT", "environment": "OCI Instance"},
    }


@dataclass(frozen=True, kw_only=True)
class OciMetricsReaderArgs:
    tenancy_id: str
    compartment_id: str
    name_prefix: str
    iam_provider: oci.Provider


class OciMetricsReader(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: OciMetricsReaderArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:observability:OciMetricsReader", name, None, opts)
        iam = pulumi.ResourceOptions(parent=self, provider=args.iam_provider)
        group = oci.identity.DynamicGroup(
            f"{name}-nodes",
            compartment_id=args.tenancy_id,
            name=f"{args.name_prefix}-grafana-nodes",
            description="OKE nodes whose Grafana reads OCI Monitoring metrics",
            matching_rule=f"ALL {{instance.compartment.id = '{args.compartment_id}'}}",
            opts=iam,
        )
        oci.identity.Policy(
            f"{name}-policy",
            compartment_id=args.tenancy_id,
            name=f"{args.name_prefix}-grafana-metrics",
            description="Grafana on OKE reads OCI Monitoring metrics of the platform",
            statements=group.name.apply(
                lambda dg: [
                    f"Allow dynamic-group {dg} to read metrics in compartment id"
                    f" {args.compartment_id}",
                    f"Allow dynamic-group {dg} to read compartments in tenancy",
                ]
            ),
            opts=iam,
        )
        self.register_outputs({})

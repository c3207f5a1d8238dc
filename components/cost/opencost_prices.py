"""OpenCost's custom price model for GKE nodes, from the dated price table.

OpenCost prices GKE nodes through the Cloud Billing API and stops without an API key; the
custom model needs none. It takes one price per vCPU, per GiB and per GPU for the cluster:
the L4 SKU for GPUs, and G2's vCPU and RAM SKUs (us-central1, scaled to the region by its
G2 non-GPU price) for CPU and memory, so G2 nodes cost what the table says; E2/T2A system and
Arm nodes come out within a few percent.
"""

from components.cost.prices import (
    GCP_G2_GB_HOUR,
    GCP_G2_VCPU_HOUR,
    GCP_L4,
    GCP_MACHINES,
    GCP_PD_BALANCED_GB_MONTH,
    HOURS_PER_MONTH,
    PRICES_AS_OF,
)
from components.observability.exporter_values import CustomPrices

_REFERENCE_REGION = "us-central1"
_REFERENCE_MACHINE = "g2-standard-4"


def _non_gpu(region: str, spot: bool) -> float:
    return GCP_MACHINES[region][_REFERENCE_MACHINE].at(spot) - GCP_L4[region].at(spot)


def gke_custom_prices(region: str) -> CustomPrices:
    priced = region if region in GCP_L4 else _REFERENCE_REGION
    reference = _non_gpu(_REFERENCE_REGION, spot=False)
    scale = _non_gpu(priced, spot=False) / reference
    spot_scale = _non_gpu(priced, spot=True) / reference
    where = priced if priced == region else f"{priced} (no listed prices for {region})"
    return CustomPrices(
        description=f"GKE list prices in {where}, as of {PRICES_AS_OF}",
        cpu=GCP_G2_VCPU_HOUR * scale,
        ram_gib=GCP_G2_GB_HOUR * scale,
        gpu=GCP_L4[priced].on_demand,
        spot_cpu=GCP_G2_VCPU_HOUR * spot_scale,
        spot_ram_gib=GCP_G2_GB_HOUR * spot_scale,
        spot_gpu=GCP_L4[priced].spot,
        storage_gib=GCP_PD_BALANCED_GB_MONTH[priced] / HOURS_PER_MONTH,
    )

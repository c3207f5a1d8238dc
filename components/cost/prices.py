"""List prices in USD, dated and sourced. Update them together with PRICES_AS_OF.

Google Cloud machine prices: Cyclenerd/google-cloud-pricing-cost-calculator `pricing.yml` at
commit fd66b26 (generated 2026-07-30 from the Cloud Billing Catalog API); G2 prices include
their L4 GPUs (the sum of the g2 vCPU, g2 RAM and L4 SKUs). Spot prices change up to monthly.
GKE fee: cloud.google.com/kubernetes-engine/pricing ($0.10/cluster-hour; the $74.40 monthly
credit is per billing account, zonal clusters only, so it is not subtracted here).
Load balancing: cloud.google.com/load-balancing/pricing (read 2026-09-20). Cloud Armor
Standard: $5/policy-month and $1/rule-month, from a third-party summary of
cloud.google.com/armor/pricing (pump.co, 2026-02-09): Google's own page could not be read.
Cloud SQL (Enterprise, "in Americas" SKUs) and Cloud Run (Tier 1): Google's pricing pages could
not be read past their openings here, so these are Cloud Billing Catalog figures quoted by
third parties that agree with each other: wnorowskie/family-recipe
docs/research/gcp-cost-reduction.md at a96bc1d (price book of 2026-09-15, reconciled with a real
bill), and a Cloud Run catalogue snapshot of 2026-10-05; the Cloud Run CPU rates also appear on
cloud.google.com/run/pricing. Enterprise Plus memory is the South Carolina row (no Iowa row
found). Regional (HA) Cloud SQL SKUs are exactly twice the zonal ones.
OCI: Oracle's price-list API (apexapps.oracle.com/pls/apex/cetools/api/v1/products), dump of
2026-03-03; OCI prices are the same in every commercial region.
"""

from dataclasses import dataclass

PRICES_AS_OF = "2026-07-30 (Google Cloud), 2026-03-03 (OCI)"
HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class HourlyPrice:
    on_demand: float
    spot: float

    def at(self, spot: bool) -> float:
        return self.spot if spot else self.on_demand


def _table(rows: str) -> dict[str, HourlyPrice]:
    prices = {}
    for line in rows.strip().splitlines():
        machine, on_demand, spot = line.split()
        prices[machine] = HourlyPrice(float(on_demand), float(spot))
    return prices


GCP_MACHINES: dict[str, dict[str, HourlyPrice]] = {
    "us-central1": _table("""
        g2-standard-4 0.706832 0.397336
        g2-standard-8 0.853624 0.479872
        g2-standard-12 1.000416 0.562408
        g2-standard-16 1.147208 0.644944
        g2-standard-24 2.000833 1.124816
        g2-standard-32 1.734376 0.975088
        g2-standard-48 4.001665 2.249632
        g2-standard-96 8.003330 4.499264
        e2-standard-2 0.067011 0.040212
        e2-standard-4 0.134023 0.080424
        e2-standard-8 0.268046 0.160848
        n2-standard-4 0.194236 0.092120
        n2-standard-8 0.388472 0.184240
        t2a-standard-1 0.0385 0.016392
        t2a-standard-2 0.077 0.032784
        t2a-standard-4 0.154 0.065568
        t2a-standard-8 0.308 0.131136
        t2a-standard-16 0.616 0.262272
        t2a-standard-32 1.232 0.524544
        t2a-standard-48 1.848 0.786816
    """),
    "europe-west4": _table("""
        g2-standard-4 0.742916 0.389860
        g2-standard-8 0.897202 0.470820
        g2-standard-12 1.051488 0.551780
        g2-standard-16 1.205773 0.632740
        g2-standard-24 2.102975 1.103560
        g2-standard-32 1.822916 0.956580
        g2-standard-48 4.205950 2.207120
        g2-standard-96 8.411901 4.414240
        e2-standard-2 0.073772 0.035264
        e2-standard-4 0.147544 0.070528
        e2-standard-8 0.295088 0.141056
        n2-standard-4 0.213832 0.077736
        n2-standard-8 0.427664 0.155472
        t2a-standard-1 0.040444 0.024148
        t2a-standard-2 0.080888 0.048296
        t2a-standard-4 0.161776 0.096592
        t2a-standard-8 0.323553 0.193184
        t2a-standard-16 0.647105 0.386368
        t2a-standard-32 1.294211 0.772736
        t2a-standard-48 1.941316 1.159104
    """),
    "asia-southeast1": _table("""
        g2-standard-4 0.872019 0.523272
        g2-standard-8 1.053116 0.631944
        g2-standard-12 1.234214 0.740616
        g2-standard-16 1.415311 0.849288
        g2-standard-24 2.468427 1.481232
        g2-standard-32 2.139700 1.283976
        g2-standard-48 4.936854 2.962464
        g2-standard-96 9.873709 5.924928
        e2-standard-2 0.082666 0.043164
        e2-standard-4 0.165332 0.086328
        e2-standard-8 0.330665 0.172656
        n2-standard-4 0.239612 0.093320
        n2-standard-8 0.479224 0.186640
        t2a-standard-1 0.04748 0.013476
        t2a-standard-2 0.09496 0.026952
        t2a-standard-4 0.18992 0.053904
        t2a-standard-8 0.37984 0.107808
        t2a-standard-16 0.75968 0.215616
        t2a-standard-32 1.51936 0.431232
        t2a-standard-48 2.27904 0.646848
    """),
}
GCP_L4: dict[str, HourlyPrice] = {
    # The L4's share of a G2 price: the SKU "Nvidia L4 GPU running in Americas" is $0.560040/h.
    "us-central1": HourlyPrice(0.56004, 0.3148),
    "europe-west4": HourlyPrice(0.58863, 0.3089),
    "asia-southeast1": HourlyPrice(0.69092, 0.4146),
}
GCP_G2_VCPU_HOUR = 0.024988
GCP_G2_GB_HOUR = 0.002927
"""us-central1 G2 vCPU and RAM SKUs: their ratio splits the non-GPU part of a node's price."""
GCP_PD_BALANCED_GB_MONTH = {"us-central1": 0.10, "europe-west4": 0.11, "asia-southeast1": 0.11}
GKE_CLUSTER_HOUR = 0.10
GCLB_FIRST_FIVE_RULES_HOUR = 0.025
CLOUD_ARMOR_POLICY_MONTH = 5.0
CLOUD_ARMOR_RULE_MONTH = 1.0

CLOUD_SQL_REGIONS = ("us-central1",)
CLOUD_SQL_VCPU_HOUR = {"ENTERPRISE": 0.0413, "ENTERPRISE_PLUS": 0.0537}
CLOUD_SQL_GIB_HOUR = {"ENTERPRISE": 0.007, "ENTERPRISE_PLUS": 0.0091}
CLOUD_SQL_SHARED_CORE_HOUR = {"db-f1-micro": 0.0105, "db-g1-small": 0.035}
CLOUD_SQL_SSD_GB_MONTH = 0.17
CLOUD_SQL_HA_FACTOR = 2
CLOUD_RUN_REGIONS = ("us-central1",)
CLOUD_RUN_ACTIVE_VCPU_SECOND = 0.000024
CLOUD_RUN_ACTIVE_GIB_SECOND = 0.0000025
CLOUD_RUN_IDLE_VCPU_SECOND = 0.0000025
CLOUD_RUN_IDLE_GIB_SECOND = 0.0000025
"""Request-based billing: a min-instance waiting for requests pays the idle rates."""
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

OCI_A10_GPU_HOUR = 2.00
"""Per GPU, the shape's OCPUs and memory included (VM.GPU.A10.1 $2, .2 $4, BM.GPU.A10.4 $8)."""
OCI_FLEX_OCPU_HOUR = {"VM.Standard.A1.Flex": 0.01, "VM.Standard.E4.Flex": 0.025}
OCI_FLEX_GB_HOUR = {"VM.Standard.A1.Flex": 0.0015, "VM.Standard.E4.Flex": 0.0015}
OKE_ENHANCED_CLUSTER_HOUR = 0.10
OCI_LB_BASE_HOUR = 0.0113
OCI_LB_MBPS_HOUR = 0.0001
OCI_API_GATEWAY_PER_MILLION_CALLS = 3.00
OCI_BALANCED_BLOCK_GB_MONTH = 0.0425
"""Storage $0.0255 plus 10 volume performance units at $0.0017."""

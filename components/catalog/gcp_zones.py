"""Google Cloud regions, their zones, and the zones that offer NVIDIA L4 GPUs (G2 machines).

Used to reject a zone that does not exist (`us-central1-z`) or a GPU pool in a zone without
L4s before anything is created. Re-check against `gcloud compute zones list` and
`gcloud compute accelerator-types list --filter=name=nvidia-l4` when adding a region.
"""

# Sources:
#   [1] Google, "Regions and zones", "Available regions and zones" table
#       https://docs.cloud.google.com/compute/docs/regions-zones
#       (formerly https://cloud.google.com/compute/docs/regions-zones).
#       Read from a markdown export of the page stored in the public code index;
#       the export carries no "Last updated" date. Its filter bar lists series up
#       to A4X Max / G4 / M4N / N4A, so it is a late-2025-or-2026 revision.
#       A second, slightly older export of the same page has the same zone set.
#   [2] Google, "GPU machine types"
#       https://docs.cloud.google.com/compute/docs/gpus  (page "Last updated 2026-04-14 UTC")
#       nvidia-l4 / nvidia-l4-vws come only with G2 machine types; L4 is not in
#       the list of GPUs that can be attached to N1.
#   [3] Cross-check (third party, generated from the Compute Engine API):
#       skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv at commit
#       006059e0f18acb1341e22a27751e9f80df6ba92f (g2-standard-* and e2-standard-* rows).
#   [4] Cross-check (third party, recorded `gcloud compute accelerator-types list`
#       output, March 2024): nvidia-l4 in us-west1-a, us-west1-b, us-west1-c.
#
# ZONES: standard zones only (AI zones such as us-south1-ai1b are left out).
# L4_ZONES: zones where [1] lists the G2 (NVIDIA L4) series, plus us-west1-c,
#   which [1] omits but [3] and [4] (API data) both list.

ZONES: dict[str, tuple[str, ...]] = {
    # Africa
    "africa-south1": ("africa-south1-a", "africa-south1-b", "africa-south1-c"),
    # Asia Pacific
    "asia-east1": ("asia-east1-a", "asia-east1-b", "asia-east1-c"),
    "asia-east2": ("asia-east2-a", "asia-east2-b", "asia-east2-c"),
    "asia-northeast1": ("asia-northeast1-a", "asia-northeast1-b", "asia-northeast1-c"),
    "asia-northeast2": ("asia-northeast2-a", "asia-northeast2-b", "asia-northeast2-c"),
    "asia-northeast3": ("asia-northeast3-a", "asia-northeast3-b", "asia-northeast3-c"),
    "asia-south1": ("asia-south1-a", "asia-south1-b", "asia-south1-c"),
    "asia-south2": ("asia-south2-a", "asia-south2-b", "asia-south2-c"),
    "asia-southeast1": ("asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"),
    "asia-southeast2": ("asia-southeast2-a", "asia-southeast2-b", "asia-southeast2-c"),
    "asia-southeast3": ("asia-southeast3-a", "asia-southeast3-b", "asia-southeast3-c"),
    "australia-southeast1": (
        "australia-southeast1-a",
        "australia-southeast1-b",
        "australia-southeast1-c",
    ),
    "australia-southeast2": (
        "australia-southeast2-a",
        "australia-southeast2-b",
        "australia-southeast2-c",
    ),
    # Europe
    "europe-central2": ("europe-central2-a", "europe-central2-b", "europe-central2-c"),
    "europe-north1": ("europe-north1-a", "europe-north1-b", "europe-north1-c"),
    "europe-north2": ("europe-north2-a", "europe-north2-b", "europe-north2-c"),
    "europe-southwest1": ("europe-southwest1-a", "europe-southwest1-b", "europe-southwest1-c"),
    "europe-west1": ("europe-west1-b", "europe-west1-c", "europe-west1-d"),
    "europe-west2": ("europe-west2-a", "europe-west2-b", "europe-west2-c"),
    "europe-west3": ("europe-west3-a", "europe-west3-b", "europe-west3-c"),
    "europe-west4": ("europe-west4-a", "europe-west4-b", "europe-west4-c"),
    "europe-west6": ("europe-west6-a", "europe-west6-b", "europe-west6-c"),
    "europe-west8": ("europe-west8-a", "europe-west8-b", "europe-west8-c"),
    "europe-west9": ("europe-west9-a", "europe-west9-b", "europe-west9-c"),
    "europe-west10": ("europe-west10-a", "europe-west10-b", "europe-west10-c"),
    "europe-west12": ("europe-west12-a", "europe-west12-b", "europe-west12-c"),
    # Middle East
    "me-central1": ("me-central1-a", "me-central1-b", "me-central1-c"),
    "me-central2": ("me-central2-a", "me-central2-b", "me-central2-c"),
    "me-west1": ("me-west1-a", "me-west1-b", "me-west1-c"),
    # North America
    "northamerica-northeast1": (
        "northamerica-northeast1-a",
        "northamerica-northeast1-b",
        "northamerica-northeast1-c",
    ),
    "northamerica-northeast2": (
        "northamerica-northeast2-a",
        "northamerica-northeast2-b",
        "northamerica-northeast2-c",
    ),
    "northamerica-south1": (
        "northamerica-south1-a",
        "northamerica-south1-b",
        "northamerica-south1-c",
    ),
    "us-central1": ("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"),
    "us-east1": ("us-east1-b", "us-east1-c", "us-east1-d"),
    "us-east4": ("us-east4-a", "us-east4-b", "us-east4-c"),
    "us-east5": ("us-east5-a", "us-east5-b", "us-east5-c"),
    "us-south1": ("us-south1-a", "us-south1-b", "us-south1-c"),
    "us-west1": ("us-west1-a", "us-west1-b", "us-west1-c"),
    "us-west2": ("us-west2-a", "us-west2-b", "us-west2-c"),
    "us-west3": ("us-west3-a", "us-west3-b", "us-west3-c"),
    "us-west4": ("us-west4-a", "us-west4-b", "us-west4-c"),
    # South America
    "southamerica-east1": ("southamerica-east1-a", "southamerica-east1-b", "southamerica-east1-c"),
    "southamerica-west1": ("southamerica-west1-a", "southamerica-west1-b", "southamerica-west1-c"),
}

L4_ZONES: frozenset[str] = frozenset(
    {
        "asia-east1-a",
        "asia-east1-b",
        "asia-east1-c",
        "asia-northeast1-a",
        "asia-northeast1-b",
        "asia-northeast1-c",
        "asia-northeast3-a",
        "asia-northeast3-b",
        "asia-south1-a",
        "asia-south1-b",
        "asia-south1-c",
        "asia-southeast1-a",
        "asia-southeast1-b",
        "asia-southeast1-c",
        "europe-west1-b",
        "europe-west1-c",
        "europe-west2-a",
        "europe-west2-b",
        "europe-west3-a",
        "europe-west3-b",
        "europe-west4-a",
        "europe-west4-b",
        "europe-west4-c",
        "europe-west6-b",
        "europe-west6-c",
        "me-central2-a",
        "me-central2-c",
        "northamerica-northeast1-b",
        "northamerica-northeast1-c",
        "northamerica-northeast2-a",
        "northamerica-northeast2-b",
        "us-central1-a",
        "us-central1-b",
        "us-central1-c",
        "us-east1-b",
        "us-east1-c",
        "us-east1-d",
        "us-east4-a",
        "us-east4-c",
        "us-west1-a",
        "us-west1-b",
        "us-west1-c",  # API data [3][4] only; not marked G2 in [1]
        "us-west4-a",
        "us-west4-c",
    }
)

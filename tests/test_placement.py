"""Node placement across a Spot pool and its on-demand fallback."""

import pytest

from components.clusters.gke_pools import (
    GPU_TAINT,
    SPOT_TAINT,
    NodePoolSettings,
    pool_placement,
)


def pool(name: str, machine_type: str = "g2-standard-8", *, spot: bool = False):
    return pool_placement(NodePoolSettings(name=name, machine_type=machine_type, spot=spot))


def test_fallback_prefers_spot_and_tolerates_both_pools() -> None:
    placement = pool("l4-spot", spot=True).with_fallback(pool("l4"))
    assert placement.pools == ("l4-spot", "l4")
    assert placement.tolerations == (GPU_TAINT, SPOT_TAINT)
    assert placement.node_selector == {"cloud.google.com/gke-accelerator": "nvidia-l4"}


def test_fallback_of_another_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="g2-standard-12"):
        pool("l4-spot", spot=True).with_fallback(pool("l4", "g2-standard-12"))


def test_on_demand_pool_tolerates_only_its_gpu_taint() -> None:
    assert pool("l4").tolerations == (GPU_TAINT,)
    assert pool("cpu", "n2-standard-8").tolerations == ()

"""Pure cost arithmetic: monthly ranges from node counts and hourly prices, and the cost of a
million output tokens from a replica's share of its node and its measured throughput."""

from dataclasses import dataclass

from components.cost.prices import HOURS_PER_MONTH


@dataclass(frozen=True, kw_only=True)
class CostLine:
    item: str
    monthly_min: float
    monthly_max: float
    basis: str
    """How the figure comes about (count x unit price), for the printed table."""


def node_pool_line(
    item: str, hourly: float, min_nodes: int, max_nodes: int, what: str
) -> CostLine:
    return CostLine(
        item=item,
        monthly_min=hourly * min_nodes * HOURS_PER_MONTH,
        monthly_max=hourly * max_nodes * HOURS_PER_MONTH,
        basis=f"{min_nodes}..{max_nodes} x {what} at ${hourly:.4f}/h",
    )


def fixed_line(item: str, monthly: float, basis: str) -> CostLine:
    return CostLine(item=item, monthly_min=monthly, monthly_max=monthly, basis=basis)


def hourly_line(item: str, hourly: float, basis: str) -> CostLine:
    return fixed_line(item, hourly * HOURS_PER_MONTH, basis)


def total(lines: list[CostLine]) -> tuple[float, float]:
    return sum(c.monthly_min for c in lines), sum(c.monthly_max for c in lines)


def cost_per_million_output_tokens(
    node_hourly: float, replicas_per_node: int, output_tokens_per_second: float
) -> float:
    """A saturated replica's share of its node's hour, over the tokens it generates in it."""
    if replicas_per_node < 1 or output_tokens_per_second <= 0:
        raise ValueError("a replica needs a node share and a positive throughput")
    replica_hourly = node_hourly / replicas_per_node
    return replica_hourly / (output_tokens_per_second * 3600) * 1_000_000

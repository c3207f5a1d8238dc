"""Which server, tenant and numbers each configured load test gets (pure; checked before any
resource exists). Problems come back relative to `loadTests[<index>]`."""

from collections.abc import Sequence
from dataclasses import dataclass

from components.config_base import repeated
from components.loadtest.presets import PRESETS, Engine, Workload, default_concurrency
from components.loadtest.settings import LoadTestConfig


@dataclass(frozen=True, kw_only=True)
class ServerCandidate:
    """What choosing and sizing a test needs to know about one model server."""

    name: str
    engine: Engine
    model: str
    """Catalogue key."""
    tenants: tuple[str, ...]
    """Tenants whose keys it accepts."""
    context: int
    """Tokens one request may hold."""
    slots: int
    """llama-server's parallel slots (1 for batching servers)."""


@dataclass(frozen=True, kw_only=True)
class PlannedLoadTest:
    config: LoadTestConfig
    server: str
    tenant: str
    workload: Workload
    concurrency: int
    note: str | None = None
    """Set when a preset runs on another server than the article's (the plan says so)."""

    @property
    def name(self) -> str:
        return self.config.name


def _default_server(
    test: LoadTestConfig, servers: Sequence[ServerCandidate]
) -> tuple[ServerCandidate, str | None]:
    """The article's server for the preset, else one on the same engine, else the first."""
    if test.preset is None:
        return servers[0], None
    preset = PRESETS[test.preset]
    exact = [s for s in servers if s.engine == preset.engine and s.model == preset.model]
    if exact:
        return exact[0], None
    chosen = next((s for s in servers if s.engine == preset.engine), servers[0])
    return chosen, (
        f"loadTests {test.name}: the article runs {test.preset} on {preset.engine} serving"
        f" {preset.model}, which this stack does not serve; testing {chosen.name}"
        f" ({chosen.engine}, {chosen.model}) with the same workload"
    )


def _tenant(
    test: LoadTestConfig, server: ServerCandidate, tenants: Sequence[str]
) -> tuple[str | None, str | None]:
    if test.tenant is None:
        return server.tenants[0], None
    if test.tenant not in tenants:
        return None, f"tenant: {test.tenant!r} is not in tenants; use one of {list(tenants)}"
    if test.tenant not in server.tenants:
        return None, (
            f"tenant: model {server.name!r} accepts only {list(server.tenants)}; add"
            f" {test.tenant!r} to its tenants or pick one of those"
        )
    return test.tenant, None


def _plan_one(
    test: LoadTestConfig, servers: Sequence[ServerCandidate], tenants: Sequence[str]
) -> tuple[PlannedLoadTest | None, str | None]:
    named = {s.name: s for s in servers}
    note = None
    if test.server is not None:
        if test.server not in named:
            return None, f"server: no model named {test.server!r}; use one of {sorted(named)}"
        server = named[test.server]
    else:
        server, note = _default_server(test, servers)
    tenant, problem = _tenant(test, server, tenants)
    if tenant is None:
        return None, problem
    workload = test.workload
    if workload.longest_request > server.context:
        return None, (
            f"inputTokens: a request may need {workload.longest_request} tokens (input and"
            f" output means plus three spreads each) but {server.name!r} holds"
            f" {server.context} per request; shorten the test or lengthen the server's context"
        )
    concurrency = test.concurrency or default_concurrency(server.engine, server.slots)
    planned = PlannedLoadTest(
        config=test,
        server=server.name,
        tenant=tenant,
        workload=workload,
        concurrency=concurrency,
        note=note,
    )
    return planned, None


def plan_load_tests(
    configured: Sequence[LoadTestConfig],
    servers: Sequence[ServerCandidate],
    tenants: Sequence[str],
) -> tuple[list[PlannedLoadTest], list[str]]:
    """Each test's target and sizing, or every problem (relative keys)."""
    duplicates = repeated(t.name for t in configured)
    if duplicates:
        return [], [f"loadTests: names must be unique, repeated: {duplicates}"]
    planned: list[PlannedLoadTest] = []
    problems: list[str] = []
    for index, test in enumerate(configured):
        one, problem = _plan_one(test, servers, tenants)
        if one is None:
            problems.append(f"loadTests[{index}].{problem}")
        else:
            planned.append(one)
    return planned, problems

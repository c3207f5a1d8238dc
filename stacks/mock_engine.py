"""Run a Pulumi program against Pulumi's mocks and record what it would register.

Used by the offline plan and by the tests. The mocks answer like `pulumi preview`: a resource's
outputs are its inputs, anything computed by the cloud stays unknown, secrets stay secret.
"""

import asyncio
import logging
import runpy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks, rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from stacks import mock_invokes

SECRET = "[secret]"
UNKNOWN = "[unknown]"


@dataclass(frozen=True, kw_only=True)
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str
    provider: str
    custom: bool
    inputs: dict[str, Any]
    """Inputs as the engine received them: secrets wrapped, unknowns as pulumi.output.Unknown."""
    dependencies: list[str]
    ignore_changes: list[str]
    protect: bool = False
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    """`create`/`update`/`delete` durations the engine would wait, where set."""

    def redacted_inputs(self) -> dict[str, Any]:
        return redact(self.inputs)


@dataclass(kw_only=True)
class Recording:
    resources: list[RecordedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    """Stack outputs, redacted."""
    warnings: list[str] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> RecordedResource:
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_token} {name or ''}, found {len(found)}")
        return found[0]


def redact(value: Any) -> Any:
    """Plain JSON-able data with every secret replaced by SECRET and unknown by UNKNOWN."""
    if rpc.is_rpc_secret(value):
        return SECRET
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        # The engine's protobuf Struct carries every number as a double.
        return int(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


STACK_REFERENCE = "pulumi:pulumi:StackReference"
PROGRAM_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class ReferencedStack:
    """What a StackReference to another stack reads under mocks: its outputs, and which of
    them that stack exported as secrets."""

    outputs: dict[str, Any]
    secret_names: tuple[str, ...] = ()


class _EchoMocks(mocks.Mocks):
    def __init__(self, references: dict[str, ReferencedStack] | None = None) -> None:
        self.references = references or {}

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        if args.typ == STACK_REFERENCE:
            name = args.inputs.get("name") or args.name
            referenced = self.references[name]
            return name, {
                "name": name,
                "outputs": referenced.outputs,
                "secretOutputNames": list(referenced.secret_names),
            }
        return f"{args.name}-id", dict(args.inputs)

    def call(
        self, args: mocks.MockCallArgs
    ) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return mock_invokes.answer(args.token, dict(args.args)), []


class RecordingMonitor(mocks.MockMonitor):
    def __init__(
        self,
        records: list[RecordedResource],
        references: dict[str, ReferencedStack] | None = None,
    ) -> None:
        super().__init__(_EchoMocks(references))
        self.records = records

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        _mark_secret_outputs(response.object, list(request.additionalSecretOutputs))
        if request.type != "pulumi:pulumi:Stack":
            self.records.append(
                RecordedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    provider=request.provider,
                    custom=bool(request.custom),
                    inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                    dependencies=list(request.dependencies),
                    ignore_changes=list(request.ignoreChanges),
                    protect=bool(request.protect),
                    custom_timeouts=_timeouts(request),
                )
            )
        return response


def _mark_secret_outputs(state: struct_pb2.Struct, names: list[str]) -> None:
    """What the engine does with `additional_secret_outputs` (random passwords' `result`, for
    one): those outputs come back secret, also while still unknown in a preview."""
    if not names:
        return
    outputs = json_format.MessageToDict(state)
    state.update({name: rpc.wrap_rpc_secret(outputs.get(name, rpc.UNKNOWN)) for name in names})


def _timeouts(request: Any) -> dict[str, str]:
    timeouts = request.customTimeouts
    return {
        operation: value
        for operation in ("create", "update", "delete")
        if (value := getattr(timeouts, operation))
    }


class _WarningCollector(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _resolve(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    secret = _sync_await(output.is_secret())
    resolved = _sync_await(output.future(with_unknowns=True))
    return SECRET if secret else redact(resolved)


def main_program(path: str) -> Callable[[], None]:
    """The Pulumi program in `path` (a `__main__.py`), as a callable for `run_program`."""

    def program() -> None:
        runpy.run_path(path, run_name="__main__")

    return program


def run_program(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    recording: Recording | None = None,
    references: dict[str, ReferencedStack] | None = None,
) -> Recording:
    """Run `program` as `pulumi preview` would; exceptions from the program propagate.

    Pass `recording` to inspect what was registered even when the program raises, and
    `references` (stack name -> what it exports) for the program's StackReferences.
    """
    asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])
    recording = recording if recording is not None else Recording()
    monitor = RecordingMonitor(recording.resources, references)
    collector = _WarningCollector(recording.warnings)
    logger = logging.getLogger(f"llm-platform.plan.{id(monitor)}")
    logger.propagate = False
    logger.addHandler(collector)
    # set_mocks makes a root stack only when none exists: without a fresh one, the exports of
    # an earlier run in this process would show up among this run's outputs.
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=True, logger=logger, monitor=monitor
    )
    # A program that fails in two places at once can leave the mock runtime waiting forever;
    # a plan takes seconds, so fail instead of hanging a test run.
    _sync_await(asyncio.wait_for(run_pulumi_func(program), PROGRAM_TIMEOUT_SECONDS))
    root = pulumi.runtime.get_root_resource()
    stack_outputs: dict[str, Any] = getattr(root, "outputs", {})
    recording.outputs = {name: _resolve(value) for name, value in stack_outputs.items()}
    return recording

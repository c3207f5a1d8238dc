"""Plan one server from plain values, and parse its command line against the option list
recorded from the pinned server."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.catalog.hardware import MachineShape
from components.catalog.models import MODELS
from components.serving.planner import plan_server
from components.serving.server_plan import PlanRequest, Resources, ServerPlan

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class OptionList:
    """Every long option of one pinned server: whether it takes a value, its choices."""

    takes_value: dict[str, bool]
    choices: dict[str, list[str]]

    def parse(self, words: list[str] | tuple[str, ...]) -> dict[str, str | None]:
        """`--flag value` pairs as the server reads them; fails on anything it would reject."""
        parsed: dict[str, str | None] = {}
        index = 0
        while index < len(words):
            flag = words[index]
            assert flag.startswith("--") and "=" not in flag, f"{flag!r} is not `--flag`"
            assert flag in self.takes_value, f"{flag} is not an option of the pinned server"
            assert flag not in parsed, f"{flag} given twice"
            if self.takes_value[flag]:
                value = words[index + 1]
                assert not value.startswith("--"), f"{flag} is missing its value"
                if flag in self.choices:
                    assert value in self.choices[flag], f"{flag} {value} is not a choice"
                parsed[flag] = value
                index += 2
            else:
                parsed[flag] = None
                index += 1
        return parsed


def vllm_options() -> OptionList:
    data = json.loads((DATA / "vllm-0.33.0-cli.json").read_text())
    flags = set(data["flags"]) | {i for v in data["boolean_inverses"].values() for i in v}
    flags_without_value = {
        "--enable-prefix-caching",
        *data["boolean_inverses"]["--enable-prefix-caching"],
    }
    return OptionList(
        takes_value={f: f not in flags_without_value for f in flags},
        choices=data["choices"],
    )


def tgi_options() -> OptionList:
    data = json.loads((DATA / "tgi-3.3.4-launcher.json").read_text())
    options = data["options"]
    return OptionList(
        takes_value={f: o["takes_value"] for f, o in options.items()},
        choices={f: o["choices"] for f, o in options.items() if o["choices"]},
    )


def llama_server_options() -> OptionList:
    data = json.loads((DATA / "llama-server-b11063-options.json").read_text())
    takes_value: dict[str, bool] = {}
    for flag, option in data["options"].items():
        for name in (flag, *option["aliases"]):
            if name.startswith("--"):
                takes_value[name] = option["takes_value"]
    return OptionList(takes_value=takes_value, choices={})


def plan_for(
    model: str,
    settings: Any,
    shape: MachineShape,
    *,
    tenants: tuple[str, ...] = ("default",),
    pods_per_gpu: int = 1,
    **resources: int,
) -> ServerPlan:
    """The ServerPlan of catalogue model `model` with `settings` on `shape`."""
    request = PlanRequest(
        checkpoint=MODELS[model],
        shape=shape,
        resources=Resources(**resources),
        tenants=tenants,
        has_hf_token=True,
        pods_per_gpu=pods_per_gpu,
    )
    return plan_server(settings, request)

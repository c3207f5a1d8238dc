"""Load tests as users write them in config (`loadTests`)."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.config_base import ConfigModel, DnsLabel
from components.loadtest.presets import PRESETS, Workload

Tokens = Annotated[int, Field(ge=1, le=131072)]
Spread = Annotated[int, Field(ge=0, le=65536)]


class LoadTestConfig(ConfigModel):
    name: DnsLabel
    """Names the Job (`load-test-<name>`) and the results folder."""
    preset: Literal["chatbot", "rag"] | None = None
    """An article workload; the token keys below override its numbers."""
    server: str | None = None
    """models[].name to test; unset: the preset's article server, else one on its engine,
    else the first model."""
    tenant: str | None = None
    """Whose API key the Job sends; unset: the first tenant the server accepts."""
    input_tokens: Tokens | None = None
    output_tokens: Tokens | None = None
    input_tokens_stdev: Spread | None = None
    output_tokens_stdev: Spread | None = None
    concurrency: Annotated[int, Field(ge=1, le=1024)] | None = None
    """Requests in flight; unset: llama.cpp's parallel slots, or 16 for vLLM/TGI."""
    requests: Annotated[int, Field(ge=1, le=100000)] = 200
    max_seconds: Annotated[int, Field(ge=60, le=86400)] = 1800
    """The benchmark stops after this long even if requests remain."""
    request_timeout_sec: Annotated[int, Field(ge=10, le=3600)] = 600

    @model_validator(mode="after")
    def _has_workload(self) -> "LoadTestConfig":
        if self.preset is None and (self.input_tokens is None or self.output_tokens is None):
            raise ValueError("set preset (chatbot or rag), or both inputTokens and outputTokens")
        return self

    @property
    def workload(self) -> Workload:
        base = PRESETS[self.preset].workload if self.preset is not None else None

        def pick(value: int | None, preset_value: int) -> int:
            return value if value is not None else preset_value

        return Workload(
            input_tokens=pick(self.input_tokens, base.input_tokens if base else 0),
            output_tokens=pick(self.output_tokens, base.output_tokens if base else 0),
            input_tokens_stdev=pick(
                self.input_tokens_stdev, base.input_tokens_stdev if base else 0
            ),
            output_tokens_stdev=pick(
                self.output_tokens_stdev, base.output_tokens_stdev if base else 0
            ),
        )


def default_load_tests() -> list[LoadTestConfig]:
    """Both article use cases, each against the servers this stack has."""
    return [LoadTestConfig(name=preset, preset=preset) for preset in ("chatbot", "rag")]

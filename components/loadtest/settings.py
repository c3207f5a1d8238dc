"""Load tests as users write them in config (`loadTests`)."""

from dataclasses import replace
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.config_base import ConfigModel, DnsLabel
from components.loadtest.presets import PRESETS, Workload

_NO_PRESET = Workload(input_tokens=0, output_tokens=0)

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
        """The preset's numbers with the configured ones on top (the validator above makes
        sure a test without a preset sets both token counts)."""
        base = PRESETS[self.preset].workload if self.preset is not None else _NO_PRESET
        configured = {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "input_tokens_stdev": self.input_tokens_stdev,
            "output_tokens_stdev": self.output_tokens_stdev,
        }
        return replace(base, **{k: v for k, v in configured.items() if v is not None})


def default_load_tests() -> list[LoadTestConfig]:
    """Both article use cases, each against the servers this stack has."""
    return [LoadTestConfig(name=preset, preset=preset) for preset in ("chatbot", "rag")]

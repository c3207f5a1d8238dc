"""llama-server flags against the options of the pinned build, and where it may run."""

import pytest

from components.catalog.hardware import MACHINE_SHAPES, a1_flex
from components.config_base import SettingError
from components.serving.images import LLAMA_CPP_BUILD, LLAMA_CPP_IMAGE
from components.serving.scrape_key import SCRAPE_KEY_FILE
from components.serving.server_plan import ServerPlan
from components.serving.settings import LlamaCppSettings, TgiSettings, VllmSettings
from tests.server_cli import llama_server_options, plan_for

A1 = a1_flex(ocpus=16, memory_gib=64)
T2A = MACHINE_SHAPES["t2a-standard-16"]
A10_1 = MACHINE_SHAPES["VM.GPU.A10.1"]
LLAMA_SERVER = llama_server_options()
GGUF = "llama-3.1-8b-instruct-q8_0-gguf"


def plan(model: str, settings, shape=A1, **options) -> ServerPlan:
    return plan_for(model, settings, shape, **options)


def test_the_option_list_is_the_pinned_build() -> None:
    assert LLAMA_CPP_IMAGE.build is not None
    assert LLAMA_CPP_IMAGE.build.build_args["LLAMA_CPP_TAG"] == LLAMA_CPP_BUILD == "b11063"


@pytest.mark.parametrize("shape", [A1, T2A], ids=["ampere-a1", "tau-t2a"])
def test_llama_server_flags_are_accepted_by_the_pinned_build(shape) -> None:
    server = plan(GGUF, LlamaCppSettings(context_per_slot=4096, parallel=4), shape, cpu=12)
    # `--flag=value` is "invalid argument" to llama-server: every value is its own word.
    assert not [w for w in server.args if w.startswith("--") and "=" in w]
    built = LLAMA_SERVER.parse(server.args)
    assert built["--threads"] == "12" == str(server.cpu)
    assert built["--ctx-size"] == str(4096 * 4)
    assert built["--parallel"] == "4"
    assert built["--hf-file"] == "Meta-Llama-3.1-8B-Instruct-Q8_0.gguf"
    assert built["--port"] == "8000"
    assert "--metrics" in built and "--no-ui" in built
    assert server.gpus == 0


def test_every_tenant_key_goes_to_llama_api_key_separated_by_commas() -> None:
    server = plan(GGUF, LlamaCppSettings(), tenants=("web", "batch"))
    assert server.secrets.env["LLAMA_API_KEY"] == (
        "api-key-web",
        "api-key-batch",
        SCRAPE_KEY_FILE,
    )
    assert server.secrets.trailing_flag is None


def test_without_metrics_there_is_no_scrape_key_and_no_queue_metric() -> None:
    server = plan(GGUF, LlamaCppSettings(metrics=False), tenants=("web",))
    assert server.secrets.env["LLAMA_API_KEY"] == ("api-key-web",)
    assert "--metrics" not in server.args
    assert server.queue_metric is None
    assert not server.scrape_key_needed


def test_default_context_per_slot_is_capped_on_cpu() -> None:
    server = plan(GGUF, LlamaCppSettings(parallel=4), memory_gib=48)
    assert server.context == 8192


@pytest.mark.parametrize(
    ("model", "settings", "shape", "key", "match"),
    [
        (GGUF, VllmSettings(), A1, "model", "llamacpp"),
        ("llama-3.1-8b-instruct", LlamaCppSettings(), A1, "model", "pick a -gguf model"),
        (GGUF, LlamaCppSettings(), A10_1, "pool", "CPU only"),
        ("llama-3.2-1b-instruct", TgiSettings(), A1, "pool", "has no GPU"),
        (GGUF, LlamaCppSettings(context_per_slot=100_000), A1, "server.contextPerSlot", "at most"),
    ],
)
def test_llamacpp_and_placement_errors(model, settings, shape, key, match) -> None:
    with pytest.raises(SettingError, match=match) as error:
        plan(model, settings, shape)
    assert error.value.key == key

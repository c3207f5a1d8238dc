"""Load-test configuration: presets, which server each test targets, and errors by key."""

import copy
from typing import Any

import pytest

from components.loadtest.guidellm import BenchmarkSpec, guidellm_args
from components.loadtest.presets import PRESETS, Workload
from stacks.config import ConfigError, load_test_plans, validate
from tests.conftest import BASE_CONFIG
from tests.test_oci_config import oci_raw


def test_presets_are_the_articles_numbers() -> None:
    assert PRESETS["chatbot"].workload == Workload(input_tokens=100, output_tokens=100)
    assert PRESETS["rag"].workload == Workload(input_tokens=2000, output_tokens=200)
    assert (PRESETS["chatbot"].engine, PRESETS["chatbot"].model) == (
        "llamacpp",
        "llama-3.1-8b-instruct-q8_0-gguf",
    )
    assert (PRESETS["rag"].engine, PRESETS["rag"].model) == ("vllm", "llama-3.2-1b-instruct")


def _plans(raw: dict[str, Any], *, has_hf_token: bool = True):
    stack, servers = validate(raw, has_hf_token=has_hf_token)
    return load_test_plans(stack, servers, has_hf_token=has_hf_token)


def test_on_oke_each_preset_finds_the_articles_server() -> None:
    tests, problems = _plans(oci_raw())
    assert problems == []
    by_name = {t.name: t for t in tests}
    assert by_name["chatbot"].server == "llama-8b-a1"
    assert by_name["rag"].server == "llama-1b-a10"
    assert all(t.note is None for t in tests)
    # llama-server decodes 4 requests at once by default; vLLM batches.
    assert by_name["chatbot"].concurrency == 4
    assert by_name["rag"].concurrency == 16


def test_without_the_articles_server_a_preset_runs_on_what_exists_and_says_so() -> None:
    tests, problems = _plans(copy.deepcopy(BASE_CONFIG))
    assert problems == []
    assert [(t.name, t.server) for t in tests] == [
        ("chatbot", "llama-3-1-8b"),
        ("rag", "llama-3-1-8b"),
    ]
    chatbot = tests[0]
    assert chatbot.note is not None and "llamacpp" in chatbot.note
    assert chatbot.note.endswith(
        "testing llama-3-1-8b (vllm, llama-3.1-8b-instruct) with the same workload"
    )


def test_custom_tests_override_a_preset_and_pick_their_server_and_tenant() -> None:
    raw = oci_raw(
        tenants=[{"name": "a"}, {"name": "b"}],
        loadTests=[
            {"name": "long-rag", "preset": "rag", "server": "llama-8b-a10", "outputTokens": 500},
            {
                "name": "custom",
                "inputTokens": 300,
                "outputTokens": 50,
                "inputTokensStdev": 30,
                "concurrency": 2,
                "tenant": "b",
            },
        ],
    )
    tests, problems = _plans(raw)
    assert problems == []
    long_rag, custom = tests
    assert long_rag.workload == Workload(input_tokens=2000, output_tokens=500)
    assert (long_rag.server, long_rag.tenant) == ("llama-8b-a10", "a")
    assert custom.workload.input_tokens_stdev == 30
    assert (custom.concurrency, custom.tenant) == (2, "b")


def test_an_empty_list_runs_no_load_test() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["loadTests"] = []
    assert _plans(raw) == ([], [])


def _problems(raw: dict[str, Any], *, has_hf_token: bool = True) -> list[str]:
    with pytest.raises(ConfigError) as error:
        validate(raw, has_hf_token=has_hf_token)
    return error.value.problems


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (
            {"name": "x", "server": "nope", "preset": "rag"},
            "loadTests[0].server: no model named 'nope'",
        ),
        (
            {"name": "x", "preset": "rag", "tenant": "ghost"},
            "loadTests[0].tenant: 'ghost' is not in tenants",
        ),
        (
            {"name": "x", "inputTokens": 8000, "outputTokens": 500},
            "loadTests[0].inputTokens: a request may need 8500 tokens",
        ),
        (
            {"name": "x", "preset": "rag", "inputTokensStdev": 2000},
            "a request may need 8200 tokens",
        ),
        (
            {"name": "x"},
            "loadTests[0]: set preset (chatbot or rag), or both inputTokens and outputTokens",
        ),
        ({"name": "x", "preset": "summarise"}, "loadTests[0].preset"),
        ({"name": "x", "preset": "rag", "concurrency": 0}, "loadTests[0].concurrency"),
        ({"name": "Bad_Name", "preset": "rag"}, "loadTests[0].name"),
    ],
)
def test_bad_tests_are_reported_by_key(test: dict[str, Any], expected: str) -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["loadTests"] = [test]
    problems = _problems(raw)
    assert len(problems) == 1
    assert expected in problems[0]
    assert problems[0].startswith("llm-platform:loadTests")


def test_a_tenant_the_server_refuses_is_reported() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["tenants"] = [{"name": "a"}, {"name": "b"}]
    raw["models"][0]["tenants"] = ["a"]
    raw["loadTests"] = [{"name": "x", "preset": "rag", "tenant": "b"}]
    [problem] = _problems(raw)
    assert problem.startswith(
        "llm-platform:loadTests[0].tenant: model 'llama-3-1-8b' accepts only ['a']"
    )


def test_duplicate_names_are_reported() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["loadTests"] = [{"name": "x", "preset": "rag"}, {"name": "x", "preset": "chatbot"}]
    assert _problems(raw) == ["llm-platform:loadTests: names must be unique, repeated: ['x']"]


def test_explicit_tests_need_the_hugging_face_token_the_defaults_step_aside() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["models"][0]["model"] = "gemma-7b-it-awq"  # ungated: the servers need no token
    raw["models"][0]["server"] = {"type": "vllm"}
    stack, servers = validate(raw, has_hf_token=False)
    assert load_test_plans(stack, servers, has_hf_token=False) == ([], [])
    raw["loadTests"] = [{"name": "x", "preset": "chatbot"}]
    [problem] = _problems(raw, has_hf_token=False)
    assert problem.startswith("llm-platform:loadTests: the benchmark downloads")
    assert "huggingFaceToken" in problem


def test_guidellm_arguments_carry_the_workload_and_no_key() -> None:
    spec = BenchmarkSpec(
        target_url="http://srv.llm.svc.cluster.local:8000/v1",
        model="meta-llama/Llama-3.2-1B-Instruct",
        tokenizer="meta-llama/Llama-3.2-1B-Instruct",
        workload=Workload(input_tokens=2000, output_tokens=200, output_tokens_stdev=20),
        concurrency=16,
        requests=300,
        max_seconds=900,
        request_timeout_sec=600,
        tenant="default",
    )
    args = guidellm_args(spec)
    assert args[:2] == ["/opt/app-root/bin/guidellm", "run"]
    option = {args[i]: args[i + 1] for i in range(2, len(args) - 1) if args[i].startswith("--")}
    assert option["--backend"] == (
        "kind=openai_http,target=http://srv.llm.svc.cluster.local:8000/v1,"
        "model=meta-llama/Llama-3.2-1B-Instruct,request_format=/v1/chat/completions,timeout=600"
    )
    assert option["--data"] == (
        "kind=synthetic_text,prompt_tokens=2000,output_tokens=200,output_tokens_stdev=20"
    )
    assert option["--profile"] == "kind=concurrent,streams=16"
    constraints = [args[i + 1] for i, a in enumerate(args) if a == "--constraint"]
    assert constraints == ["kind=max_requests,count=300", "kind=max_duration,seconds=900"]
    outputs = [args[i + 1] for i, a in enumerate(args) if a == "--output"]
    assert outputs == [
        "kind=json,path=/results/benchmarks.json",
        "kind=csv,path=/results/benchmarks.csv",
    ]
    assert not any("api_key" in a for a in args)


def test_the_readme_documents_every_load_test_key_and_the_output() -> None:
    from pathlib import Path

    from components.loadtest.settings import LoadTestConfig

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name, field in LoadTestConfig.model_fields.items():
        alias = field.alias or name
        assert f"`loadTests[].{alias}`" in readme or f"/ `{alias}`" in readme, alias
    assert "| `loadTests` | map |" in readme
    assert "python -m stacks.loadtest compare" in readme

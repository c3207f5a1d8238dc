"""`examples/consumer`, another team's program, run under mocks against this stack's own outputs
(the dev configuration): what it reads must exist, with the declared types, under the declared
names. Renaming or removing an output it reads fails here."""

from pathlib import Path
from typing import Any

import pytest

from stacks import contract
from stacks.mock_engine import SECRET, ReferencedStack, main_program, run_program
from tests.conftest import BASE_CONFIG, run_config

CONSUMER = Path(__file__).resolve().parent.parent / "examples" / "consumer"
PLATFORM = "my-org/llm-platform/dev"
STAND_IN_KEY = "default.stand-in-secret"
"""The plan never reveals a secret; the consumer gets a stand-in for the key it reads."""


@pytest.fixture(scope="module")
def platform_outputs() -> dict[str, Any]:
    outputs = dict(run_config(dict(BASE_CONFIG)).outputs)
    assert outputs["apiKeys"] == SECRET
    outputs["apiKeys"] = {"default": STAND_IN_KEY}
    return outputs


@pytest.fixture(autouse=True)
def _consumer_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(CONSUMER))


@pytest.fixture
def consumer():
    def run(outputs: dict[str, Any], **config: str):
        values = {"platformStack": PLATFORM, "model": "llama-3-1-8b", **config}
        secrets = tuple(n for n, s in contract.OUTPUTS.items() if s.secret and n in outputs)
        return run_program(
            main_program(str(CONSUMER / "__main__.py")),
            project="llm-consumer",
            stack="dev",
            config={f"llm-consumer:{k}": v for k, v in values.items()},
            references={PLATFORM: ReferencedStack(outputs, secrets)},
        )

    return run


def test_the_consumer_reads_the_dev_stacks_outputs(consumer, platform_outputs) -> None:
    exported = consumer(platform_outputs).outputs
    assert exported["chatModel"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert (
        exported["chatContextTokens"]
        == platform_outputs["models"]["llama-3-1-8b"]["contextTokens"]
    )
    assert exported["chatBaseUrl"] == platform_outputs["endpoint"]
    assert exported["chatApiKey"] == SECRET  # still secret on the consumer's side


def test_everything_the_consumer_reads_is_in_the_contract() -> None:
    from platform_outputs import READS, SUPPORTED_CONTRACT

    assert set(READS) <= set(contract.OUTPUTS)
    assert SUPPORTED_CONTRACT == contract.CONTRACT_VERSION


@pytest.mark.parametrize("name", ["endpoint", "models", "apiKeys"])
def test_renaming_an_output_it_reads_fails(consumer, platform_outputs, name: str) -> None:
    renamed = dict(platform_outputs)
    renamed[name + "V2"] = renamed.pop(name)
    with pytest.raises(Exception, match=rf"exports no \[.{name}.\]"):
        consumer(renamed)


def test_a_newer_contract_version_is_refused(consumer, platform_outputs) -> None:
    with pytest.raises(Exception, match="contract v3; this program reads v2"):
        consumer(dict(platform_outputs, contractVersion=3))


def test_an_unknown_model_is_named(consumer, platform_outputs) -> None:
    with pytest.raises(Exception, match="no model 'mistral'"):
        consumer(platform_outputs, model="mistral")

"""The README documents the frontend's environment contract and every config key it reads."""

from pydantic import BaseModel

from components.database.settings import DatabaseSettings
from components.frontend.environment import CONTRACT
from components.frontend.settings import FrontendSettings
from stacks.gcp_config import VertexAiSettings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def keys(model: type[BaseModel], prefix: str) -> list[str]:
    return [f"{prefix}.{field.alias}" for field in model.model_fields.values()]


def test_every_app_variable_is_documented() -> None:
    missing = [name for name in CONTRACT if f"`{name}`" not in README]
    assert not missing


def test_every_frontend_config_key_is_documented() -> None:
    documented = [
        *keys(FrontendSettings, "gcp.frontend"),
        *keys(DatabaseSettings, "gcp.frontend.database"),
        *keys(VertexAiSettings, "gcp.vertexAi"),
    ]
    missing = [key for key in documented if f"`{key}`" not in README]
    assert not missing

"""Decide everything about one model server: its module, picked by the settings' type."""

from collections.abc import Callable
from typing import Any

from components.serving.llamacpp import plan_llamacpp
from components.serving.server_plan import PlanRequest, ServerPlan
from components.serving.settings import LlamaCppSettings, ServerSettings, TgiSettings, VllmSettings
from components.serving.tgi import plan_tgi
from components.serving.vllm import plan_vllm

_PLANNERS: dict[type, Callable[[Any, PlanRequest], ServerPlan]] = {
    VllmSettings: plan_vllm,
    TgiSettings: plan_tgi,
    LlamaCppSettings: plan_llamacpp,
}


def plan_server(settings: ServerSettings, request: PlanRequest) -> ServerPlan:
    """Raise SettingError (key relative to the model entry) when the combination cannot run."""
    return _PLANNERS[type(settings)](settings, request)

"""App factories for the reliability tests, run by uvicorn in a child process.

``create_fault_app`` serves the real statistical model (default) beside the test-only
``slow`` and ``broken`` models of ``tests/service/support.py``; the slow model sleeps
``RELIABILITY_SLOW_S`` seconds (there is no test thread to release it in a child).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from okf.models.base import ModelRegistry
from okf.models.statistical import StatisticalModel
from okf.service.app import create_app
from okf.settings import Settings
from tests.service.support import BrokenModel, SlowModel


def create_fault_app() -> FastAPI:
    SlowModel.seconds = float(os.environ.get("RELIABILITY_SLOW_S", "2"))
    registry = ModelRegistry()
    registry.register(StatisticalModel(), default=True)
    registry.register(SlowModel())
    registry.register(BrokenModel())
    return create_app(Settings(), registry)

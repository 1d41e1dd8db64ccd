"""Metrics, logs and traces for the service (the spec's ``api/monitoring``), as a library.

This module only re-exports; each job has its module: ``wiring`` (``instrument``: an app),
``metrics`` (the metric definitions), ``fastpath`` (the per-request updates),
``multiprocess`` (several workers), ``middleware`` (the request edge), ``recorder``
(the model edge), ``logging`` and ``logsink`` (JSON lines to stdout), ``tracing`` and
``spans``, ``drain`` (the bounded background queue logs and spans leave by).
"""

from okf.monitoring.logging import configure_logging, log_error, log_model_prediction, log_request
from okf.monitoring.metrics import ServiceMetrics
from okf.monitoring.tracing import OtlpConfig, setup_tracing, trace_request
from okf.monitoring.wiring import Monitoring, MonitoringConfig, instrument

__all__ = [
    "Monitoring",
    "MonitoringConfig",
    "OtlpConfig",
    "ServiceMetrics",
    "configure_logging",
    "instrument",
    "log_error",
    "log_model_prediction",
    "log_request",
    "setup_tracing",
    "trace_request",
]

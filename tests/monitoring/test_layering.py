"""Monitoring is a library below the models: it imports no keyword logic, and its
package module only re-exports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import okf.monitoring

PACKAGE = Path(okf.monitoring.__file__).parent


def test_monitoring_imports_no_model_or_service_code() -> None:
    code = (
        "import sys, okf.monitoring, okf.monitoring.wiring\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('okf.models', 'okf.service',"
        " 'okf.text', 'okf.extraction')))\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_the_package_module_only_re_exports() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Import", "Assign"}, kinds
    for name in okf.monitoring.__all__:
        assert getattr(okf.monitoring, name).__module__.startswith("okf.monitoring.")

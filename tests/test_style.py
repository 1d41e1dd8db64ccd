"""The size rules of the project brief, kept true: no module in ``src/`` over 400 lines
and no function over 60 (from its ``def`` line to its last line, docstring included).

A long function or module usually does several jobs; split it by job (see
docs/architecture.md for where each job lives) rather than raising the limits."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "okf"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_the_source_tree_is_there() -> None:
    assert len(_modules()) > 50, f"no okf sources found under {SRC}"


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC.parent)): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them by job): {long}"


def test_no_function_over_60_lines() -> None:
    long = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    where = f"{path.relative_to(SRC.parent)}:{node.lineno} {node.name}"
                    long[where] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines (split them): {long}"


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines where ``os.environ`` is read (not only written) or ``os.getenv`` is called."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    reads = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "os" and node.attr == "getenv":
                reads.append(node.lineno)
            if node.value.id != "os" or node.attr != "environ":
                continue
            parent = parents.get(node)
            written = (
                isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store | ast.Del)
            ) or (isinstance(parent, ast.Attribute) and parent.attr in ("update", "setdefault"))
            if not written:
                reads.append(node.lineno)
    return reads


def test_only_settings_reads_the_environment() -> None:
    """Configuration has one source, ``okf.settings.Settings``; elsewhere the environment
    is only written, for a library that reads it itself (with a comment saying which)."""
    reads = {
        str(path.relative_to(SRC.parent)): lines
        for path in _modules()
        if path.name != "settings.py"
        and (lines := _environment_reads(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not reads, f"read the environment through okf.settings.Settings instead: {reads}"

"""Imports point one way, `api -> persona -> store`: store imports neither persona nor api, and
persona never imports api. Every import statement counts, at any depth (inside functions and
`if TYPE_CHECKING:` blocks too), and so do import strings handed to importlib."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"store": {"persona", "api"}, "persona": {"api"}}


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in `tree`, relative ones excluded."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def violations(package: str) -> list[str]:
    """`path:line imports X` for every import of `package` that points the wrong way."""
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported(tree):
            if name in FORBIDDEN[package]:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    assert violations(package) == []


def test_the_scan_sees_imports_at_every_depth(tmp_path: Path) -> None:
    source = (
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from api.deps import RuntimeDep\n"
        "def f():\n"
        "    import api.app\n"
        "    from persona import engine\n"
        "    importlib.import_module('api.routes')\n"
        "    from . import sibling\n"
    )
    assert sorted(_imported(ast.parse(source))) == [
        (1, "os"),
        (2, "typing"),
        (4, "api"),
        (6, "api"),
        (7, "persona"),
        (8, "api"),
    ]

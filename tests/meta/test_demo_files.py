"""The demo directory file is what its generator makes, and the portal never imports it."""

from __future__ import annotations

import ast

from portal import demo
from tools import demo_generator

PORTAL = demo.DEFAULT_DIR.parent / "portal"


def test_the_demo_directory_is_the_generators_output():
    assert demo.read_services() == demo_generator.generate()["services"], (
        "demo/directory differs from tools/demo_generator.py: change the generator and run "
        "`python -m tools.demo_generator`")


def _imports(path) -> set[str]:  # type: ignore[no-untyped-def]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_portal_imports_neither_the_generator_nor_bench_data():
    found = {str(path.relative_to(PORTAL)): name for path in PORTAL.rglob("*.py")
             for name in _imports(path) if name.split(".")[0] in {"tools", "bench"}}
    assert found == {}

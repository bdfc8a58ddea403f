"""Meta-tests, as datasette has: every hook is documented with its signature, and tested."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import hookspecs
from harness.plugins import HOOK_NAMES

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_DOCS = ROOT / "docs" / "plugins.md"


def signature_line(hook: Callable[..., object]) -> str:
    """``def name(arg: Type) -> Return`` as the reference section must show it."""
    signature = inspect.signature(hook)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"def {hook.__name__}({params}) -> {signature.return_annotation}"


def test_hook_names_are_the_designed_ones() -> None:
    assert set(HOOK_NAMES) == {
        "harness_register_providers",
        "harness_register_retry_policies",
        "harness_register_price_tables",
        "harness_register_routers",
        "harness_register_workloads",
        "harness_register_sinks",
        "harness_report_sections",
    }


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_a_full_docstring(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc.split()) >= 30, f"{name}: docstring too short to be a reference"
    assert "Since " in doc and "Called " in doc, f"{name}: say when it is called and since when"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_a_reference_section_with_its_signature(name: str) -> None:
    docs = PLUGIN_DOCS.read_text()
    heading = f"### `{name}`"
    assert heading in docs, f"docs/plugins.md has no section {heading!r}"
    section = docs.split(heading, 1)[1].split("\n### ", 1)[0]
    expected = signature_line(getattr(hookspecs, name))
    assert expected in section, f"the {name} section must show: {expected}"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_a_test_named_after_it(name: str) -> None:
    pattern = re.compile(rf"def test_\w*{name}\w*\(")
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if pattern.search(p.read_text())]
    assert tests, f"no test function named after {name}"

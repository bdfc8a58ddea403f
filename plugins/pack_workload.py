"""The ``pack`` workload: built-in prompt packs shipped with the harness (``--prompt-pack``).

A pack is a dataset (see :mod:`harness.prompt_dataset`) stored beside this
module as ``prompt_pack_NAME.jsonl``; it lives in the package, not a data
sub-package, so a plain wheel install finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from harness import hookimpl
from harness.contracts import Workload, WorkloadSettings
from harness.errors import HarnessConfigError
from harness.prompt_dataset import PromptRow, RowsWorkload, load_dataset

_PREFIX = "prompt_pack_"


def pack_files() -> dict[str, Path]:
    """Every shipped pack by name."""
    folder = files("harness_plugins")
    return {
        entry.name[len(_PREFIX) : -len(".jsonl")]: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.startswith(_PREFIX) and entry.name.endswith(".jsonl")
    }


class PackWorkload(RowsWorkload):
    name = "pack"
    description = "chats from a built-in prompt pack: --prompt-pack coding, support or analysis"

    def rows(self, settings: WorkloadSettings) -> tuple[PromptRow, ...]:
        packs = pack_files()
        name = settings.options.get("prompt_pack")
        if name not in packs:
            shown = f"--prompt-pack {name!r}" if name else "--workload pack needs --prompt-pack"
            raise HarnessConfigError(f"{shown}: expected one of {', '.join(sorted(packs))}")
        return load_dataset(packs[name])


@hookimpl
def harness_register_workloads(register: Callable[[Workload], None]) -> None:
    register(PackWorkload())

"""The ``dataset`` workload: chats read from a JSONL file of ``messages`` (``--dataset``).

The file is parsed once per process (:mod:`harness.prompt_dataset`) and every
user walks it in its own shuffled order, so concurrent users do not send the
same prompt at the same moment, which would flatter a provider's cache.
"""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from harness.contracts import Workload, WorkloadSettings
from harness.errors import HarnessConfigError
from harness.prompt_dataset import PromptRow, RowsWorkload, load_dataset


class DatasetWorkload(RowsWorkload):
    name = "dataset"
    description = "chats replayed from --dataset FILE.jsonl (messages, optional max_tokens)"

    def rows(self, settings: WorkloadSettings) -> tuple[PromptRow, ...]:
        path = settings.options.get("dataset")
        if not path:
            raise HarnessConfigError("--workload dataset needs --dataset FILE.jsonl")
        return load_dataset(path)


@hookimpl
def harness_register_workloads(register: Callable[[Workload], None]) -> None:
    register(DatasetWorkload())

"""Multi-agent workflows: DAGs of role steps, independent steps concurrently.

    locust -f locustfiles/agents.py --host http://127.0.0.1:8000 --workflow incident-response

or `harness run --workload agents` (every built-in workflow, mixed),
`harness run --workflow code-review-pipeline`, or `--workflow-file my.toml`
for workflows and roles of your own (format: harness/agents/loader.py).
"""

from harness.locust import AgentUser

__all__ = ["AgentUser"]

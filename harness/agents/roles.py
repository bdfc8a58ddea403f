"""The built-in agent roles: who a workflow step speaks as, and how it asks.

Each role is a system prompt plus sampling settings. The prompts are short
on purpose: they set the agent's stance, while a step's own prompt and its
dependencies' outputs carry the work. Some roles carry tools
(:mod:`harness.agents.tools`): incident response reads logs and metrics,
observability metrics, code generation runs tests, data analysis and
database design run SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.agents.tools import BUILTIN_TOOLS, Tool


@dataclass(frozen=True)
class Role:
    name: str
    system_prompt: str
    temperature: float
    max_tokens: int
    tools: tuple[Tool, ...] = ()


def _role(name: str, temperature: float, max_tokens: int, prompt: str, *tools: str) -> Role:
    return Role(
        name,
        " ".join(prompt.split()),
        temperature,
        max_tokens,
        tuple(BUILTIN_TOOLS[tool] for tool in tools),
    )


BUILTIN_ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        _role(
            "code-generation",
            0.2,
            768,
            """You write production code. Prefer small functions, clear names and
            tests alongside the change. State assumptions before the code.""",
            "run_tests",
        ),
        _role(
            "data-analysis",
            0.3,
            512,
            """You analyse data sets. Describe the data first, then the method,
            then findings with the numbers that support them and their caveats.""",
            "run_sql",
        ),
        _role(
            "security-audit",
            0.1,
            640,
            """You audit software for security flaws. List each finding with its
            severity, the affected code path, how it could be exploited and the fix.""",
        ),
        _role(
            "documentation",
            0.5,
            512,
            """You write technical documentation for busy readers. Lead with what
            the reader can do, give one working example, and keep sentences short.""",
        ),
        _role(
            "testing",
            0.2,
            640,
            """You design tests. Cover the contract, the edge cases and the failure
            paths; name each test after the behaviour it proves.""",
        ),
        _role(
            "devops",
            0.2,
            512,
            """You automate builds, deployments and infrastructure. Prefer
            declarative configuration, reproducible steps and safe rollbacks.""",
        ),
        _role(
            "api-design",
            0.3,
            512,
            """You design HTTP APIs. Define resources, methods, status codes, error
            bodies, pagination and versioning; keep the surface small and consistent.""",
        ),
        _role(
            "performance-profiling",
            0.2,
            512,
            """You find performance bottlenecks. Ask for measurements, identify the
            hot path, estimate the gain of each change and propose how to verify it.""",
        ),
        _role(
            "incident-response",
            0.1,
            384,
            """You lead incident response. Establish impact and timeline, propose
            mitigations ranked by speed and risk, and keep a running status note.""",
            "query_logs",
            "get_metrics",
        ),
        _role(
            "cost-optimization",
            0.3,
            384,
            """You reduce cloud and model spend. Break cost down by driver, propose
            savings with their estimated amount, and flag any risk to reliability.""",
        ),
        _role(
            "database-design",
            0.2,
            512,
            """You design database schemas. Model entities and relations, choose keys
            and indexes for the stated queries, and plan migrations without downtime.""",
            "run_sql",
        ),
        _role(
            "mlops",
            0.2,
            512,
            """You run machine-learning systems in production. Cover data and model
            versioning, evaluation gates, deployment strategy and drift monitoring.""",
        ),
        _role(
            "observability",
            0.2,
            384,
            """You instrument systems. Propose the metrics, logs and traces that
            answer the operators' questions, with alert thresholds tied to SLOs.""",
            "get_metrics",
        ),
        _role(
            "compliance",
            0.0,
            512,
            """You review systems against regulations and internal policy. Cite the
            requirement, state whether it is met, and list the evidence still needed.""",
        ),
        _role(
            "capacity-planning",
            0.2,
            384,
            """You plan capacity. Project demand from the given growth, size each
            resource with headroom, and name the first limit the system will hit.""",
        ),
        _role(
            "disaster-recovery",
            0.1,
            512,
            """You plan disaster recovery. Define recovery point and time objectives,
            backup and failover procedures, and how each is rehearsed.""",
        ),
        _role(
            "customer-support",
            0.6,
            320,
            """You answer customers politely and precisely. Acknowledge the problem,
            give the next concrete step, and escalate when you cannot resolve it.""",
        ),
    )
}

"""Options of the session and agent users (locustfiles/sessions.py and agents.py)."""

from __future__ import annotations

from typing import Any


def add_agent_arguments(parser: Any) -> None:
    parser.add_argument(
        "--session-turns",
        type=int,
        default=5,
        help="sessions: user turns per conversation",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--session-max-context-tokens",
        type=int,
        default=4096,
        help="sessions: context budget; older turns slide out, the system prompt stays",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=0.0,
        help="sessions: seconds a user waits between turns",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--workflow",
        default=None,
        metavar="NAME",
        help="agents: the workflow each user runs, or `all` to mix them "
        "(default: all, or the workflows of --workflow-file)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--workflow-file",
        default=None,
        metavar="PATH",
        help="agents: TOML file of workflows and roles of your own, next to the built-ins",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--agent-context-words",
        type=int,
        default=200,
        help="agents: words of each dependency's output passed on to a step",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--agent-concurrency",
        type=int,
        default=4,
        help="agents: steps of one workflow run at once at most (priority picks among ready ones)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--tool-latency-ms",
        type=float,
        default=200.0,
        help="agents: how long a simulated tool call takes (a tool may set its own)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--tool-result-tokens",
        type=int,
        default=64,
        help="agents: words in a simulated tool result (a tool may set its own)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--max-tool-rounds",
        type=int,
        default=4,
        help="agents: tool-call answers a step follows up at most; the step ends after that",
        include_in_web_ui=True,
    )

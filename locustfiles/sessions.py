"""Multi-turn conversations: the context grows with each real answer, then slides.

    locust -f locustfiles/sessions.py --host http://127.0.0.1:8000 \\
        --session-turns 8 --session-max-context-tokens 2048 --think-time 2

or `harness run --workload sessions`. Each user message comes from the
default workload (`--prompt-tokens` words of the synthetic one).
"""

from harness.locust import SessionUser

__all__ = ["SessionUser"]

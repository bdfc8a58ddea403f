"""Single chats, sessions and agent workflows in one run, mixed by Locust's class weights.

    locust -f locustfiles/mixed.py --host http://127.0.0.1:8000 --config-users \\
        '{"user_class_name": "AgentUser", "weight": 3}' \\
        '{"user_class_name": "ChatUser", "weight": 1}'

or `harness run --workload mixed --config-users ...`. Without weights, each
kind of user gets a third of `-u`.
"""

from harness.locust import AgentUser, ChatUser, SessionUser

__all__ = ["AgentUser", "ChatUser", "SessionUser"]

"""Single-turn streaming chats against one endpoint.

    locust -f locustfiles/chat.py --host http://127.0.0.1:8000 --model sim-gpt

Start the simulator with `harness mock --port 8000`, or point --host at any
OpenAI-compatible server (with --api-key-env NAME for its key).
"""

from harness.locust import ChatUser

__all__ = ["ChatUser"]

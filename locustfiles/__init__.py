"""Ready-to-run locustfiles (``locust -f locustfiles/chat.py``); shipped in the wheel."""

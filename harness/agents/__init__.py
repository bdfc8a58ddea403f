"""Multi-agent workflows: roles, workflow DAGs, loading and validation, step prompts.

Nothing here imports gevent or Locust; :mod:`harness.locust.agent_user` runs
the workflows.
"""

"""SLO rules, their evaluation against a summary, goodput and exit codes (no gevent, no Locust).

See :mod:`harness.slo.evaluate` for the public API.
"""

"""Open loop: requests start on a schedule, however long the answers take.

    locust -f locustfiles/arrivals.py --headless --host http://127.0.0.1:8000 \\
        --rate 20 --arrival poisson --max-concurrency 64
    locust -f locustfiles/arrivals.py --headless --host ... --trace trace.jsonl --time-scale 2

or `harness run --rate 20` / `harness run --trace trace.jsonl`. One user per
process dispatches (`-u 1`; in a distributed run one per worker, and each
worker sends --rate / --expect-workers). Records carry `queue_s` and
`scheduled_at`; the summary's `arrivals` block counts dropped arrivals.
"""

from harness.locust import ArrivalUser

__all__ = ["ArrivalUser"]

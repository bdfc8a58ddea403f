"""The live LLM dashboard: a page of charts in Locust's web UI, fed by a JSON endpoint.

Locust's extended tabs render tables only, so the charts live on a page of
their own, served by Locust's Flask app behind its login when one is on. The
page is plain JS (no CDN: load tests often run offline) and polls
``/llm/series.json``: the run's per-second bins (merged across workers on a
master), the second in progress left out so its partial counts never look
like a drop.
"""

from __future__ import annotations

import importlib.resources
import math
import time
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify
from locust.env import Environment

from harness.report.summary import timeseries_rows

if TYPE_CHECKING:
    from harness.locust.llm_run import LlmRun

DASHBOARD_PATH = "/llm/dashboard"
SERIES_PATH = "/llm/series.json"
#: Seconds of history the charts show.
WINDOW_S = 600


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000.0, 2)


def series_rows(run: LlmRun, now: float | None = None) -> list[dict[str, Any]]:
    """Completed seconds only, the last ``WINDOW_S`` of them; ``t`` from the first."""
    seconds = run.aggregate.seconds
    span = seconds.span()
    if span is None:
        return []
    current = math.floor(time.time() if now is None else now)
    rows = [row for row in timeseries_rows(seconds, span[0]) if row["at"] < current]
    return [
        {
            "t": row["t"],
            "ttft_p50": _ms(row["ttft_p50"]),
            "ttft_p95": _ms(row["ttft_p95"]),
            "e2e_p50": _ms(row["e2e_p50"]),
            "e2e_p95": _ms(row["e2e_p95"]),
            "output_tps": row["output_tokens"],
            "ok": row["ok"],
            "failed": row["failed"],
        }
        for row in rows[-WINDOW_S:]
    ]


def dashboard_page() -> str:
    page = importlib.resources.files("harness_templates") / "llm_dashboard.html"
    return page.read_text(encoding="utf-8")


def install_llm_dashboard(environment: Environment, run: LlmRun) -> None:
    web_ui = environment.web_ui
    assert web_ui is not None and web_ui.app is not None
    app = web_ui.app
    page = dashboard_page()

    @app.route(DASHBOARD_PATH)
    @web_ui.auth_required_if_enabled
    def llm_dashboard() -> Response:
        return Response(page, mimetype="text/html")

    @app.route(SERIES_PATH)
    @web_ui.auth_required_if_enabled
    def llm_series() -> Response:
        return jsonify({"rows": series_rows(run), "requests": run.aggregate.overall.requests})

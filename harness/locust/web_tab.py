"""The "LLM" tab in Locust's web UI: TTFT, ITL, TPOT and tokens/s per target and role, live.

Locust's extended-tab mechanism renders a table from rows we add to the JSON
of ``/stats/requests``; the rows come from the run's own histograms, so
Locust's "Aggregated" row never mixes TTFT with end-to-end times. On a master
of a distributed run the run's aggregate is the workers' merged deltas. The
same rows download as CSV, and the "Download Data" tab links the live
dashboard of charts (:mod:`harness.locust.web_dashboard`).
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import TYPE_CHECKING, Any

from flask import Response, request
from locust.env import Environment

from harness.locust.web_dashboard import DASHBOARD_PATH, install_llm_dashboard
from harness.metrics.metric_set import MetricSet

if TYPE_CHECKING:
    from harness.locust.llm_run import LlmRun

TAB_KEY = "llm"
CSV_PATH = "/llm/stats.csv"
_COLUMNS = (
    ("name", "Target / role"),
    ("requests", "# Requests"),
    ("failures", "# Failures"),
    ("failure_kinds", "Failures by kind"),
    ("ttft_p50_ms", "TTFT p50 (ms)"),
    ("ttft_p95_ms", "TTFT p95 (ms)"),
    ("itl_p50_ms", "ITL p50 (ms)"),
    ("tpot_p50_ms", "TPOT p50 (ms)"),
    ("e2e_p95_ms", "E2E p95 (ms)"),
    ("output_tokens", "Output tokens"),
    ("output_tps", "Output tokens/s"),
    ("attempts_per_request", "Attempts per request"),
    ("cost", "Cost so far"),
)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000.0, 1)


def llm_rows(run: LlmRun, now: float | None = None) -> list[dict[str, Any]]:
    """A row per target, per role (agent runs), and a total row when there are several.

    Tokens/s are over the time since each group's first request.
    """
    now = time.time() if now is None else now
    aggregate = run.aggregate
    rows = [_row(name, metrics, now) for name, metrics in sorted(aggregate.targets.items())]
    roles = aggregate.groups.get("roles", {})
    rows += [_row(f"role: {name}", metrics, now) for name, metrics in sorted(roles.items())]
    if len(rows) != 1:
        rows.append(_row("Aggregated", aggregate.overall, now))
    return rows


def llm_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in _COLUMNS])
    writer.writerows([row[key] for key, _ in _COLUMNS] for row in rows)
    return out.getvalue()


def _row(name: str, metrics: MetricSet, now: float) -> dict[str, Any]:
    started = metrics.first_started_at
    elapsed = now - started if started is not None else 0.0
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(metrics.errors_by_kind.items()))
    return {
        "name": name,
        "requests": metrics.requests,
        "failures": metrics.failed,
        "failure_kinds": kinds,
        "ttft_p50_ms": _ms(metrics.ttft.quantile(0.5)),
        "ttft_p95_ms": _ms(metrics.ttft.quantile(0.95)),
        "itl_p50_ms": _ms(metrics.itl.quantile(0.5)),
        "tpot_p50_ms": _ms(metrics.tpot.quantile(0.5)),
        "e2e_p95_ms": _ms(metrics.e2e.quantile(0.95)),
        "output_tokens": metrics.output_tokens,
        "output_tps": round(metrics.output_tokens / elapsed, 1) if elapsed > 0 else 0.0,
        "attempts_per_request": (
            round(metrics.requests / metrics.logical_requests, 2)
            if metrics.logical_requests
            else None
        ),
        "cost": _cost(metrics),
    }


def _cost(metrics: MetricSet) -> str:
    """Unknown stays unknown: a partly priced total is marked, never shown as complete."""
    cost = metrics.cost
    if not cost.priced_records:
        return "unknown" if cost.unpriced_records else "-"
    text = f"{cost.total:.4f} {cost.currency or '?'}"
    return f"{text} + unknown" if cost.unpriced_records else text


def install_llm_tab(environment: Environment, run: LlmRun) -> None:
    web_ui = environment.web_ui
    assert web_ui is not None and web_ui.app is not None
    web_ui.template_args["extended_tabs"] = [{"title": "LLM", "key": TAB_KEY}]
    web_ui.template_args["extended_tables"] = [
        {"key": TAB_KEY, "structure": [{"key": key, "title": title} for key, title in _COLUMNS]}
    ]
    web_ui.template_args["extended_csv_files"] = [
        {"href": f".{CSV_PATH}", "title": "Download LLM statistics CSV"},
        {"href": f".{DASHBOARD_PATH}", "title": "Open the live LLM dashboard (charts)"},
    ]
    install_llm_dashboard(environment, run)

    @web_ui.app.route(CSV_PATH)
    @web_ui.auth_required_if_enabled
    def _llm_csv() -> Response:
        return Response(
            llm_csv(llm_rows(run)),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=llm_stats.csv"},
        )

    @web_ui.app.after_request
    def _add_llm_stats(response: Response) -> Response:
        if request.path != "/stats/requests" or response.status_code != 200:
            return response
        payload = response.get_json(silent=True)
        if isinstance(payload, dict):
            payload["extended_stats"] = [{"key": TAB_KEY, "data": llm_rows(run)}]
            response.set_data(json.dumps(payload))
        return response

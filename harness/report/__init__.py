"""Reports built from a RunAggregate: summary.json, the terminal table, report.html."""

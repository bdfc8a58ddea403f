"""Price tables and cost: what the traffic of a run cost, from the usage providers reported."""

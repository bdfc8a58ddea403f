"""Mergeable aggregates of RequestRecords: histograms, metric sets, time series."""

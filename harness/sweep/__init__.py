"""Capacity sweeps: stages of rising offered load until an SLO breaks or throughput stops growing.

Pure logic except :mod:`harness.sweep.command`, which runs each stage as a
``harness run`` subprocess.
"""

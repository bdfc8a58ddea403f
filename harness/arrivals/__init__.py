"""Open-loop load: arrival processes, trace replay and the counts of an arrival schedule.

Pure logic (no gevent, no Locust): the dispatcher that sleeps to each
arrival lives in :mod:`harness.locust.arrival_user`.
"""

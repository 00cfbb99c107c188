"""The benchmark harness behind ``make bench``, and the synthetic data it runs on
(``synthetic``, loaded by the ``generate_incidents`` command).

Every figure is measured side by side with a baseline in the same run (PostgreSQL's own
COPY, a hello-world view, a plain DRF implementation, the same page at a smaller scale),
and reported as a median of repeated runs with the ratio and the target it must meet.
"""

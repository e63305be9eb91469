"""Hypothesis settings for the suite: no per-example deadline, no speed health check.

The machines that run the suite are shared and noisy; a slow example there is
not a failure. Every other health check stays on.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("itilkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("itilkit")

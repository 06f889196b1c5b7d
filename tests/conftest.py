"""Shared fixtures. Every random fixture is seeded."""

from __future__ import annotations

import os

# Keep the test suite from oversubscribing the 2-core CI machine.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

"""Shared fixtures. Tests run offline: the environment below turns telemetry and version checks off."""

import os

from orchestration.settings import QUIET_ENV

os.environ.update(QUIET_ENV)

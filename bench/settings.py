"""The benchmark's server: production settings with the bare baseline views mounted.

Only `bench.run` uses this module. The baselines never exist in production: portal.urls does
not know them.
"""

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

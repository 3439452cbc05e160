# The shared world and its fixtures (tests/world.py).
from tests.world import tool, world  # noqa: F401

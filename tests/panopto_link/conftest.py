# The shared world and its fixtures (tests/world.py); World is also imported from here.
from tests.world import World, tool, world  # noqa: F401

"""The fuzz tests' budgets add up to the run's minimum: half in each pass of .ci/run (SQLite,
then PostgreSQL), each pass with its own seed (tests/fuzz/conftest.py)."""

from tests.fuzz import (
    test_fuzz_authorization,
    test_fuzz_deep_linking,
    test_fuzz_portal_pages,
    test_fuzz_real_server,
    test_fuzz_well_known,
)
from tests.fuzz.conftest import MINIMUM_REQUESTS_PER_RUN

PASSES_PER_RUN = 2


def test_two_passes_send_at_least_the_minimum_number_of_generated_requests():
    per_pass = sum(
        module.BUDGET
        for module in (
            test_fuzz_authorization,
            test_fuzz_deep_linking,
            test_fuzz_portal_pages,
            test_fuzz_real_server,
            test_fuzz_well_known,
        )
    )
    assert per_pass * PASSES_PER_RUN >= MINIMUM_REQUESTS_PER_RUN

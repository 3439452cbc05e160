"""core.postgresql: a caller shortens the connect timeout of the attempts made inside it, for
its own thread only (/readyz's limit), and never lengthens it."""

import threading

from core.postgresql import connect_timeout, shortened_connect_timeout


def test_outside_a_shorter_limit_the_configured_timeout_holds():
    assert shortened_connect_timeout(3) == 3
    assert shortened_connect_timeout(None) is None


def test_inside_the_shorter_limit_wins_and_a_longer_one_does_not():
    with connect_timeout(2):
        assert shortened_connect_timeout(3) == 2
        assert shortened_connect_timeout("10") == 2  # as DATABASE_URL's query string gives it
        assert shortened_connect_timeout(None) == 2  # no limit configured: the caller's
        assert shortened_connect_timeout(0) == 2  # libpq's 0: no limit
    with connect_timeout(5):
        assert shortened_connect_timeout(3) == 3
    assert shortened_connect_timeout(3) == 3


def test_the_limit_holds_for_the_callers_thread_only():
    seen = []
    with connect_timeout(2):
        other = threading.Thread(target=lambda: seen.append(shortened_connect_timeout(3)))
        other.start()
        other.join()
        assert shortened_connect_timeout(3) == 2
    assert seen == [3]


def test_the_postgresql_backend_applies_the_limit_to_its_connection_parameters():
    from django.db.backends.postgresql.base import DatabaseWrapper as DjangoDatabaseWrapper

    from core.postgresql.base import DatabaseWrapper

    settings_dict = {
        "ENGINE": "core.postgresql",
        "NAME": "portal",
        "USER": "portal",
        "PASSWORD": "",
        "HOST": "db.example.edu",
        "PORT": "",
        "OPTIONS": {"connect_timeout": 3},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TIME_ZONE": None,
        "TEST": {},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="probe")
    assert isinstance(wrapper, DjangoDatabaseWrapper)
    assert wrapper.get_connection_params()["connect_timeout"] == 3
    with connect_timeout(2):
        assert wrapper.get_connection_params()["connect_timeout"] == 2

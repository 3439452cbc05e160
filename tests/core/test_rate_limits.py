"""Rate limits on sign-in (per user name and per address) and the counting underneath every
limit: a clear 429 page with Retry-After, atomic counts in the shared cache, nobody else held
back. The launch clicks' limit: tests/panopto_link/test_launch_rate_limit.py."""

import threading

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from core.rate_limits import Rate, client_address, rate_limit_take
from portal.settings.env import env_rate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, **extra):
    return client.post(
        "/sign-in/",
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def test_password_guesses_beyond_the_limit_are_refused_even_with_the_right_password(
    client, settings
):
    settings.RATE_LIMIT_SIGN_IN = (5, 300)
    UserFactory(username="ABC123")
    assert [sign_in(client, "ABC123", f"guess{i}").status_code for i in range(5)] == [200] * 5
    refused = sign_in(client, "abc123 ", "secret-pass-1")  # the same name, however written
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    hungarian = client.post(
        "/sign-in/", {"username": "ABC123", "password": "x"}, HTTP_ACCEPT_LANGUAGE="hu"
    )
    assert "Túl sok próbálkozás" in hungarian.content.decode()
    assert int(refused["Retry-After"]) <= 300
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out by these guesses.
    UserFactory(username="XYZ789")
    assert sign_in(client, "XYZ789", "secret-pass-1").status_code == 302


# Spellings of TYUT8J that Django's sign-in form turns into TYUT8J (NFKC) before it
# authenticates: U+FF34 FULLWIDTH T, the whole name in fullwidth forms, in mathematical bold,
# and as case variants and with spaces around it.
SPELLINGS_OF_TYUT8J = [
    "\uff34YUT8J",
    "\uff34\uff39\uff35\uff34\uff18\uff2a",
    "\U0001d413\U0001d418\U0001d414\U0001d413\U0001d7d6\U0001d409",
    "tyut8j",
    " TYUT8J\u3000",
]


def test_a_compatibility_spelling_of_a_name_signs_in_as_that_name(client):
    """Why the limit must count the name as the authentication reads it."""
    user = UserFactory(username="TYUT8J")
    assert sign_in(client, "\uff34YUT8J", "secret-pass-1").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("spelling", SPELLINGS_OF_TYUT8J)
def test_unicode_spellings_of_a_name_get_no_fresh_guesses(spelling):
    """Issue 15, finding 1: after 10 wrong passwords for TYUT8J the 11th answers 429, and so
    does every other spelling of the name, the right password included."""
    UserFactory(username="TYUT8J")
    guesser = Client()
    assert [sign_in(guesser, "TYUT8J", f"guess{i}").status_code for i in range(10)] == [200] * 10
    assert sign_in(guesser, "TYUT8J", "guess10").status_code == 429
    other = Client()
    assert sign_in(other, spelling, "secret-pass-1").status_code == 429
    assert "_auth_user_id" not in other.session


def test_guesses_spread_over_spellings_of_a_name_add_up():
    UserFactory(username="TYUT8J")
    spellings = [*SPELLINGS_OF_TYUT8J, "TYUT8J"] * 2
    statuses = [sign_in(Client(), name, "wrong").status_code for name in spellings[:10]]
    assert statuses == [200] * 10
    assert sign_in(Client(), "TYUT8J", "secret-pass-1").status_code == 429


def test_successful_sign_ins_from_one_address_are_not_held_back(settings):
    """A lecture hall behind one NAT address: correct passwords give their attempt back."""
    settings.RATE_LIMIT_SIGN_IN_ADDRESS = (3, 300)
    for index in range(6):
        UserFactory(username=f"HALL{index}")
        assert sign_in(Client(), f"HALL{index}", "secret-pass-1").status_code == 302
    for index in range(3):
        sign_in(Client(), f"HALL{index}", "wrong")
    assert sign_in(Client(), "HALL5", "secret-pass-1").status_code == 429


def test_the_address_comes_from_the_trusted_proxy_only(settings):
    factory = RequestFactory()
    request = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7, 10.0.0.1"
    )
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_address(request) == "192.0.2.7"  # never the client-written 6.6.6.6


def test_simultaneous_attempts_are_counted_exactly_once_each():
    """Atomic increments: 40 threads, 40 distinct counts (Redis in the PostgreSQL pass)."""
    rate = Rate(limit=10, window=60)
    counts: list[int] = []
    barrier = threading.Barrier(40)

    def attempt() -> None:
        barrier.wait()
        counts.append(rate_limit_take(scope="test", identity="one", rate=rate, now=1000.0).count)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 41))
    taken = rate_limit_take(scope="test", identity="one", rate=rate, now=1000.0)
    assert taken.shared and cache.get(taken.key) == 41 and not taken.allowed


def test_a_new_window_starts_a_new_count():
    rate = Rate(limit=1, window=60)
    assert rate_limit_take(scope="t", identity="u", rate=rate, now=59.0).allowed
    late = rate_limit_take(scope="t", identity="u", rate=rate, now=59.5)
    assert not late.allowed and late.retry_after == 1
    assert rate_limit_take(scope="t", identity="u", rate=rate, now=60.0).allowed


@pytest.mark.parametrize(
    ("value", "expected"), [("30/60", (30, 60)), ("off", None), ("0", None), ("", (10, 300))]
)
def test_rates_are_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("RATE_TEST", value)
    assert env_rate("RATE_TEST", default="10/300") == expected


@pytest.mark.parametrize("value", ["30", "x/60", "0/60", "30/0", "-1/5"])
def test_a_malformed_rate_stops_the_start_up(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("RATE_TEST", value)
    with pytest.raises(ImproperlyConfigured, match="RATE_TEST"):
        env_rate("RATE_TEST", default="10/300")


# --- the admin's sign-in counts against the same limits --------------------------------------


def admin_sign_in(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def it_administrator():
    return UserFactory(username="itadmin", is_staff=True, is_superuser=True)


def test_a_name_refused_by_the_portals_sign_in_is_refused_by_the_admins():
    """Issue 15, finding 2: after the portal's sign-in answered 429 for itadmin, the admin's
    sign-in took 15 more guesses and then the right password."""
    it_administrator()
    guesser = Client()
    assert [sign_in(guesser, "itadmin", f"guess{i}").status_code for i in range(10)] == [200] * 10
    assert sign_in(guesser, "itadmin", "guess10").status_code == 429
    admin_guesses = [admin_sign_in(Client(), "itadmin", f"g{i}").status_code for i in range(15)]
    assert admin_guesses == [429] * 15
    refused = admin_sign_in(Client(), "itadmin", "secret-pass-1")
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    assert int(refused["Retry-After"]) <= 300


def test_password_guesses_at_the_admins_sign_in_are_limited_too():
    it_administrator()
    guesser = Client()
    statuses = [admin_sign_in(guesser, "ITADMIN", f"guess{i}").status_code for i in range(10)]
    assert statuses == [200] * 10  # the admin's form, with its error
    assert admin_sign_in(Client(), "itadmin", "secret-pass-1").status_code == 429
    # The portal's sign-in counts the same attempts.
    assert sign_in(Client(), "\uff49tadmin", "secret-pass-1").status_code == 429


def test_a_correct_admin_sign_in_gives_its_attempts_back(settings):
    settings.RATE_LIMIT_SIGN_IN_ADDRESS = (3, 300)
    it_administrator()
    for _ in range(5):
        client = Client()
        response = admin_sign_in(client, "itadmin", "secret-pass-1")
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_guesses_by_someone_signed_in_at_the_admins_sign_in_are_counted():
    """A signed-in student stays signed in while the admin's form refuses the guesses: the
    attempts must still count."""
    it_administrator()
    student = Client()
    student.force_login(UserFactory())
    statuses = [admin_sign_in(student, "itadmin", f"guess{i}").status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]


# --- every spelling that signs in as a name counts as that name (property) -------------------


def spellings_of(name: str):
    """The name written with any mix of its compatibility forms (fullwidth, mathematical,
    circled, superscript …), in any case, with spaces around it: all of them NFKC-normalise
    to the name (in some case) — Django's sign-in form would authenticate them as it."""
    import unicodedata

    from hypothesis import strategies as st

    from tests.fuzz.strategies import COMPATIBILITY_FORMS

    def forms(character: str) -> list[str]:
        same = {character, character.lower(), character.upper()}
        return sorted(
            same | {c for c in COMPATIBILITY_FORMS if unicodedata.normalize("NFKC", c) in same}
        )

    padding = st.sampled_from(["", " ", "\u3000", "\t", "\u00a0"])
    return st.tuples(padding, *(st.sampled_from(forms(c)) for c in name), padding).map("".join)


@pytest.mark.parametrize("name", ["TYUT8J", "itadmin"])
def test_every_spelling_that_signs_in_as_a_name_counts_against_it(name):
    from django.contrib.auth.forms import UsernameField
    from hypothesis import given, settings

    from core.rate_limits import sign_in_identity

    @settings(max_examples=300, deadline=None, database=None)
    @given(spelling=spellings_of(name))
    def check(spelling):
        read = UsernameField().to_python(spelling)
        assert read.casefold() == name.casefold(), (spelling, read)  # it would sign in
        assert sign_in_identity(spelling) == sign_in_identity(name)

    check()

"""The session engine (SESSION_ENGINE): Django's database sessions, refusing a session key from
a cookie unless it could be one Django issued. Django only checks its length, so a cookie with a
NUL character reached the session query, which PostgreSQL refuses with an error: a 500 on every
page for whoever sent it. Found by the fuzzer (tests/fuzz)."""

import string

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# Django's session keys: 32 characters from a-z and 0-9 (sessions.backends.base.VALID_KEY_CHARS).
_KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key) -> bool:
        return isinstance(key, str) and 8 <= len(key) <= 40 and _KEY_CHARACTERS.issuperset(key)

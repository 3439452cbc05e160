"""How Panopto's SOAP PublicAPI authenticates a caller: plain Python, no Django.

Every call carries `AuthenticationInfo{UserKey, AuthCode}` with
`UserKey = "{identity provider instance name}\\{username}"` and
`AuthCode = upper(hex(sha1(UserKey + "@" + panopto_host + "|" + application_key)))`.
Sources (docs/connecting-panopto.md): Panopto's Moodle block, `lib/block_panopto_lib.php`
`panopto_generate_auth_code`; uw-panopto-client, `panopto_client/__init__.py` `auth_code()`.
The stand-in checks the same rule with code of its own (panopto_link/simulator/soap.py), as the
other party would; tests/panopto_link/panopto_api/test_contract.py holds both to the sources.

The REST API's "ID provider integration" (`rest_password`) proves the same key differently: the
OAuth2 password grant's password is `base64(sha256(lower(UserKey) + "|" + lower(key)))`
(Panopto's panopto-api-python-examples, `auth-id-provider/sample.py` `authorization`).
"""

import base64
import hashlib
from dataclasses import dataclass


def user_key(provider_name: str, username: str) -> str:
    """The UserKey of `username` of the identity provider `provider_name`."""
    return f"{provider_name}\\{username}"


def auth_code(user_key: str, host: str, application_key: str) -> str:
    """The AuthCode proving that the caller holds the provider's application key. `host` is
    the Panopto server's host name as in its URL (e.g. `demo.hosted.panopto.com`)."""
    payload = f"{user_key}@{host}|{application_key}"
    return hashlib.sha1(payload.encode("utf-8")).hexdigest().upper()  # noqa: S324 (Panopto's rule)


@dataclass(frozen=True)
class AuthenticationInfo:
    """The SOAP header-like parameter every PublicAPI call takes (`auth`)."""

    UserKey: str
    AuthCode: str
    Password: None = None

    @classmethod
    def for_user(
        cls, *, provider_name: str, username: str, host: str, application_key: str
    ) -> "AuthenticationInfo":
        key = user_key(provider_name, username)
        return cls(UserKey=key, AuthCode=auth_code(key, host, application_key))

    def as_soap(self) -> dict[str, str]:
        return {"UserKey": self.UserKey, "AuthCode": self.AuthCode}


def rest_password(user_key: str, application_key: str) -> str:
    """The password of the OAuth2 password grant that gets a REST token for `user_key` with the
    identity provider's application key: base64 of the SHA-256 of the lower-cased user key, "|"
    and the lower-cased key (Panopto's `auth-id-provider/sample.py`)."""
    payload = f"{user_key.lower()}|{application_key.lower()}"
    return base64.b64encode(hashlib.sha256(payload.encode("utf-8")).digest()).decode("ascii")

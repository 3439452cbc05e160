"""Bare baselines: each does only the part of an endpoint's work that no implementation can
avoid, through the same middleware on the same server, so that endpoint ÷ baseline says how
close the endpoint comes to its physical limit."""

import functools
import time

from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.views.decorators.csrf import csrf_exempt

from panopto_link.lti.jwks import key_set, public_jwk, sign


@functools.cache
def _cached_key() -> rsa.RSAPrivateKey:
    """Generated once per worker (during the warm-up), never read from anywhere."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@csrf_exempt
def bare_sign(request: HttpRequest) -> HttpResponse:
    """Signs an RS256 token whose claims are `size` bytes of JSON: an id_token's size, which
    bench.run measures on a real one. No session, no database."""
    size = int(request.GET.get("size", "1000"))
    claims = {"iat": int(time.time()), "pad": ""}
    claims["pad"] = "x" * max(0, size - len('{"iat":1790000000,"pad":""}'))
    token = sign(claims, private_key=_cached_key(), kid="bench")
    return HttpResponse(token, content_type="text/plain")


def bare_session_user(request: HttpRequest) -> HttpResponse:
    """Reads the signed-in user from the session (the session row and the user row); accepts
    the login initiation's POST with its CSRF token, so both pass the same middleware."""
    return HttpResponse(request.user.get_username(), content_type="text/plain")


_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Panopto</h1>{% endblock %}'
)


@login_required
def bare_page(request: HttpRequest) -> HttpResponse:
    """The portal's page frame (menu, language switch, user's name) for a signed-in user."""
    return HttpResponse(_PAGE.render({}, request))


@functools.cache
def _key_set_document() -> dict:
    """A key set of the JWKS's shape and size: two RSA-2048 public keys."""
    return key_set(
        public_jwk(
            rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), kid=f"k{n}"
        )
        for n in range(2)
    )


def bare_json(request: HttpRequest) -> JsonResponse:
    """A constant JSON document of the JWKS's size, made once per worker."""
    return JsonResponse(_key_set_document())

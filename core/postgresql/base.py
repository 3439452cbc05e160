"""Django's PostgreSQL backend, with the connect timeout of `core.postgresql.connect_timeout`
applied to the attempts made inside it. Everything else is Django's."""

from django.db.backends.postgresql import base

from core.postgresql import shortened_connect_timeout


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        timeout = shortened_connect_timeout(params.get("connect_timeout"))
        if timeout is not None:
            params["connect_timeout"] = timeout
        return params

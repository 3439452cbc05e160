"""What the commands that call Panopto's API share: the connection, or why there is none."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from panopto_link.panopto_api.connection import ApiConnection, api_connection


def command_connection() -> ApiConnection | None:
    """The registration's API connection; None when it has no API settings (a command then
    says there is nothing to do). A stored key that cannot be decrypted stops the command."""
    try:
        return api_connection()
    except ImproperlyConfigured as error:
        raise CommandError(str(error)) from error

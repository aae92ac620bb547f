"""Exceptions shared by services, pages and the API."""

from django.core.exceptions import ValidationError


class StaleEdit(ValidationError):
    """Someone else saved the record after the editor read it (optimistic locking).

    Pages show the message on the form; the API answers 409 Conflict.
    """

"""Domain errors with stable codes. They carry no HTTP status: the API maps them in one table."""

from __future__ import annotations


class ServiceError(Exception):
    code = "error"

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class Forbidden(ServiceError):
    """The caller's role may not do this."""


class NotFoundError(ServiceError):
    """No such record in the caller's organisation."""


class Conflict(ServiceError):
    """The record changed since the caller read it, or the request repeats a finished one."""


class Invalid(ServiceError):
    """The request breaks a rule (workflow guard, licence terms, input value)."""

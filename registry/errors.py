"""One error hierarchy for the registry. Adapters map these to exit codes and HTTP statuses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from registry.i18n import DEFAULT_LANG, Lang, Lines, Msg, msg

if TYPE_CHECKING:
    from registry.validation.report import ValidationReport


class RegistryError(Exception):
    """Base class of every error the registry raises on purpose."""

    #: CLI exit code (click convention: 1 failure, 2 usage error).
    exit_code = 1
    #: HTTP status for the endpoint.
    http_status = 500
    #: Stable machine-readable code for JSON error bodies.
    code = "registry-error"

    def __init__(self, message: Msg, *, hint: Msg | None = None) -> None:
        super().__init__(message.render(DEFAULT_LANG))
        self.message = message
        self.hint = hint

    def render(self, lang: Lang = DEFAULT_LANG) -> str:
        text = self.message.render(lang)
        if self.hint is not None:
            text += "\n" + self.hint.render(lang)
        return text


class ConfigurationError(RegistryError):
    """A setting is missing, malformed or contradicts the store."""

    exit_code = 2
    http_status = 500
    code = "configuration-error"


class UsageError(RegistryError):
    """The caller asked for something impossible (unknown format, missing argument...)."""

    exit_code = 2
    http_status = 400
    code = "usage-error"


class SourceError(RegistryError):
    """A source file cannot be read or parsed; carries file, line and column when known."""

    http_status = 400
    code = "source-error"

    def __init__(
        self,
        message: Msg,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: Msg | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line
        self.column = column

    @classmethod
    def joined(cls, errors: Sequence[SourceError]) -> SourceError:
        """One error that carries every unreadable file's message (located at the first)."""
        first = errors[0]
        return cls(
            msg("{count} files could not be read:\n{errors}", count=len(errors),
                errors=Lines(errors)),
            file=first.file,
            line=first.line,
            column=first.column,
        )


class ValidationFailed(RegistryError):
    """Data does not conform to the shapes; nothing was written."""

    http_status = 422
    code = "validation-failed"

    def __init__(self, message: Msg, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


class QueryError(RegistryError):
    """A SPARQL query or update is malformed or cannot be evaluated."""

    http_status = 400
    code = "query-error"


class StoreError(RegistryError):
    """The store cannot be opened, is locked for too long, or is damaged."""

    http_status = 503
    code = "store-error"


class NotFound(RegistryError):
    """The named graph, source or resource does not exist."""

    http_status = 404
    code = "not-found"


class LifecycleError(UsageError):
    """A status change the lifecycle rules refuse (HTTP 409); the message names the current
    status, the statuses allowed next and who may set them."""

    http_status = 409
    code = "lifecycle-refused"


class LifecycleForbidden(LifecycleError):
    """A status change or erase the actor's role or organisation may not make (HTTP 403).

    Exit code 1, as every other refusal of a token (:class:`Forbidden`,
    :class:`AuthenticationRequired`): the command was used rightly, the actor may not do it."""

    exit_code = 1
    http_status = 403
    code = "lifecycle-forbidden"


class AuthenticationRequired(RegistryError):
    """No bearer token, or one that is unknown or revoked (HTTP 401)."""

    http_status = 401
    code = "authentication-required"


class Forbidden(RegistryError):
    """A valid token without the right to do what was asked (HTTP 403)."""

    http_status = 403
    code = "forbidden"


class QueryTimeout(RegistryError):
    """The query ran longer than the query timeout; the work evaluating it was stopped (the
    embedded store's worker process killed, or the engine's own limit hit)."""

    http_status = 504
    code = "query-timeout"


class ExecutorBusy(RegistryError):
    """Every query worker stayed busy for longer than the waiting time."""

    http_status = 503
    code = "busy"


class WorkerFailed(RegistryError):
    """The worker process evaluating the query stopped unexpectedly."""

    http_status = 500
    code = "worker-failed"


#: What pyoxigraph raises for a SPARQL text it cannot parse or evaluate.
SPARQL_FAILURES: tuple[type[Exception], ...] = (SyntaxError, OSError, ValueError, RuntimeError)


def sparql_failure(exc: Exception, *, update: bool = False) -> QueryError:
    """The one translation of a pyoxigraph SPARQL failure into a :class:`QueryError` with the
    parser's message (a syntax error) or the engine's (an evaluation error)."""
    if isinstance(exc, SyntaxError):
        detail = exc.msg if getattr(exc, "msg", None) else str(exc)
        if update:
            return QueryError(
                msg(
                    "Syntax error in the SPARQL update: {detail}",
                    detail=detail,
                )
            )
        return QueryError(
            msg(
                "Syntax error in the SPARQL query: {detail}",
                detail=detail,
            )
        )
    if update:
        return QueryError(
            msg(
                "The update could not be carried out: {detail}",
                detail=exc,
            )
        )
    return QueryError(
        msg(
            "The query could not be evaluated: {detail}",
            detail=exc,
        )
    )

"""Signing in to the submission pages: the session cookie, the form token (CSRF) of every form,
who is signed in, the pages' rendering, and the audit log of every action.

* The cookie holds a random session id (registry/access/sessions.py keeps its SHA-256): named
  ``__Host-ogpreg-session`` (``__Secure-ogpreg-session`` when the base URI has a path other
  than ``/``, which ``__Host-`` forbids) and ``Secure`` when the base URI is https (the endpoint
  runs behind a TLS proxy; ``OGPREG_BASE_URI`` says the scheme), else ``ogpreg-session``; always
  ``HttpOnly``, ``SameSite=Strict``, ``Path`` the base URI's path, and ``Max-Age`` the session's
  lifetime (``OGPREG_SESSION_LIFETIME``).
* Every ``POST`` carries the form token in the hidden field ``csrf``: the session's own token
  once signed in; before that, the sign-in form's token, which must equal the value of a
  ``SameSite=Strict`` cookie set with the form (so no other site can sign a browser in). A
  request whose ``Origin`` header names another origin than the base URI's is refused too.
* Sign-in is the one place a session is created (:func:`start_session`); an OpenID Connect
  callback (ID-porten, Ansattporten) would call the same function for the token record mapped
  from the login's claims (docs/submitting-in-a-browser.md, "Signing in with ID-porten
  later").
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Response, g, redirect, request
from werkzeug.exceptions import RequestEntityTooLarge

from endpoint.app import SESSION_COOKIES, state
from endpoint.pages.page import Page, page_lang, render
from endpoint.submit.text import words
from registry.access.audit import AuditLog, Outcome
from registry.access.sessions import Session, SessionStore
from registry.access.tokens import TokenRecord, TokenStore
from registry.access.uploads import UploadStore
from registry.i18n import Lang

SIGNIN_COOKIE = "ogpreg-signin"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class SignedIn:
    """The session of the request and its token."""

    session: Session
    token: TokenRecord
    secret: str


def _https() -> bool:
    return state().settings.base_uri.startswith("https:")


def cookie_name() -> str:
    plain, host, secure = SESSION_COOKIES  # one list, which endpoint/app.py also reads
    if not _https():
        return plain
    return host if cookie_path() == "/" else secure


def cookie_path() -> str:
    return urlsplit(state().settings.base_uri).path or "/"


def sessions() -> SessionStore:
    st = state()
    return SessionStore(st.registry.store.path, st.settings.session_lifetime)


def uploads() -> UploadStore:
    return UploadStore(state().registry.store.path)


def tokens() -> TokenStore:
    return TokenStore(state().registry.store.path)


def signed_in() -> SignedIn | None:
    """Who is signed in on this request (``None``: nobody, or an ended session)."""
    if "submit_who" not in g:
        secret = request.cookies.get(cookie_name())
        found = sessions().find(secret, tokens()) if secret else None
        g.submit_who = SignedIn(found[0], found[1], secret or "") if found else None
    return cast("SignedIn | None", g.submit_who)


def start_session(resp: Response, token: TokenRecord) -> Session:
    """Create a session for ``token`` and set its cookie on ``resp``; uploads of sessions that
    have ended are removed."""
    store = sessions()
    secret, session = store.create(token)
    uploads().purge(store.live_keys())
    resp.set_cookie(
        cookie_name(), secret, max_age=int(state().settings.session_lifetime),
        path=cookie_path(), secure=_https(), httponly=True, samesite="Strict",
    )
    resp.delete_cookie(SIGNIN_COOKIE, path=cookie_path(), secure=_https(), httponly=True,
                       samesite="Strict")
    return session


def end_session(resp: Response, who: SignedIn) -> None:
    sessions().end(who.secret)
    uploads().discard(who.session.key)
    resp.delete_cookie(cookie_name(), path=cookie_path(), secure=_https(), httponly=True,
                       samesite="Strict")


def signin_token() -> str:
    """The sign-in form's token: the sign-in cookie's value, or a new one (set it on the
    answer with :func:`set_signin_cookie`)."""
    value = request.cookies.get(SIGNIN_COOKIE, "")
    return value if len(value) == 43 else secrets.token_urlsafe(32)


def set_signin_cookie(resp: Response, value: str) -> None:
    resp.set_cookie(SIGNIN_COOKIE, value, max_age=3600, path=cookie_path(), secure=_https(),
                    httponly=True, samesite="Strict")


def same_origin() -> bool:
    """False when the request's ``Origin`` names another origin than the base URI's."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    base = urlsplit(state().settings.base_uri)
    return origin.rstrip("/") == f"{base.scheme}://{base.netloc}"


def csrf_ok(who: SignedIn | None) -> bool:
    """The form token of a POST: the session's, or before sign-in the sign-in cookie's."""
    if not same_origin():
        return False
    sent = request.form.get("csrf", "")
    if who is not None:
        return who.session.csrf_ok(sent)
    cookie = request.cookies.get(SIGNIN_COOKIE, "")
    return bool(sent) and len(cookie) == 43 and hmac.compare_digest(cookie, sent)


def audit(
    action: str,
    outcome: Outcome,
    status: int,
    *,
    token: TokenRecord | None = None,
    target: str | None = None,
    message: str = "",
) -> None:
    """One line in the audit log (registry/access/audit.py) for an action in the browser."""
    who = signed_in() if token is None else None
    tok = token or (who.token if who else None)
    AuditLog(state().registry.store.path).record(
        action,
        outcome,
        status=status,
        token_id=tok.id if tok else None,
        organisation=tok.organisation if tok else None,
        role=tok.role if tok else None,
        target=target,
        remote=request.remote_addr,
        message=message,
    )


def lang() -> Lang:
    return page_lang()


def url(path: str = "", **params: str) -> str:
    """A submission page's address (``{base}submit/{path}``), keeping the language."""
    return Page(lang()).url("submit/" + path, **params)


def show(template: str, *, title: str, status: int = 200, **context: Any) -> Response:
    """Render a submission page in the pages' layout, with the submission words ``s`` and
    the person signed in as ``who``."""
    page = Page(lang())
    who = signed_in()
    resp = render(
        "submit/" + template, page, title=title, status=status, s=words(page.lang), who=who,
        csrf=who.session.csrf if who else "", surl=url, **context,
    )
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def size_text(n: int) -> str:
    """A size limit for people: ``100 MiB`` (the default, 2**20 × 100), ``20 MB``, ``50 kB``."""
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20} MiB"
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def too_large(action: str) -> Response:
    """413 for a form over ``OGPREG_MAX_UPLOAD_BYTES``, read no further (audited)."""
    limit = state().settings.max_upload_bytes
    audit(action, "refused", 413, message=f"request over OGPREG_MAX_UPLOAD_BYTES ({limit})")
    s = words(lang())
    return show("error.html", title=s["too_large_title"], status=413,
                message=s["upload_too_large"].format(size=size_text(limit)),
                link=url("upload"), link_text=s["upload_title"])


def see_other(location: str) -> Response:
    return cast(Response, redirect(location, code=303))


def require_sign_in(view: F) -> F:
    """A page for signed-in people only: others are sent to the sign-in page (303; a POST is
    answered 401 with a link to it, audited), and every POST must carry the session's form
    token (403 otherwise, audited)."""

    action = "submit." + view.__name__.replace("_", "-")

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        who = signed_in()
        if who is None:
            if request.method == "POST":
                audit(action, "refused", 401,
                      message="no session (signed out, expired or revoked)")
                s = words(lang())
                return show("error.html", title=s["session_ended_title"], status=401,
                            message=s["session_ended"], link=url("sign-in"),
                            link_text=s["signin_button"])
            return see_other(url("sign-in", next=request.path))
        if request.method == "POST":
            try:
                good = csrf_ok(who)
            except RequestEntityTooLarge:
                return too_large(action)
            if not good:
                audit(action, "refused", 403, message="bad form token (CSRF)")
                s = words(lang())
                return show("error.html", title=s["csrf_title"], status=403,
                            message=s["csrf_text"])
        return cast(Response, view(*args, **kwargs))

    return cast(F, wrapper)


__all__ = [
    "SignedIn",
    "audit",
    "cookie_name",
    "csrf_ok",
    "end_session",
    "require_sign_in",
    "see_other",
    "show",
    "signed_in",
    "set_signin_cookie",
    "signin_token",
    "size_text",
    "start_session",
    "too_large",
    "url",
]

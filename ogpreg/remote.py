"""``ogpreg load --remote URL --token TOKEN``: push files to a running registry: RDF files
through its SPARQL 1.1 Graph Store endpoint (``PUT URL/graph-store?graph=<source graph>``),
spreadsheets, CSV and JSON through ``POST URL/api/submissions`` (:func:`send_submissions`),
where the server reads them by the same path as a local load.

The server validates exactly as a local load does and answers with the same report, which is
turned back into the registry's own errors here so the command line prints it, and exits, as
for a local load. The token travels only in the ``Authorization`` header and is never printed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import fields
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from registry.errors import RegistryError, SourceError, UsageError, ValidationFailed
from registry.i18n import Lang, Msg, msg
from registry.loading.pipeline import LoadResult
from registry.loading.sources import SourceFile
from registry.rdf.formats import format_for
from registry.validation.report import Issue, ValidationReport

#: Seconds to wait for a connection, and for the server's answer (validation takes a while).
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0


class RemoteError(RegistryError):
    """The remote registry refused the request or could not be reached."""

    code = "remote-error"


def read_token(value: str) -> str:
    """The token given to ``--token``: the value itself, or ``@FILE`` to read it from a file
    (keeps it out of the shell history and the process list)."""
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            value = path.read_text("utf-8").strip()
        except OSError as exc:
            raise UsageError(
                msg(
                    "Cannot read the token file {file}: {error}.",
                    file=path,
                    error=exc.strerror or exc,
                )
            ) from exc
    value = value.strip()
    if not value or any(c.isspace() for c in value):
        raise UsageError(
            msg(
                "--token is empty or contains white space.",
            )
        )
    return value


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            msg(
                "--remote must be the http(s) address of the registry, for example "
                "--remote https://ogp.example.no/; got {url!r}.",
                url=url,
            )
        )
    if parts.query or parts.fragment:
        raise UsageError(
            msg(
                "--remote cannot have a query or a fragment: {url!r}.",
                url=url,
            )
        )
    return url.rstrip("/")


def plaintext_warning(url: str) -> Msg | None:
    """A warning when the token would travel unencrypted to another machine."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return None
    host = parts.hostname or ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    return msg(
        "Warning: {url} uses http; the token is sent unencrypted. Use https.",
        url=url,
    )


def _issue(d: dict[str, Any]) -> Issue:
    names = {f.name for f in fields(Issue)}
    return Issue(**{k: v for k, v in d.items() if k in names})


def submission_issue(d: dict[str, Any]) -> Issue:
    """An issue of a submission's report as the server sent it, located at its cell."""
    from loaders.issues import SubmissionIssue

    names = {f.name for f in fields(SubmissionIssue)}
    return SubmissionIssue(**{k: v for k, v in d.items() if k in names})


def _result(d: dict[str, Any]) -> LoadResult:
    return LoadResult(
        source_id=str(d.get("source_id", "")),
        file=str(d.get("file", "")),
        graph=str(d.get("graph", "")),
        triples=int(d.get("triples", 0)),
        added=int(d.get("added", 0)),
        removed=int(d.get("removed", 0)),
        unchanged=bool(d.get("unchanged", False)),
        replaced=bool(d.get("replaced", False)),
        warnings=[_issue(w) for w in d.get("warnings", [])],
    )


class RemoteRegistry:
    """A running registry's write paths, as one token."""

    def __init__(self, url: str, token: str, *, lang: Lang = "nb") -> None:
        self.url = _check_url(url)
        self._token = token
        self.lang = lang
        self._session = requests.Session()
        self._session.trust_env = False  # no proxies or .netrc credentials picked up silently

    def __repr__(self) -> str:  # never shows the token
        return f"RemoteRegistry({self.url!r})"

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept-Language": self.lang,
            **kwargs.pop("headers", {}),
        }
        url = self.url + path
        try:
            resp = self._session.request(
                method,
                url,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=False,
                **kwargs,
            )
        except requests.Timeout as exc:
            raise RemoteError(
                msg(
                    "{url} did not answer in time ({error}). Try again later.",
                    url=self.url,
                    error=type(exc).__name__,
                )
            ) from exc
        except requests.RequestException as exc:
            raise RemoteError(
                msg(
                    "Cannot reach the registry at {url}: {error}. Check the address (--remote) "
                    "and that the server runs.",
                    url=self.url,
                    error=type(exc).__name__,
                )
            ) from exc
        if 300 <= resp.status_code < 400:
            raise RemoteError(
                msg(
                    "{url} redirected to {location}; use that address with --remote.",
                    url=url.split("?", 1)[0],
                    location=resp.headers.get("Location", "?"),
                )
            )
        return resp

    def _raise_for(
        self, resp: requests.Response, file: str | None = None, *, submission: bool = False
    ) -> dict[str, Any]:
        """The JSON body of a successful answer, or the registry error the server reported
        (``submission``: the report's issues are located in spreadsheet, CSV or JSON files)."""
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.ok and isinstance(body, dict):
            return body
        if not isinstance(body, dict):
            raise RemoteError(
                msg(
                    "Unexpected answer from {url}: HTTP {status} ({type}). Is this an OGP "
                    "registry?",
                    url=self.url,
                    status=resp.status_code,
                    type=resp.headers.get("Content-Type", "no content type"),
                )
            )
        text = str(body.get("message", ""))
        server = Msg.texts(nb=text, en=text)
        code = body.get("error")
        if code == "validation-failed" and isinstance(body.get("report"), dict):
            make = submission_issue if submission else _issue
            report = ValidationReport([make(i) for i in body["report"].get("issues", [])])
            raise ValidationFailed(server, report)
        if code == "source-error":
            raise SourceError(server, file=file)
        hint = None
        if resp.status_code == 401:
            hint = msg(
                "Check --token, or ask the registry's operators for a new one.",
            )
        raise RemoteError(
            msg(
                "{url} refused the request (HTTP {status}): {message}",
                url=self.url,
                status=resp.status_code,
                message=text,
            ),
            hint=hint,
        )

    def info(self) -> dict[str, Any]:
        """The server's base URI and what the token is (``GET /graph-store``)."""
        return self._raise_for(self._request("GET", "/graph-store"))

    def put(self, source: SourceFile, graph: str, *, dry_run: bool) -> LoadResult:
        """PUT one file into ``graph``; the server validates and loads it all or nothing."""
        info = format_for(source.name, source.format)
        name = PurePath(source.name).name
        ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "_")
        query = {"graph": graph, **({"dry-run": "true"} if dry_run else {})}
        resp = self._request(
            "PUT",
            "/graph-store?" + urlencode(query),
            data=source.data,
            headers={
                "Content-Type": f"{info.media_type}; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{ascii_name}"; '
                f"filename*=UTF-8''{quote(name)}",
                "Accept": "application/json",
            },
        )
        try:
            body = self._raise_for(resp, file=source.name)
        except ValidationFailed as exc:
            for issue in exc.report.issues:
                issue.file = source.name  # as the user named it, like a local report
            raise
        sources = body.get("sources") or [{}]
        result = _result(sources[0])
        result.file = source.name
        return result


def send_submissions(
    url: str,
    token: str,
    files: list[tuple[str, bytes]],
    *,
    kind: str | None = None,
    dry_run: bool = False,
    lang: Lang = "nb",
) -> dict[str, Any]:
    """Send spreadsheet, CSV or JSON files (``(name, bytes)``) as one submission to ``POST
    URL/api/submissions``: the server reads, checks and loads them by the same path as a local
    ``ogpreg load`` (all or nothing) and answers its report, returned here as the server sent it
    (the shape of ``ogpreg load --report json``); a report with errors is raised as
    :class:`ValidationFailed`, as locally."""
    remote = RemoteRegistry(url, read_token(token), lang=lang)
    query = {**({"kind": kind} if kind else {}), **({"dry-run": "true"} if dry_run else {})}
    resp = remote._request(
        "POST",
        "/api/submissions" + ("?" + urlencode(query) if query else ""),
        files=[("file", (PurePath(n).name, data, "application/octet-stream")) for n, data in files],
        headers={"Accept": "application/json"},
    )
    return remote._raise_for(resp, submission=True)


def load_remote(
    url: str,
    token: str,
    sources: list[SourceFile],
    *,
    dry_run: bool = False,
    lang: Lang = "nb",
) -> list[LoadResult]:
    """Push ``sources`` to the registry at ``url``, each into its source graph.

    With several files, every file is first validated by the server (a dry run) and nothing is
    written unless all conform, as for a local load; then each is written. Each write is atomic
    on the server; the set is not atomic against a concurrent writer or a lost connection
    between two files (see docs/security-writes.md)."""
    remote = RemoteRegistry(url, read_token(token), lang=lang)
    prefix = str(remote.info()["source_graph_prefix"])
    graphs = [prefix + s.source_id for s in sources]
    if dry_run or len(sources) == 1:
        return [remote.put(s, g, dry_run=dry_run) for s, g in zip(sources, graphs, strict=True)]
    combined = ValidationReport()
    failed: list[str] = []
    source_errors: list[SourceError] = []
    for s, g in zip(sources, graphs, strict=True):
        try:
            remote.put(s, g, dry_run=True)
        except ValidationFailed as exc:
            combined.extend(exc.report)
            failed.append(s.name)
        except SourceError as exc:
            source_errors.append(exc)
    if source_errors:
        raise source_errors[0] if len(source_errors) == 1 else SourceError.joined(source_errors)
    if failed:
        raise ValidationFailed(
            msg(
                "The data does not conform to the shapes ({files}); nothing was submitted.",
                files=", ".join(failed),
            ),
            combined,
        )
    return [remote.put(s, g, dry_run=False) for s, g in zip(sources, graphs, strict=True)]

"""``POST /api/submissions``: a spreadsheet, CSV, JSON or RDF submission sent with a bearer
token, checked and loaded on the server by the same path as the browser's upload
(endpoint/submit/work.py), answered with the same JSON report as ``ogpreg load --report json``.
``ogpreg load --remote`` sends spreadsheets and JSON here (ogpreg/remote.py).

The body is ``multipart/form-data`` with one or more ``file`` parts (their file names say the
format; several CSV files form one submission), or the raw bytes of one file with its name in
``Content-Disposition: attachment; filename="…"``. Query parameters: ``kind`` (as ``--kind``),
``dry-run=true``. Bodies over ``OGPREG_MAX_UPLOAD_BYTES`` are refused (413). Answers: 200 with
the report; 422 ``validation-failed`` with the report; 400, 401, 403 in the endpoint's one error
shape. Every request is in the audit log (``api.submissions``).
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.http import parse_options_header

from endpoint.app import request_lang, state
from endpoint.submit.work import run
from endpoint.write.graphstore import _audited, _ok
from loaders.columns import KINDS, normalise_kind
from registry.access.tokens import TokenRecord
from registry.errors import UsageError
from registry.i18n import as_lang, msg
from registry.loading.sources import sent_file_name

_TRUE = ("", "1", "true", "yes")


def _name(raw: str) -> str:
    # no control characters or bidirectional overrides: the name is shown in pages and terminals
    name = sent_file_name(raw)
    if name is None:
        raise UsageError(
            msg(
                "Name the file: send it as a multipart 'file' part with a file name, or with "
                "Content-Disposition: attachment; filename=\"forpliktelser.xlsx\".",
            )
        )
    return name


def _files() -> list[tuple[str, bytes]]:
    if request.mimetype == "multipart/form-data":
        return [(_name(f.filename or ""), f.read()) for f in request.files.getlist("file")]
    _kind, params = parse_options_header(request.headers.get("Content-Disposition", ""))
    return [(_name(params.get("filename", "")), request.get_data(cache=False))]


def _work(token: TokenRecord) -> Response:
    kind = request.args.get("kind") or None
    kind_key = normalise_kind(kind) if kind else None
    if kind and kind_key is None:
        raise UsageError(
            msg(
                "Unknown submission kind {kind!r}. Allowed values: {allowed}.",
                kind=kind,
                allowed=", ".join(KINDS),
            )
        )
    dry_run = request.args.get("dry-run", "false").lower() in _TRUE
    files = _files()
    outcome = run(state().registry, token, files, kind=kind_key, dry_run=dry_run)
    lang = as_lang(request_lang())
    changed = outcome.change.number if outcome.change is not None else None
    audit = (
        f"{'dry run: ' if dry_run else ''}{', '.join(n for n, _ in files)} -> "
        + ", ".join(s.graph for s in outcome.sources)
        + ("" if dry_run else f"; change {changed or 'none (unchanged)'}")
    )
    return _ok(outcome.to_json(lang), 200, audit)


def post_submissions() -> Response:
    """Check or load a submission (XLSX, CSV, JSON or one RDF file) for the token."""
    return _audited("api.submissions", None, _work)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/api/submissions", "api_submissions", post_submissions, methods=["POST"])

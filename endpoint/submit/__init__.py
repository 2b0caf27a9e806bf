"""The way in for ministries and civil society: submitting from a browser (``/submit/``).

Sign in with the organisation's token (a server-side session), download templates, upload a
file and see its whole report and the changes it would make, confirm to load it in one commit,
read the receipt and the organisation's earlier submissions, propose a commitment with a form,
and (the coordinating ministry) change statuses. ``POST /api/submissions`` is the same path for
``ogpreg load --remote``. Modules: ``routes.py`` (the blueprint), ``session.py`` (cookie, form
token, audit, rendering), ``signin.py``, ``upload.py``, ``forms.py`` (proposal, status),
``api.py``, ``work.py`` (the submission path, no Flask), ``text.py`` (the words).
See docs/submitting-in-a-browser.md and docs/security-writes.md.
"""

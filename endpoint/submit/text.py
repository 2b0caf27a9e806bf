"""The words of the submission pages (``endpoint/submit/``, ``s.key`` in the templates):
English msgids, translated through the message catalogs (registry/i18n.py). A text with
``{name}`` placeholders is filled by the template (``s.key.format(name=…)``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from registry.i18n import N_, Lang, gettext

STRINGS: dict[str, str] = {
    # layout
    "nav_label": N_("Submission menu"),
    "nav_start": N_("Start"),
    "nav_upload": N_("Upload a file"),
    "nav_templates": N_("Templates"),
    "nav_submissions": N_("Our submissions"),
    "nav_proposal": N_("Propose a commitment"),
    "nav_status": N_("Change a status"),
    "signed_in_as": N_("Signed in for {org} (role: {role})."),
    "sign_out": N_("Sign out"),
    "role_submitter": N_("submitter"),
    "role_approver": N_("approver (coordinating ministry)"),
    "role_admin": N_("admin"),
    "required": N_("(required)"),
    "error_heading": N_("There is a problem"),
    "error_prefix": N_("Error:"),
    # sign-in
    "signin_title": N_("Sign in to submit"),
    "signin_lead": N_(
        "Ministries and civil-society organisations send their commitments, proposals, "
        "comments and assessments to the registry here. Sign in with your organisation's "
        "token, which the registry's operators issue (ogpreg token add)."
    ),
    "token_label": N_("Your organisation's token"),
    "token_hint": N_(
        "43 characters. Keep it secret: anyone with the token can submit for your "
        "organisation."
    ),
    "signin_button": N_("Sign in"),
    "signin_failed": N_(
        "The token is not valid: it is unknown, mistyped or revoked. Check it, or ask the "
        "registry's operators for a new one."
    ),
    "signin_empty": N_("Enter your organisation's token."),
    "signin_privacy": N_(
        "Signing in sets one cookie that is needed to keep you signed in; it expires after "
        "{hours} hours, or when you sign out."
    ),
    "signed_out": N_("You have signed out."),
    "session_ended_title": N_("You are not signed in"),
    "session_ended": N_(
        "Your session has ended (you signed out, it expired, or the token was revoked), so "
        "nothing was done. Sign in again and send the form again."
    ),
    "csrf_title": N_("The form has expired"),
    "csrf_text": N_(
        "The form was not sent from this page, or it is too old. Go back, reload the page and "
        "send the form again."
    ),
    # start
    "start_title": N_("Submissions"),
    "start_lead": N_(
        "Upload a filled-in template, see the whole report and the changes it would make, and "
        "confirm: the file is then loaded in one commit, or not at all."
    ),
    "start_upload": N_("Upload a spreadsheet (XLSX), CSV, JSON or RDF file"),
    "start_templates": N_("Download an empty template"),
    "start_submissions": N_("See your organisation's earlier submissions"),
    "start_proposal": N_("Propose a commitment with a form"),
    "start_status": N_("Accept, approve, withdraw or supersede an item"),
    # templates
    "templates_title": N_("Templates"),
    "templates_lead": N_(
        "The same templates as 'ogpreg template'. XLSX has drop-down lists and an example row; "
        "CSV kinds with several sheets come as one file per sheet."
    ),
    "kind": N_("Kind"),
    "formats": N_("Download"),
    "kind_commitments": N_("Commitments (with milestones and the plan)"),
    "kind_plans": N_("Action plans"),
    "kind_proposals": N_("Proposals"),
    "kind_comments": N_("Comments"),
    "kind_assessments": N_("Assessments of progress"),
    "kind_organisations": N_("Organisations"),
    "kind_auto": N_("Found from the file's sheets and columns"),
    "schema": N_("JSON Schema"),
    # upload
    "upload_title": N_("Upload a file"),
    "upload_lead": N_(
        "The file is checked with the same rules as 'ogpreg load'. Nothing is loaded until you "
        "have seen the changes and confirmed them."
    ),
    "file_label": N_("File"),
    "file_hint": N_(
        "XLSX, CSV, JSON, or one RDF file (Turtle, TriG, N-Triples, N-Quads, JSON-LD, "
        "RDF/XML); at most {size}. Choose several CSV files for one submission with several "
        "sheets."
    ),
    "kind_label": N_("Kind of submission"),
    "check_button": N_("Check the file"),
    "upload_too_large": N_(
        "The file is larger than the limit of {size}. Nothing was read or loaded: split the "
        "submission into smaller files, or ask the registry's operators."
    ),
    "too_large_title": N_("The file is too large"),
    # report and changes
    "failed_title": N_("The file has errors"),
    "failed_lead": N_(
        "Nothing was loaded. Correct the errors in your file and upload it again. Each row "
        "says where the problem is and how to fix it."
    ),
    "unreadable_title": N_("The file could not be read"),
    "refused_title": N_("The submission was refused"),
    # the summary: "1 error and 2 warnings." (ValidationReport.summary, notices when some)
    "report_caption": N_("The report: {summary}"),
    "col_severity": N_("Severity"),
    "col_where": N_("Where"),
    "col_file": N_("File"),
    "col_sheet": N_("Sheet"),
    "col_row": N_("Row"),
    "col_column": N_("Column"),
    "col_value": N_("Value"),
    "col_item": N_("Item"),
    "col_problem": N_("What is wrong, and how to fix it"),
    "empty": N_("(empty)"),
    "sev_violation": N_("Error"),
    "sev_warning": N_("Warning"),
    "sev_info": N_("Notice"),
    "checked_title": N_("Check passed: the changes"),
    "checked_lead": N_(
        "The file conforms. This is what it would change in the registry. Nothing has been "
        "loaded yet: confirm to load it, in one commit."
    ),
    "changed_title": N_("The registry has changed since your check"),
    "source": N_("Source"),
    "graph": N_("Graph"),
    "plan": N_("Action plan"),
    "submitted_by": N_("Submitted by"),
    "counts": N_("{created} created, {updated} updated, {unchanged} unchanged, {removed} removed"),
    "unchanged_file": N_("The same content as is already loaded: nothing would change."),
    "changes_caption": N_("Items that would change in {source}"),
    "col_change": N_("Change"),
    "col_fields": N_("Fields"),
    "st_created": N_("created"),
    "st_updated": N_("updated"),
    "st_removed": N_("removed"),
    "st_dropped": N_("no longer in this submission"),
    "still_in": N_("still in the registry from {sources}"),
    "dropped_count": N_(
        "{dropped} no longer in this submission but still in the registry from other sources"
    ),
    "st_unchanged": N_("unchanged"),
    "confirm_button": N_("Confirm and load"),
    "confirm_hint": N_(
        "Loads exactly the file you checked (SHA-256 {digest}), all or nothing."
    ),
    "upload_again": N_("Upload another file instead"),
    "upload_gone": N_(
        "The checked file is no longer kept (you signed in again, or uploaded another file). "
        "Upload it again."
    ),
    # receipt
    "receipt_title": N_("Receipt: change {n}"),
    "receipt_lead": N_(
        "Loaded {time} (Norwegian time) by {org}. Every item that changed, with its new version:"
    ),
    "receipt_none": N_("The file was loaded, and nothing in the registry changed."),
    "receipt_caption": N_("Items changed in change {n}"),
    "col_version": N_("New version"),
    "version_n": N_("version {n}"),
    "act_create": N_("created"),
    "act_update": N_("updated"),
    "act_delete": N_("removed"),
    # our submissions
    "subs_title": N_("Our submissions"),
    "subs_lead": N_(
        "Every source your organisation has submitted, with its history and the statuses of "
        "its items; below, your organisation's recent actions on these pages."
    ),
    "subs_none": N_("Your organisation has no submissions in the registry yet."),
    "col_source": N_("Source"),
    "col_file_name": N_("File"),
    "col_loaded": N_("Last loaded"),
    "col_loaded_by": N_("Loaded by"),
    "col_triples": N_("Statements"),
    "col_statuses": N_("Items by status"),
    "col_history": N_("Changes"),
    "no_status": N_("no status"),
    "attempts_caption": N_("Recent actions"),
    "col_time": N_("Time (Norwegian time)"),
    "col_action": N_("Action"),
    "col_outcome": N_("Outcome"),
    "col_detail": N_("Detail (the audit log's words, in English)"),
    "out_ok": N_("done"),
    "out_refused": N_("refused"),
    "out_failed": N_("failed"),
    # proposal
    "proposal_title": N_("Propose a commitment"),
    "proposal_lead": N_(
        "Civil-society organisations can propose commitments for the action plan. The "
        "proposal is sent for {org} as a proposals submission, with the same rules as a "
        "spreadsheet. It is public once it is loaded."
    ),
    "p_title_nb": N_("Title in Norwegian"),
    "p_title_en": N_("Title in English"),
    "p_description": N_("Description"),
    "p_description_hint": N_("What should the government commit to, and why?"),
    "p_themes": N_("Themes"),
    "p_themes_hint": N_("Choose at least one."),
    "p_meeting": N_("Consultation meeting"),
    "p_no_meeting": N_("None"),
    "p_contact": N_("Contact person"),
    "p_contact_hint": N_(
        "Not published. Only the coordinating ministry sees the name and e-mail address, to "
        "ask about the proposal. The public registry names only your organisation."
    ),
    "p_contact_name": N_("Name"),
    "p_contact_email": N_("E-mail address"),
    "p_send": N_("Send the proposal"),
    "p_missing": N_("Fill in: {field}."),
    "p_bad_email": N_("Write the e-mail address as name@example.no."),
    "p_sent_title": N_("The proposal has been sent"),
    # status
    "status_title": N_("Change a status"),
    "status_lead": N_(
        "The same rules and messages as 'ogpreg status': the coordinating ministry accepts "
        "(with the plan), approves (with the date), withdraws (with a reason) and supersedes "
        "(with the successor); an organisation may submit its own drafts."
    ),
    "s_item": N_("Item"),
    "s_lookup": N_("Item to look up"),
    "s_item_hint": N_("Its address, for example {example}"),
    "s_show": N_("Show its status"),
    "s_current": N_("Current status of {item}: {status}."),
    "s_allowed": N_("May follow: {statuses}."),
    "s_status": N_("New status"),
    "s_plan": N_("Action plan (when accepting)"),
    "s_date": N_("Approval date (when approving)"),
    "s_date_hint": N_("For example 2019-06-21."),
    "s_reason": N_("Reason (when withdrawing)"),
    "s_successor": N_("Successor (when superseding)"),
    "s_submit": N_("Change the status"),
    "s_done": N_("{item}: {old} → {new}, change {n}."),
    "s_version": N_("The new version"),
    "s_contacts": N_("Contact persons (not public)"),
}


@functools.cache
def words(lang: Lang) -> Mapping[str, str]:
    """The submission pages' words in ``lang``."""
    return MappingProxyType({key: gettext(lang, msgid) for key, msgid in STRINGS.items()})


__all__ = ["STRINGS", "words"]

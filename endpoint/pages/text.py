"""The words of the registry's pages (``endpoint/pages/``, through ``page.Page.t``).

:data:`STRINGS` maps each key the templates use (``t.key``) to its English text, the msgid;
:func:`words` translates them through the message catalogs (``registry/locale/``, see
``registry/i18n.py``) into the page's language. A text with ``{name}`` placeholders is filled
by the template (``t.key.format(name=…)``); a translation may order them as its language needs.
tests/test_pages_core.py checks that bokmål has every word, with the same placeholders."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from registry.i18n import DEFAULT_LANG, LANGS, N_, SOURCE_LANG, Lang, gettext

STRINGS: dict[str, str] = {
    "site": N_("The OGP registry"),
    "site_tagline": N_("Norway's Open Government Partnership action plans as linked open data"),
    "skip": N_("Skip to content"),
    "nav_label": N_("Main menu"),
    "nav_home": N_("Action plans"),
    "nav_search": N_("Search"),
    "nav_query": N_("SPARQL queries"),
    "nav_docs": N_("Vocabulary"),
    "nav_catalog": N_("Data catalogue"),
    "search_label": N_("Search titles and names"),
    "search_button": N_("Search"),
    "in_english": N_("in English"),
    "in_norwegian": N_("in Norwegian"),
    "in_other_language": N_("language: {lang}"),
    # the marks of a text shown in another language than the page's (Page.fallback_note)
    "in_bokmal": N_("in Norwegian Bokmål"),
    "in_nynorsk": N_("in Norwegian Nynorsk"),
    # TRANSLATORS: the label of the language switch (bokmål · nynorsk · English)
    "lang_menu": N_("Language"),
    "title_fallback": N_(
        "The title or name is not available in English and is shown in Norwegian instead."
    ),
    "title_missing_nb": N_("This has no title in Norwegian Bokmål yet."),
    "title_missing_en": N_("This has no title in English yet."),
    "as_written": N_("as the source writes it"),
    "lead_successor": N_("replaced by"),
    "co_creation_link": N_(
        "How the plan was co-created: OGP's minimum requirements and the evidence"
    ),
    "now_named": N_("now named"),
    "support_as_written": N_("Supporting actors as the source writes them"),
    "ogp_id": N_("OGP ID"),
    "footer_formats": N_("This page as data:"),
    "footer_about": N_(
        "Data from the sources loaded into the registry; every statement shows which source it "
        "comes from."
    ),
    "uri": N_("URI"),
    "type": N_("Type"),
    "status": N_("Status"),
    "gone_heading_withdrawn": N_("Withdrawn"),
    "gone_heading_superseded": N_("Superseded"),
    "gone_withdrawn": N_(
        "This has been withdrawn and no longer applies. The statements below are as they were "
        "recorded."
    ),
    "gone_superseded": N_(
        "This has been superseded and no longer applies. The statements below are as they were "
        "recorded."
    ),
    "reason": N_("Reason"),
    "no_reason": N_("The registry has no reason on record."),
    "successor": N_("Replaced by"),
    "statements": N_("All statements and where they come from"),
    "statements_intro": N_(
        "Every statement about the resource, with the source (the submission or bundled data file) "
        "that makes it."
    ),
    "property": N_("Property"),
    "value": N_("Value"),
    "source": N_("Source"),
    "nested": N_("Without a URI of its own"),
    "backlinks": N_("What links here"),
    "backlinks_intro": N_("Resources in the registry that refer to this one."),
    "backlinks_as": N_("As “{p}”:"),
    "no_description": N_("The registry has no statements about this resource, only links to it."),
    "identifier": N_("Identifier"),
    "plan": N_("Action plan"),
    "period": N_("Period"),
    "period_from": N_("from"),
    "period_to": N_("to"),
    "lead": N_("Lead agency"),
    "supporting_public": N_("Supporting public bodies"),
    "supporting_ngo": N_("Other supporting actors"),
    "themes": N_("Themes"),
    "ogp_values": N_("OGP values"),
    "policy_areas": N_("OGP policy areas"),
    "description": N_("Description"),
    "problem": N_("Problem addressed"),
    "ambition": N_("Ambition"),
    "notes": N_("Editorial notes"),
    "sources_public": N_("Public sources"),
    "milestones": N_("Milestones"),
    "no_milestones": N_("No milestones are recorded."),
    "milestone_n": N_("Milestone {n}"),
    "due": N_("Due"),
    "start": N_("Start"),
    "completion": N_("Completion"),
    "completion_from_assessment": N_("according to the latest assessment"),
    "not_assessed": N_("Not assessed"),
    "deliverables": N_("Deliverables"),
    "assessments": N_("Progress assessments"),
    "assessments_intro": N_("The assessments side by side, each with who made it and when."),
    "no_assessments": N_("No progress assessments are recorded."),
    "assessment": N_("Assessment"),
    "assesses": N_("Assesses"),
    "assessment_kind": N_("Kind of assessment"),
    "assessed_by": N_("Assessed by"),
    "date": N_("Date"),
    "impact": N_("Potential impact"),
    "specificity": N_("Specificity"),
    "opened": N_("Did it open government?"),
    "starred": N_("Starred"),
    "remark": N_("Remark"),
    "proposals": N_("The proposals it came from"),
    "no_proposals": N_("The registry knows of no proposal it came from."),
    "proposed_by": N_("Proposed by"),
    "derived": N_("Commitments that came from the proposal"),
    "comments": N_("Comments"),
    "no_comments": N_("No comments are recorded."),
    "comment_by": N_("By"),
    "comment_on": N_("On"),
    "reply_to": N_("In reply to"),
    "org_kind": N_("Kind of organisation"),
    "orgnr": N_("Organisation number"),
    "register": N_(
        "Entry in the Central Coordinating Register for Legal Entities (Brønnøysund Register "
        "Centre)"
    ),
    "no_orgnr": N_("The registry does not know the organisation number."),
    "org_leads": N_("Leads these commitments"),
    "org_supports": N_("Supports these commitments"),
    "org_proposed": N_("Proposed these commitments"),
    "org_commented": N_("Commented"),
    "org_coordinates": N_("Coordinates"),
    "org_approved": N_("Approved"),
    "org_invited_by": N_("Invited others to"),
    "org_invited": N_("Invited to"),
    "org_attended": N_("Attended"),
    "org_assessed": N_("Made these assessments"),
    "org_submitted": N_("Submitted these sources"),
    "none": N_("None."),
    "commitments": N_("Commitments"),
    "commitments_n": N_("{n} commitments"),
    "id": N_("ID"),
    "title": N_("Title"),
    "meetings": N_("Meetings"),
    "dashboard_link": N_("Overview with charts for the plan"),
    "list_pages": N_("Pages of the list"),
    "list_page_of": N_("Page {n} of {pages} ({total} in all)."),
    "list_previous": N_("Previous page"),
    "list_next": N_("Next page"),
    "list_download": N_("The whole list (CSV)"),
    "coordinated_by": N_("Coordinated by"),
    "concept_scheme": N_("Concept scheme"),
    "definition": N_("Definition"),
    "notation": N_("Code"),
    "broader": N_("Broader"),
    "narrower": N_("Narrower"),
    "used_by": N_("Used by"),
    "documentation": N_("Documentation"),
    "class_doc": N_("The class in the ontology"),
    "source_file": N_("File"),
    "provenance": N_("Provenance"),
    "source_subjects": N_("Resources the source describes"),
    "source_triples": N_("{n} triples"),
    "download": N_("Download"),
    "landing_title": N_("Norway's action plans for the Open Government Partnership"),
    "landing_intro": N_(
        "The registry holds Norway's national action plans in the Open Government Partnership "
        "(OGP): the commitments and milestones, who leads and supports them, the consultation "
        "meetings, the proposals and comments, and the assessments of how far the work has come. "
        "It is all linked open data: every resource has a URI that gives a page for people and RDF "
        "for machines."
    ),
    "plans": N_("Action plans"),
    "no_plans": N_("The registry has no action plans yet."),
    "show_dashboard": N_("Show the overview"),
    "showing_dashboard": N_("Shown below"),
    "unknown_plan": N_("No action plan has the ID “{id}”. Showing the newest one instead."),
    "dashboard": N_("Overview: {plan}"),
    "dashboard_intro": N_(
        "The charts are drawn from the same data as the rest of the registry. The table under each "
        "chart has the numbers."
    ),
    "chart_themes": N_("Commitments per theme"),
    "chart_themes_desc": N_(
        "Horizontal bar chart of how many of the plan's {n} commitments have each theme. A "
        "commitment can have several themes. Withdrawn and superseded commitments are not counted."
    ),
    "chart_milestones": N_("Milestones by due year and completion"),
    "chart_milestones_desc": N_(
        "Stacked columns: the plan's {n} milestones grouped by the year they are due, split by "
        "completion level (from the milestone or its latest assessment)."
    ),
    "chart_participation": N_("Participation"),
    "chart_participation_desc": N_(
        "Horizontal bar chart: how many organisations were invited to the meetings on the plan, "
        "and how many proposed, commented or lead commitments."
    ),
    "table_data": N_("The numbers in the chart"),
    "category": N_("Category"),
    "count": N_("Count"),
    "year": N_("Year (due)"),
    "total": N_("Total"),
    "no_date": N_("no due date"),
    "participants": N_("The organisations"),
    "theme_none": N_("No theme"),
    "search_title": N_("Search"),
    "search_intro": N_(
        "The search finds titles, names and identifiers that contain the text, ignoring case."
    ),
    "search_results": N_("Results for “{q}”"),
    "search_count": N_("{n} results"),
    "search_more": N_(
        "The first {n} results; more match. Search for something more precise to see them."
    ),
    "search_broad": N_(
        "“{q}” is in more than {cap} texts: these results are ranked among the first {cap} "
        "the index gives, and those that begin with it. Search for something more precise."
    ),
    "no_hits": N_("No results."),
    "matched": N_("Matched"),
    "not_found": N_("Resource not found"),
    "not_found_text": N_("The registry does not know this URI:"),
    "not_found_hint": N_("Check the address, or search for the title or name."),
    "docs_title": N_("The vocabulary of the OGP registry"),
    "docs_intro": N_(
        "Documentation generated from the Turtle files the registry is loaded with: the ontology, "
        "the themes, the value sets and the validation rules."
    ),
    "docs_w3id": N_(
        "The vocabulary's URIs start with {w3id}. They are documented here at {local}."
    ),
    "ontology": N_("Ontology"),
    "classes": N_("Classes"),
    "properties": N_("Properties"),
    "domain": N_("Domain"),
    "range": N_("Range"),
    "subclass_of": N_("Subclass of"),
    "subproperty_of": N_("Subproperty of"),
    "inverse_of": N_("Inverse of"),
    "term_iri": N_("IRI"),
    "label": N_("Name"),
    "theme_scheme": N_("Themes"),
    "value_sets": N_("Value sets"),
    "value_set": N_("Value set"),
    "concepts": N_("Concepts"),
    "matches": N_("Matches"),
    "shapes": N_("Validation rules (SHACL)"),
    "shapes_intro": N_(
        "The rules data must follow before it is loaded. Severity “Violation” stops the load; "
        "“Warning” does not."
    ),
    "target_class": N_("Applies to"),
    "path": N_("Property"),
    "cardinality": N_("Count"),
    "constraint": N_("Constraint"),
    "severity": N_("Severity"),
    "message": N_("Message"),
    "properties_of_class": N_("Properties with this class as domain"),
    "formats": N_("Download as"),
    # -- history: the timeline, "as of" and version pages (docs/lifecycle.md,
    # endpoint/pages/versions.py) --
    "history": N_("History"),
    "history_intro": N_(
        "Every change in the registry that touched this resource: when, what, who and why. Every "
        "version has a stable URI you can cite."
    ),
    "history_caption": N_("The versions of the resource, oldest first"),
    "version": N_("Version"),
    "version_n": N_("Version {n}"),
    "recorded": N_("Recorded"),
    "action": N_("What"),
    "who": N_("Who"),
    "source_reason": N_("Source and reason"),
    "action_create": N_("Created"),
    "action_update": N_("Updated"),
    "action_delete": N_("Deleted"),
    "kind_load": N_("load"),
    "kind_status": N_("status change"),
    "kind_erase": N_("erasure"),
    "shown_here": N_("(shown here)"),
    "version_of": N_("Version of"),
    "change": N_("Change"),
    "change_n": N_("Change {n}"),
    "previous_version": N_("Previous version"),
    "next_version": N_("Next version"),
    "loaded_by": N_("Loaded by"),
    "as_of_heading": N_("As it stood at the end of {date}"),
    "as_of_text": N_(
        "You are looking at the resource as the registry described it at the end of {date} "
        "(Norwegian time): version {n}, recorded {time}."
    ),
    "version_heading": N_("Version {n}, recorded {time}"),
    "version_text": N_(
        "You are looking at an earlier or the current version of the resource. The version's URI "
        "is stable and can be cited."
    ),
    "latest_version_text": N_("This is the latest version."),
    "current_link": N_("See the resource as it is now"),
    "deleted_heading": N_("Deleted"),
    "deleted_text": N_(
        "The resource was removed from the registry {time} (version {n}). The history shows what "
        "it looked like before."
    ),
    "deleted_as_of": N_(
        "At the end of {date} the resource had been removed from the registry (removed {time}, "
        "version {n})."
    ),
    "snapshot_statements": N_("Statements in this version"),
    "snapshot_intro": N_(
        "Everything the registry said about the resource in this version (from the sources and the "
        "lifecycle), as recorded."
    ),
    "no_statements": N_("The version has no statements: the resource had been deleted."),
    "changes_heading": N_("Changes from the previous version"),
    "added": N_("Added"),
    "removed": N_("Removed"),
    "no_changes": N_("No statement changed."),
    "first_version": N_("This is the first version."),
    "not_then_heading": N_("Did not exist then"),
    "not_then_text": N_(
        "The registry had no version of this resource at the end of {date} (Norwegian time):"
    ),
    # -- honest figures, the catalogue page, machines (issue 19, "19p") --
    "registry_status": N_("Registry status"),
    "registry_status_hint": N_(
        "Where the entry stands in the registry (for example: the plan period is over). It does "
        "not say how far the work has come; see implementation progress."
    ),
    "progress": N_("Implementation progress"),
    "progress_unknown": N_("Unknown"),
    "progress_unknown_hint": N_("No assessment in the registry gives a completion level."),
    "progress_source": N_("according to"),
    "progress_milestones": N_(
        "Milestones: {complete} of {total} complete; completion unknown for {unknown}."
    ),
    "chart_progress": N_("Implementation progress of the commitments"),
    "chart_progress_desc": N_(
        "Horizontal bar chart: how many of the plan's {n} commitments are at each completion "
        "level according to their latest assessment that gives one, and how many are unknown."
    ),
    "progress_basis": N_(
        "Each commitment counts at the completion level of its latest assessment that gives one. "
        "Unknown: no assessment in the registry gives one. This is not the registry status, "
        "which only says where the entry stands in the registry."
    ),
    "progress_assessed_by": N_("Assessments by"),
    "chart_participation3": N_("Participation of the invited organisations"),
    "chart_participation3_desc": N_(
        "Horizontal bar chart: of the {n} organisations invited to the plan's meetings, how "
        "many the registry records as taking part, how many as not taking part, and how many "
        "it has no record of either way."
    ),
    "took_part": N_("Took part"),
    "did_not": N_("Did not take part"),
    "participation_unknown": N_("Unknown"),
    "basis": N_("What it rests on"),
    "basis_took_part": N_(
        "Recorded as attending one of the plan's meetings, proposing, commenting, or leading one "
        "of the plan's commitments"
    ),
    "basis_did_not": N_(
        "Missing from the recorded attendance list of a meeting they were invited to, and no "
        "record that they took part otherwise"
    ),
    "basis_unknown": N_(
        "No attendance list of their meetings is recorded, and no record that they took part: "
        "the registry does not know"
    ),
    "evidence_attended": N_("attended a meeting"),
    "evidence_proposed": N_("proposed"),
    "evidence_commented": N_("commented"),
    "evidence_leads": N_("leads a commitment of the plan"),
    "absent_from": N_("not on the attendance list of"),
    "participation_invited": N_("Invited to the plan's meetings: {n} organisations."),
    "attendance_lists": N_(
        "Attendance lists are recorded for {k} of the plan's {n} meetings with invitations."
    ),
    "participation_records": N_(
        "What the registry records for the plan (all organisations, invited or not)"
    ),
    "downloads": N_("Downloads"),
    "plan_document": N_("The plan document"),
    "plan_downloads": N_("The whole plan as data"),
    "register_entry": N_("The entity's page in the Brønnøysund Register Centre's search"),
    "register_data": N_("the register's record as data"),
    "version_info": N_("Version"),
    "catalog_title": N_("Data catalogue"),
    "catalog_intro": N_(
        "The registry's datasets as the national data catalogue (data.norge.no) harvests them. "
        "This page is for people; programs asking for RDF at the same address get the DCAT-AP-NO "
        "catalogue."
    ),
    "catalog_as_rdf": N_("The catalogue as RDF"),
    "publisher": N_("Publisher"),
    "licence": N_("Licence"),
    "modified": N_("Last changed"),
    "keywords": N_("Keywords"),
    "access_points": N_("Where to get it"),
    "sparql_endpoint": N_("SPARQL endpoint"),
    "query_page": N_("Query page"),
    "change_feed": N_("Change feed"),
    "licence_nlod": N_("Norwegian Licence for Open Government Data (NLOD) 2.0"),
    "licence_cc_by": N_("Creative Commons Attribution 4.0 (CC BY 4.0)"),
    "services": N_("Services"),
    "datasets": N_("Datasets"),
    "no_datasets": N_("The catalogue has no datasets yet."),
}

#: The link to the other language, shown in the language it switches to (a catalog's own
#: translation of these is in its own language).
SWITCH: dict[str, str] = {
    # TRANSLATORS: the name of the catalog's language, written in that language: the link that
    # switches the pages to it
    "switch": N_("English"),
    # TRANSLATORS: the label of the link that switches the pages to the catalog's language,
    # written in that language
    "switch_label": N_("Switch to English"),
}


def other_lang(lang: Lang) -> Lang:
    """The language of the main link of the switch (``#lang-switch``) on a page in ``lang``:
    English from bokmål and nynorsk, bokmål from English. The switch links every language."""
    return DEFAULT_LANG if lang == SOURCE_LANG else SOURCE_LANG


@functools.cache
def words(lang: Lang) -> Mapping[str, str]:
    """The pages' words in ``lang``, by key: every text of :data:`STRINGS` from the catalog of
    ``lang``; ``switch`` and ``switch_label`` from the catalog of :func:`other_lang`, and
    ``switch_lang``, its code; for the switch, ``lang_name_<code>`` and ``lang_label_<code>``
    of every language in :data:`~registry.i18n.LANGS`, each from that language's catalog."""
    other = other_lang(lang)
    out = {key: gettext(lang, msgid) for key, msgid in STRINGS.items()}
    out.update({key: gettext(other, msgid) for key, msgid in SWITCH.items()})
    out["switch_lang"] = other
    for code in LANGS:
        out[f"lang_name_{code}"] = gettext(code, SWITCH["switch"])
        out[f"lang_label_{code}"] = gettext(code, SWITCH["switch_label"])
    return MappingProxyType(out)

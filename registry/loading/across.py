"""The files of one load against each other (step 4 of ``registry/loading/pipeline.py``): each
file is validated alone against the registry, so two files that give one organisation number
to two organisations (:func:`shared_numbers`), or one organisation name to two organisations
or one organisation two numbers (:func:`shared_names`), each pass the shapes. Here each such
file gets a violation at its organisation that names the other place: the file and its line
(an RDF file) or its sheet, row and column (a submission: :meth:`SourceFile.place`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import pyoxigraph as ox

from registry.i18n import Msg, msg
from registry.loading.sources import SourceFile
from registry.model.organisations import Holder, names_across, numbers_across
from registry.namespaces import OGP
from registry.validation.report import Issue, ValidationReport

_SHAPES = "https://w3id.org/ogp-no/shapes#"
_SPARQL_CONSTRAINT = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


class Source(Protocol):
    """What these rules read of a prepared source (``pipeline.PreparedSource``)."""

    file: SourceFile
    quads: list[ox.Quad]
    report: ValidationReport
    from_text: bool


def shared_numbers(prepared: Sequence[Source]) -> None:
    """``ogpsh:OrganisationNumberUnique`` across the files of one load: a violation in each
    file, at its organisation, naming both places."""
    path = str(OGP.organisationNumber)
    for number, it, other in numbers_across([p.quads for p in prepared]):
        p = prepared[it.source]
        line = _line_of(p, number)
        message = msg(
            "The organisation number {number} is given to two organisations in the same "
            "load: to {name} ({iri}) in {here}, and to {other_name} ({other}) in "
            "{there}. One organisation number belongs to one organisation: describe it "
            "on one IRI, or correct the number.",
            number=number,
            name=it.name,
            iri=it.iri,
            here=_place(p, it, path, number, line),
            other_name=other.name,
            other=other.iri,
            there=_place(prepared[other.source], other, path, number),
        )
        _add(p, message, it, path, number, "OrganisationNumberUniqueShape", line)


def shared_names(prepared: Sequence[Source]) -> None:
    """One name, one organisation, across the files of one load
    (``registry.model.organisations.names_across``): a violation in each file, at its
    organisation, naming the other file's place and saying how to correct it."""
    for name, lang, it, other in names_across([p.quads for p in prepared]):
        p = prepared[it.source]
        there_p = prepared[other.source]
        if it.iri != other.iri:
            line = _line_of(p, name)
            message = msg(
                "The name \"{value}\" is given to two organisations in the same load: to {name} "
                "({iri}) in {here}, and to {other_name} ({other}) in {there}. One name names one "
                "organisation: if they are the same organisation, describe it once, with one "
                "organisation number; if they are different organisations, tell them apart by "
                "name.",
                value=name, name=it.name, iri=it.iri,
                here=_place(p, it, _PREF_LABEL, name, line), other_name=other.name,
                other=other.iri, there=_place(there_p, other, _PREF_LABEL, other.written or name),
            )
            _add(p, message, it, _PREF_LABEL, name, "OrganisationNameUniqueShape", line,
                 value_lang=lang)
            continue
        number, other_number = it.number or "", other.number or ""
        line = _line_of(p, number)
        path = str(OGP.organisationNumber)
        message = msg(
            "The organisation {name} ({iri}) is given two organisation numbers in the same "
            "load: {number} in {here}, and {other_number} in {there}. One organisation has "
            "one organisation number: give the same number in both files; if they are "
            "different organisations, tell them apart by name.",
            name=it.name, iri=it.iri, number=number, here=_place(p, it, path, number, line),
            other_number=other_number, there=_place(there_p, other, path, other_number),
        )
        _add(p, message, it, path, number, "OrganisationNumberUniqueShape", line)


def _add(
    p: Source, message: Msg, it: Holder, path: str, value: str, shape: str, line: int | None,
    value_lang: str | None = None,
) -> None:
    p.report.issues.append(
        Issue.from_msg(
            message,
            severity="violation",
            focus=it.iri,
            focus_label=it.name,
            path=path,
            value=value,
            value_lang=value_lang,
            shape=_SHAPES + shape,
            constraint=_SPARQL_CONSTRAINT,
            file=p.file.name,
            location={"line": line} if line is not None else {},
        )
    )


def _line_of(p: Source, value: str) -> int | None:
    """The first line of an RDF file that has ``value`` (a number not in a longer number, a
    name between quotes)."""
    if not p.from_text:
        return None
    text = p.file.data.decode("utf-8", errors="replace")
    pattern = (r"(?<![0-9])" + re.escape(value) + r"(?![0-9])" if value.isdigit()
               else r"[\"']" + re.escape(value) + r"[\"']")
    m = re.search(pattern, text)
    return None if m is None else text.count("\n", 0, m.start()) + 1


def _place(
    p: Source, it: Holder, path: str, value: str, line: int | None = None
) -> Msg | str:
    """Where a file says ``value`` of ``it``: its line (an RDF file), its sheet, row and
    column (a submission), else the file's name."""
    if line is None:
        line = _line_of(p, value)
    if line is not None:
        return msg("{file}, line {line}", file=p.file.name, line=line)
    return p.file.place(it.iri, path) or p.file.name


__all__ = ["shared_names", "shared_numbers"]

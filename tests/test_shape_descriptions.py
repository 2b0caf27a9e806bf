"""The shapes' descriptions (``sh:description``) are read by people filling in spreadsheets: in
the templates' header comments and guide sheet «Veiledning», in the JSON Schema of JSON
submissions and on the page ``/def/shapes`` (in bokmål, nynorsk or English). Like the shapes'
messages (``tests/test_shape_messages.py``) they name the field in plain words, give an example
as typed in a cell and keep the RDF term for one trailing parenthesis «(i RDF: …)» /
«(in RDF: …)»; the descriptions the loaders declare for columns the shapes do not describe
(``loaders/specs.py``) are held to the same rule."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from rdflib import Graph, Literal
from rdflib.namespace import SH

from loaders.columns import SHEET_KEYS, sheet
from loaders.template import xlsx_template
from tests.test_shape_messages import SHAPES, _problems


def _descriptions() -> list[tuple[str, str, str]]:
    """(shape, language, text) of every sh:description of every shape file."""
    out = []
    for path in SHAPES:
        g = Graph()
        g.parse(path, format="turtle")
        for shape, text in g.subject_objects(SH.description):
            assert isinstance(text, Literal)
            out.append((str(shape).rsplit("#", 1)[-1], text.language or "", str(text)))
    return out


def test_the_check_finds_rdf_jargon_in_descriptions() -> None:
    """The descriptions' old wordings are caught (so the tests below can fail)."""
    for text in (
        "Datoen planen ble vedtatt (xsd:date).",
        "Status i registeret, fra verdilisten vocab:status.",
        "Tema fra temalisten theme:scheme.",
        "Lenke (IRI) til en offentlig kildeside.",
        "Tittel med språkkode @nb (bokmål), @nn (nynorsk) eller @en (engelsk).",
        "The country, as an IRI in the EU country authority table, e.g. "
        "<http://publications.europa.eu/resource/authority/country/NOR>.",
        "Kommentarens identifikator, unik i registeret (blir en del av kommentarens URI).",
    ):
        assert _problems(text), text
    assert not _problems("Status i registeret, fra verdilisten «Registerstatus», f.eks. «Utkast» "
                         "(i RDF: vocab:status).")


def test_shape_descriptions_speak_plainly() -> None:
    """No RDF jargon in a shape's description outside its trailing «(i RDF: …)» parenthesis."""
    descriptions = _descriptions()
    assert len(descriptions) > 300  # every property shape, in bokmål, nynorsk and English
    found = [f"{shape} @{lang}: {', '.join(p)}: {text}"
             for shape, lang, text in descriptions if (p := _problems(text))]
    assert not found, "\n".join(found)


def test_description_rdf_parenthesis_matches_the_language() -> None:
    """Bokmål and nynorsk say «(i RDF: …)», English «(in RDF: …)»."""
    wrong = [f"{shape} @{lang}: {text}" for shape, lang, text in _descriptions()
             if ("(in RDF:" in text and lang != "en") or ("(i RDF:" in text and lang == "en")]
    assert not wrong, "\n".join(wrong)


def test_template_column_descriptions_speak_plainly() -> None:
    """Every column's description as the templates show it (the shapes' or the one the loaders
    declare), in bokmål and English, and as it stands in a real XLSX template's guide sheet."""
    found = []
    for key in SHEET_KEYS:
        for c in sheet(key).columns:
            for lang, text in (("nb", c.description_nb), ("en", c.description_en)):
                if p := _problems(text):
                    found.append(f"{key}.{c.key} @{lang}: {', '.join(p)}: {text}")
    assert not found, "\n".join(found)
    book = load_workbook(io.BytesIO(xlsx_template("commitments")), read_only=True)
    guide = [row for row in book["Veiledning"].iter_rows(min_row=6, values_only=True) if row[0]]
    assert len(guide) > 30
    shown = [f"{row[1]} / {row[2]}: {text}" for row in guide for text in (row[4], row[5])
             if isinstance(text, str) and _problems(text)]
    book.close()
    assert not shown, "\n".join(shown)

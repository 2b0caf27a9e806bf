"""The shapes' own messages (``sh:message``) reach people filling in spreadsheets, who do not
know RDF: no datatype IRIs, ``^^``, prefixed names, language tags or RDF words in them, except
in one trailing parenthesis «(i RDF: …)» / «(in RDF: …)» that tells an RDF submitter the term.
Where a message lists the allowed values, it lists what a cell takes: the labels the templates
offer (and the loader reads), not the codes, which stand only in that parenthesis.
The shapes' descriptions (``sh:description``) are checked the same way in
``tests/test_shape_descriptions.py``."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from loaders.build.cells import CellError, read_concept
from loaders.columns import SHEET_KEYS, Column, Concept, concepts, norm_code, sheet

SHAPES = sorted((Path(__file__).parent.parent / "shapes").glob("*.ttl"))

#: The one place RDF terms may stand: a parenthesis at the very end of the message.
TRAILING_RDF = re.compile(r"\s*\((?:i|in) RDF: [^()]*\)\.?\s*$")

#: Text taken out before the check, each for a reason.
EXCEPTIONS = (
    # a command line an editor types as it is ('ogpreg status URI --set withdrawn ...'): URI is
    # the command's own placeholder for the item (see `ogpreg status --help`), not RDF talk
    re.compile(r"'ogpreg [^']*'"),
)


def _prefixes() -> list[str]:
    """Every prefix the shape files declare (ogp, xsd, dct, skos, vocab, theme, kind, ...)."""
    names = {"rdf", "rdfs", "xsd", "owl", "sh", "skos", "dct", "org", "prov", "schema", "ogp"}
    for path in SHAPES:
        names |= set(re.findall(r"@prefix\s+([A-Za-z][\w-]*):", path.read_text("utf-8")))
    return sorted(names)


def _jargon() -> list[tuple[str, re.Pattern[str]]]:
    prefixed = "|".join(re.escape(p) for p in _prefixes())
    return [
        ("prefixed name (ogp:…, xsd:…, vocab:…)", re.compile(rf"\b(?:{prefixed}):[\w<./]")),
        ("datatype marker ^^", re.compile(r"\^\^")),
        ("language tag @xx", re.compile(r"(?<![\w.])@[a-z]{2}\b")),
        ("språkkode / language tag", re.compile(r"språkkode|language tag", re.I)),
        ("IRI", re.compile(r"\bIRI")),
        ("URI", re.compile(r"\bURI\b")),
        ("IRI in angle brackets", re.compile(r"<https?:")),
        ("literal", re.compile(r"\bliteral", re.I)),
        ("blank node", re.compile(r"blank[ -]?node", re.I)),
        ("klasse / class", re.compile(r"\b(?:under)?klasse|\b(?:sub)?class(?:es)?\b", re.I)),
        ("datatype", re.compile(r"\bdatatype|\bdatatypen?\b", re.I)),
        ("typed value (av typen / of type)", re.compile(r"\bav typen\b|\bof type\b")),
    ]


def _messages() -> list[tuple[str, str, str]]:
    """(shape, language, text) of every sh:message of every shape file."""
    out = []
    for path in SHAPES:
        g = Graph()
        g.parse(path, format="turtle")
        for shape, text in g.subject_objects(SH.message):
            assert isinstance(text, Literal)
            out.append((str(shape).rsplit("#", 1)[-1], text.language or "", str(text)))
    return out


def test_the_check_finds_rdf_jargon() -> None:
    """The patterns catch the words the messages used to have (so the test below can fail)."""
    bad = [
        'Vurderingen mangler vurderingsdato (xsd:date, f.eks. "2020-09-01"^^xsd:date).',
        "Tittel på bokmål mangler. Legg til en tittel med språkkode @nb.",
        "Kilden må være en lenke (IRI), ikke tekst.",
        "ogp:submittedAt må peke på et møte (ogp:Meeting eller en underklasse).",
        "Tillatte verdier (vocab:status/...): draft.",
        "The source must be a link (IRI), e.g. <https://www.regjeringen.no/...>.",
        "Fyll ut «Vurderingsdato» (i RDF: ogp:assessmentDate). Ellers ogp:irmReport.",
    ]
    for text in bad:
        assert _problems(text), text
    ok = "Fyll ut «Vurderingsdato», f.eks. «2020-09-01» (i RDF: ogp:assessmentDate, xsd:date)."
    assert not _problems(ok)


def _problems(text: str) -> list[str]:
    rest = TRAILING_RDF.sub("", text)
    for exception in EXCEPTIONS:
        rest = exception.sub("", rest)
    return [name for name, pattern in _jargon() if pattern.search(rest)]


def test_shape_messages_speak_plainly() -> None:
    """No RDF jargon in a shape's message outside its trailing «(i RDF: …)» parenthesis."""
    messages = _messages()
    assert len(messages) > 300  # every shape file read, every language
    found = [f"{shape} @{lang}: {', '.join(p)}: {text}"
             for shape, lang, text in messages if (p := _problems(text))]
    assert not found, "\n".join(found)


def test_rdf_parenthesis_matches_the_language() -> None:
    """Bokmål and nynorsk say «(i RDF: …)», English «(in RDF: …)»."""
    wrong = [f"{shape} @{lang}: {text}" for shape, lang, text in _messages()
             if ("(in RDF:" in text and lang != "en") or ("(i RDF:" in text and lang == "en")]
    assert not wrong, "\n".join(wrong)


# -- allowed values: what a cell takes, not the codes ---------------------------------------------

#: How a message quotes what is typed in a cell: «…» in bokmål and nynorsk, "…" in English.
QUOTED = {"nb": r"«[^»]*»", "nn": r"«[^»]*»", "en": r'"[^"]*"'}
#: Where a message lists the allowed values (nynorsk may add «, slik malen skriv dei»).
ALLOWED_MARKER = re.compile(r"(?:Tillatte verdier|Tillatne verdiar|Allowed values)[^:.]*:\s*",
                            re.I)


def _shapes_graph() -> Graph:
    g = Graph()
    for path in SHAPES:
        g.parse(path, format="turtle")
    return g


def _value_set(g: Graph, shape: URIRef) -> list[Concept]:
    """The concepts a shape allows: its own ``sh:in``, or the ``sh:in`` of the shape its values
    must conform to (``sh:node``: a lead agency's organisation kind)."""
    known = concepts()
    lists = [g.value(shape, SH["in"])]
    for node in g.objects(shape, SH.node):
        lists += [g.value(p, SH["in"]) for p in g.objects(node, SH.property)]
    return [known[str(i)] for lst in lists if lst is not None for i in Collection(g, lst)]


def _columns_taking(concept: Concept) -> list[Column]:
    """Every template column that offers ``concept``."""
    return [c for key in SHEET_KEYS for c in sheet(key).columns if concept in c.allowed]


def _named(text: str, lang: str) -> list[str] | None:
    """The values a message lists after «Tillatte verdier:» / "Allowed values:", quoted as typed
    in a cell; None when it lists none; [] when the list is not made of quoted values."""
    rest = TRAILING_RDF.sub("", text)
    found = ALLOWED_MARKER.search(rest)
    if found is None:
        return None
    q = QUOTED[lang]
    listed = re.match(rf"{q}(?:(?:, | eller | or ){q})*", rest[found.end():])
    if listed is None or not re.fullmatch(r"(?:\.|\. .*)?", rest[found.end() + listed.end():]):
        return []
    return [v[1:-1] for v in re.findall(q, listed.group(0))]


def _allowed_messages() -> list[tuple[URIRef, str, str, list[Concept]]]:
    g = _shapes_graph()
    out = []
    for shape, text in g.subject_objects(SH.message):
        assert isinstance(shape, URIRef) and isinstance(text, Literal)
        allowed = _value_set(g, shape)
        if allowed:
            out.append((shape, text.language or "", str(text), allowed))
    return out


def test_allowed_values_are_what_the_template_offers() -> None:
    """A message that lists the allowed values lists the labels a template offers, in the
    message's language (nynorsk: the template's bokmål labels, which the loader reads), each one
    the loader takes in every column that offers it; the codes stand only in «(i RDF: …)»."""
    checked, wrong = 0, []
    for shape, lang, text, allowed in _allowed_messages():
        named = _named(text, lang)
        if named is None:
            continue
        checked += 1
        offered = [c.label(lang) for c in allowed]  # nn: the bokmål label, as the template
        if named != offered:
            wrong.append(f"{shape} @{lang}: lists {named or 'no quoted labels'}, "
                         f"the template offers {offered}: {text}")
            continue
        for value, concept in zip(named, allowed, strict=True):
            for column in _columns_taking(concept):
                try:
                    taken = read_concept(value, column).value
                except CellError:
                    taken = None
                if taken != concept.iri:
                    wrong.append(f"{shape} @{lang}: the loader reads {value!r} in "
                                 f"{column.header_nb!r} as {taken}, not {concept.iri}")
    assert checked >= 45  # 15 shapes and more, in three languages
    assert not wrong, "\n".join(wrong)


def test_codes_of_allowed_values_stand_only_in_the_rdf_parenthesis() -> None:
    """No code (draft, in-force, self-assessment, public-body ...) outside «(i RDF: …)»; a value
    a message quotes is the label the template offers in the message's language."""
    wrong = []
    for shape, lang, text, allowed in _allowed_messages():
        rest = TRAILING_RDF.sub("", text)
        for exception in EXCEPTIONS:
            rest = exception.sub("", rest)
        for quoted in re.findall(QUOTED[lang], rest):
            value = quoted[1:-1]
            for c in allowed:
                names = {norm_code(n) for n in (c.code, c.label_nb, c.label_en) if n}
                if norm_code(value) in names and value != c.label(lang):
                    wrong.append(f"{shape} @{lang}: {quoted} for {c.code}, "
                                 f"the template offers «{c.label(lang)}»")
        unquoted = re.sub(QUOTED[lang], "", rest)
        codes = [c.code for c in allowed  # a code that is the label's word ("a ministry") is prose
                 if norm_code(c.code) != norm_code(c.label(lang))
                 and re.search(rf"(?<![\w-]){re.escape(c.code)}(?![\w-])", unquoted)]
        if codes:
            wrong.append(f"{shape} @{lang}: codes {codes} outside the RDF parenthesis: {text}")
    assert not wrong, "\n".join(wrong)


def test_a_cell_may_name_a_value_by_its_nynorsk_label() -> None:
    """Every allowed value of every template column is read from its nynorsk label as from its
    bokmål and English ones («Ikkje påbyrja» is «Ikke påbegynt»), whatever the case; a nynorsk
    label that is another value's bokmål or English label would name that value (the
    templates offer those), and none is."""
    checked, wrong = 0, []
    for key in SHEET_KEYS:
        for column in sheet(key).columns:
            for concept in column.allowed:
                for label in (concept.label_nn, concept.label_nb, concept.label_en):
                    assert label, f"{concept.iri} has no label in each language"
                    for typed in (label, label.upper()):
                        taken = read_concept(typed, column).value
                        checked += 1
                        if taken != concept.iri:
                            wrong.append(f"{column.header_nb}: {typed!r} read as {taken}")
    assert checked > 300
    assert not wrong, "\n".join(wrong)

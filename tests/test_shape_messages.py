"""The shapes' own messages (``sh:message``) reach people filling in spreadsheets, who do not
know RDF: no datatype IRIs, ``^^``, prefixed names, language tags or RDF words in them, except
in one trailing parenthesis «(i RDF: …)» / «(in RDF: …)» that tells an RDF submitter the term."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import SH

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

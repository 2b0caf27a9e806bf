"""What validation found: one :class:`Issue` per problem, a :class:`ValidationReport` of one or
more sources, rendered for a loader in bokmål or English.

Of the foundation layer (docs/architecture.md): :class:`registry.errors.ValidationFailed`
carries a report, and the SHACL engine that fills it (``registry/validation/shacl.py``), the
lifecycle rules and the submission loaders all add to it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from registry.i18n import N_, Lang, Msg, gettext, msg, msg_n, shown

#: the label of each severity in a rendered report (msgids)
SEVERITY_LABELS: dict[str, str] = {
    "violation": N_("ERROR"),
    "warning": N_("WARNING"),
    "info": N_("NOTICE"),
}


def severity_label(severity: str, lang: Lang) -> str:
    """``FEIL``/``ERROR``, ``ADVARSEL``/``WARNING``, ``INFO`` for a rendered report."""
    return gettext(lang, SEVERITY_LABELS[severity])


@dataclass
class Issue:
    """One problem found in submitted data."""

    severity: str
    focus: str
    message_nb: str
    message_en: str
    focus_label: str | None = None
    path: str | None = None
    path_label_nb: str | None = None
    path_label_en: str | None = None
    value: str | None = None
    shape: str | None = None
    constraint: str | None = None
    file: str | None = None
    location: dict[str, object] = field(default_factory=dict)
    #: the message in nynorsk ("": none, shown in bokmål, as the shapes' own messages are)
    message_nn: str = ""
    path_label_nn: str | None = None
    #: the language tag of ``value`` when it has one (a title in English: "en")
    value_lang: str | None = None

    @classmethod
    def from_msg(cls, message: Msg, **fields: Any) -> Issue:
        """An issue whose message the code writes: ``message`` rendered in bokmål, nynorsk and
        English (``message_nb``, ``message_nn``, ``message_en``); ``fields`` are the other
        fields (``severity``, ``focus``, ...)."""
        return cls(
            message_nb=message.render("nb"),
            message_en=message.render("en"),
            message_nn=message.render("nn"),
            **fields,
        )

    def set_message(self, message: Msg) -> None:
        """Replace the message by ``message``, rendered in every language."""
        self.message_nb, self.message_nn = message.render("nb"), message.render("nn")
        self.message_en = message.render("en")

    def message(self, lang: Lang) -> str:
        if lang == "en":
            return self.message_en
        return (self.message_nn if lang == "nn" else "") or self.message_nb

    def path_label(self, lang: Lang) -> str | None:
        if lang == "en":
            return self.path_label_en or self.path
        nn = self.path_label_nn if lang == "nn" else None
        return nn or self.path_label_nb or self.path

    def to_dict(self, lang: Lang) -> dict[str, object]:
        d = asdict(self)
        d["message"] = self.message(lang)
        return d

    def render(self, lang: Lang) -> str:
        where = shown(self.file or "")  # a file or sheet name may carry terminal escapes
        loc = shown(", ".join(f"{k}={v}" for k, v in self.location.items()))
        if loc:
            where += f" ({loc})"
        subject = self.focus_label or self.focus
        parts = [f"{severity_label(self.severity, lang)}: {where}".rstrip(": ")]
        parts.append("  " + msg("item: {item}", item=subject).render(lang))
        if self.path:
            parts.append("  " + msg("field: {field}", field=self.path_label(lang)).render(lang))
        if self.value is not None:
            parts.append("  " + msg("value: {value}", value=self.value).render(lang))
        parts.append("  " + shown(self.message(lang)))
        return "\n".join(parts)


@dataclass
class ValidationReport:
    """All problems of one or more sources."""

    issues: list[Issue] = field(default_factory=list)

    @property
    def violations(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "violation"]

    @property
    def warnings(self) -> list[Issue]:
        """Everything that does not block: warnings and notices (infos)."""
        return [i for i in self.issues if i.severity != "violation"]

    def count(self, severity: str) -> int:
        """How many issues of one severity (``violation``, ``warning``, ``info``)."""
        return sum(1 for i in self.issues if i.severity == severity)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def extend(self, other: ValidationReport) -> None:
        self.issues.extend(other.issues)

    def summary(self, lang: Lang) -> str:
        """The counts of errors, warnings and notices, each in its own words ("1 advarsel",
        "2 advarsler"); notices only when there are some."""
        errors = msg_n("{n} error", "{n} errors", self.count("violation"))
        warnings = msg_n("{n} warning", "{n} warnings", self.count("warning"))
        notices = self.count("info")
        if not notices:
            return msg("{errors} and {warnings}.", errors=errors, warnings=warnings).render(lang)
        return msg(
            "{errors}, {warnings} and {notices}.",
            errors=errors,
            warnings=warnings,
            notices=msg_n("{n} notice", "{n} notices", notices),
        ).render(lang)

    def render(self, lang: Lang) -> str:
        lines = [issue.render(lang) for issue in self.issues]
        lines.append(self.summary(lang))
        return "\n".join(lines)

    def to_json(self, lang: Lang) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "errors": len(self.violations),
                "warnings": self.count("warning"),
                "notices": self.count("info"),
                "issues": [i.to_dict(lang) for i in self.issues],
            },
            ensure_ascii=False,
            indent=2,
        )

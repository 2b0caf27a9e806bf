"""What validation found: one :class:`Issue` per problem, a :class:`ValidationReport` of one or
more sources, rendered for a loader in bokmål or English.

Of the foundation layer (docs/architecture.md): :class:`registry.errors.ValidationFailed`
carries a report, and the SHACL engine that fills it (``registry/validation/shacl.py``), the
lifecycle rules and the submission loaders all add to it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from registry.i18n import Lang, msg

_SEVERITY_LABEL = {
    "nb": {"violation": "FEIL", "warning": "ADVARSEL", "info": "INFO"},
    "en": {"violation": "ERROR", "warning": "WARNING", "info": "INFO"},
}


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

    def message(self, lang: Lang) -> str:
        return self.message_en if lang == "en" else self.message_nb

    def path_label(self, lang: Lang) -> str | None:
        return (self.path_label_en if lang == "en" else self.path_label_nb) or self.path

    def to_dict(self, lang: Lang) -> dict[str, object]:
        d = asdict(self)
        d["message"] = self.message(lang)
        return d

    def render(self, lang: Lang) -> str:
        where = self.file or ""
        loc = ", ".join(f"{k}={v}" for k, v in self.location.items())
        if loc:
            where += f" ({loc})"
        subject = self.focus_label or self.focus
        parts = [f"{_SEVERITY_LABEL[lang][self.severity]}: {where}".rstrip(": ")]
        if lang == "en":
            parts.append(f"  item: {subject}")
            if self.path:
                parts.append(f"  field: {self.path_label(lang)}")
            if self.value is not None:
                parts.append(f"  value: {self.value}")
        else:
            parts.append(f"  element: {subject}")
            if self.path:
                parts.append(f"  felt: {self.path_label(lang)}")
            if self.value is not None:
                parts.append(f"  verdi: {self.value}")
        parts.append(f"  {self.message(lang)}")
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
        return [i for i in self.issues if i.severity != "violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def extend(self, other: ValidationReport) -> None:
        self.issues.extend(other.issues)

    def summary(self, lang: Lang) -> str:
        n_err, n_warn = len(self.violations), len(self.warnings)
        return msg(
            "{errors} feil og {warnings} advarsler.",
            "{errors} errors and {warnings} warnings.",
            errors=n_err,
            warnings=n_warn,
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
                "warnings": len(self.warnings),
                "issues": [i.to_dict(lang) for i in self.issues],
            },
            ensure_ascii=False,
            indent=2,
        )

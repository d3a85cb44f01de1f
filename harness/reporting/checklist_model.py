"""The 认定方法 checklist's vocabulary and values: the item verdicts and their names, what an
assessment of one item and of one app holds, and the Legend's texts (in English, catalogued in
catalog/report_ui.yaml like every report text; ``harness.i18n.ui`` gives the report language).
Shared by the checklist page (:mod:`harness.reporting.checklist`) and its workbook
(:mod:`harness.reporting.checklist_xlsx`), which import it and not each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.i18n import term

if TYPE_CHECKING:
    from harness.catalog.checklist import ChecklistItem
    from harness.findings import Finding
    from harness.reporting.build import RunData
    from harness.reporting.target import Target

__all__ = ["VERDICT_CODES", "VERDICT_LABELS", "LANGS", "ItemFinding", "ItemAssessment", "AppChecklist"]

VERDICT_CODES = ("non-compliant", "needs-review", "not-tested", "compliant")
#: Item verdict names, from the shared glossary (catalog/messages.yaml ``terms.checklist_verdict``)
VERDICT_LABELS: dict[str, dict[str, str]] = {v: {lang: term("checklist_verdict", v, lang) for lang in ("zh", "en")} for v in VERDICT_CODES}
LANGS = ("zh", "en")


@dataclass(frozen=True, slots=True)
class ItemFinding:
    """A finding behind an item's verdict, with the run it came from and its evidence described."""

    run_id: str
    scenario: str
    finding: Finding
    evidence: tuple[str, ...]
    report: str  # path of the run's report.html relative to the checklist, '' when absent
    also: tuple[str, ...] = ()  # other scenarios where the same rule found the same on the same subject

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.finding.rule_id, self.finding.verdict, self.finding.category, self.finding.sdk)


@dataclass(slots=True)
class ItemAssessment:
    """The verdict on one checklist item and what it rests on."""

    item: ChecklistItem
    verdict: str
    reasons: list[str] = field(default_factory=list)
    findings: list[ItemFinding] = field(default_factory=list)
    info: list[ItemFinding] = field(default_factory=list)
    rules_judged: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AppChecklist:
    """The checklist of one app."""

    package: str
    app: str
    version: str
    jurisdiction: str
    lang: str
    runs: list[RunData]
    items: list[ItemAssessment]
    eu_points: list[ItemAssessment]
    conditions_met: dict[str, bool]
    simulated: bool
    notes: list[str]
    #: what was tested (the first run's target: reference app, reference page, real URL, real app)
    target: Target | None = None

    def counts(self, which: str = "items") -> dict[str, int]:
        rows = self.items if which == "items" else self.eu_points
        return {v: sum(1 for a in rows if a.verdict == v) for v in VERDICT_CODES}


# The checklist's wording is catalogued with the run report's (catalog/report_ui.yaml, keyed by
# the English text; the template prints it through ``_()``): one catalogue, one name for a thing.

#: What each item verdict means (the Legend), in English; ``ui`` gives the report language.
_VERDICT_MEANING: dict[str, str] = {
    "non-compliant": "at least one rule of the item found a violation",
    "needs-review": "a rule asks for review, or the automated check covers only part of the item (the rest is named)",
    "not-tested": "nothing tested the item (reason given); this is not a pass",
    "compliant": "every scenario the item needs ran, its rules cover the whole item, and they found nothing",
}

#: What each wording-check mark of an item means (the Legend).
_CHECK_MEANING: dict[str, str] = {
    "FULL": "verbatim in a stored full-text copy",
    "XH": "verbatim in the Xinhua report",
    "ECHO": "quoted by a secondary text",
    "EN": "matched by a stored English rendering",
    "OFF": "no stored copy seen; given as known, to be checked",
}

#: How findings and verdicts are counted (the Legend).
_COUNTING = (
    "A finding is one rule, one subject (data category, permission group, SDK or screen) and one set of evidence events; "
    "the same rule on the same subject and evidence counts once. One call breaking several rules (e.g. R09, R33, R35) "
    "counts once per rule and is grouped by call in the run report. An item's verdict is the worst verdict of its rules "
    "over all runs of the app; informational findings do not change it."
)

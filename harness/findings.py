"""Findings: what a detector concluded, which rule it breaks, and where the evidence is."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.i18n import Msg

__all__ = ["Threshold", "Citation", "Finding", "SEVERITIES", "VERDICTS", "PROVENANCES", "FAIL_ON", "worst_severity", "fails", "merge_duplicates"]

SEVERITIES = ("info", "low", "medium", "high")
VERDICTS = ("violation", "needs-review", "info")
#: ``--fail-on`` choices: a severity, or never.
FAIL_ON = (*SEVERITIES, "never")
PROVENANCES = ("law", "normative", "standard", "guidance", "test scenario", "app-store practice", "platform", "heuristic")


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number a detector used, and where that number comes from (house habit 10)."""

    name: str
    value: float | int | str
    unit: str = ""
    provenance: str = "heuristic"
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Citation:
    """A rule text a finding rests on: jurisdiction (cn | eu | play), document and article."""

    jurisdiction: str
    document: str
    article: str = ""

    def __str__(self) -> str:
        return f"{self.document} {self.article}".strip()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Finding:
    """One conclusion of a detector about one run.

    Identity: one finding per rule, subject and evidence (:meth:`identity`). The subject is what
    the finding is about: the data category or permission group, the SDK, and ``subject`` for
    anything else (a manifest setting, a screen control). :func:`merge_duplicates` folds
    findings with the same identity into one."""

    rule_id: str
    title: str
    severity: str
    verdict: str
    message: str
    evidence: tuple[int, ...] = ()
    problem_types: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    sdk: str = ""
    category: str = ""
    t: float = 0.0
    detector: str = ""
    subject: str = ""
    #: the catalogue message behind ``message`` (key + typed arguments; machine fields): reports
    #: render it in their language. ``message`` is its English text. None for findings of
    #: detectors that give plain text (a report then prints ``message`` as it is).
    msg: Msg | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "verdict": self.verdict,
            "message": self.message,
            "evidence": list(self.evidence),
            "problem_types": list(self.problem_types),
            "citations": [c.to_dict() for c in self.citations],
            "thresholds": [t.to_dict() for t in self.thresholds],
            "sdk": self.sdk,
            "category": self.category,
            "t": self.t,
            "detector": self.detector,
            "subject": self.subject,
            **({"message_id": self.msg.key, "message_args": self.msg.to_json()["args"]} if self.msg is not None else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            rule_id=str(d["rule_id"]),
            title=str(d.get("title", "")),
            severity=str(d["severity"]),
            verdict=str(d["verdict"]),
            message=str(d.get("message", "")),
            evidence=tuple(int(x) for x in d.get("evidence", ())),
            problem_types=tuple(str(x) for x in d.get("problem_types", ())),
            citations=tuple(Citation(**c) for c in d.get("citations", ())),
            thresholds=tuple(Threshold(**t) for t in d.get("thresholds", ())),
            sdk=str(d.get("sdk", "")),
            category=str(d.get("category", "")),
            t=float(d.get("t", 0.0)),
            detector=str(d.get("detector", "")),
            subject=str(d.get("subject", "")),
            msg=_msg_from(d),
        )

    def rank(self) -> int:
        return SEVERITIES.index(self.severity)

    def identity(self) -> tuple[str, str, str, str, tuple[int, ...]]:
        """What makes two findings the same finding: rule, subject (category, SDK, subject) and evidence."""
        return (self.rule_id, self.category, self.sdk, self.subject, tuple(sorted(self.evidence)))


def _msg_from(d: dict[str, Any]) -> Msg | None:
    """The catalogue message of a stored finding (None when it has none or it is malformed:
    the stored English ``message`` is then what reports print)."""
    key = d.get("message_id")
    if not isinstance(key, str) or not key:
        return None
    from harness.i18n import Msg

    try:
        return Msg.from_json({"id": key, "args": d.get("message_args") or {}})
    except ValueError:
        return None


def worst_severity(findings: Sequence[Finding]) -> str:
    """The highest severity among findings that are not merely informational ('' if none)."""
    ranks = [f.rank() for f in findings if f.verdict != "info"]
    return SEVERITIES[max(ranks)] if ranks else ""


def fails(findings: Sequence[Finding], fail_on: str) -> bool:
    """True when a finding that is not merely informational reaches ``fail_on``; ``info`` is the
    strictest bar: any finding at all, informational ones included (so it differs from ``low``)."""
    if fail_on == "never":
        return False
    if fail_on == "info":
        return bool(findings)
    bar = SEVERITIES.index(fail_on)
    return any(f.verdict != "info" and f.rank() >= bar for f in findings)


_VERDICT_RANK = {"info": 0, "needs-review": 1, "violation": 2}


def _joined(a: Msg | None, b: Msg | None) -> Msg | None:
    """The catalogue message of two merged findings' messages (None unless both have one)."""
    if a is None or b is None:
        return None
    from harness.i18n import Msg

    parts = a.arg("parts") if a.key == "joined" else None
    items = (*parts, b) if isinstance(parts, tuple) else (a, b)
    return Msg.of("joined", parts=items)


def merge_duplicates(findings: list[Finding]) -> list[Finding]:
    """One finding per identity, first-seen order kept: the worst verdict and severity of the
    duplicates, their distinct messages joined (so no reason is lost)."""
    out: dict[tuple[str, str, str, str, tuple[int, ...]], Finding] = {}
    for f in findings:
        key = f.identity()
        prev = out.get(key)
        if prev is None:
            out[key] = f
            continue
        verdict = max(prev.verdict, f.verdict, key=lambda v: _VERDICT_RANK.get(v, 0))
        severity = max(prev.severity, f.severity, key=SEVERITIES.index)
        same = f.message in prev.message
        message = prev.message if same else f"{prev.message} {f.message}"
        msg = prev.msg
        if not same:
            msg = _joined(prev.msg, f.msg)
        out[key] = dataclasses.replace(prev, verdict=verdict, severity=severity, message=message, t=min(prev.t, f.t), msg=msg)
    return list(out.values())

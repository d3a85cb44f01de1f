"""The rule catalogue (rules.yaml): rule ids, titles, citations, thresholds and jurisdictions.

Findings must survive a challenge, so everything a detector prints about *why* comes from here:
the rule's title in the jurisdiction's wording, the texts it rests on (with a confidence mark
when the wording is not verified), and every number it used with that number's provenance
(law | normative | standard | guidance | test scenario | app-store practice | platform | heuristic).

The file is validated when loaded; any schema error raises :class:`harness.errors.CatalogError`
naming the path inside the file (e.g. ``rules.R09.citations[2]``). ``load_rules()`` without a
path returns the packaged catalogue (cached).

A *jurisdiction profile* (``cn``, ``eu``) chooses which citation sets are printed, the title
wording, and per-rule overrides (thresholds, severity, a verdict ceiling, or exclusion). A rule
applies in a jurisdiction when it has at least one citation from the jurisdiction's sets.
Citation confidence other than V is appended to the article, e.g. ``三.2 [M]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness.catalog.yamldata import parse_yaml, read_bounded
from harness.errors import CatalogError, InputError
from harness.findings import PROVENANCES, SEVERITIES, VERDICTS, Citation, Threshold

__all__ = [
    "CONFIDENCES",
    "DOCUMENT_KINDS",
    "CategoryInfo",
    "Document",
    "FindingParts",
    "RuleCitation",
    "ThresholdDef",
    "Rule",
    "RuleOverride",
    "Jurisdiction",
    "RuleCatalog",
    "load_rules",
    "parse_rules",
]

CONFIDENCES = ("V", "M", "U")
DOCUMENT_KINDS = ("law", "regulation", "normative", "standard", "guidance", "case-law", "platform", "practice", "draft")
_JURISDICTION_SETS = ("cn", "eu", "play", "android")
_AUTOMATABLE = ("yes", "partly", "no")
_EVIDENCE = ("UI", "API", "NET", "MAN", "POL", "SYS")
_NO_NET = ("Y", "P", "N")
_RULE_ID = re.compile(r"^R\d{2}$")
_TYPE_ID = re.compile(r"^T[1-8]$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_MAX_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class Document:
    """A text a rule can cite."""

    id: str
    name: str
    short: str
    kind: str
    jurisdiction: str
    confidence: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class RuleCitation:
    """One citation of a rule: document id, article, confidence of the wording."""

    doc: str
    article: str
    confidence: str


@dataclass(frozen=True, slots=True)
class ThresholdDef:
    """A number from the catalogue with its provenance and source."""

    name: str
    value: float | int | str
    unit: str
    provenance: str
    source: str

    def to_threshold(self) -> Threshold:
        return Threshold(self.name, self.value, self.unit, self.provenance, self.source)


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """A data category reported by instrumentation: is it personal information, how severe."""

    name: str
    pi: bool
    severity: str


@dataclass(frozen=True, slots=True)
class FindingParts:
    """The run-independent parts of a finding of one rule under one jurisdiction."""

    title: str
    citations: tuple[Citation, ...]
    problem_types: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    severity: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue rule."""

    id: str
    titles: Mapping[str, str]
    family: str
    problem_types: tuple[str, ...]
    severity: str
    by_category: bool
    automatable: str
    evidence: tuple[str, ...]
    no_net: str
    verdicts: tuple[str, ...]
    thresholds: tuple[str, ...]
    check: str
    citations: tuple[RuleCitation, ...]
    fixes: Mapping[str, str] = field(default_factory=dict)

    def title(self, wording: str) -> str:
        return self.titles.get(wording) or next(iter(self.titles.values()))

    def fix(self, lang: str) -> str:
        """The suggested remedy in ``lang`` ('cn' or 'en'; '' when the catalogue has none)."""
        return self.fixes.get(lang) or next(iter(self.fixes.values()), "")


@dataclass(frozen=True, slots=True)
class RuleOverride:
    """A jurisdiction's changes to one rule."""

    include: bool = True
    severity: str = ""
    max_verdict: str = ""
    thresholds: Mapping[str, ThresholdDef] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A jurisdiction profile: citation sets, title wording, per-rule overrides."""

    id: str
    name: str
    citation_sets: tuple[str, ...]
    wording: str
    overrides: Mapping[str, RuleOverride]


class RuleCatalog:
    """The validated catalogue with look-ups used by detectors and reports."""

    def __init__(
        self,
        *,
        problem_types: Mapping[str, str],
        documents: Mapping[str, Document],
        thresholds: Mapping[str, ThresholdDef],
        categories: Mapping[str, CategoryInfo],
        burst_categories: tuple[str, ...],
        non_pi_groups: tuple[str, ...],
        user_intents: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]],
        intent_words: Mapping[str, tuple[str, ...]],
        bypass: Mapping[str, tuple[str, ...]],
        api_patterns: Mapping[str, tuple[str, ...]],
        lexicons: Mapping[str, tuple[str, ...]],
        roles: Mapping[str, tuple[str, ...]],
        settings: Mapping[str, int | float | str],
        jurisdictions: Mapping[str, Jurisdiction],
        rules: Mapping[str, Rule],
        foreground_service_types: Mapping[str, tuple[int, tuple[str, ...]]] | None = None,
        background_features: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.problem_types = dict(problem_types)
        self.documents = dict(documents)
        self.thresholds = dict(thresholds)
        self.categories = dict(categories)
        self.burst_categories = burst_categories
        self.non_pi_groups = non_pi_groups
        self.user_intents = dict(user_intents)
        self.intent_words = {k: tuple(w.lower() for w in v) for k, v in intent_words.items()}
        self.bypass = dict(bypass)
        self.api_patterns = dict(api_patterns)
        self.lexicons = dict(lexicons)
        self.roles = dict(roles)
        self.settings = dict(settings)
        self.jurisdictions = dict(jurisdictions)
        self.rules = dict(rules)
        self.foreground_service_types = dict(foreground_service_types or {})
        self.background_features = dict(background_features or {})
        """Category -> app-type profile ids whose user-started features of it go on in the background."""
        """Foreground-service type -> (ServiceInfo bit, categories it covers): exemptions.foreground_service_types."""
        self._cite_cache: dict[tuple[str, str], tuple[Citation, ...]] = {}
        self._parts_cache: dict[tuple[str, str, tuple[str, ...] | None, str], FindingParts] = {}

    # -- look-ups ---------------------------------------------------------------------------
    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise InputError(f"unknown rule id {rule_id!r}") from None

    def jurisdiction(self, jid: str) -> Jurisdiction:
        try:
            return self.jurisdictions[jid]
        except KeyError:
            known = ", ".join(sorted(self.jurisdictions))
            raise InputError(f"unknown jurisdiction profile {jid!r} (known: {known})") from None

    def applies(self, rule_id: str, jid: str) -> bool:
        """Whether a rule is judged under a jurisdiction profile."""
        jur = self.jurisdiction(jid)
        ov = jur.overrides.get(rule_id)
        if ov is not None and not ov.include:
            return False
        return bool(self.citations(rule_id, jid))

    def rules_for(self, jid: str) -> list[Rule]:
        return [r for rid, r in sorted(self.rules.items()) if self.applies(rid, jid)]

    def title(self, rule_id: str, jid: str) -> str:
        return self.rule(rule_id).title(self.jurisdiction(jid).wording)

    def citations(self, rule_id: str, jid: str) -> tuple[Citation, ...]:
        """The rule's citations printed under a jurisdiction (confidence marked when not V)."""
        key = (rule_id, jid)
        hit = self._cite_cache.get(key)
        if hit is not None:
            return hit
        jur = self.jurisdiction(jid)
        out: list[Citation] = []
        for c in self.rule(rule_id).citations:
            doc = self.documents[c.doc]
            if doc.jurisdiction not in jur.citation_sets:
                continue
            article = c.article if c.confidence == "V" else f"{c.article} [{c.confidence}]".strip()
            out.append(Citation(doc.jurisdiction, doc.short, article))
        result = tuple(out)
        self._cite_cache[key] = result
        return result

    def threshold(self, rule_id: str, name: str, jid: str) -> ThresholdDef:
        """A threshold as used by a rule under a jurisdiction (override first)."""
        ov = self.jurisdiction(jid).overrides.get(rule_id)
        if ov is not None and name in ov.thresholds:
            return ov.thresholds[name]
        try:
            return self.thresholds[name]
        except KeyError:
            raise CatalogError(f"rules.yaml: threshold {name!r} is not defined") from None

    def severity(self, rule_id: str, jid: str, category: str = "") -> str:
        """Default severity of a rule's finding (by data category when the rule says so)."""
        ov = self.jurisdiction(jid).overrides.get(rule_id)
        if ov is not None and ov.severity:
            return ov.severity
        rule = self.rule(rule_id)
        if rule.by_category and category in self.categories:
            cat_sev = self.categories[category].severity
            if cat_sev != "info":
                return cat_sev
        return rule.severity

    def cap_verdict(self, rule_id: str, jid: str, verdict: str) -> str:
        """Apply a jurisdiction's verdict ceiling (e.g. EU R23: at most needs-review)."""
        ov = self.jurisdiction(jid).overrides.get(rule_id)
        if ov is None or not ov.max_verdict:
            return verdict
        rank = {"info": 0, "needs-review": 1, "violation": 2}
        return verdict if rank[verdict] <= rank[ov.max_verdict] else ov.max_verdict

    def finding_parts(
        self, rule_id: str, jid: str, thresholds: tuple[str, ...] | None = None, category: str = ""
    ) -> FindingParts:
        """Everything a finding of this rule prints that does not depend on the run (cached):
        title, citations, problem types, thresholds (``None`` = the rule's own list) and the
        default severity for ``category``."""
        key = (rule_id, jid, thresholds, category)
        hit = self._parts_cache.get(key)
        if hit is None:
            rule = self.rule(rule_id)
            names = rule.thresholds if thresholds is None else thresholds
            hit = FindingParts(
                title=self.title(rule_id, jid),
                citations=self.citations(rule_id, jid),
                problem_types=rule.problem_types,
                thresholds=tuple(self.threshold(rule_id, n, jid).to_threshold() for n in names),
                severity=self.severity(rule_id, jid, category),
            )
            self._parts_cache[key] = hit
        return hit

    def is_pi(self, category: str) -> bool:
        info = self.categories.get(category)
        return bool(info and info.pi)

    def intent_categories(self, intent: str) -> tuple[str, ...]:
        entry = self.user_intents.get(intent.strip().lower())
        return entry[0] if entry else ()

    def intent_groups(self, intent: str) -> tuple[str, ...]:
        entry = self.user_intents.get(intent.strip().lower())
        return entry[1] if entry else ()

    def intent_from_text(self, text: str) -> str:
        """The feature a control's text starts ('' when no intent word matches)."""
        low = text.strip().lower()[:200]
        if not low:
            return ""
        for intent, words in self.intent_words.items():
            if any(w in low for w in words):
                return intent
        return ""

    def lexicon(self, name: str) -> tuple[str, ...]:
        return self.lexicons.get(name, ())

    def role_set(self, name: str) -> frozenset[str]:
        return frozenset(self.roles.get(name, ()))


# -- parsing --------------------------------------------------------------------------------------


def _fail(where: str, msg: str) -> CatalogError:
    return CatalogError(f"rules.yaml: {where}: {msg}")


def _map(v: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _fail(where, "expected a mapping")
    for k in v:
        if not isinstance(k, str):
            raise _fail(where, f"key {k!r} must be text")
    return v


def _str(v: Any, where: str, *, allow_empty: bool = False) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or (not allow_empty and not v.strip()):
        raise _fail(where, "expected non-empty text")
    return v.strip()


def _strs(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise _fail(where, "expected a list")
    return tuple(_str(x, f"{where}[{i}]") for i, x in enumerate(v))


def _choice(v: Any, where: str, options: Sequence[str]) -> str:
    s = _str(v, where)
    if s not in options:
        raise _fail(where, f"{s!r} is not one of {', '.join(options)}")
    return s


def _keys(m: Mapping[str, Any], where: str, required: Sequence[str], optional: Sequence[str] = ()) -> None:
    missing = [k for k in required if k not in m]
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    extra = [k for k in m if k not in required and k not in optional]
    if extra:
        raise _fail(where, f"unknown field(s) {', '.join(sorted(extra))}")


def _threshold(name: str, raw: Any, where: str) -> ThresholdDef:
    m = _map(raw, where)
    _keys(m, where, ("value", "provenance", "source"), ("unit",))
    value = m["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _fail(f"{where}.value", "expected a number or text")
    return ThresholdDef(
        name=name,
        value=value,
        unit=_str(m.get("unit", ""), f"{where}.unit", allow_empty=True),
        provenance=_choice(m["provenance"], f"{where}.provenance", PROVENANCES),
        source=_str(m["source"], f"{where}.source"),
    )


def parse_rules(data: Any) -> RuleCatalog:
    """Validate a loaded rules.yaml document and build the catalogue."""
    root = _map(data, "document")
    _keys(
        root,
        "document",
        ("schema", "problem_types", "documents", "thresholds", "categories", "jurisdictions", "rules"),
        (
            "burst_categories",
            "non_pi_groups",
            "user_intents",
            "intent_words",
            "bypass",
            "api_patterns",
            "lexicons",
            "roles",
            "settings",
            "exemptions",
        ),
    )
    if root["schema"] != 1:
        raise _fail("schema", f"unsupported schema {root['schema']!r} (expected 1)")

    ptypes = {}
    for k, v in _map(root["problem_types"], "problem_types").items():
        if not _TYPE_ID.match(k):
            raise _fail(f"problem_types.{k}", "ids are T1..T8")
        ptypes[k] = _str(v, f"problem_types.{k}")

    documents: dict[str, Document] = {}
    for did, raw in _map(root["documents"], "documents").items():
        w = f"documents.{did}"
        if not _NAME.match(did):
            raise _fail(w, "document ids are lower_snake_case")
        m = _map(raw, w)
        _keys(m, w, ("name", "short", "kind", "jurisdiction", "confidence"), ("note",))
        documents[did] = Document(
            id=did,
            name=_str(m["name"], f"{w}.name"),
            short=_str(m["short"], f"{w}.short"),
            kind=_choice(m["kind"], f"{w}.kind", DOCUMENT_KINDS),
            jurisdiction=_choice(m["jurisdiction"], f"{w}.jurisdiction", _JURISDICTION_SETS),
            confidence=_choice(m["confidence"], f"{w}.confidence", CONFIDENCES),
            note=_str(m.get("note", ""), f"{w}.note", allow_empty=True),
        )

    thresholds = {
        name: _threshold(name, raw, f"thresholds.{name}") for name, raw in _map(root["thresholds"], "thresholds").items()
    }

    categories: dict[str, CategoryInfo] = {}
    for cname, raw in _map(root["categories"], "categories").items():
        w = f"categories.{cname}"
        m = _map(raw, w)
        _keys(m, w, ("pi", "severity"))
        if not isinstance(m["pi"], bool):
            raise _fail(f"{w}.pi", "expected true or false")
        categories[cname] = CategoryInfo(cname, m["pi"], _choice(m["severity"], f"{w}.severity", SEVERITIES))

    def _cats(v: Any, where: str) -> tuple[str, ...]:
        out = _strs(v, where)
        for i, c in enumerate(out):
            if c not in categories:
                raise _fail(f"{where}[{i}]", f"unknown category {c!r}")
        return out

    burst = _cats(root.get("burst_categories", []), "burst_categories")
    non_pi_groups = _strs(root.get("non_pi_groups", []), "non_pi_groups")

    intents: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for iname, raw in _map(root.get("user_intents", {}), "user_intents").items():
        w = f"user_intents.{iname}"
        m = _map(raw, w)
        _keys(m, w, ("categories", "groups"))
        intents[iname.strip().lower()] = (_cats(m["categories"], f"{w}.categories"), _strs(m["groups"], f"{w}.groups"))

    intent_words: dict[str, tuple[str, ...]] = {}
    for iname, words in _map(root.get("intent_words", {}), "intent_words").items():
        key = iname.strip().lower()
        if key not in intents:
            raise _fail(f"intent_words.{iname}", "not an intent listed under user_intents")
        intent_words[key] = _strs(words, f"intent_words.{iname}")
    bypass = {g: _cats(v, f"bypass.{g}") for g, v in _map(root.get("bypass", {}), "bypass").items()}
    api_patterns = {k: _strs(v, f"api_patterns.{k}") for k, v in _map(root.get("api_patterns", {}), "api_patterns").items()}
    lexicons = {k: _strs(v, f"lexicons.{k}") for k, v in _map(root.get("lexicons", {}), "lexicons").items()}
    roles = {k: _strs(v, f"roles.{k}") for k, v in _map(root.get("roles", {}), "roles").items()}
    settings: dict[str, int | float | str] = {}
    for k, v in _map(root.get("settings", {}), "settings").items():
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise _fail(f"settings.{k}", "expected a number or text")
        settings[k] = v
    fgs_types: dict[str, tuple[int, tuple[str, ...]]] = {}
    ex = _map(root.get("exemptions", {}), "exemptions")
    _keys(ex, "exemptions", (), ("foreground_service_types", "background_features"))
    bg_features = {str(c): _strs(v, f"exemptions.background_features.{c}") for c, v in _map(ex.get("background_features", {}), "exemptions.background_features").items()}
    for c in bg_features:
        _cats([c], "exemptions.background_features")
    for tname, raw in _map(ex.get("foreground_service_types", {}), "exemptions.foreground_service_types").items():
        w = f"exemptions.foreground_service_types.{tname}"
        m = _map(raw, w)
        _keys(m, w, ("bit", "categories"))
        bit = m["bit"]
        if isinstance(bit, bool) or not isinstance(bit, int) or bit < 0:
            raise _fail(f"{w}.bit", "expected a non-negative integer")
        fgs_types[str(tname)] = (bit, _cats(m["categories"], f"{w}.categories"))

    rules: dict[str, Rule] = {}
    for rid, raw in _map(root["rules"], "rules").items():
        w = f"rules.{rid}"
        if not _RULE_ID.match(rid):
            raise _fail(w, "rule ids are R followed by two digits")
        m = _map(raw, w)
        _keys(
            m,
            w,
            ("title", "family", "problem_types", "severity", "automatable", "evidence", "no_net", "verdicts", "check", "citations"),
            ("thresholds", "by_category", "fix"),
        )
        titles = {k: _str(v, f"{w}.title.{k}") for k, v in _map(m["title"], f"{w}.title").items()}
        if not titles:
            raise _fail(f"{w}.title", "needs at least one wording")
        pts = _strs(m["problem_types"], f"{w}.problem_types")
        for i, pt in enumerate(pts):
            if pt not in ptypes:
                raise _fail(f"{w}.problem_types[{i}]", f"unknown problem type {pt!r}")
        evidence = _strs(m["evidence"], f"{w}.evidence")
        for i, ev in enumerate(evidence):
            if ev not in _EVIDENCE:
                raise _fail(f"{w}.evidence[{i}]", f"{ev!r} is not one of {', '.join(_EVIDENCE)}")
        verdicts = _strs(m["verdicts"], f"{w}.verdicts")
        for i, vd in enumerate(verdicts):
            if vd not in VERDICTS:
                raise _fail(f"{w}.verdicts[{i}]", f"{vd!r} is not one of {', '.join(VERDICTS)}")
        ths = _strs(m.get("thresholds", []), f"{w}.thresholds")
        for i, th in enumerate(ths):
            if th not in thresholds:
                raise _fail(f"{w}.thresholds[{i}]", f"unknown threshold {th!r}")
        if not isinstance(m["citations"], list) or not m["citations"]:
            raise _fail(f"{w}.citations", "expected a non-empty list")
        cites: list[RuleCitation] = []
        for i, c in enumerate(m["citations"]):
            cw = f"{w}.citations[{i}]"
            if not isinstance(c, list) or len(c) not in (2, 3):
                raise _fail(cw, "expected [document, article] or [document, article, confidence]")
            doc = _str(c[0], cw)
            if doc not in documents:
                raise _fail(cw, f"unknown document {doc!r}")
            conf = _choice(c[2], cw, CONFIDENCES) if len(c) == 3 else documents[doc].confidence
            cites.append(RuleCitation(doc, _str(c[1], cw), conf))
        fixes: dict[str, str] = {}
        if "fix" in m:
            for lang, text in _map(m["fix"], f"{w}.fix").items():
                if lang not in ("cn", "en"):
                    raise _fail(f"{w}.fix.{lang}", "fix wordings are cn and en")
                fixes[lang] = _str(text, f"{w}.fix.{lang}")
        by_cat = m.get("by_category", False)
        if not isinstance(by_cat, bool):
            raise _fail(f"{w}.by_category", "expected true or false")
        rules[rid] = Rule(
            id=rid,
            titles=titles,
            family=_str(m["family"], f"{w}.family"),
            problem_types=pts,
            severity=_choice(m["severity"], f"{w}.severity", SEVERITIES),
            by_category=by_cat,
            automatable=_choice(m["automatable"], f"{w}.automatable", _AUTOMATABLE),
            evidence=evidence,
            no_net=_choice(m["no_net"], f"{w}.no_net", _NO_NET),
            verdicts=verdicts,
            thresholds=ths,
            check=_str(m["check"], f"{w}.check"),
            citations=tuple(cites),
            fixes=fixes,
        )

    jurisdictions: dict[str, Jurisdiction] = {}
    for jid, raw in _map(root["jurisdictions"], "jurisdictions").items():
        w = f"jurisdictions.{jid}"
        m = _map(raw, w)
        _keys(m, w, ("name", "citation_sets", "wording"), ("overrides",))
        sets = _strs(m["citation_sets"], f"{w}.citation_sets")
        for i, s in enumerate(sets):
            if s not in _JURISDICTION_SETS:
                raise _fail(f"{w}.citation_sets[{i}]", f"{s!r} is not one of {', '.join(_JURISDICTION_SETS)}")
        overrides: dict[str, RuleOverride] = {}
        for rid, oraw in _map(m.get("overrides") or {}, f"{w}.overrides").items():
            ow = f"{w}.overrides.{rid}"
            if rid not in rules:
                raise _fail(ow, f"unknown rule {rid!r}")
            om = _map(oraw, ow)
            _keys(om, ow, (), ("include", "severity", "max_verdict", "thresholds"))
            include = om.get("include", True)
            if not isinstance(include, bool):
                raise _fail(f"{ow}.include", "expected true or false")
            oths: dict[str, ThresholdDef] = {}
            for tname, traw in _map(om.get("thresholds") or {}, f"{ow}.thresholds").items():
                if tname not in thresholds:
                    raise _fail(f"{ow}.thresholds.{tname}", "unknown threshold")
                oths[tname] = _threshold(tname, traw, f"{ow}.thresholds.{tname}")
            overrides[rid] = RuleOverride(
                include=include,
                severity=_choice(om["severity"], f"{ow}.severity", SEVERITIES) if "severity" in om else "",
                max_verdict=_choice(om["max_verdict"], f"{ow}.max_verdict", VERDICTS) if "max_verdict" in om else "",
                thresholds=oths,
            )
        jurisdictions[jid] = Jurisdiction(
            id=jid,
            name=_str(m["name"], f"{w}.name"),
            citation_sets=sets,
            wording=_str(m["wording"], f"{w}.wording"),
            overrides=overrides,
        )
    if not jurisdictions:
        raise _fail("jurisdictions", "at least one jurisdiction profile is needed")

    return RuleCatalog(
        problem_types=ptypes,
        documents=documents,
        thresholds=thresholds,
        categories=categories,
        burst_categories=burst,
        non_pi_groups=non_pi_groups,
        user_intents=intents,
        intent_words=intent_words,
        bypass=bypass,
        api_patterns=api_patterns,
        lexicons=lexicons,
        roles=roles,
        settings=settings,
        jurisdictions=jurisdictions,
        rules=rules,
        foreground_service_types=fgs_types,
        background_features=bg_features,
    )


def _read(path: Path | None) -> str:
    if path is None:
        return resources.files("harness.catalog").joinpath("rules.yaml").read_text(encoding="utf-8")
    return read_bounded(path, "rule catalogue", _MAX_BYTES)


@lru_cache(maxsize=1)
def _default() -> RuleCatalog:
    return _load_text(_read(None), "rules.yaml")


def _load_text(text: str, where: str) -> RuleCatalog:
    return parse_rules(parse_yaml(text, where))


def load_rules(path: str | Path | None = None) -> RuleCatalog:
    """Load and validate a rule catalogue; the packaged one (cached) when ``path`` is None."""
    if path is None:
        return _default()
    p = Path(path)
    return _load_text(_read(p), str(p))

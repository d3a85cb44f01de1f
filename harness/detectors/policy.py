"""Policy-text and settings rules, judged from the S5 settings exploration:

* R02 the policy is not reachable within ``policy_max_taps`` taps from the main screen;
* R03 the captured policy text lacks collection rules (heuristic: needs review);
* R05 a personal-data category observed after acceptance is never named in the policy;
* R06 an SDK seen collecting is not named in the policy;
* R16 no way to withdraw consent within the tap limit, and none described in the policy;
* R40 an app with accounts offers no account deletion within the tap limit;
* R41 the policy gives no contact channel, or promises a handling time above the limit.

What they read: the ``explore`` step's result (a StepMarker with phase ``result``, JSON: target
-> shortest click count, texts tapped, and for the policy the screen id) and the policy page's
texts (the bounded ``texts`` list the runner keeps in each UiSnapshot reading). A run that did
not explore gets no finding from these rules: no finding without evidence. The word lists live
in harness/catalog/policy_terms.yaml.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness import yamlio
from harness.detectors.context import Context, cat
from harness.detectors.core import HitRow
from harness.detectors.registry import detector
from harness.errors import CatalogError
from harness.events import Event, ExploreResult, StepMarker, UiSnapshot, explore_result
from harness.findings import Finding
from harness.i18n import Msg

__all__ = [
    "PolicyTerms",
    "Exploration",
    "load_terms",
    "parse_terms",
    "exploration",
    "policy_text",
    "policy_unreachable",
    "policy_without_rules",
    "category_not_disclosed",
    "sdk_not_disclosed",
    "no_withdrawal",
    "no_account_deletion",
    "no_complaint_channel",
    "parse_number",
]

_MAX_TEXT = 200_000
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_PHONE = re.compile(
    r"(?<!\d)(?:400-?\d{3}-?\d{4}|0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|\+?\d{1,3}[ -]?\d{3}[ -]?\d{3,4}[ -]?\d{4})(?!\d)"
)
# A promised handling time: a number (digits, Chinese numerals or English number words) and a
# day unit, written as a DEADLINE (…内 / 之内 / 以内 / 不超过… / within … / no later than …). A
# duration without a deadline marker ("订单照片在交付后 30 天删除", "kept for 30 days") is a
# retention period, not a promise to answer.
_CN_NUM = "[零〇一二两三四五六七八九十百]{1,6}"
_EN_NUM = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
           r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)")
_NUM = rf"(\d{{1,4}}|{_CN_NUM}|{_EN_NUM})"
# Units and deadline markers also in the big app markets' languages (third corpus): de
# "innerhalb von 30 Arbeitstagen", fr "sous 30 jours ouvrés", es "en un plazo de 30 días
# hábiles", it "entro 30 giorni lavorativi", pt "em até 30 dias úteis", ja "30営業日以内",
# ko "30 영업일 이내", ru "в течение 30 рабочих дней", ar "خلال 30 يوم عمل"; HARNESS HEURISTIC.
_WORKING = ("工作日", "working", "business", "arbeitst", "werkt", "ouvr", "hábil", "habil", "lavorativ", "úte", "営業日", "영업일",
            "рабоч", "عمل")
_UNIT = (r"(工作日|個工作日|working days?|business days?|calendar days?|arbeitstage?n?|werktage?n?|kalendertage?n?|tage?n?|"
         r"jours? ouvr[ée]s|jours? ouvrables|jours?|d[ií]as? h[aá]biles|d[ií]as?|giorni lavorativi|giorni|dias? [úu]teis|dias?|"
         r"営業日|영업일|рабочих дн(?:ей|я)|рабочий день|дн(?:ей|я)|день|أيام عمل|يوم عمل|أيام|يومًا|يوما|يوم|天|日|일|days?)")
_DAYS = re.compile(
    rf"(?:(不超过|不超過|最迟|最长|最多|至多|within|no later than|not later than|not more than|no more than|at most|\bin|"
    rf"innerhalb von|innerhalb|binnen|spätestens|höchstens|dans un délai de|sous|au plus tard|dentro de|en un plazo de|en un máximo de|"
    rf"entro|em até|no prazo de|в течение|не позднее|не более|в срок до|خلال|في غضون|في مدة أقصاها)\s*)?"
    rf"{_NUM}\s*(?:个|個)?\s*{_UNIT}\s*(内|之内|以内|之內|以內|이내|内に|以内に)?",
    re.IGNORECASE,
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def parse_number(token: str) -> int | None:
    """An integer written in digits, Chinese numerals (十五, 三十, 二十一, 一百) or English words
    (fifteen, thirty, twenty-one); None when it is none of these."""
    t = token.strip().lower()
    if t.isdigit():
        return int(t[:6])
    if t and all(ch in _CN_DIGITS or ch in "十百" for ch in t):
        total, cur = 0, 0
        for ch in t:
            if ch in _CN_DIGITS:
                cur = _CN_DIGITS[ch]
            elif ch == "十":
                total += (cur or 1) * 10
                cur = 0
            elif ch == "百":
                total += (cur or 1) * 100
                cur = 0
        return total + cur
    parts = re.split(r"[- ]", t)
    if parts and parts[0] in _EN_TENS:
        return _EN_TENS[parts[0]] + (_EN_WORDS.get(parts[1], 0) if len(parts) > 1 else 0)
    if len(parts) == 1 and parts[0] in _EN_WORDS:
        return _EN_WORDS[parts[0]]
    return None


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """The word lists of policy_terms.yaml."""

    collection_words: tuple[str, ...]
    collection_min_words: int
    min_chars: int
    categories: Mapping[str, tuple[str, ...]]
    withdraw_words: tuple[str, ...]
    contact_words: tuple[str, ...]
    response_words: tuple[str, ...]
    sdk_aliases: Mapping[str, tuple[str, ...]]
    vendor_aliases: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    deletion_conditions: tuple[str, ...] = ()


def _words(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        raise CatalogError(f"policy_terms.yaml: '{where}' must be a non-empty list of words")
    return tuple(x.strip().lower() for x in v)


def _int(v: Any, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise CatalogError(f"policy_terms.yaml: '{where}' must be a non-negative integer")
    return v


def parse_terms(data: Any) -> PolicyTerms:
    """Validate the word lists; a clear CatalogError names the bad field."""
    if not isinstance(data, Mapping) or data.get("schema") != 1:
        raise CatalogError("policy_terms.yaml: expected a mapping with schema: 1")
    cats = data.get("categories")
    if not isinstance(cats, Mapping) or not cats:
        raise CatalogError("policy_terms.yaml: 'categories' must map data categories to word lists")
    return PolicyTerms(
        collection_words=_words(data.get("collection_words"), "collection_words"),
        collection_min_words=_int(data.get("collection_min_words"), "collection_min_words"),
        min_chars=_int(data.get("min_chars"), "min_chars"),
        categories={str(k): _words(v, f"categories.{k}") for k, v in cats.items()},
        withdraw_words=_words(data.get("withdraw_words"), "withdraw_words"),
        contact_words=_words(data.get("contact_words"), "contact_words"),
        response_words=_words(data.get("response_words"), "response_words"),
        sdk_aliases={
            str(k): _words(v, f"sdk_aliases.{k}") for k, v in _aliases(data.get("sdk_aliases")).items()
        },
        vendor_aliases={
            str(k).lower(): _words(v, f"vendor_aliases.{k}") for k, v in _aliases(data.get("vendor_aliases", {})).items()
        },
        deletion_conditions=_words(data["deletion_conditions"], "deletion_conditions") if "deletion_conditions" in data else (),
    )


def _aliases(v: Any) -> Mapping[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise CatalogError("policy_terms.yaml: 'sdk_aliases' must map SDK ids to word lists")
    return v


@lru_cache(maxsize=1)
def load_terms() -> PolicyTerms:
    """The packaged word lists (cached)."""
    text = resources.files("harness.catalog").joinpath("policy_terms.yaml").read_text(encoding="utf-8")
    return parse_terms(yamlio.load(text, "policy_terms.yaml"))


@dataclass(frozen=True, slots=True)
class Exploration:
    """What the explore step recorded: target -> (clicks, texts tapped, screen id)."""

    marker: Event  # the ExploreResult (or, in older runs, the StepMarker holding it as JSON)
    found: Mapping[str, Mapping[str, Any]]
    complete: bool
    screens: int
    missing: tuple[str, ...] = ()

    def clicks(self, target: str) -> int | None:
        entry = self.found.get(target)
        c = entry.get("clicks") if entry else None
        return c if isinstance(c, int) and not isinstance(c, bool) and c >= 0 else None

    def path(self, target: str) -> str:
        entry = self.found.get(target) or {}
        p = entry.get("path")
        return " > ".join(str(x)[:40] for x in p[:10]) if isinstance(p, (list, tuple)) else ""


def exploration(ctx: Context) -> Exploration | None:
    """The run's last explore result (the typed event, or the older StepMarker form), or None
    when the run did not explore (or the record is unreadable, which is treated the same: no
    evidence)."""
    for ev in reversed(ctx.of(ExploreResult, StepMarker)):
        if isinstance(ev, StepMarker) and (ev.step != "explore" or ev.phase != "result"):
            continue
        res = explore_result(ev)
        if res is None:
            return None
        found = {f.target: f.entry() for f in res.found}
        return Exploration(ev, found, res.complete, res.screens, res.missing)
    return None


def _texts(snap: UiSnapshot) -> list[str]:
    return list(snap.texts)


def policy_text(ctx: Context, ex: Exploration) -> tuple[str, UiSnapshot] | None:
    """The policy page's text and snapshot, when exploration reached it."""
    entry = ex.found.get("policy") or {}
    screen = entry.get("screen")
    if not isinstance(screen, str) or not screen:
        return None
    for snap in ctx.of(UiSnapshot):
        if snap.screen_id == screen:
            texts = _texts(snap)
            return ("\n".join(texts)[:_MAX_TEXT], snap) if texts else None
    return None


def _has(text: str, words: tuple[str, ...]) -> list[str]:
    low = text.lower()
    return [w for w in words if w in low]


def _limit(ctx: Context, rule_id: str = "R02") -> int:
    """The tap limit: the legal 4-tap anchor for the policy (R02); the same number, labelled a
    heuristic, for the settings rules (R16, R40)."""
    return int(ctx.num(rule_id, "policy_max_taps" if rule_id == "R02" else "settings_max_taps"))


@detector("R02", "policy_unreachable")
def policy_unreachable(ctx: Context) -> Iterator[Finding]:
    """The policy page was not reached within the tap limit from the main screen."""
    ex = exploration(ctx)
    if ex is None:
        return
    limit = _limit(ctx)
    clicks = ex.clicks("policy")
    if clicks is not None and clicks <= limit:
        return
    if clicks is None:
        how = Msg.of("R02.not_reached" if ex.complete else "R02.not_reached_partial", screens=ex.screens, limit=limit)
    else:
        how = Msg.of("R02.reached_after", clicks=clicks, path=ex.path("policy"))
    yield ctx.finding(
        "R02",
        verdict="violation",
        message=Msg.of("R02.unreachable", how=how, limit=limit),
        evidence=[ex.marker.seq],
    )


@detector("R03", "policy_without_rules")
def policy_without_rules(ctx: Context) -> Iterator[Finding]:
    """The captured policy text names fewer than two collection-rule topics, or is far too
    short to hold collection rules (heuristic: needs review)."""
    ex = exploration(ctx)
    got = policy_text(ctx, ex) if ex is not None else None
    if got is None:
        return
    text, snap = got
    terms = load_terms()
    words = _has(text, terms.collection_words)
    short = len(text) < terms.min_chars
    if len(words) >= terms.collection_min_words and not short:
        return
    why: list[Msg] = []
    if len(words) < terms.collection_min_words:
        why.append(Msg.of("R03.few_topics", n=len(words), words=tuple(words) or Msg.of("R03.none"), min=terms.collection_min_words))
    if short:
        why.append(Msg.of("R03.short", chars=len(text), min=terms.min_chars))
    yield ctx.finding(
        "R03",
        verdict="needs-review",
        message=Msg.of("R03.without_rules", why=tuple(why)),
        evidence=[snap.seq],
    )


@detector("R05", "category_not_disclosed")
def category_not_disclosed(ctx: Context) -> Iterator[Finding]:
    """A data category read after acceptance that the policy never names (synonym table)."""
    ex = exploration(ctx)
    got = policy_text(ctx, ex) if ex is not None else None
    if got is None:
        return
    text, snap = got
    terms = load_terms()
    by_cat: dict[str, list[HitRow]] = {}
    for row in ctx.hits("R05"):
        if row.category in terms.categories:
            by_cat.setdefault(row.category, []).append(row)
    for code, rows in sorted(by_cat.items()):
        if _has(text, terms.categories[code]):
            continue
        first = min(rows, key=lambda r: r.t_first)
        calls = sum(r.calls for r in rows)
        yield ctx.finding(
            "R05",
            verdict="violation",
            message=Msg.of("R05.not_disclosed", category=cat(code), calls=calls, t=first.t_first, api=first.api or Msg.of("api.unnamed")),
            evidence=[snap.seq, *sorted({e for r in rows for e in r.evidence})[:19]],
            t=first.t_first,
            category=code,
        )


#: Words of SDK product names that name no particular SDK (R06 never accepts them alone).
_GENERIC_SDK_WORDS = frozenset({
    "mobile", "analytics", "analysis", "statistics", "push", "pushes", "services", "service", "cloud", "crash", "crashes",
    "reporting", "report", "advertising", "adverts", "platform", "messaging", "message", "messages", "location", "maps",
    "payment", "payments", "social", "share", "sharing", "login", "identity", "tracking", "tracker", "attribution",
    "engine", "growth", "open", "center", "centre", "data", "client", "customer", "support", "media", "video", "audio",
    "network", "networks", "marketing", "engagement", "notification", "notifications", "verify", "verification",
    "security", "detection", "fraud", "device", "google", "android", "library", "framework", "market", "audience",
    "monetization", "mediation", "solutions", "studio", "games", "online", "smart", "global", "international",
})


def _sdk_names(sdk_id: str) -> tuple[str, ...]:
    from harness.catalog.sdks import load_sdks

    known = {s.id: s for s in load_sdks()}
    sdk = known.get(sdk_id)
    if sdk is None:
        # a package name rather than an id: the SDK with the longest matching prefix
        best = max(
            (
                (len(p), s)
                for s in known.values()
                for p in s.prefixes
                if sdk_id == p or sdk_id.startswith(p + ".")
            ),
            default=None,
            key=lambda x: x[0],
        )
        sdk = best[1] if best else None
    if sdk is None:
        segs = [x for x in sdk_id.lower().split(".") if len(x) >= 4 and x not in ("android", "sdk", "google")]
        return tuple(dict.fromkeys([*segs[:1], sdk_id.lower()]))
    terms = load_terms()
    aliases = (*terms.sdk_aliases.get(sdk.id, ()), *terms.vendor_aliases.get(sdk.vendor.lower(), ()))
    parts = re.split(r"[/()（）,，]", f"{sdk.name}/{sdk.vendor}")
    # a product name written without its vendor ("AppMetrica" for "Yandex AppMetrica"): each
    # distinctive word of the catalogue name, never a generic one ("Mobile", "Analytics", "Push")
    words = [w for w in re.split(r"[^0-9A-Za-zÀ-ɏ]+", sdk.name) if len(w) >= 5 and w.lower() not in _GENERIC_SDK_WORDS]
    return tuple(
        dict.fromkeys([*(p.strip().lower() for p in parts if len(p.strip()) >= 2), *(w.lower() for w in words), *aliases, sdk_id.lower()])
    )


@detector("R06", "sdk_not_disclosed")
def sdk_not_disclosed(ctx: Context) -> Iterator[Finding]:
    """An SDK seen collecting personal data is named neither by product nor by vendor in the
    policy."""
    ex = exploration(ctx)
    got = policy_text(ctx, ex) if ex is not None else None
    if got is None:
        return
    text, snap = got
    by_sdk: dict[str, list[HitRow]] = {}
    for row in ctx.hits("R06"):
        if row.sdk and row.sdk != "app":
            by_sdk.setdefault(row.sdk, []).append(row)
    for sdk, rows in sorted(by_sdk.items()):
        names = _sdk_names(sdk)
        if _has(text, names):
            continue
        first = min(rows, key=lambda r: r.t_first)
        cats = tuple(cat(c) for c in sorted({r.category for r in rows}))
        yield ctx.finding(
            "R06",
            verdict="violation",
            message=Msg.of("R06.sdk_not_disclosed", sdk=sdk, categories=cats, calls=sum(r.calls for r in rows), names=tuple(names[:4])),
            evidence=[snap.seq, *sorted({e for r in rows for e in r.evidence})[:19]],
            t=first.t_first,
            sdk=sdk,
            category=first.category,
        )


@detector("R16", "no_withdrawal")
def no_withdrawal(ctx: Context) -> Iterator[Finding]:
    """No withdraw-consent or privacy-settings control within the tap limit, and the policy
    text (when captured) describes no way to withdraw."""
    ex = exploration(ctx)
    if ex is None:
        return
    limit = _limit(ctx, "R16")
    clicks = ex.clicks("withdraw")
    if clicks is not None and clicks <= limit:
        return
    got = policy_text(ctx, ex)
    if got is not None and _has(got[0], load_terms().withdraw_words):
        return
    where = Msg.of("R16.policy_not_captured" if got is None else "R16.policy_no_way")
    yield ctx.finding(
        "R16",
        verdict="violation",
        message=Msg.of("R16.no_withdrawal", limit=limit, where=where),
        evidence=[ex.marker.seq, *([got[1].seq] if got else [])],
    )


@detector("R40", "no_account_deletion")
def no_account_deletion(ctx: Context) -> Iterator[Finding]:
    """An app with accounts (its type requires one, or a login gate was seen) offers no account
    deletion within the tap limit. The deletion control is found, never executed."""
    ex = exploration(ctx)
    if ex is None:
        return
    gate = next((s for s in ctx.of(UiSnapshot) if s.screen_kind == "login_gate"), None)
    accounts = bool(ctx.profile is not None and ctx.profile.account_required) or gate is not None
    if not accounts:
        return
    limit = _limit(ctx, "R40")
    clicks = ex.clicks("delete_account")
    if clicks is not None and clicks <= limit:
        yield from _deletion_conditions(ctx, ex)
        return
    why = Msg.of("R40.type_requires" if gate is None else "R40.login_seen")
    found = Msg.of("R40.found_after", clicks=clicks) if clicks is not None else Msg.of("R40.not_found")
    yield ctx.finding(
        "R40",
        verdict="violation",
        message=Msg.of("R40.no_deletion", found=found, limit=limit, why=why),
        evidence=[ex.marker.seq, *([gate.seq] if gate else [])],
    )


def _deletion_conditions(ctx: Context, ex: Exploration) -> Iterator[Finding]:
    """Conditions written on the deletion page (explore opens it, never its final confirm) or
    next to the control, matched against the ``deletion_conditions`` lexicon. A lexicon
    decision: needs-review, and the message says which words decided it."""
    entry = ex.found.get("delete_account") or {}
    screens = [str(entry[k]) for k in ("screen", "near") if isinstance(entry.get(k), str) and entry.get(k)]
    words = load_terms().deletion_conditions
    if not screens or not words:
        return
    for snap in ctx.of(UiSnapshot):
        if snap.screen_id not in screens:
            continue
        text = "\n".join(_texts(snap))
        hit = _has(text, words)
        if hit:
            yield ctx.finding(
                "R40",
                verdict="needs-review",
                message=Msg.of("R40.conditions", words=tuple(hit[:4])),
                evidence=[ex.marker.seq, snap.seq],
            )
            return


def _days(text: str, near: tuple[str, ...]) -> list[tuple[int, bool]]:
    """(days, working days?) promised near a response word (same sentence)."""
    out = []
    for sentence in re.split(r"[。；;.\n]", text):
        low = sentence.lower()
        if not any(w in low for w in near):
            continue
        for m in _DAYS.finditer(sentence[:2000]):
            if not (m[1] or m[4]):
                continue  # a duration that is no deadline (e.g. a retention period)
            n = parse_number(m[2])
            if n is None:
                continue
            unit = m[3].lower()
            out.append((n, any(w in unit for w in _WORKING)))
    return out


@detector("R41", "no_complaint_channel")
def no_complaint_channel(ctx: Context) -> Iterator[Finding]:
    """The captured policy gives no contact channel (e-mail, phone, address, form), or promises
    a handling time above the limit; no stated time is reported as information."""
    ex = exploration(ctx)
    got = policy_text(ctx, ex) if ex is not None else None
    if got is None:
        return
    text, snap = got
    terms = load_terms()
    channel = bool(_EMAIL.search(text) or _PHONE.search(text) or _has(text, terms.contact_words))
    if not channel:
        yield ctx.finding(
            "R41",
            verdict="violation",
            message=Msg.of("R41.no_channel"),
            evidence=[snap.seq],
        )
        return
    limit = int(ctx.num("R41", "response_working_days"))
    promised = _days(text, terms.response_words)
    if not promised:
        yield ctx.finding(
            "R41",
            verdict="info",
            message=Msg.of("R41.no_time", limit=limit),
            evidence=[snap.seq],
        )
        return
    worst = max(promised, key=lambda d: d[0] if d[1] else d[0] * 5 / 7)
    too_long = worst[0] > limit if worst[1] else worst[0] > round(limit * 7 / 5)
    if too_long:
        yield ctx.finding(
            "R41",
            verdict="violation",
            message=Msg.of("R41.too_slow_working" if worst[1] else "R41.too_slow_days", days=worst[0], limit=limit),
            evidence=[snap.seq],
        )

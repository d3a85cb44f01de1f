"""Purpose rules: R07 (permission requested without its purpose) and R36 (personalisation with
no way to turn it off).

R07. 认定方法 二.3, 26号 and GB/T 41391 §6.5 ask that an app says *why* it wants a permission at
the moment it asks. For every system permission dialog the run saw (paired with the hooked
``requestPermissions`` call that raised it, when the agent saw one), the detector reads the
app's own screens shown within ``purpose_window_s`` before the request (the screen on display
when the window opened counts too: it is what leads to the request), plus any extra text a
vendor puts inside the system dialog (the platform's own question line is left out: it names
the data, never a purpose). Consent prompts (the privacy-policy or CMP dialog) do not count: a
policy summary is not the in-context notice of one request. Those texts must contain a word naming the group's data *and* a
purpose marker (lexicons in ``policy_terms.yaml``, ``permission_purpose``). Neither: violation;
only one of the two: needs review (a "定位" button says what, not why). A hooked request the
system never showed (already granted or refused for good) asks the user nothing and is not
judged.

R36. 认定方法 三.6 and PIPL 24: when the policy page (or any screen of the app) speaks of
personalised recommendation or targeted push, the settings exploration must find a switch for
it (the ``personalisation`` target of ``explore``) within ``settings_max_taps`` taps. A run that
did not look for that target gets no R36 finding: no finding without evidence. Whether the
switch actually stops personalisation (the effectiveness half of R36) needs traffic and is not
judged here.

Everything read here is text recorded from the app under test: bounded before matching, and
matched with fixed word lists and regular expressions from the packaged catalogue, never with
anything the app supplies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness import yamlio
from harness.detectors.context import Context, grp
from harness.detectors.phases import PROMPT_KINDS
from harness.detectors.policy import exploration, policy_text
from harness.detectors.registry import detector
from harness.errors import CatalogError
from harness.events import PermissionRequest, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg

__all__ = [
    "PurposeTerms",
    "PurposeMatch",
    "load_purpose_terms",
    "parse_purpose_terms",
    "match_purpose",
    "snapshot_texts",
    "permission_without_purpose",
    "no_personalisation_optout",
]

_MAX_TEXTS = 400
_MAX_TEXT_CHARS = 2_000
_MAX_READING = 200_000
_PERMISSION_DIALOG = "permission_dialog"
# consent prompts summarise the whole policy; they are not the in-context notice of one request
_PROMPTS = frozenset(k for ks in PROMPT_KINDS.values() for k in ks)


@dataclass(frozen=True, slots=True)
class PurposeTerms:
    """The R07 / R36 word lists of policy_terms.yaml."""

    groups: Mapping[str, tuple[str, ...]]
    purpose_markers: tuple[re.Pattern[str], ...]
    dialog_question: tuple[re.Pattern[str], ...]
    personalisation_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PurposeMatch:
    """What the texts shown around one request say: the data words and purpose markers found."""

    words: tuple[str, ...]
    markers: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """``""`` (purpose shown), ``needs-review`` (one of the two) or ``violation`` (neither)."""
        if self.words and self.markers:
            return ""
        return "needs-review" if self.words or self.markers else "violation"


def _words(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        raise CatalogError(f"policy_terms.yaml: '{where}' must be a non-empty list of words")
    return tuple(x.strip().lower() for x in v)


def _patterns(v: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        raise CatalogError(f"policy_terms.yaml: '{where}' must be a non-empty list of regular expressions")
    out = []
    for x in v:
        try:
            out.append(re.compile(x.strip(), re.IGNORECASE))
        except re.error as exc:
            raise CatalogError(f"policy_terms.yaml: '{where}' has an invalid regular expression {x!r}: {exc}") from exc
    return tuple(out)


def parse_purpose_terms(data: Any) -> PurposeTerms:
    """Validate the ``permission_purpose`` and ``personalisation_words`` sections; a clear
    CatalogError names the bad field."""
    if not isinstance(data, Mapping):
        raise CatalogError("policy_terms.yaml: expected a mapping")
    pp = data.get("permission_purpose")
    if not isinstance(pp, Mapping):
        raise CatalogError("policy_terms.yaml: 'permission_purpose' must be a mapping (groups, purpose_markers, dialog_question)")
    groups = pp.get("groups")
    if not isinstance(groups, Mapping) or not groups:
        raise CatalogError("policy_terms.yaml: 'permission_purpose.groups' must map permission groups to word lists")
    return PurposeTerms(
        groups={str(k).upper(): _words(v, f"permission_purpose.groups.{k}") for k, v in groups.items()},
        purpose_markers=_patterns(pp.get("purpose_markers"), "permission_purpose.purpose_markers"),
        dialog_question=_patterns(pp.get("dialog_question"), "permission_purpose.dialog_question"),
        personalisation_words=_words(data.get("personalisation_words"), "personalisation_words"),
    )


@lru_cache(maxsize=1)
def load_purpose_terms() -> PurposeTerms:
    """The packaged word lists (cached)."""
    text = resources.files("harness.catalog").joinpath("policy_terms.yaml").read_text(encoding="utf-8")
    return parse_purpose_terms(yamlio.load(text, "policy_terms.yaml"))


def match_purpose(texts: Sequence[str], group: str, terms: PurposeTerms | None = None) -> PurposeMatch:
    """The data words of ``group`` and the purpose markers found in ``texts`` (each text bounded;
    a group with no word list finds no word)."""
    terms = terms or load_purpose_terms()
    vocab = terms.groups.get(group.upper(), ())
    words: dict[str, None] = {}
    markers: dict[str, None] = {}
    for raw in texts[:_MAX_TEXTS]:
        t = raw[:_MAX_TEXT_CHARS]
        low = t.lower()
        for w in vocab:
            if w in low:
                words[w] = None
        for p in terms.purpose_markers:
            m = p.search(t)
            if m:
                markers[m.group(0)[:40]] = None
    return PurposeMatch(tuple(words), tuple(markers))


def snapshot_texts(snap: UiSnapshot) -> list[str]:
    """The page texts the runner kept with a snapshot (empty when absent)."""
    return list(snap.texts[:_MAX_TEXTS])


def _dialog_texts(ctx: Context, snap: UiSnapshot, terms: PurposeTerms) -> list[str]:
    """A system dialog's texts that could be a vendor rationale: not its buttons, not the
    platform's question line."""
    buttons = {c.text for c in ctx.reading(snap).controls}
    return [t for t in snapshot_texts(snap) if t not in buttons and not any(p.search(t) for p in terms.dialog_question)]


@dataclass(frozen=True, slots=True)
class _Ask:
    """One permission request shown to the user: the group, the dialog event, the hooked call
    that raised it (if seen) and the dialog's snapshot (if recorded)."""

    group: str
    dialog: PermissionRequest
    hook: PermissionRequest | None
    snap: UiSnapshot | None


def _asks(ctx: Context) -> list[_Ask]:
    reqs = ctx.of(PermissionRequest)
    snaps = ctx.of(UiSnapshot)
    hooks = [r for r in reqs if r.via == "hook"]
    used: set[tuple[int, str]] = set()
    window = ctx.num("R07", "purpose_window_s")
    out = []
    for d in reqs:
        if d.via == "hook":
            continue
        for group in ctx.request_groups(d):
            # the hooked call that raised this dialog: the latest unpaired one for the group
            hook = None
            for h in reversed(hooks):
                if h.seq < d.seq and (h.seq, group) not in used and group in ctx.request_groups(h) and d.t - h.t <= window:
                    hook = h
                    break
            if hook is not None:
                used.add((hook.seq, group))
            snap = next(
                (s for s in reversed(snaps) if s.seq < d.seq and s.package != ctx.info.package and s.screen_kind == _PERMISSION_DIALOG),
                None,
            )
            out.append(_Ask(group, d, hook, snap))
    return out


def _before(ctx: Context, ask: _Ask, window: float) -> list[UiSnapshot]:
    """The app's own screens shown within ``window`` s before the request, oldest first,
    starting with the one on display when the window opened."""
    start = ask.hook if ask.hook is not None else ask.dialog
    t0 = start.t - window
    snaps = [s for s in ctx.of(UiSnapshot) if s.seq < start.seq]
    inside = [s for s in snaps if s.t >= t0]
    earlier = [s for s in snaps if s.t < t0]
    shown = ([earlier[-1]] if earlier else []) + inside
    pkg = ctx.info.package
    own = [s for s in shown if s.package == pkg] if pkg else [s for s in shown if s.screen_kind != _PERMISSION_DIALOG]
    return [s for s in own if s.screen_kind not in _PROMPTS]


@detector("R07", "permission_without_purpose")
def permission_without_purpose(ctx: Context) -> Iterator[Finding]:
    """A shown permission request whose preceding app screens (and vendor rationale) do not name
    the data and its purpose."""
    terms = load_purpose_terms()
    window = ctx.num("R07", "purpose_window_s")
    for ask in _asks(ctx):
        screens = _before(ctx, ask, window)
        texts = [t for s in screens for t in snapshot_texts(s)]
        if ask.snap is not None:
            texts += _dialog_texts(ctx, ask.snap, terms)
        got = match_purpose(texts, ask.group, terms)
        verdict = got.verdict
        if not verdict:
            continue
        if verdict == "violation":
            said = Msg.of("R07.said_nothing")
        elif got.words:
            said = Msg.of("R07.said_data", words=tuple(got.words[:3]))
        else:
            said = Msg.of("R07.said_purpose", markers=tuple(got.markers[:2]), group=grp(ask.group))
        where = Msg.of("R07.screens_before", n=len(screens), window=window) if screens else Msg.of("R07.no_screen_before", window=window)
        evidence = [*(s.seq for s in screens[-3:]), *([ask.hook.seq] if ask.hook else []), ask.dialog.seq]
        if ask.snap is not None:
            evidence.append(ask.snap.seq)
        yield ctx.finding(
            "R07",
            verdict=verdict,
            message=Msg.of("R07.no_purpose", group=grp(ask.group), t=ask.dialog.t, where=where, said=said),
            evidence=sorted(evidence),
            t=(ask.hook or ask.dialog).t,
        )


def _mentions(text: str, words: tuple[str, ...]) -> list[str]:
    low = text[:_MAX_READING].lower()
    return [w for w in words if w in low]


@detector("R36", "no_personalisation_optout")
def no_personalisation_optout(ctx: Context) -> Iterator[Finding]:
    """Personalised recommendation or ads mentioned, but no switch for it within the tap limit
    (only when the exploration looked for one)."""
    ex = exploration(ctx)
    if ex is None:
        return
    looked = "personalisation" in ex.found or "personalisation" in ex.missing
    if not looked:
        return
    limit = int(ctx.num("R36", "settings_max_taps"))
    clicks = ex.clicks("personalisation")
    if clicks is not None and clicks <= limit:
        return
    if _cmp_refusal_reached(ctx, ex.marker.seq):
        # a consent-management layer with a refusal (Reject all / purpose switches) is a
        # convenient way to refuse personalised ads (PIPL 24; rules.md R36)
        return
    words = load_purpose_terms().personalisation_words
    got = policy_text(ctx, ex)
    source: UiSnapshot | None = None
    said: list[str] = []
    if got is not None:
        said = _mentions(got[0], words)
        source = got[1] if said else None
    if source is None:
        for snap in ctx.of(UiSnapshot):
            if snap.package != ctx.info.package:
                continue
            said = _mentions("\n".join(snapshot_texts(snap)), words)
            if said:
                source = snap
                break
    if source is None:
        return
    found = Msg.of("R36.found_after", clicks=clicks) if clicks is not None else Msg.of("R36.not_found", limit=limit)
    yield ctx.finding(
        "R36",
        verdict="needs-review",
        message=Msg.of("R36.no_optout", words=tuple(said[:3]), found=found),
        evidence=[source.seq, ex.marker.seq],
        thresholds=["settings_max_taps"],
    )


def _cmp_refusal_reached(ctx: Context, result_seq: int) -> bool:
    """Whether the run (up to the exploration's result) showed one of the app's screens that
    reads as a consent-management dialog or layer offering a refusal control."""
    refuse = set(ctx.catalog.roles.get("refuse", ())) | {"decline", "manage_options"}
    for snap in ctx.of(UiSnapshot):
        # the first-run CMP or a CMP layer the exploration reached: either way the app shows a
        # consent-management dialog in which personalised processing can be refused
        if snap.seq >= result_seq or snap.package != ctx.info.package or snap.screen_kind != "cmp_dialog":
            continue
        if ctx.reading(snap).roles() & refuse:
            return True
    return False



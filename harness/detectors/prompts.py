"""Rules that read the consent prompt itself: R12, R13, R18, R42, R43.

They read the consent-UI recogniser's reading of each prompt snapshot (roles of controls,
checkboxes, implied-consent text, size asymmetry) and the runner's decisions. A reading that is
missing or unreadable is skipped: nothing is concluded from a screen the harness did not read.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, PromptInstance
from harness.detectors.readings import Reading
from harness.detectors.registry import detector
from harness.events import ConsentDecision, UiAction, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg

__all__ = ["no_refusal_option", "preticked_or_implied", "reprompt_after_decline", "asymmetric_choice", "refusal_harder"]


_CONSENT_SCREENS = frozenset({"privacy_dialog", "cmp_dialog", "second_confirm"})


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().split()).strip("「」“”\"'.。!！")


def _subject_label(subject: str) -> Msg:
    return Msg.of("subject.privacy_policy" if subject == "privacy_policy" else "subject.cmp")


def _ambiguous(ctx: Context, reading: Reading) -> bool:
    if reading.ambiguous_only is not None:
        return reading.ambiguous_only
    accept = ctx.catalog.role_set("accept")
    texts = [_norm(c.text) for c in reading.controls if c.role in accept and c.text]
    lex = {_norm(w) for w in ctx.catalog.lexicon("ambiguous_accept")}
    return bool(texts) and all(t in lex for t in texts)


@detector("R12", "no_refusal_option")
def no_refusal_option(ctx: Context) -> Iterator[Finding]:
    """A consent prompt without a control that refuses, or whose only accept is worded
    ambiguously ("OK", "我知道了"). One finding per prompt subject and problem."""
    refuse = ctx.catalog.role_set("refuse")
    problems: dict[tuple[str, str], list[PromptInstance]] = {}
    for inst in ctx.prompt_instances:
        r = ctx.reading(inst.snapshot)
        if r.error or not r.controls:
            continue
        roles = r.roles()
        if not roles & refuse:
            key = "close_only" if "close" in roles else "no_refusal"
            problems.setdefault((inst.subject, key), []).append(inst)
        if _ambiguous(ctx, r):
            problems.setdefault((inst.subject, "ambiguous"), []).append(inst)
    for (subject, key), insts in problems.items():
        label = _subject_label(subject)
        if key == "no_refusal":
            msg = Msg.of("R12.no_refusal", subject=label)
        elif key == "close_only":
            msg = Msg.of("R12.close_only", subject=label)
        else:
            texts = sorted({c.text for i in insts for c in ctx.reading(i.snapshot).controls if c.role == "accept" and c.text})
            msg = Msg.of("R12.ambiguous", subject=label, texts=tuple(texts[:3]) or (Msg.of("R12.unclear_text"),))
        yield ctx.finding("R12", verdict="violation", message=msg, evidence=[i.snapshot.seq for i in insts])


@detector("R13", "preticked_or_implied")
def preticked_or_implied(ctx: Context) -> Iterator[Finding]:
    """A consent checkbox ticked before the user touched it, or "logging in means you agree"
    wording without a separate unticked box on a screen that is not the consent prompt itself
    (login, registration, other pages)."""
    touched: set[str] = set()
    preticked: list[int] = []
    pre_names: list[str] = []
    implied: list[int] = []
    implied_texts: list[str] = []
    lex = [w.lower() for w in ctx.catalog.lexicon("implied_consent")]
    for ev in ctx.events:
        if isinstance(ev, UiAction) and ev.action == "tap":
            for key in (ev.resource_id, ev.text):
                if key:
                    touched.add(key)
            continue
        if not isinstance(ev, UiSnapshot):
            continue
        r = ctx.reading(ev)
        if r.error:
            continue
        boxes = [b for b in r.checkboxes if b.consent]
        ticked = [b for b in boxes if b.checked and not ({b.resource_id, b.text} - {""}) & touched]
        if ticked or (r.pre_ticked and not boxes):
            preticked.append(ev.seq)
            pre_names += [b.text or b.resource_id for b in ticked]
        if ev.screen_kind in _CONSENT_SCREENS:
            continue  # "tapping Agree means you agree" on the prompt itself is explicit consent
        phrases = list(r.implied_consent) or [
            c.text for c in r.controls if c.text and any(w in c.text.lower() for w in lex)
        ]
        if phrases and not any(not b.checked for b in boxes):
            implied.append(ev.seq)
            implied_texts += phrases
    if preticked:
        names = sorted({n for n in pre_names if n})
        yield ctx.finding(
            "R13",
            verdict="violation",
            message=Msg.of("R13.preticked_named", names=tuple(n[:60] for n in names[:3])) if names else Msg.of("R13.preticked"),
            evidence=preticked,
        )
    if implied:
        texts = sorted(set(implied_texts))
        yield ctx.finding(
            "R13",
            verdict="violation",
            message=Msg.of("R13.implied", texts=tuple(t[:80] for t in texts[:3])),
            evidence=implied,
        )


@detector("R18", "reprompt_after_decline")
def reprompt_after_decline(ctx: Context) -> Iterator[Finding]:
    """After the policy was declined: the prompt back again and again in one session (not
    explained by a feature tap), or at several consecutive cold starts; a single re-show at
    the next launch is information."""
    subject = ctx.phases.subject
    declines = [d for d in ctx.of(ConsentDecision) if d.subject == subject and d.choice == "decline"]
    if not declines:
        return
    first = declines[0]
    ph = ctx.phases
    decline_session = ph.session_at(first.t) if ph.sessions else 0
    same_needed = int(ctx.num("R18", "reprompt_same_session"))
    cold_needed = int(ctx.num("R18", "reprompt_cold_starts"))
    feature_taps = [m.t for m in ph.triggers if ctx.catalog.intent_categories(str(m.value)) or ctx.catalog.intent_groups(str(m.value))]
    accepted_at = next(
        (d.t for d in ctx.of(ConsentDecision) if d.subject == subject and d.choice == "accept" and d.seq > first.seq), None
    )
    same_by_session: dict[int, list[PromptInstance]] = {}
    cold: list[PromptInstance] = []
    seen_sessions: set[int] = set()
    prev_t = first.t
    for inst in ctx.prompt_instances:
        s = inst.snapshot
        if inst.subject != subject or s.seq <= first.seq:
            continue
        if accepted_at is not None and s.t >= accepted_at:
            break
        sess = ph.session_at(s.t) if ph.sessions else 0
        if sess != decline_session and sess not in seen_sessions:
            cold.append(inst)  # shown again at a cold start: no tap can explain it
        elif not any(prev_t < t <= s.t for t in feature_taps):
            same_by_session.setdefault(sess, []).append(inst)
        seen_sessions.add(sess)
        prev_t = s.t
    same = max(same_by_session.values(), key=len, default=[])
    if len(same) >= same_needed:
        yield ctx.finding(
            "R18",
            verdict="violation",
            message=Msg.of("R18.same_session", t=first.t, n=len(same)),
            evidence=[first.seq, *(i.snapshot.seq for i in same)],
            thresholds=("reprompt_same_session",),
        )
    run_len = _consecutive_from(decline_session + 1, [ph.session_at(i.snapshot.t) for i in cold]) if ph.sessions else 0
    if run_len >= cold_needed:
        yield ctx.finding(
            "R18",
            verdict="violation",
            message=Msg.of("R18.cold_starts", n=run_len),
            evidence=[first.seq, *(i.snapshot.seq for i in cold[:run_len])],
            thresholds=("reprompt_cold_starts",),
        )
    elif cold:
        yield ctx.finding(
            "R18",
            verdict="info",
            message=Msg.of("R18.next_launch", t=cold[0].snapshot.t),
            evidence=[first.seq, cold[0].snapshot.seq],
            thresholds=("reprompt_cold_starts",),
        )


def _consecutive_from(start: int, sessions: list[int]) -> int:
    have = set(sessions)
    n = 0
    while start + n in have:
        n += 1
    return n


@detector("R42", "asymmetric_choice")
def asymmetric_choice(ctx: Context) -> Iterator[Finding]:
    """Accept much larger than refuse, or refuse a plain link next to a filled accept button
    (recogniser measurements). Heuristic, so needs-review."""
    limit = ctx.num("R42", "area_ratio")
    seen: dict[str, list[int]] = {}
    reasons: dict[str, list[Msg]] = {}
    for inst in ctx.prompt_instances:
        r = ctx.reading(inst.snapshot)
        a = r.asymmetry
        if r.error or not a:
            continue
        why = []
        ratio = a.get("area_ratio")
        if ratio is None and a.get("decline_area"):
            ratio = float(a.get("accept_area", 0.0)) / float(a["decline_area"])
        if ratio is not None and ratio >= limit:
            why.append(Msg.of("R42.area", ratio=ratio))
        if a.get("decline_is_link") and a.get("accept_is_button"):
            why.append(Msg.of("R42.link"))
        if why:
            seen.setdefault(inst.subject, []).append(inst.snapshot.seq)
            reasons.setdefault(inst.subject, [])
            reasons[inst.subject] += [w for w in why if w not in reasons[inst.subject]]
    for subject, seqs in seen.items():
        yield ctx.finding(
            "R42",
            verdict="needs-review",
            message=Msg.of("R42.steers", subject=_subject_label(subject), reasons=tuple(reasons[subject])),
            evidence=seqs,
        )


@detector("R43", "refusal_harder")
def refusal_harder(ctx: Context) -> Iterator[Finding]:
    """Taps needed to refuse compared with one tap to accept, and shaming wording on the
    refusal path."""
    tolerated = ctx.num("R43", "refusal_extra_taps_tolerated")
    hard = ctx.num("R43", "refusal_extra_taps_violation")
    subjects = ("privacy_policy", "cmp")
    declines = [d for d in ctx.of(ConsentDecision) if d.subject in subjects and d.choice == "decline"]
    snaps = ctx.of(UiSnapshot)
    reported: set[str] = set()
    for d in declines:
        if d.subject in reported:
            continue
        # a refusal walked through several confirmations may be recorded once per confirmation,
        # each time with every tap so far, against the same prompt: the largest count is the refusal's
        same = [x for x in declines if x.subject == d.subject and d.screen_seq >= 0 and x.screen_seq == d.screen_seq]
        d = max(same, key=lambda x: (x.taps, -x.seq), default=d)
        extra = d.taps - 1
        if extra <= 0:
            continue
        reported.add(d.subject)
        prompt_seq = max((i.snapshot.seq for i in ctx.prompt_instances if i.snapshot.seq < d.seq), default=-1)
        confirms = [s.seq for s in snaps if prompt_seq < s.seq < d.seq and s.screen_kind == "second_confirm"]
        if extra <= tolerated:
            verdict, tail = "info", Msg.of("R43.tolerated")
        elif extra < hard:
            verdict, tail = "needs-review", Msg.of("R43.more_steps")
        else:
            verdict, tail = "violation", Msg.of("R43.clearly_harder")
        yield ctx.finding(
            "R43",
            verdict=verdict,
            message=Msg.of("R43.decline_taps", subject=_subject_label(d.subject), taps=d.taps, extra=extra, tail=tail),
            evidence=[*confirms, d.seq],
            thresholds=("refusal_extra_taps_tolerated", "refusal_extra_taps_violation"),
        )
    # no decline was made: use the recogniser's estimate of taps to refuse
    for inst in ctx.prompt_instances:
        if inst.subject in reported or any(d.subject == inst.subject for d in declines):
            continue
        taps = ctx.reading(inst.snapshot).asymmetry.get("taps_to_refuse")
        if taps is None or taps - 1 <= tolerated:
            continue
        reported.add(inst.subject)
        extra = int(taps - 1)
        yield ctx.finding(
            "R43",
            verdict="needs-review" if extra < hard else "violation",
            message=Msg.of("R43.estimated_taps", subject=_subject_label(inst.subject), taps=int(taps)),
            evidence=[inst.snapshot.seq],
            thresholds=("refusal_extra_taps_tolerated", "refusal_extra_taps_violation"),
        )
    # confirmshaming on the prompt or its second-confirmation screen
    lex = [w.lower() for w in ctx.catalog.lexicon("confirmshaming")]
    shaming: list[int] = []
    words: list[str] = []
    for s in snaps:
        if s.screen_kind not in ("privacy_dialog", "cmp_dialog", "second_confirm"):
            continue
        r = ctx.reading(s)
        hit = [t for t in r.texts() if any(w in t.lower() for w in lex)]
        if hit:
            shaming.append(s.seq)
            words += hit
    if shaming:
        yield ctx.finding(
            "R43",
            verdict="violation",
            message=Msg.of("R43.shaming", words=tuple(w[:60] for w in sorted(set(words))[:3])),
            evidence=shaming,
            thresholds=(),
        )

"""IAB TCF consent signals (R45, R46): what the page's consent-management platform tells ad tags.

A TCF v2 CMP hands its TC data (and the TC string in it) to every ``__tcfapi`` listener; the
web page agent registers one and records each (``ApiCall`` of category ``CONSENT_SIGNAL``, api
:data:`harness.tcf.TC_DATA_API`). The harness decodes the TC string itself
(:func:`harness.tcf.read_signal`); it is page data, so it is bounded and only ever read.

Which signals are judged: each signal is governed by the latest CMP decision taken on screen
before it. A decision counts from the screen on which its banner was read (the taps of the
refusal happen before the decision is recorded, and the CMP signals while they happen). A
signal under a refusal, or before any decision, may grant nothing:

- R45: the TC string records consent (a purpose, a special feature, a vendor, the publisher's
  own purposes): a violation. The last signal under each refusal is judged (it is what tags
  read from then on), and before any choice the first one that grants.
- R46: the TC string records legitimate interest for a purpose that needs consent
  (``catalog/tcf.yaml`` ``consent_only``: verdict and provenance per purpose), one finding per
  purpose.

Signals under an accept are not judged: what the user allowed is granted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from harness.catalog.tcf import load_tcf
from harness.detectors.context import Context
from harness.detectors.registry import detector
from harness.events import ApiCall, ConsentDecision, Event
from harness.findings import Finding
from harness.i18n import Msg
from harness.tcf import CATEGORY, TC_DATA_API, TcSignal, count, first_ids, read_signal

__all__ = ["tcf_grant_without_consent", "tcf_li_for_consent_purposes", "judged_signals", "tc_signal_calls"]

_TC_SHOWN = 60  # characters of a TC string quoted in a message
_MAX_SIGNALS = 1000  # TC data events judged per run at most (a CMP signals once per change)


def tc_signal_calls(events: Iterable[Event]) -> list[ApiCall]:
    """The recorded TC data events of a run (the detectors' event list holds the control events
    only; :mod:`harness.detectors.analysis` hands these over in ``Context.memo``)."""
    out: list[ApiCall] = []
    for e in events:
        if isinstance(e, ApiCall) and e.category == CATEGORY and e.api_id == TC_DATA_API:
            out.append(e)
            if len(out) >= _MAX_SIGNALS:
                break
    return out


def _decision_start(ctx: Context, d: ConsentDecision) -> float:
    shot = ctx.event(d.screen_seq) if d.screen_seq >= 0 else None
    return shot.t if shot is not None else d.t


def judged_signals(ctx: Context) -> list[tuple[ApiCall, TcSignal, ConsentDecision | None]]:
    """The TC signals not under an accept: (event, signal, the refusal governing it or None).
    Under each refusal only its last signal; before any decision, every signal."""
    sigs: list[tuple[ApiCall, TcSignal]] = []
    calls: list[ApiCall] = ctx.memo.get("tc_signals") or []
    for e in calls:
        if e.category == CATEGORY and e.api_id == TC_DATA_API:
            s = read_signal(e.args)
            if s is not None and (s.decoded is not None or s.grants() or s.claimed_purpose_li):
                sigs.append((e, s))
    if not sigs:
        return []
    decisions = sorted(((_decision_start(ctx, d), d) for d in ctx.of(ConsentDecision) if d.subject == "cmp"), key=lambda x: x[0])
    out: list[tuple[ApiCall, TcSignal, ConsentDecision | None]] = []
    last_under: dict[int, tuple[ApiCall, TcSignal, ConsentDecision]] = {}
    for e, s in sigs:
        gov = None
        for start, d in decisions:
            if start <= e.t:
                gov = d
        if gov is None:
            out.append((e, s, None))
        elif gov.choice != "accept":
            last_under[gov.seq] = (e, s, gov)
    return out + sorted(last_under.values(), key=lambda x: x[0].seq)


def _when(d: ConsentDecision | None) -> Msg:
    return Msg.of("R45.no_choice") if d is None else Msg.of("R45.after_refusal", how=d.how[:120] or d.choice, t=d.t)


def _tc(s: TcSignal) -> str:
    tc = s.tc_string
    return (tc[:_TC_SHOWN] + "…") if len(tc) > _TC_SHOWN else (tc or "-")


@detector("R45", "tcf_grant_without_consent")
def tcf_grant_without_consent(ctx: Context) -> Iterator[Finding]:
    """A TC string that grants consent the user did not give (after a refusal, or before any choice)."""
    before_done = False
    for e, s, d in judged_signals(ctx):
        if not s.grants() or (d is None and before_done):
            continue
        before_done = before_done or d is None
        granted: list[Msg] = []
        if s.purpose_consents:
            granted.append(Msg.of("R45.purposes", ids=tuple(str(i) for i in s.purpose_consents)))
        if s.special_features:
            granted.append(Msg.of("R45.special", ids=tuple(str(i) for i in s.special_features)))
        if s.vendor_consents:
            granted.append(Msg.of("R45.vendors", n=count(s.vendor_consents), ids=tuple(str(i) for i in first_ids(s.vendor_consents))))
        if s.decoded is not None and s.decoded.publisher_consents:
            granted.append(Msg.of("R45.publisher", ids=tuple(str(i) for i in s.decoded.publisher_consents)))
        notes = (" " + " ".join(s.notes) if s.notes else "") if s.decoded is not None else f" (the TC string could not be decoded: {s.error}; as the page's __tcfapi object claims)"
        yield ctx.finding(
            "R45",
            verdict="violation",
            message=Msg.of("R45.grants", cmp=s.cmp_id or (s.decoded.cmp_id if s.decoded else 0), when=_when(d), ts=e.t, status=s.status or "-", granted=tuple(granted), tc=_tc(s), notes=notes[:400]),
            evidence=[e.seq] + ([d.seq] if d is not None else []),
            category=CATEGORY,
            sdk=e.sdk,
        )


@detector("R46", "tcf_li_for_consent_purposes")
def tcf_li_for_consent_purposes(ctx: Context) -> Iterator[Finding]:
    """Legitimate interest signalled for a purpose that needs consent, the user not having consented."""
    cat = load_tcf()
    seen: set[tuple[int, int]] = set()
    for e, s, d in judged_signals(ctx):
        for pid in s.purpose_li:
            rule = cat.consent_only.get(pid)
            key = (pid, d.seq if d is not None else -1)
            if rule is None or key in seen or (d is None and any(k[0] == pid and k[1] == -1 for k in seen)):
                continue
            seen.add(key)
            yield ctx.finding(
                "R46",
                verdict=rule.verdict,
                message=Msg.of("R46.li", cmp=s.cmp_id or (s.decoded.cmp_id if s.decoded else 0), purpose=pid, name=cat.purpose_name(pid), when=_when(d), ts=e.t, status=s.status or "-", why=f"{rule.why} [{rule.provenance}]", tc=_tc(s)),
                evidence=[e.seq] + ([d.seq] if d is not None else []),
                category=CATEGORY,
                sdk=e.sdk,
                subject=f"TCF purpose {pid}",
            )

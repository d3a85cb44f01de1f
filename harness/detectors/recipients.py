"""R34, the part after acceptance: a planted value sent to a third party the user was not told of.

R34's catalogue check names three cases: before consent, after a refusal, and "to a recipient
the sharing list does not name". The network detector judges the first two; this part judges the
third. After the user accepted the privacy notice (or a consent-management banner), a planted
value (the position the user allowed, an identifier, the in-app nickname) reaching a third party
is judged against what the user was told: the texts of the prompt the user accepted and, when
exploration captured it, the privacy policy's text. The recipient counts as named when any of
its names appears there: the SDK's product, vendor and policy aliases (the names R06 uses), its
registrable domain, the domain's label, or its host (PIPL 23: the recipient's name and contact;
GDPR 13(1)(e): the recipients). A host named after the app (its package's own name as the
domain's label) is taken for the app's own server.

Verdict: a violation when the policy text was captured and does not name the recipient either.
Without the policy text the sharing list was not read, so a recipient is judged only for a value
the user handed over on screen in this run (a permission the user allowed, whose group is the
value's category: the position, the in-app profile): needs-review. Identifiers SDKs read on their
own (an advertising ID) are then not judged: the policy's SDK list, unread, may name them.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context
from harness.detectors.network import _describe, flow_matches
from harness.detectors.policy import _sdk_names, exploration, policy_text
from harness.detectors.registry import detector_part
from harness.events import ConsentDecision, HoneyPlant, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg
from harness.network.attribution import Attribution

__all__ = ["unnamed_recipient_after_accept", "recipient_names", "named_after_the_app"]

_SUBJECTS = ("privacy_policy", "cmp")
_PROMPTS = ("privacy_dialog", "cmp_dialog", "second_confirm", "login_gate")
_MAX_TOLD = 200_000


def recipient_names(who: Attribution, host: str) -> tuple[str, ...]:
    """The names under which a notice or policy may disclose a recipient (lower case)."""
    names: list[str] = []
    if who.sdk:
        names += [n.lower() for n in _sdk_names(who.sdk)]
    dom = (who.domain or "").lower()
    if dom:
        names.append(dom)
        label = dom.split(".", 1)[0]
        if len(label) >= 4:
            names.append(label)
    if host:
        names.append(host.lower())
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2))


_GENERIC = frozenset({"android", "example", "mobile", "client", "google", "tencent", "alibaba", "baidu"})


def named_after_the_app(domain: str, package: str) -> bool:
    """A recipient domain whose label is the app's own name in its package
    (``com.example.cipherdeals`` -> ``cipherdeals.example``): the app's own server under a domain
    the package does not spell in reverse. Only for names of five letters or more."""
    label = domain.lower().split(".", 1)[0]
    names = {p.lower() for p in package.split(".")[1:] if len(p) >= 5} - _GENERIC
    return len(label) >= 5 and label in names


def _handed_over(plant: object, allowed: list[tuple[float, str]]) -> bool:
    cat = getattr(plant, "category", "")
    t = getattr(plant, "t", None)
    return isinstance(plant, HoneyPlant) and t is not None and any(group == cat and dt <= t for dt, group in allowed)


@detector_part("R34", "unnamed_recipient_after_accept")
def unnamed_recipient_after_accept(ctx: Context) -> Iterator[Finding]:
    accepts = [d for d in ctx.of(ConsentDecision) if d.subject in _SUBJECTS and d.choice == "accept"]
    if not accepts:
        return
    ex = exploration(ctx)
    got = policy_text(ctx, ex) if ex is not None else None
    policy = got[0].lower() if got is not None else ""
    seen: set[tuple[str, str]] = set()
    allowed = [(d.t, d.subject.split(":", 1)[1]) for d in ctx.of(ConsentDecision) if d.subject.startswith("permission:") and d.choice == "accept"]
    for flow, who, matches, by_name in flow_matches(ctx):
        if not matches or who.party != "third" or ctx.phases.phase_name_at(flow.t) != "accepted":
            continue
        if not who.sdk and named_after_the_app(who.domain or flow.host, ctx.info.package):
            continue
        if got is None:
            # only values the user handed over on screen: a plant of an allowed group's category
            matches = [m for m in matches if _handed_over(by_name.get(m.plant), allowed)]
            if not matches:
                continue
        before = [d for d in accepts if d.t <= flow.t]
        if not before:
            continue
        d = before[-1]
        shot = ctx.event(d.screen_seq) if d.screen_seq >= 0 else None
        if not isinstance(shot, UiSnapshot):  # the decision names no screen: the last prompt before it
            shot = next((u for u in reversed(ctx.of(UiSnapshot)) if u.t <= d.t and u.screen_kind in _PROMPTS), None)
        told = " ".join(shot.texts).lower() if isinstance(shot, UiSnapshot) else ""
        told = (told + "\n" + policy)[:_MAX_TOLD]
        names = recipient_names(who, flow.host)
        if any(n in told for n in names):
            continue
        recipient = who.sdk or who.domain or flow.host
        plants = sorted({m.plant for m in matches})
        key = (recipient, ",".join(plants))
        if key in seen:
            continue
        seen.add(key)
        planted = [by_name[m.plant] for m in matches if m.plant in by_name]
        yield ctx.finding(
            "R34",
            verdict="violation" if got is not None else "needs-review",
            message=Msg.of(
                "R34.unnamed_after_accept",
                what=_describe(matches, by_name),
                host=flow.host,
                t=flow.t,
                told=Msg.of("R34.told_policy" if got is not None else "R34.told_prompt"),
                names=tuple(names[:4]),
            ),
            evidence=[flow.seq, *(p.seq for p in planted), d.seq, *([shot.seq] if isinstance(shot, UiSnapshot) else []), *([got[1].seq] if got is not None else [])],
            t=flow.t,
            category=planted[0].category if planted else "",
            sdk=who.sdk,
            subject=f"{recipient}|accepted",
        )

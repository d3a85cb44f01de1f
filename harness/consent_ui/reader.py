"""The recogniser: a pure function from a hierarchy dump to a :class:`ScreenReading`.

How a screen is read (every step leaves a reason in the reading):

1. **Nodes.** The dump is parsed safely (:mod:`harness.consent_ui.parse`).  System UI nodes (status
   bar, navigation bar) are set aside when the screen also shows an app or a system dialog.
2. **Controls.** Every clickable node that is not merely a container of other clickables becomes a
   candidate control; so do buttons and short decision labels that the dump did not mark
   clickable (Flutter, WebViews).  A control's label is its text, else its content-desc, else the
   first texts inside it.  The label is read against the lexicon (longest phrase wins), then the
   resource id when the label says nothing (``btn_disagree``).  AOSP permission-dialog ids map
   straight to roles.
3. **Signals.** Screen texts are searched for the lexicon's signal groups: privacy-policy titles
   and bodies, policy references (《隐私政策》), CMP wording (cookies, partners, legitimate
   interest), second-confirm wording (温馨提示, "Are you sure"), permission rationale, login,
   implied consent (登录即同意, "By continuing you agree"), permission questions.
4. **Kind.** Each kind collects points from the signals and the control classes present and must
   pass a gate (e.g. a system permission dialog needs AOSP ids, or a permission question plus
   allow and deny buttons from a system package).  The highest score wins; no gated kind means
   ``other``.  Confidence grows with the score and the margin over the runner-up.
5. **Roles.** Label classes become roles for the winning kind (``不同意`` is ``decline`` on a
   privacy dialog and ``confirm_decline`` on a second-confirm prompt).  On a CMP a "Save" button
   refuses only when every purpose is off.
6. **Checkboxes, asymmetry, ambiguity.** Checkboxes get a label from their neighbours and count as
   consent boxes when their label is an agreement (or they are purpose/vendor toggles on a CMP);
   the accept and decline controls are compared by area and style; a consent screen whose only
   answer is 好的 / OK / Got it is flagged ``ambiguous_only``.

The weights are heuristics tuned on the project's own labelled corpus
(tests/unit/consent_ui/corpus); ``bench/consent_ui.py`` measures them on real dumps.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.consent_ui.lexicon import Lexicon, lexicon, normalise_label, normalise_text
from harness.consent_ui.model import (
    CONSENT_KINDS,
    ROLES,
    Asymmetry,
    Checkbox,
    Control,
    ReadContext,
    ScreenReading,
)
from harness.consent_ui.parse import Hierarchy, RawNode, parse_hierarchy

__all__ = ["read_screen", "read_hierarchy", "ROLE_MAP", "MAX_LABEL_CHARS", "TEXT_BUDGET", "MAX_CONTROLS", "MAX_CHECKBOXES"]

#: Longest normalised label still read as a button label (longer text is a sentence).
MAX_LABEL_CHARS = 48
#: Characters of screen text searched for signals; a hostile dump cannot make the search slow.
TEXT_BUDGET = 200_000
#: Most reasons kept in a reading.
MAX_REASONS = 40
#: Most candidate controls and checkboxes read from one screen (real screens have a few dozen to a
#: few hundred; a hostile dump with 100 000 buttons is cut here, in document order).
MAX_CONTROLS = 1000
MAX_CHECKBOXES = 300

_ALLOWISH = frozenset({"allow", "allow_always", "allow_fg", "allow_once", "pos_all"})
_DENYISH = frozenset({"deny", "neg", "deny_dont_ask"})
_NEGISH = frozenset({"neg", "neg_exit", "think", "later", "browse", "deny", "no_consent", "neg_all", "cancel"})
_CMP_CHOICES = frozenset({"pos_all", "neg_all", "no_consent", "consent", "manage", "save"})
_DECISION = frozenset(
    {"pos", "pos_all", "consent", "neg", "neg_all", "no_consent", "neg_exit", "still_neg", "think", "back", "later",
     "cancel", "ack", "cont", "allow", "allow_always", "allow_fg", "allow_once", "deny", "deny_dont_ask", "settings",
     "browse", "manage", "save"}
)
_REFUSAL_ROLES = frozenset({"decline", "decline_exit", "deny", "deny_dont_ask", "confirm_decline", "browse_only"})
_AFFIRM_CLASSES = frozenset({"pos", "pos_all", "consent", "allow", "allow_always", "allow_fg", "allow_once", "cont"})
_NOT_TOGGLES = frozenset({"RadioButton"})
_KIND_PRIORITY = ("permission_dialog", "cmp_dialog", "second_confirm", "privacy_dialog", "permission_rationale", "login_gate")
_THRESHOLD = {
    "permission_dialog": 4.0,
    "cmp_dialog": 3.5,
    "second_confirm": 3.5,
    "privacy_dialog": 3.5,
    "permission_rationale": 3.0,
    "login_gate": 3.0,
}
#: Signal groups searched over the whole screen (the others only read checkbox labels).
_SCREEN_GROUPS = (
    "privacy_title", "privacy_body", "policy_ref", "cmp", "second_confirm", "rationale", "login", "implied",
    "consent_context", "permission_question",
)
_RE_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_RE_KANA = re.compile(r"[\u3040-\u30ff]")
_RE_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_RE_CYR = re.compile(r"[\u0400-\u04ff]")
_RE_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_RE_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_RE_WORD = re.compile(r"[a-z\u00e0-\u00ff']+")
_RE_BRACKETED = re.compile(r"《[^》]{1,40}》")
_RE_BUTTONISH_ID = re.compile(r"btn|button")

#: Classes a login wall's own controls have (anything else leads elsewhere in the app).
_LOGIN_WALL_CLASSES = frozenset({"login", "browse", "later", "close", "policy", "learn", "cont", "pos", "ack", "neg", "cancel", "back"})

#: Label pattern groups (lexicon signals) tried on a short label before its phrase lists, and
#: the class a match gives.
_LABEL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("negated_label", "neg"), ("refuse_label", "neg"), ("guest_label", "browse"), ("save_label", "save"), ("agree_and_label", "pos"),
)
#: Classes of views an app draws a custom tick box with (an image, a bare view).
_IMAGE_BOX_CLASSES = frozenset({"ImageView", "ImageButton", "View", "AppCompatImageView", "AppCompatImageButton"})
#: Largest side, in pixels, of such a box (a tick, not a picture).
_IMAGE_BOX_MAX_SIDE = 200
#: An AOSP-style permission button id the lexicon does not list ("permission_..._button"): a
#: refusal when it says deny / don't allow / no upgrade, else nothing is assumed.
_RE_PERM_REFUSAL_ID = re.compile(r"^permission_(?:.*_)?(deny|dont_allow|do_not_allow|no_upgrade)(?:_.*)?_button$")

#: Label class -> role, per screen kind.  Classes not listed become ``other``.
ROLE_MAP: dict[str, dict[str, str]] = {
    "permission_dialog": {
        "allow": "allow_always", "allow_always": "allow_always", "pos_all": "allow_always", "pos": "allow_always",
        "allow_fg": "allow_foreground", "allow_once": "allow_once",
        "deny": "deny", "neg": "deny", "cancel": "deny", "deny_dont_ask": "deny_dont_ask", "dont_ask": "deny_dont_ask",
        "close": "close",
    },
    "privacy_dialog": {
        "pos": "accept", "pos_all": "accept", "consent": "accept", "allow": "accept", "ack": "accept", "cont": "accept",
        "neg": "decline", "no_consent": "decline", "neg_all": "decline", "think": "decline", "later": "decline",
        "deny": "decline", "cancel": "decline", "still_neg": "decline",
        "neg_exit": "decline_exit", "browse": "browse_only", "manage": "manage_options", "settings": "manage_options",
        "close": "close", "policy": "policy_link", "learn": "policy_link",
    },
    "cmp_dialog": {
        "pos": "accept", "pos_all": "accept", "consent": "accept", "allow": "accept", "ack": "accept", "cont": "accept",
        "neg": "decline", "neg_all": "decline", "no_consent": "decline", "deny": "decline", "still_neg": "decline",
        "manage": "manage_options", "settings": "manage_options", "learn": "manage_options",
        "close": "close", "later": "close", "cancel": "close", "policy": "policy_link",
    },
    "second_confirm": {
        "still_neg": "confirm_decline", "neg_exit": "confirm_decline", "neg": "confirm_decline",
        "no_consent": "confirm_decline", "neg_all": "confirm_decline", "deny": "confirm_decline",
        "think": "reconsider", "back": "reconsider", "cancel": "reconsider", "ack": "reconsider", "later": "reconsider",
        "pos": "accept", "pos_all": "accept", "consent": "accept", "cont": "accept", "allow": "accept",
        "browse": "browse_only", "close": "close", "policy": "policy_link", "learn": "policy_link",
    },
    "permission_rationale": {
        "settings": "accept", "allow": "accept", "pos": "accept", "ack": "accept", "cont": "accept", "pos_all": "accept",
        "allow_fg": "accept", "allow_always": "accept", "allow_once": "accept",
        "cancel": "decline", "later": "decline", "neg": "decline", "deny": "decline", "think": "decline",
        "no_consent": "decline",
        # leaving the app is no escape from a permission block: it is told apart from "not now"
        "neg_exit": "decline_exit",
        "close": "close", "policy": "policy_link", "learn": "policy_link",
    },
    "login_gate": {
        "browse": "browse_only", "later": "browse_only", "close": "close", "pos": "accept", "policy": "policy_link",
    },
    "other": {"close": "close", "policy": "policy_link"},
}


@dataclass(slots=True)
class _Cand:
    """A candidate control while the screen is being read."""

    node: RawNode
    label: str
    norm: str
    cls: str | None
    via: str  # "label" | "id" | "bracket" | ""
    perm_role: str | None
    from_child: RawNode | None
    clickable: bool
    checkable: bool


@dataclass(slots=True)
class _Kind:
    score: float = 0.0
    gate: bool = False
    why: list[str] = field(default_factory=list)

    def add(self, pts: float, why: str) -> None:
        self.score += pts
        self.why.append(f"{'+' if pts >= 0 else ''}{pts:g} {why}")


def _clip(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _label_of(n: RawNode) -> str:
    t = n.text.strip()
    if t:
        return t
    return n.desc.strip()


class _Reader:
    def __init__(self, h: Hierarchy, lex: Lexicon, context: ReadContext | None = None) -> None:
        self.h = h
        self.lex = lex
        self.context = context or ReadContext()
        self.notes = list(h.notes)
        nodes = h.nodes
        pk = {n.package for n in nodes if n.package}
        non_ui = pk - lex.system_ui
        self.active: list[RawNode] = [
            n for n in nodes if n.displayed and not (non_ui and n.package in lex.system_ui)
        ]
        self.active_ids = {n.idx for n in self.active}
        screen_w = h.width or max((n.bounds[2] for n in nodes), default=0)
        screen_h = h.height or max((n.bounds[3] for n in nodes), default=0)
        self.screen_area = max(1, screen_w * screen_h)
        self._sub: tuple[list[bool], list[list[int]]] | None = None
        self.image_boxes = self.find_image_boxes()
        if self.image_boxes:
            # copies, never the parsed hierarchy itself: a reading has no side effects
            new = list(h.nodes)
            for idx, state in self.image_boxes.items():
                new[idx] = dataclasses.replace(new[idx], checkable=True, checked=state)
            self.h = dataclasses.replace(h, nodes=new)
            self.active = [new[n.idx] for n in self.active]
            self.notes.append(f"{len(self.image_boxes)} image(s) read as tick boxes (state from content-desc, resource id or 'selected')")

    def find_image_boxes(self) -> dict[int, bool]:
        """Turn custom tick boxes into checkboxes: a small image or bare view, not checkable and
        without text, whose content-desc is a box state ("checked", "선택됨", "未勾选", possibly
        after a box word such as "Checkbox") or whose resource id is box-like and names a state
        (``iv_agree_checked``), or is box-like, has a label beside it and carries the ``selected``
        state.  Returns their states by node index (each then reads as a checkable node)."""
        lex = self.lex
        found: dict[int, bool] = {}
        for n in self.active:
            if n.checkable or n.text.strip() or n.short_cls not in _IMAGE_BOX_CLASSES:
                continue
            if n.has_bounds and max(n.bounds[2] - n.bounds[0], n.bounds[3] - n.bounds[1]) > _IMAGE_BOX_MAX_SIDE:
                continue
            desc = normalise_label(n.desc) if n.desc and len(n.desc) <= 80 else ""
            local = n.local_id
            boxy = False
            state: bool | None = None
            if desc:
                m = lex.signal("box_word", desc)
                rest = (desc[: m.start()] + " " + desc[m.end() :]).strip() if m else desc
                boxy = m is not None
                if lex.signal("box_unchecked", rest) is not None:
                    state = False
                elif lex.signal("box_checked", rest) is not None:
                    state = True
            if state is None and local:
                if lex.signal("box_id_unchecked", local) is not None:
                    state = False
                elif lex.signal("box_id_checked", local) is not None:
                    state = True
                elif lex.signal("box_id", local) is not None:
                    boxy = True
                    tokens = local.split("_")
                    if any(lex.signal("box_unchecked", t) is not None for t in tokens):
                        state = False
                    elif any(lex.signal("box_checked", t) is not None for t in tokens):
                        state = True
            if state is None and boxy and self._has_row_label(n):
                state = n.selected
            if state is None:
                continue
            found[n.idx] = state
        return found

    def in_list(self, nodes: Iterable[RawNode], levels: int = 6) -> bool:
        """Does any of ``nodes`` sit in a list (RecyclerView, ListView): a row, not a button?"""
        for n in nodes:
            p, k = n.parent, levels
            while p >= 0 and k > 0:
                if self.h.nodes[p].short_cls.endswith(("RecyclerView", "ListView")):
                    return True
                p, k = self.h.nodes[p].parent, k - 1
        return False

    def _has_row_label(self, n: RawNode) -> bool:
        """A text beside the node on its row (in its parent), as a tick box's label is."""
        if n.parent < 0:
            return False
        y1, y2 = n.bounds[1], n.bounds[3]
        cy = (y1 + y2) / 2
        for c in self.h.nodes[n.parent].children:
            sib = self.h.nodes[c]
            if c != n.idx and sib.text.strip() and sib.bounds[1] - 8 <= cy <= sib.bounds[3] + 8:
                return True
        return False

    def perm_role_of(self, local_id: str) -> str | None:
        """The permission-dialog role of a button id: the lexicon's AOSP ids, else an AOSP-style
        id that names a refusal (Android 14's permission_dont_allow_more_selected_button)."""
        role = self.lex.permission_buttons.get(local_id)
        if role is None and local_id.startswith("permission_") and _RE_PERM_REFUSAL_ID.match(local_id):
            return "deny"
        return role

    # -- helpers ---------------------------------------------------------------------------
    def is_system_package(self, pkg: str) -> bool:
        if not pkg or pkg in self.lex.system_ui:
            return False
        return pkg == "android" or pkg.startswith(tuple(p for p in self.lex.system_prefixes if p != "android"))

    def subtree_info(self) -> tuple[list[bool], list[list[int]]]:
        """Per node: has a clickable descendant; first text-bearing descendants (at most 3)."""
        nodes = self.h.nodes
        n = len(nodes)
        click_desc = [False] * n
        texts: list[list[int]] = [[] for _ in range(n)]
        for i in range(n - 1, -1, -1):
            node = nodes[i]
            acc: list[int] = []
            cd = False
            for c in node.children:
                child = nodes[c]
                if child.clickable or click_desc[c]:
                    cd = True
                if len(acc) < 3:
                    if _label_of(child):
                        acc.append(c)
                    for t in texts[c]:
                        if len(acc) >= 3:
                            break
                        acc.append(t)
            click_desc[i] = cd
            texts[i] = acc[:3]
        return click_desc, texts

    def has_clickable_ancestor(self, node: RawNode, levels: int = 4) -> bool:
        p = node.parent
        while p >= 0 and levels > 0:
            if self.h.nodes[p].clickable:
                return True
            p = self.h.nodes[p].parent
            levels -= 1
        return False

    def classify_label(self, label: str, node: RawNode) -> tuple[str | None, str, str]:
        # a label far longer than any button text is a sentence: skip the (costly) normalising
        norm = normalise_label(label) if label and len(label) <= 3 * MAX_LABEL_CHARS else ("~" * (MAX_LABEL_CHARS + 1) if label else "")
        if norm and len(norm) <= MAX_LABEL_CHARS:
            # patterns first: going on without an account or without accepting, saving choices
            for group, pcls in _LABEL_PATTERNS:
                if self.lex.signal(group, norm) is not None:
                    return pcls, "label", norm
            m = self.lex.label_class(norm)
            if m is not None:
                return m.cls, "label", norm
            if self.lex.signal("refuse_verb_label", norm) is not None:
                return "neg", "label", norm
            if _RE_BRACKETED.search(label):
                return "policy", "bracket", norm
        local = node.local_id
        if local and (not norm or len(norm) <= MAX_LABEL_CHARS):
            c = self.lex.id_class(local)
            if c is not None:
                return c, "id", norm
        return None, "", norm

    # -- step 2: candidate controls ---------------------------------------------------------
    def candidates(self) -> list[_Cand]:
        click_desc, sub_texts = self._sub_cache()
        nodes = self.h.nodes
        out: list[_Cand] = []
        for n in self.active:
            if len(out) >= MAX_CONTROLS:
                self.notes.append(f"more than {MAX_CONTROLS} controls; the rest not read")
                break
            perm_role = self.perm_role_of(n.local_id)
            own = _label_of(n)
            if n.checkable:
                label = self.toggle_label(n)
                cls, via, norm = self.classify_label(label, n)
                if perm_role is not None or cls in ("dont_ask", "deny_dont_ask"):
                    out.append(_Cand(n, label, norm, cls, via, perm_role, None, n.clickable, True))
                continue
            from_child: RawNode | None = None
            if n.clickable:
                if click_desc[n.idx] and perm_role is None:
                    continue  # a container of other controls (dialog root, list row with a switch)
                label = own
                if not label:
                    for t in sub_texts[n.idx]:
                        child = nodes[t]
                        if child.idx in self.active_ids:
                            label = _label_of(child)
                            from_child = child
                            break
                if n.area >= 0.85 * self.screen_area and not perm_role:
                    continue  # a full-screen scrim or background, not a choice
                cls, via, norm = self.classify_label(label, n)
                if not label and cls is None and perm_role is None:
                    continue
                out.append(_Cand(n, label, norm, cls, via, perm_role, from_child, True, False))
            else:
                if not own:
                    continue
                is_btn = n.short_cls.endswith("Button") and n.short_cls not in _NOT_TOGGLES
                cls, via, norm = self.classify_label(own, n)
                if perm_role is not None or is_btn or (cls in _DECISION and via == "label" and norm in self.lex.phrase_class):
                    if self.has_clickable_ancestor(n):
                        continue
                    out.append(_Cand(n, own, norm, cls, via, perm_role, None, False, False))
        return out

    def toggle_label(self, n: RawNode) -> str:
        """A checkable node's label: its own text unless that is only a state word ("ON")."""
        own = _label_of(n)
        if own and n.idx not in self.image_boxes and normalise_text(own) not in self.lex.toggle_states:
            return own
        return self.checkbox_label(n, self._sub_cache()[1])

    def checkbox_label(self, n: RawNode, sub_texts: list[list[int]]) -> str:
        """Text describing a checkbox that has none itself: a neighbour on the same row, else
        the text of its parent or grandparent."""
        nodes = self.h.nodes
        x1, y1, x2, y2 = n.bounds
        cy = (y1 + y2) / 2
        p = n.parent
        for _level in range(2):
            if p < 0:
                break
            parent = nodes[p]
            best: tuple[float, str] | None = None
            for c in parent.children:
                if c == n.idx:
                    continue
                sib = nodes[c]
                lab = _label_of(sib)
                if not lab:
                    for t in sub_texts[c]:
                        lab = _label_of(nodes[t])
                        if lab:
                            break
                if not lab:
                    continue
                sx1, sy1, sx2, sy2 = sib.bounds
                if not (sy1 - 8 <= cy <= sy2 + 8):
                    continue
                dist = float(max(0, sx1 - x2, x1 - sx2))
                if best is None or dist < best[0]:
                    best = (dist, lab)
            if best is not None:
                return best[1]
            own = _label_of(parent)
            if own:
                return own
            p = parent.parent
        return ""

    # -- step 3: signals ---------------------------------------------------------------------
    def signals(self) -> tuple[dict[str, list[tuple[int, str]]], dict[str, list[tuple[int, int]]], list[tuple[int, str]]]:
        """Signal hits per group as (node idx, matched text) and as (node idx, pattern index),
        and the (idx, normalised text) list they were found in."""
        texts: list[tuple[int, str]] = []
        budget = TEXT_BUDGET
        for n in self.active:
            for raw in (n.text, n.desc if n.desc != n.text else "", n.hint):
                if not raw or not raw.strip():
                    continue
                if budget <= 0:
                    break
                t = normalise_text(raw[:budget])
                budget -= len(t)
                texts.append((n.idx, t))
        if budget <= 0:
            self.notes.append(f"text budget of {TEXT_BUDGET} characters reached; later text not searched")
        starts: list[int] = []
        pos = 0
        for _, t in texts:
            starts.append(pos)
            pos += len(t) + 1
        joined = "\n".join(t for _, t in texts)
        hits: dict[str, list[tuple[int, str]]] = {}
        pats: dict[str, list[tuple[int, int]]] = {}
        for group in _SCREEN_GROUPS:
            found = [(texts[bisect_right(starts, off) - 1][0], pi, m) for off, pi, m in self.lex.signal_all(group, joined)]
            hits[group] = [(i, m) for i, _, m in found]
            pats[group] = [(i, pi) for i, pi, _ in found]
        return hits, pats, texts

    def underneath(self, cands: list[_Cand]) -> set[int]:
        """Nodes of a page that a modal is drawn over, in the same window.

        A modal drawn by the app itself (a dialog view, a Compose/Flutter overlay, the reference
        device's dialogs) comes after the page it covers: some parent has an earlier child that
        fills most of the screen and a later child holding choice controls.  The earlier
        children's subtrees are set aside, so the page's buttons and texts do not mix with the
        dialog's.  Returns their node indices (empty when there is no such overlay)."""
        nodes = self.h.nodes
        decisive = {c.node.idx for c in cands if c.cls in _DECISION}
        if not decisive:
            return set()
        # which subtrees hold a decisive control: walk up from each one
        holds: set[int] = set()
        for idx in decisive:
            p = idx
            while p >= 0 and p not in holds:
                holds.add(p)
                p = nodes[p].parent
        cand_nodes = {c.node.idx for c in cands} | {c.from_child.idx for c in cands if c.from_child is not None}

        def has_message(root: int) -> bool:
            stack = [root]
            while stack:
                x = stack.pop()
                nx = nodes[x]
                if x not in cand_nodes and not nx.checkable and len(_label_of(nx)) >= 4:
                    return True
                stack.extend(nx.children)
            return False

        def overlap(a: RawNode, b: RawNode) -> int:
            ax1, ay1, ax2, ay2 = a.bounds
            bx1, by1, bx2, by2 = b.bounds
            return max(0, min(ax2, bx2) - max(ax1, bx1)) * max(0, min(ay2, by2) - max(ay1, by1))

        for n in self.active:
            kids = n.children
            if len(kids) < 2:
                continue
            for j in range(len(kids) - 1, 0, -1):
                top = nodes[kids[j]]
                if kids[j] not in holds or top.area == 0:
                    continue
                below = [kids[i] for i in range(j) if nodes[kids[i]].area >= 0.6 * self.screen_area]
                # a scrim: the modal's own backdrop fills the screen and covers the page's parts,
                # each small (a web page's header, cards and buttons drawn before the overlay)
                scrim = top.area >= 0.9 * self.screen_area and any(
                    nodes[kids[i]].area > 0 and overlap(top, nodes[kids[i]]) >= 0.5 * nodes[kids[i]].area for i in range(j)
                )
                # drawn over a page: overlaps a big earlier sibling, and says something itself
                if not (scrim or any(overlap(top, nodes[b]) >= 0.5 * top.area for b in below)) or not has_message(kids[j]):
                    continue
                out: set[int] = set()
                for i in range(j):
                    stack = [kids[i]]
                    while stack:
                        x = stack.pop()
                        out.add(x)
                        stack.extend(nodes[x].children)
                return out
        return set()

    # -- the whole reading -------------------------------------------------------------------
    def read(self) -> ScreenReading:
        lex = self.lex
        cands = self.candidates()
        under = self.underneath(cands)
        if under:
            self.active = [n for n in self.active if n.idx not in under]
            self.active_ids -= under
            cands = [c for c in cands if c.node.idx not in under]
            self.notes.append(f"a modal covers the page: {len(under)} nodes underneath set aside")
        hits, pat_hits, text_list = self.signals()
        texts_by_node: dict[int, list[str]] = {}
        for idx, t in text_list:
            texts_by_node.setdefault(idx, []).append(t)
        short = [c for c in cands if len(c.norm) <= MAX_LABEL_CHARS]
        control_nodes = {c.node.idx for c in short} | {c.from_child.idx for c in short if c.from_child is not None}
        control_nodes |= {n.idx for n in self.active if n.checkable}  # a checkbox label is not the dialog's message

        def body_hits(group: str) -> list[tuple[int, str]]:
            return [(i, s) for i, s in hits[group] if i not in control_nodes]

        def distinct(group: str, body_only: bool = True) -> list[int]:
            """Distinct patterns of ``group`` hit on the screen (several kinds of evidence)."""
            return list(dict.fromkeys(pi for i, pi in pat_hits[group] if not (body_only and i in control_nodes)))

        decision = [c for c in cands if not c.checkable or c.cls in ("dont_ask", "deny_dont_ask")]
        classes = Counter(c.cls for c in decision if c.cls)
        has = classes.__contains__
        body_chars = sum(len(t) for idx, t in text_list if idx not in control_nodes)

        toggles = [n for n in self.active if n.checkable and n.short_cls not in _NOT_TOGGLES]
        edit_texts = [n for n in self.active if n.short_cls in ("EditText", "AutoCompleteTextView") or n.password]
        login_fields = [
            n for n in edit_texts if n.password or lex.signal("login_field", normalise_text(" ".join((n.text, n.hint, n.desc, n.local_id)))) is not None
        ]

        # permission evidence
        perm_btn_nodes = [n for n in self.active if self.perm_role_of(n.local_id) is not None]
        perm_struct_nodes = [n for n in self.active if n.local_id in lex.permission_structure]
        perm_pkgs = Counter(n.package for n in self.active if n.package in lex.permission_packages)
        question_hits = hits["permission_question"]
        question_text = ""
        question_node = -1
        for n in perm_struct_nodes:
            if n.local_id == "permission_message" and _label_of(n):
                question_text, question_node = normalise_text(_label_of(n)), n.idx
                break
        if not question_text and question_hits:
            question_node = question_hits[0][0]
            question_text = texts_by_node.get(question_node, [""])[0]
        group = self.group_of(question_text) if question_text else ""
        if not group and any(n.local_id.startswith("permission_location_accuracy") for n in perm_struct_nodes):
            group = "LOCATION"
        q_pkg = self.h.nodes[question_node].package if question_node >= 0 else ""
        dialog_pkg = q_pkg or (perm_pkgs.most_common(1)[0][0] if perm_pkgs else "")
        system_dialog = self.is_system_package(dialog_pkg) or bool(perm_pkgs)
        allow_and_deny = bool(classes.keys() & _ALLOWISH) and bool(classes.keys() & _DENYISH)
        cmp_sdk = any(lex.cmp_sdk_re.search(n.package.lower()) or (n.rid and lex.cmp_sdk_re.search(n.rid.lower())) for n in self.active)

        k = {kind: _Kind() for kind in _KIND_PRIORITY}

        # -- permission dialog
        kp = k["permission_dialog"]
        if perm_btn_nodes:
            kp.add(5, f"AOSP permission button id '{perm_btn_nodes[0].local_id}'")
        elif perm_struct_nodes:
            kp.add(1.5, f"permission dialog id '{perm_struct_nodes[0].local_id}'")
        if perm_pkgs:
            kp.add(1.5, f"package {perm_pkgs.most_common(1)[0][0]}")
        if question_text and (question_hits or perm_struct_nodes):
            kp.add(2, f"permission question '{_clip(question_text)}'")
        if group:
            kp.add(1, f"asks for {group}")
        if allow_and_deny:
            kp.add(2, "allow and deny buttons")
        if classes.keys() & {"allow_fg", "allow_once", "deny_dont_ask", "dont_ask"}:
            kp.add(1, "while-using / one-time / don't-ask-again choice")
        named_cache: list[str] = []

        def named_group() -> str:
            """The permission group a short message text (not a control) names, '' if none."""
            if not named_cache:
                named_cache.append(next((g for i, ts in texts_by_node.items() if i not in control_nodes for t in ts if len(t) <= 300
                                         for g in (self.group_of(t),) if g), ""))
            return named_cache[0]

        # a dialog of a permission package (an OEM skin's own wording: "申请读取联系人") that names
        # a permission and offers allow and deny is the system's dialog, whatever its question
        # (its allow / deny buttons, not the rows of a list: a settings page of the same package
        # lists the same choices in a RecyclerView)
        text_perm = allow_and_deny and system_dialog and (
            bool(question_hits) or (bool(perm_pkgs) and not self.in_list(c.node for c in decision if c.cls in _ALLOWISH | _DENYISH) and bool(named_group()))
        )
        if text_perm and not question_hits:
            kp.add(2, f"a permission package's dialog naming {named_group()}")
            group = group or named_group()
        kp.gate = bool(perm_btn_nodes) or text_perm

        # -- permission rationale
        kr = k["permission_rationale"]
        rat = distinct("rationale")
        if rat:
            kr.add(2 + min(2, len(rat) - 1), f"rationale text '{_clip(body_hits('rationale')[0][1])}'")
            if any(self.group_of(t) for i, _ in body_hits("rationale") for t in texts_by_node.get(i, ())):
                kr.add(1, "names a permission")
        app_question = bool(question_hits) and allow_and_deny and not system_dialog and not perm_btn_nodes
        if app_question:
            kr.add(3, f"permission question from the app itself ({dialog_pkg or 'no package'})")
        # the app's own small dialog that names a permission (camera, location...) in its message
        # and offers a go-ahead beside a not-now: a pre-prompt in any wording, as long as it is no
        # privacy prompt (no policy title, reference or privacy wording)
        go_ahead = classes.keys() & (_ALLOWISH | {"cont", "pos", "ack", "settings"})
        not_now = classes.keys() & (_DENYISH | {"later", "cancel", "neg", "think"})
        perm_prompt = False
        main_pkg = self.main_package()
        app_dialog = bool(main_pkg) and main_pkg not in lex.system_ui and not self.is_system_package(main_pkg)
        if not app_question and app_dialog and not system_dialog and not perm_btn_nodes and go_ahead and not_now and len(cands) <= 6:
            named = named_group()
            privacy_words = bool(hits["privacy_title"] or hits["policy_ref"] or hits["privacy_body"] or hits["cmp"])
            if named and not privacy_words:
                perm_prompt = True
                group = group or named
                kr.add(3, f"the app's own dialog names a permission ({named}) and offers go-ahead / not-now")
        if has("settings"):
            kr.add(1.5, "go-to-settings button")
        if classes.keys() & {"cancel", "later", "neg", "deny"}:
            kr.add(1, "not-now button")
        if classes.keys() & {"allow", "cont", "ack", "pos"}:
            kr.add(0.5, "go-ahead button")
        if has("neg_exit") and not classes.keys() & {"cancel", "later", "neg", "deny", "allow", "cont", "ack", "pos"}:
            kr.add(1, "no way on but out of the app")
        n_decision = sum(1 for c in decision if c.cls in _DECISION)
        # a pre-prompt offers a choice (go ahead / not now) or a way to settings; a page that
        # merely explains before its own start button is not one
        # a block offers one way only: to settings, or out of the app
        kr.gate = (bool(rat) or app_question or perm_prompt) and (2 <= n_decision <= 4 or (n_decision == 1 and (has("settings") or has("neg_exit")))) and len(cands) <= 8

        # -- privacy dialog
        kv = k["privacy_dialog"]
        # a title is short: "privacy policy" inside a sentence is a reference, not a heading
        title = [(i, m) for i, m in body_hits("privacy_title") if min((len(t) for t in texts_by_node.get(i, ())), default=0) <= 50]
        refs = hits["policy_ref"]
        body = distinct("privacy_body")
        implied = hits["implied"]
        agreement_boxes = [n for n in self.active if n.checkable and self._agreement(n)]
        login_ctrls = classes.get("login", 0)
        if title:
            kv.add(2.5, f"privacy title '{_clip(title[0][1])}'")
        if refs:
            kv.add(1, f"policy reference '{_clip(refs[0][1])}'")
            if len(refs) >= 2:
                kv.add(0.5, "several policy references")
        if body:
            kv.add(min(2, len(body)), f"privacy wording '{_clip(body_hits('privacy_body')[0][1])}'")
        if has("pos"):
            kv.add(2, "agree button")
        elif classes.keys() & {"ack", "cont", "pos_all", "consent"}:
            kv.add(1, "acknowledge / continue button")
        if classes.keys() & _NEGISH:
            kv.add(1, "refusal or browse option")
        if agreement_boxes:
            kv.add(1, "agreement checkbox")
        # a notice saying that using the service is consenting, answered by browsing on or by
        # acknowledging it (its one control: OK / 我知道了 / continue), is the first-run prompt
        # that leaves no way to refuse, not a reply to a refusal
        ack_answer = n_decision == 1 and bool(classes.keys() & {"ack", "cont"})
        implied_notice = bool(implied) and login_ctrls <= 1 and ((has("browse") and not edit_texts) or (ack_answer and not login_fields))
        if implied_notice:
            kv.add(2, "implied-consent notice with a browse-only option" if has("browse") else "implied-consent notice answered only by acknowledging it")
        if body_chars >= 120:
            kv.add(0.5, "long body text")
        if login_fields:
            kv.add(-2, "login fields")
        kv.gate = bool(title or refs or body) and (bool(classes.keys() & ({"pos", "ack", "cont", "pos_all", "consent"} | _NEGISH)) or implied_notice)
        if not (classes.keys() & {"pos", "ack", "cont", "pos_all", "consent", "allow"}) and not implied_notice:
            kv.gate = kv.gate and bool(title) and bool(classes.keys() & {"neg", "neg_exit", "browse"})
        if edit_texts and not has("pos"):
            kv.gate = False  # a form with agreement text is a sign-up or login page, not a policy dialog

        # -- CMP
        kc = k["cmp_dialog"]
        cmp_pats = distinct("cmp", body_only=False)
        if cmp_sdk:
            kc.add(4, "consent-management SDK id or package")
        if cmp_pats:
            kc.add(min(6.0, 1.5 * len(cmp_pats)), f"CMP wording '{_clip(hits['cmp'][0][1])}' ({len(cmp_pats)} kinds)")
        # a heading in CMP wording ("We use cookies", "Cookie preferences"): a short text that is
        # not a control, as a banner's title is
        cmp_heads = [(i, m) for i, m in body_hits("cmp") if min((len(t) for t in texts_by_node.get(i, ())), default=999) <= 50]
        if cmp_heads:
            kc.add(1.5, f"CMP heading '{_clip(cmp_heads[0][1])}'")
        cmp_choices = classes.keys() & _CMP_CHOICES
        if cmp_choices:
            kc.add(min(3, len(cmp_choices)), f"CMP choices {sorted(cmp_choices)}")
        if len(toggles) >= 3 and cmp_pats:
            kc.add(1, f"{len(toggles)} purpose/vendor toggles")
        # a settings layer that never says "cookie": switches, one per purpose or service, with
        # "accept all" beside "save / accept selected" (what the switches are for is the choice)
        switch_layer = len(toggles) >= 2 and has("save") and has("pos_all")
        if switch_layer:
            kc.add(3, f"{len(toggles)} switches with 'accept all' and 'save selection'")
        if classes.keys() & {"pos", "ack", "consent"}:
            kc.add(1 if cmp_pats or cmp_sdk else 0.5, "accept / OK button")
        if classes.keys() & {"neg", "no_consent", "deny"}:
            kc.add(1 if cmp_pats or cmp_sdk else 0.5, "reject button")
        # a CMP asks for a decision: a page whose only "choice" is a way to more settings (a
        # privacy-settings page that talks about cookies) is not one; nor is "save" without any
        # switch to save (a page's own "Save recipe" under a "Cookie policy" tab)
        deciding = (_CMP_CHOICES - {"manage"} - (set() if toggles else {"save"})) | {"pos", "ack", "neg", "cont", "allow", "deny"}
        kc.gate = (cmp_sdk or bool(cmp_pats) or switch_layer) and bool(classes.keys() & deciding)

        # -- second confirm
        ks = k["second_confirm"]
        sc_hits = body_hits("second_confirm")
        sc = distinct("second_confirm")
        context = bool(hits["consent_context"])
        if has("still_neg"):
            ks.add(3, "still-decline button")
        if sc:
            ks.add(2 + min(2, len(sc) - 1), f"second-confirm wording '{_clip(sc_hits[0][1])}'")
        if classes.keys() & {"think", "back", "cancel"}:
            ks.add(1.5, "go-back / think-again button")
        if has("neg_exit"):
            ks.add(1, "decline-and-exit button")
        if body_chars < 200:
            ks.add(1, "short text")
        elif body_chars > 400:
            ks.add(-2, "long text (a policy, not a prompt)")
        if refs:
            ks.add(0.5, "policy reference")
        ack_only = n_decision == 1 and bool(classes.keys() & {"ack", "pos", "cont"})
        if sc and ack_only:
            ks.add(1, "demands agreement and offers one answer")
        ks.gate = context and (has("still_neg") or bool(sc)) and n_decision >= 1

        # -- login gate
        kl = k["login_gate"]
        login_text = body_hits("login")
        if login_ctrls:
            kl.add(2, "login button")
            if login_ctrls >= 2:
                kl.add(1, "several login options")
        if login_fields:
            kl.add(2, f"login field '{_clip(login_fields[0].text or login_fields[0].hint or login_fields[0].local_id)}'")
        elif edit_texts:
            kl.add(0.5, "text field")
        if login_text:
            kl.add(1, f"login wording '{_clip(login_text[0][1])}'")
        if implied:
            kl.add(1, "implied-consent text")
        if agreement_boxes:
            kl.add(1, "agreement checkbox")
        if has("browse"):
            kl.add(0.5, "browse / skip option")
        # a field's own text or hint ("支付密码", a payment PIN) names the field: it is no sign-in wording
        edit_ids = {n.idx for n in edit_texts}
        sign_in_words = any(lex.signal("field_label", t.strip()) is None for i, t in login_text if i not in edit_ids)
        # a credential form: a password field beside other fields that all ask for credentials
        # (a payment form's PIN beside an amount field is no login)
        password_form = any(n.password for n in edit_texts) and len(edit_texts) >= 2 and {n.idx for n in edit_texts} <= {n.idx for n in login_fields}
        kl.gate = password_form or (bool(login_ctrls) and bool(login_fields or edit_texts or implied or agreement_boxes or login_ctrls >= 2 or login_text)) or (
            # a phone field on a booking or contact form is not a login: without a login control
            # it takes sign-in wording (not just the field's own label such as 手机号 / phone
            # number), implied-consent wording or an agreement box to make a sign-up gate
            # (an agreement box beside a bare contact field is a newsletter or contact form; beside
            # a password it is a sign-up)
            bool(login_fields) and bool(implied or (agreement_boxes and any(n.password for n in login_fields)) or sign_in_words)
        )

        # what came just before: a consent prompt right after a refusal is the app's answer to
        # that refusal, however much it looks like the first prompt (a login wall or a CMP that
        # follows is still what it is)
        answers = classes.keys() & {"pos", "pos_all", "consent", "ack", "cont", "neg", "neg_all", "no_consent", "still_neg", "neg_exit", "think", "browse"}
        other_kind = any(k[x].gate and k[x].score >= _THRESHOLD[x] for x in ("login_gate", "cmp_dialog", "permission_dialog", "permission_rationale"))
        # (a form to fill in is none: a second confirm asks, it has no fields)
        if (self.context.after_decline and answers and n_decision <= 4 and len(cands) <= 10 and (body_hits("consent_context") or title or refs)
                and not other_kind and not edit_texts):
            ks.add(3, "appeared right after a decline")
            ks.gate = True
            if kv.gate and kv.score >= _THRESHOLD["privacy_dialog"] and kv.score >= ks.score:
                # the same layout and words as the privacy prompt: only the context tells them apart
                ks.add(kv.score - ks.score + 1, "the privacy prompt again, right after a decline")

        # an optional sign-in on a page that leads elsewhere (a profile page's "Log in" among its
        # rows) is not a wall: one sign-in control, no field, no agreement, and other ways on
        nav = [c for c in cands if c.clickable and c.cls not in _LOGIN_WALL_CLASSES]
        if kl.gate and login_ctrls == 1 and not edit_texts and not implied and not agreement_boxes and len(nav) >= 2:
            kl.gate = False
            kl.why.append(f"not a wall: one optional sign-in among {len(nav)} other ways on")

        # -- decide
        gated = [(kind, k[kind]) for kind in _KIND_PRIORITY if k[kind].gate and k[kind].score >= _THRESHOLD[kind]]
        if gated:
            best_score = max(v.score for _, v in gated)
            kind = next(kind for kind, v in gated if v.score == best_score)
            runner = max((v.score for kk, v in gated if kk != kind), default=0.0)
            s1 = best_score
            conf = s1 / (s1 + 2.5) * (0.7 + 0.3 * min(1.0, max(0.0, s1 - runner) / s1))
        else:
            kind = "other"
            top = max(k.values(), key=lambda v: v.score)
            conf = max(0.3, min(0.9, 0.9 - 0.08 * max(0.0, top.score)))
        confidence = round(min(0.99, conf), 2)

        reasons: list[str] = []
        if kind != "other":
            reasons.extend(f"{kind} {w}" for w in k[kind].why)
            others = sorted(((v.score, kk) for kk, v in gated if kk != kind), reverse=True)
            if others:
                reasons.append(f"runner-up {others[0][1]} scored {others[0][0]:g} vs {k[kind].score:g}")
        else:
            near = sorted(((v.score, kk) for kk, v in k.items() if v.score > 0), reverse=True)[:2]
            reasons.append("no consent-screen pattern passed its test" + (f" (closest: {', '.join(f'{kk} {s:g}' for s, kk in near)})" if near else ""))

        # permission dialogs: only the dialog's own window
        if kind == "permission_dialog":
            keep_pkgs = {n.package for n in perm_btn_nodes + perm_struct_nodes} | set(perm_pkgs) | ({dialog_pkg} if dialog_pkg else set())
            cands = [c for c in cands if not keep_pkgs or c.node.package in keep_pkgs]

        checkboxes = self.checkboxes(kind)
        consent_on = sum(1 for b in checkboxes if b.consent and b.checked and b.enabled)
        controls, role_reasons = self.roles(kind, cands, consent_on)
        reasons.extend(role_reasons)
        reasons.extend(self.notes)

        reading_pkg = dialog_pkg if kind == "permission_dialog" and dialog_pkg else self.main_package()
        implied_texts = tuple(dict.fromkeys(_clip(self.h.nodes[i].text or self.h.nodes[i].desc, 300) for i, _ in implied))
        pre_ticked = any(b.consent and b.checked and b.enabled for b in checkboxes)

        refusal = any(c.role in _REFUSAL_ROLES for c in controls)
        decl_classes = {c.cls for c in cands if c.cls}
        ambiguous_only = (
            kind in CONSENT_KINDS
            and not refusal
            and "ack" in decl_classes
            and not (decl_classes & _AFFIRM_CLASSES)
        )
        if ambiguous_only:
            reasons.append("only an acknowledgement (OK / 好的 / 我知道了) and no way to decline")

        reading = ScreenReading(
            kind=kind,
            confidence=confidence,
            reasons=(),
            permission_group=group if kind in ("permission_dialog", "permission_rationale") else "",
            package=reading_pkg,
            language=self.language(),
            controls=controls,
            checkboxes=tuple(checkboxes),
            pre_ticked=pre_ticked and kind != "other",
            implied_consent=implied_texts,
            ambiguous_only=ambiguous_only,
        )
        asym = self.asymmetry(reading, consent_on)
        if kind == "permission_rationale" and not reading.permission_group:
            for i, _ in body_hits("rationale"):
                g = next((self.group_of(t) for t in texts_by_node.get(i, ()) if self.group_of(t)), "")
                if g:
                    reading = _replace(reading, permission_group=g)
                    break
        if pre_ticked and kind != "other":
            reasons.append(f"{sum(1 for b in checkboxes if b.consent and b.checked)} consent box(es) pre-ticked")
        if asym.decline_is_link:
            reasons.append("decline is styled as a link while accept is a button")
        return _replace(reading, reasons=tuple(reasons[:MAX_REASONS]), asymmetry=asym)

    # -- pieces ------------------------------------------------------------------------------
    def group_of(self, question: str) -> str:
        """Permission group from a question, ignoring the quoted app name ('Allow Camera to ...')."""
        q = re.sub(r"[\"“”「」『』][^\"“”「」『』]{0,60}[\"“”「」『』]", " ", question)
        m = re.match(r"^\s*¿?(allow|permitir que|autoriser)\s+(.{1,60}?)\s+(to|acceda|tome|grabe|envíe|haga|encuentre|à)\s", q)
        if m:
            q = q[m.start(3):]
        return self.lex.permission_group(q)

    def _agreement(self, n: RawNode) -> bool:
        label = self.toggle_label(n)
        return bool(label) and self.lex.signal("agreement", normalise_text(label)) is not None

    def _sub_cache(self) -> tuple[list[bool], list[list[int]]]:
        if self._sub is None:
            self._sub = self.subtree_info()
        return self._sub

    def checkboxes(self, kind: str) -> list[Checkbox]:
        out: list[Checkbox] = []
        for n in self.active:
            if not n.checkable:
                continue
            if len(out) >= MAX_CHECKBOXES:
                self.notes.append(f"more than {MAX_CHECKBOXES} checkboxes; the rest not read")
                break
            label = self.toggle_label(n)
            norm = normalise_text(label)
            consent = False
            if kind == "cmp_dialog":
                consent = n.short_cls not in _NOT_TOGGLES and n.enabled and self.lex.signal("necessary_toggle", norm) is None and self.lex.signal("legitimate_interest_toggle", norm) is None
            elif kind in ("privacy_dialog", "login_gate", "second_confirm", "permission_rationale", "permission_dialog"):
                # permission_dialog: a browser's prompt drawn over the notice leaves its
                # agreement box in view (a settings page's switches are no agreement)
                consent = bool(norm) and self.lex.signal("agreement", norm) is not None
            out.append(Checkbox(text=_clip(label, 200), resource_id=n.rid, checked=n.checked, bounds=n.bounds, consent=consent, cls=n.cls, enabled=n.enabled))
        return out

    def is_button(self, c: _Cand) -> bool:
        sc = c.node.short_cls
        if sc.endswith("Button") and sc not in ("RadioButton", "ToggleButton", "CompoundButton"):
            return True
        if _RE_BUTTONISH_ID.search(c.node.local_id):
            return True
        if c.from_child is not None and c.from_child.area > 0 and c.node.area >= 1.8 * c.from_child.area:
            return True
        return False

    def roles(self, kind: str, cands: list[_Cand], consent_on: int) -> tuple[tuple[Control, ...], list[str]]:
        rmap = ROLE_MAP[kind]
        ranks = self.lex.class_rank
        # beside a go-to-settings button, "OK" / "我知道了" dismisses the notice: an escape
        ack_dismisses = kind == "permission_rationale" and any(c.cls == "settings" for c in cands)
        out: list[tuple[int, float, int, int, Control]] = []
        reasons: list[str] = []
        for c in cands:
            role = "other"
            why = ""
            if kind == "permission_dialog" and c.perm_role is not None:
                role, why = c.perm_role, f"id {c.node.local_id}"
            elif c.cls is not None:
                role = rmap.get(c.cls, "other")
                why = f"{c.via} class {c.cls}"
                if ack_dismisses and c.cls == "ack":
                    role, why = "close", "acknowledgement beside go-to-settings dismisses the notice"
                if kind == "cmp_dialog" and c.cls == "save":
                    role = "decline" if consent_on == 0 else "accept"
                    why = "save with every purpose off" if consent_on == 0 else f"save keeps {consent_on} pre-ticked purpose(s)"
            if role not in ROLES:
                role = "other"
            score = (1.0 if c.clickable else 0.0) + (0.5 if c.via == "label" else 0.0) + (1.0 if c.perm_role else 0.0)
            if c.cls is not None:
                score += (len(ranks) - ranks[c.cls]) / 100.0
            ctrl = Control(
                role=role,
                text=_clip(c.label, 200),
                resource_id=c.node.rid,
                cls=c.node.cls,
                bounds=c.node.bounds,
                clickable=c.clickable,
                checked=c.node.checked if c.checkable else None,
                is_button=self.is_button(c),
                score=round(score + (0.5 if self.is_button(c) else 0.0), 3),
                why=why,
            )
            if role != "other":
                reasons.append(f"control '{_clip(c.label or c.node.local_id, 40)}' -> {role} ({why})")
            out.append((ROLES.index(role), -ctrl.score, c.node.bounds[1], c.node.bounds[0], ctrl))
        out.sort(key=lambda t: t[:4])
        return tuple(t[4] for t in out), reasons

    def asymmetry(self, r: ScreenReading, consent_on: int) -> Asymmetry:
        if r.kind in ("other",):
            return Asymmetry()
        acc = r.accept_control()
        if acc is None and r.kind == "second_confirm":
            acc = r.control("reconsider")
        dec = r.decline_control()
        a_area = acc.area if acc else 0
        d_area = dec.area if dec else 0
        ratio = round(a_area / d_area, 2) if a_area > 0 and d_area > 0 else None
        accept_is_button = bool(acc and acc.is_button)
        decline_is_link = bool(dec is not None and acc is not None and not dec.is_button and (accept_is_button or (ratio is not None and ratio >= 2.5)))
        taps: int | None = None
        if dec is not None:
            taps = 1
        elif r.kind == "cmp_dialog" and consent_on and any(c.role == "accept" and c.why.startswith("save keeps") for c in r.controls):
            taps = consent_on + 1
        return Asymmetry(a_area, d_area, ratio, decline_is_link, accept_is_button, taps)

    def main_package(self) -> str:
        cnt: Counter[str] = Counter(n.package for n in self.active if n.package and (n.clickable or n.text or n.desc))
        if not cnt:
            cnt = Counter(n.package for n in self.active if n.package)
        return cnt.most_common(1)[0][0] if cnt else ""

    def language(self) -> str:
        parts: list[str] = []
        budget = 6000
        for n in self.active:
            t = n.text or n.desc
            if t:
                parts.append(t[:budget])
                budget -= len(parts[-1])
                if budget <= 0:
                    break
        text = "\n".join(parts)
        han = len(_RE_HAN.findall(text))
        kana = len(_RE_KANA.findall(text))
        if kana and kana * 5 >= han:
            return "ja"
        scores = {"zh": han * 3, "ko": len(_RE_HANGUL.findall(text)) * 3, "ru": len(_RE_CYR.findall(text)), "ar": len(_RE_ARABIC.findall(text)),
                  "latin": len(_RE_LATIN.findall(text))}
        best = max(scores, key=lambda s: scores[s])
        if scores[best] == 0:
            return ""
        if best != "latin":
            return best
        words = _RE_WORD.findall(text.lower())
        counts = {lang: sum(1 for w in words if w in sw) for lang, sw in self.lex.stopwords.items()}
        lang = max(counts, key=lambda s: (counts[s], s == "en"))
        return lang if counts[lang] > 0 else "en"


def _replace(r: ScreenReading, **kw: object) -> ScreenReading:
    import dataclasses

    return dataclasses.replace(r, **kw)  # type: ignore[arg-type]


def read_hierarchy(h: Hierarchy, context: ReadContext | None = None) -> ScreenReading:
    """Read an already parsed hierarchy (``context``: see :func:`read_screen`)."""
    return _Reader(h, lexicon(), context).read()


def read_screen(xml: str | bytes, context: ReadContext | None = None) -> ScreenReading:
    """Read one UI hierarchy dump (uiautomator or Appium page source).

    ``context`` says what came just before the screen (:class:`ReadContext`); without it a
    screen is read on its own.  Pure: no device, no files, no network.  Raises
    :class:`harness.errors.ScreenParseError` for malformed, hostile (DTD, entities) or oversized
    (> 20 MiB) input.
    """
    return read_hierarchy(parse_hierarchy(xml), context)

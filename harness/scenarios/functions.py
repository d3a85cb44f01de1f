"""The basic function found on screen by its labels: ``assert_functional: auto``.

A page scanned from a QR code (or an app with no feature map) has no configured taps. A user
who wants to order, pay or rent looks for the control that does it; so does this: the stages of
``functions.yaml`` (add -> query -> order -> pay / rent) are matched against the labels of the
clickable controls of the app itself (never the browser's or the system's), the furthest stage
first, and tapped until a stage that *is* the function was reached without being stopped, or
nothing more can be done. Text fields the function needs (a licence plate, a table number) are
filled; fields asking for personal information never are.

Returns what happened as a :class:`FunctionResult`; the step turns a failure into a StepError
(evidence for R21/R23/R24, like a configured feature that fails).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from harness.consent_ui.lexicon import normalise_text
from harness.errors import CatalogError

if TYPE_CHECKING:
    from harness.consent_ui.parse import Hierarchy, RawNode
    from harness.scenarios.context import Screen, StepContext

__all__ = ["FunctionWords", "FunctionResult", "function_words", "run_auto_function", "MAX_FUNCTION_TAPS"]

#: Most taps one auto check makes (add, add, query, order, pay...).
MAX_FUNCTION_TAPS = 8
_GATES = {"login_gate": "a login gate", "privacy_dialog": "the privacy prompt", "second_confirm": "a refusal confirmation", "permission_rationale": "a permission request from the page", "permission_dialog": "a permission prompt"}


@dataclass(frozen=True, slots=True)
class FunctionWords:
    """functions.yaml, checked: stages in order (name, reaches, words), fields, blocked words."""

    stages: tuple[tuple[str, bool, tuple[str, ...]], ...]
    fields: tuple[tuple[tuple[str, ...], str], ...]
    blocked: tuple[str, ...]
    first: tuple[str, ...] = ()


def _strs(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise CatalogError(f"functions.yaml: {where} must be a list of non-empty strings")
    return tuple(normalise_text(x) for x in v)


def load_function_words(data: Any) -> FunctionWords:
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise CatalogError("functions.yaml: expected a mapping with schema: 1")
    stages_raw = data.get("stages")
    if not isinstance(stages_raw, dict) or not stages_raw:
        raise CatalogError("functions.yaml: 'stages' must map stage -> {reaches, words}")
    stages = []
    first = []
    for name, body in stages_raw.items():
        if not isinstance(body, dict) or not isinstance(body.get("reaches"), bool) or not isinstance(body.get("first", False), bool):
            raise CatalogError(f"functions.yaml: stages.{name} needs 'reaches: true|false' and 'words' (and 'first' true|false, if given)")
        stages.append((str(name), bool(body["reaches"]), _strs(body.get("words"), f"stages.{name}.words")))
        if body.get("first"):
            first.append(str(name))
    fields = []
    for i, f in enumerate(data.get("fields") or []):
        if not isinstance(f, dict) or not isinstance(f.get("value"), str):
            raise CatalogError(f"functions.yaml: fields[{i}] needs 'match' and a string 'value'")
        fields.append((_strs(f.get("match"), f"fields[{i}].match"), str(f["value"])))
    return FunctionWords(tuple(stages), tuple(fields), _strs(data.get("blocked") or [], "blocked"), tuple(first))


@lru_cache(maxsize=1)
def function_words() -> FunctionWords:
    from harness import yamlio

    text = resources.files("harness.scenarios").joinpath("functions.yaml").read_text(encoding="utf-8")
    return load_function_words(yamlio.load(text, "functions.yaml"))


def _matches(label: str, words: tuple[str, ...]) -> bool:
    lab = normalise_text(label)
    if not lab or len(lab) > 40:
        return False
    return any(lab == w or (len(w) >= 3 and w in lab) for w in words)


def _label(n: RawNode) -> str:
    return (n.text or n.desc or "").strip()


@dataclass
class FunctionResult:
    """What the auto check did: the stages tapped, whether a stage that is the function was
    reached, and why it stopped (``blocked``: empty when it was not stopped)."""

    tapped: list[str] = field(default_factory=list)
    reached: bool = False
    blocked: str = ""


def _controls(tree: Hierarchy | None, package: str) -> list[RawNode]:
    if tree is None:
        return []
    return [n for n in tree.nodes if n.clickable and n.enabled and n.has_bounds and n.package == package and _label(n)]


def _gate(screen: Screen, words: FunctionWords) -> str:
    if screen.kind in _GATES:
        return _GATES[screen.kind]
    from harness.consent_ui.parse import page_texts

    for t in page_texts(screen.tree).texts:
        nt = normalise_text(t)
        hit = next((w for w in words.blocked if w in nt), None)
        if hit is not None:
            return f"the page says '{t[:80]}'"
    return ""


def _account_is_part_of_it(ctx: StepContext) -> bool:
    """The app-type profile says an account belongs to the basic function (R24's
    ``account_required``): a sign-in after ordering / renting is then the function's next step."""
    name = getattr(ctx.app, "profile", "") or ""
    if not name:
        return False
    try:
        from harness.catalog.profiles import load_profiles

        prof = load_profiles().get(name)
    except Exception:  # noqa: BLE001 - an unknown profile is judged elsewhere
        return False
    return bool(prof is not None and prof.account_required)


def run_auto_function(ctx: StepContext) -> FunctionResult:
    """Find and use the basic function on screen (module docstring)."""
    words = function_words()
    res = FunctionResult()
    used: set[tuple[str, str]] = set()
    filled: set[str] = set()
    typer = getattr(ctx.driver, "input_text", None)
    screen = ctx.settle()
    for _ in range(MAX_FUNCTION_TAPS):
        if ctx.app_gone(screen):
            res.blocked = "the page is no longer in front"
            return res
        gate = _gate(screen, words)
        if gate:
            res.blocked = gate
            return res
        # fields the function needs, filled once each
        if callable(typer) and screen.tree is not None:
            for n in screen.tree.nodes:
                if n.short_cls not in ("EditText", "AutoCompleteTextView") or n.password or not n.has_bounds or n.package != ctx.package:
                    continue
                if n.text and n.text != n.hint:
                    continue  # already filled in: a user leaves it as it is
                key = f"{n.rid}|{n.hint}"
                label = " ".join((n.text, n.hint, n.desc, n.local_id))
                value = next((v for m, v in words.fields if _matches(label, m) or any(w in normalise_text(label) for w in m if len(w) >= 2)), None)
                if value is None or key in filled:
                    continue
                filled.add(key)
                x1, y1, x2, y2 = n.bounds
                ctx.action("input", x=(x1 + x2) // 2, y=(y1 + y2) // 2, text=value, resource_id=n.rid, role="function")
                typer((x1 + x2) // 2, (y1 + y2) // 2, value)
        pick = None
        # a user picks something first (one tap), then goes as far as the page lets
        order = list(words.stages)
        if not res.tapped:
            order = [s for s in order if s[0] in words.first] + [s for s in order if s[0] not in words.first]
        for name, reaches, ws in order:
            for n in _controls(screen.tree, ctx.package):
                if (name, _label(n)) in used and not reaches:
                    continue
                if _matches(_label(n), ws):
                    pick = (name, reaches, n)
                    break
            if pick is not None:
                break
        if pick is None:
            if not res.reached:
                res.blocked = "no control that orders, pays or rents was found on screen" if not res.tapped else f"after {', '.join(res.tapped)} no control that orders, pays or rents was found"
            return res
        name, reaches, n = pick
        if reaches and (name, _label(n)) in used:
            return res  # the function was used; tapping it again shows nothing new
        used.add((name, _label(n)))
        x1, y1, x2, y2 = n.bounds
        x, y = (x1 + x2) // 2, (y1 + y2) // 2
        ctx.action("tap", x=x, y=y, text=_label(n)[:200], resource_id=n.rid, role="function")
        ctx.driver.tap(x, y)
        ctx.driver.sleep(1.0)
        res.tapped.append(name)
        screen = ctx.settle()
        if reaches:
            gate = "" if ctx.app_gone(screen) else _gate(screen, words)
            if ctx.app_gone(screen):
                res.blocked = "the page is no longer in front"
                return res
            if gate == _GATES["login_gate"] and _account_is_part_of_it(ctx):
                res.reached = True  # the app type needs an account: signing in is the function going on
                return res
            if gate:
                res.blocked = gate
                return res
            res.reached = True
    return res

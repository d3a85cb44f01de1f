"""Report languages: the message catalogue, the shared glossary and the report UI wording.

One place for every human-readable text a report prints, in zh (简体中文) and en:

* **messages** (``catalog/messages.yaml`` ``messages``; a zh wording may leave out an argument
  of the en one, never add one): what a detector says about a finding.
  A detector builds a :class:`Msg` (a catalogue key and typed arguments); the finding keeps the
  key and the arguments as machine fields (``message_id``, ``message_args``) beside its
  English text, and every report renders the message in the report language. Arguments are
  plain values (numbers, API names, hosts, SDK names, app texts), :class:`Term` codes (a data
  category, a permission group, a severity ...) or nested messages.
* **terms** (``terms``): the glossary shared by the run report, the workbook, the batch
  summary and the 认定方法 checklist (severity, finding verdict, checklist verdict, consent
  phase, data category, permission group, problem type, threshold provenance ...), so the same
  thing has the same name everywhere.
* **ui** (``catalog/report_ui.yaml``): the fixed wording of the report pages, keyed by the
  English text (``gettext`` style); a missing key shows the English text (a test fails on it).

The language follows the jurisdiction profile (cn → zh, eu → en) unless ``--lang`` says
otherwise. Rendering never evaluates anything from its arguments: placeholders are plain names
with an optional format spec, checked when the catalogue loads, and argument values are
inserted as text (escaping is the renderer's job, as for every other text).

Placeholder specs: a number takes a Python format spec (``{t:.1f}``); a list takes ``list``
(en ", " / zh "、"), ``semi`` (en "; " / zh "；"), ``and`` (en " and " / zh "和"), ``or``,
``space`` (en " " / zh "") or ``qlist`` (each item quoted; en "; ", zh "、"); a text takes ``q``
(quoted: en '…' / zh 「…」).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Union

from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError, InputError

__all__ = [
    "LANGS",
    "Arg",
    "Msg",
    "Term",
    "MessageCatalog",
    "lang_for",
    "check_lang",
    "load_messages",
    "render",
    "term",
    "step_text",
    "category_label",
    "ui",
    "uin",
    "rule_title",
    "finding_text",
    "REASON_TEMPLATES",
    "ERROR_TEMPLATES",
    "reason_text",
    "error_text",
]

LANGS = ("zh", "en")

#: An argument of a message.
Arg = Union[str, int, float, "Msg", "Term", tuple["Arg", ...]]

_JOIN: dict[str, dict[str, str]] = {
    "list": {"en": ", ", "zh": "、"},
    "qlist": {"en": "; ", "zh": "、"},
    "semi": {"en": "; ", "zh": "；"},
    "and": {"en": " and ", "zh": "和"},
    "or": {"en": " or ", "zh": "或"},
    "space": {"en": " ", "zh": ""},
}
_QUOTE = {"en": ("'", "'"), "zh": ("「", "」")}
_TEXT_SPECS = frozenset({"", "q"})
_MAX_DEPTH = 8


def lang_for(jurisdiction: str, lang: str = "") -> str:
    """The report language: ``lang`` when given (zh | en), else zh for cn and en for the rest
    (also for a run with no recorded jurisdiction)."""
    if lang:
        return check_lang(lang)
    return "zh" if jurisdiction == "cn" else "en"


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"report language must be zh or en, not {lang!r}")
    return lang


@dataclass(frozen=True, slots=True)
class Term:
    """A code printed by its glossary name: ``Term("category", "LOCATION")`` → 位置信息 / LOCATION."""

    kind: str
    code: str

    def to_json(self) -> dict[str, str]:
        return {"term": self.kind, "code": self.code}


@dataclass(frozen=True, slots=True)
class Msg:
    """A catalogue message: its key and its arguments (name, value) in a fixed order."""

    key: str
    args: tuple[tuple[str, Arg], ...] = ()

    @classmethod
    def of(cls, key: str, **args: Any) -> Msg:
        return cls(key, tuple((k, _freeze(v)) for k, v in args.items()))

    def arg(self, name: str) -> Arg | None:
        return next((v for k, v in self.args if k == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.key, "args": {k: _to_json(v) for k, v in self.args}}

    @classmethod
    def from_json(cls, value: Any, depth: int = 0) -> Msg:
        """The message of a ``message_id`` / ``message_args`` pair or nested ``{"id", "args"}``
        (ValueError when malformed: a run folder is data)."""
        if depth > _MAX_DEPTH or not isinstance(value, Mapping):
            raise ValueError("message: not an object (or nested too deeply)")
        key = value.get("id")
        args = value.get("args", {})
        if not isinstance(key, str) or not isinstance(args, Mapping):
            raise ValueError("message: needs a string id and an args object")
        return cls(key, tuple((str(k), _from_json(v, depth + 1)) for k, v in args.items()))


def _freeze(v: Any) -> Arg:
    if isinstance(v, (Msg, Term, str)):
        return v
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if v is None:
        return ""
    return str(v)


def _to_json(v: Arg) -> Any:
    if isinstance(v, (Msg, Term)):
        return v.to_json()
    if isinstance(v, tuple):
        return [_to_json(x) for x in v]
    return v


def _from_json(v: Any, depth: int) -> Arg:
    if depth > _MAX_DEPTH:
        raise ValueError("message arguments nested too deeply")
    if isinstance(v, Mapping):
        if "term" in v:
            return Term(str(v.get("term", "")), str(v.get("code", "")))
        return Msg.from_json(v, depth)
    if isinstance(v, list):
        return tuple(_from_json(x, depth + 1) for x in v)
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, float, str)):
        return v
    return str(v)


# -- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageCatalog:
    """The loaded catalogue: messages and terms in both languages, the UI wording in zh."""

    messages: Mapping[str, Mapping[str, str]]
    terms: Mapping[str, Mapping[str, Mapping[str, str]]]
    ui: Mapping[str, str]

    def message(self, key: str, lang: str) -> str | None:
        entry = self.messages.get(key)
        return None if entry is None else entry[lang]

    def term(self, kind: str, code: str, lang: str) -> str:
        if kind == "step_message":
            return step_text(code, lang)
        entry = self.terms.get(kind, {}).get(code)
        if entry is None:
            return code
        return entry.get(lang) or code


def _placeholders(text: str, where: str) -> list[tuple[str, str]]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise CatalogError(f"{where}: bad placeholder: {exc}") from None
    out = []
    for _lit, name, spec, conv in parsed:
        if name is None:
            continue
        if not name.isidentifier() or conv:
            raise CatalogError(f"{where}: placeholder {{{name}}} must be a plain name (no index, attribute or conversion)")
        if spec and "{" in spec:
            raise CatalogError(f"{where}: nested placeholder in the spec of {{{name}}}")
        out.append((name, spec or ""))
    return out


def _check_pair(entry: Any, where: str) -> dict[str, str]:
    if not isinstance(entry, Mapping) or set(entry) != set(LANGS):
        raise CatalogError(f"{where}: needs exactly the wordings zh and en")
    texts = {lang: entry[lang] for lang in LANGS}
    for lang, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{where}.{lang}: empty or not a text")
    names = {lang: {n for n, _s in _placeholders(t, f"{where}.{lang}")} for lang, t in texts.items()}
    if not names["zh"] <= names["en"]:
        raise CatalogError(f"{where}: zh uses placeholders the en wording has not ({sorted(names['zh'] - names['en'])})")
    return texts


def parse_catalog(data: Any, ui_data: Any, where: str = "messages.yaml") -> MessageCatalog:
    """Validate the catalogue data (CatalogError naming the entry)."""
    if not isinstance(data, Mapping) or data.get("schema") != 1:
        raise CatalogError(f"{where}: schema must be 1")
    msgs = data.get("messages")
    terms = data.get("terms")
    if not isinstance(msgs, Mapping) or not isinstance(terms, Mapping):
        raise CatalogError(f"{where}: needs 'messages' and 'terms' maps")
    messages = {str(k): _check_pair(v, f"{where}: messages.{k}") for k, v in msgs.items()}
    out_terms: dict[str, dict[str, dict[str, str]]] = {}
    for kind, codes in terms.items():
        if not isinstance(codes, Mapping):
            raise CatalogError(f"{where}: terms.{kind} must be a map")
        out_terms[str(kind)] = {}
        for code, entry in codes.items():
            w = f"{where}: terms.{kind}.{code}"
            if not isinstance(entry, Mapping) or "zh" not in entry or not set(entry) <= set(LANGS):
                raise CatalogError(f"{w}: needs a zh wording (en optional: the code itself)")
            if not all(isinstance(x, str) and x.strip() for x in entry.values()):
                raise CatalogError(f"{w}: empty wording")
            out_terms[str(kind)][str(code)] = {str(k): str(v) for k, v in entry.items()}
    if not isinstance(ui_data, Mapping) or ui_data.get("schema") != 1 or not isinstance(ui_data.get("ui"), Mapping):
        raise CatalogError("report_ui.yaml: schema must be 1, with a 'ui' map")
    ui_map: dict[str, str] = {}
    for en, zh in ui_data["ui"].items():
        w = f"report_ui.yaml: ui.{en!r}"
        if not isinstance(en, str) or not isinstance(zh, str) or not zh.strip():
            raise CatalogError(f"{w}: needs a zh text")
        if not {n for n, _s in _placeholders(zh, w)} <= {n for n, _s in _placeholders(en, w)}:
            raise CatalogError(f"{w}: zh uses placeholders the en text has not")
        ui_map[en] = zh
    return MessageCatalog(messages, out_terms, ui_map)


@lru_cache(maxsize=1)
def load_messages() -> MessageCatalog:
    """The packaged catalogue (cached)."""
    base = resources.files("harness.catalog")
    data = parse_yaml(base.joinpath("messages.yaml").read_text(encoding="utf-8"), "messages.yaml")
    ui_data = parse_yaml(base.joinpath("report_ui.yaml").read_text(encoding="utf-8"), "report_ui.yaml")
    return parse_catalog(data, ui_data)


# -- rendering ----------------------------------------------------------------------------------


class _Formatter(string.Formatter):
    def __init__(self, cat: MessageCatalog, lang: str, depth: int) -> None:
        super().__init__()
        self.cat, self.lang, self.depth = cat, lang, depth

    def format_field(self, value: Any, format_spec: str) -> str:
        return _value(value, format_spec, self.cat, self.lang, self.depth)


def _value(value: Any, spec: str, cat: MessageCatalog, lang: str, depth: int) -> str:
    if isinstance(value, Msg):
        return render(value, lang, cat, depth + 1)
    if isinstance(value, Term):
        return cat.term(value.kind, value.code, lang)
    if isinstance(value, tuple):
        item_spec = "q" if spec == "qlist" else ""
        sep = _JOIN.get(spec, _JOIN["list"])[lang]
        return sep.join(_value(x, item_spec, cat, lang, depth) for x in value)
    if isinstance(value, str):
        if spec == "q":
            a, b = _QUOTE[lang]
            return f"{a}{value}{b}"
        return value
    if isinstance(value, (int, float)) and spec and spec not in _JOIN and spec not in _TEXT_SPECS:
        try:
            return format(value, spec)
        except ValueError:
            return str(value)
    return str(value)


def render(msg: Msg, lang: str, cat: MessageCatalog | None = None, depth: int = 0) -> str:
    """The message in ``lang``; '' when its key is not in the catalogue (a caller then falls back
    to the text stored with the finding). A missing argument prints as '?'."""
    cat = cat or load_messages()
    template = cat.message(msg.key, lang if lang in LANGS else "en")
    if template is None or depth > _MAX_DEPTH:
        return ""
    args = _Args(msg.args)
    return _Formatter(cat, lang, depth).vformat(template, (), args)


class _Args(dict[str, Any]):
    def __init__(self, pairs: Iterable[tuple[str, Arg]]) -> None:
        super().__init__(pairs)

    def __missing__(self, key: str) -> str:
        return "?"


#: What the standard steps record when a step fails (harness/scenarios/steps.py), as patterns:
#: the English text is recorded in the timeline; reports print it in their language.
_STEP_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"'(?P<name>[^']*)': expected '(?P<expect>[^']*)' not on screen \(screen reads as '(?P<kind>[^']*)'\)"), "step.expected_missing"),
    (re.compile(r"'(?P<name>[^']*)': the app is no longer in front \((?P<package>[^)]*)\)"), "step.app_gone"),
    (re.compile(r"no privacy-policy prompt seen within (?P<wait>[0-9.]+) s \(screen reads as '(?P<kind>[^']*)'\)"), "step.no_prompt"),
    (re.compile(r"the function was not reached"), "step.not_reached"),
)
_STEP_PREFIX = "basic function blocked: "


def step_text(text: str, lang: str) -> str:
    """A failed step's recorded message in ``lang``: the known parts of the standard steps'
    wording translated, anything else (app texts, other messages) kept as recorded."""
    if lang != "zh" or not text:
        return text
    cat = load_messages()
    body = text
    prefix = ""
    if body.startswith(_STEP_PREFIX):
        body = body[len(_STEP_PREFIX) :]
        prefix = render(Msg.of("step.blocked"), lang, cat)
    parts = []
    for part in body.split("; "):
        for pat, key in _STEP_PATTERNS:
            m = pat.fullmatch(part.strip()) or pat.match(part.strip())
            if m is not None:
                args: dict[str, Any] = dict(m.groupdict())
                if "kind" in args:
                    args["kind"] = Term("screen_kind", args["kind"])
                rest = part.strip()[m.end() :]
                part = render(Msg.of(key, **args), lang, cat) + rest
                break
        parts.append(part)
    return prefix + "；".join(parts)


def term(kind: str, code: str, lang: str) -> str:
    """The glossary name of a code (the code itself when the glossary has none)."""
    return load_messages().term(kind, code, lang)


def category_label(code: str, lang: str) -> str:
    """A finding's ``category`` cell: a data category, or permission group(s) joined by commas,
    by their glossary names (the code itself in en)."""
    if lang != "zh" or not code:
        return code
    terms = load_messages().terms
    names = [terms["category"][c]["zh"] if c in terms.get("category", {}) else term("group", c, lang) for c in code.split(",")]
    return "、".join(names)


def ui(text: str, lang: str, /, **args: Any) -> str:
    """A fixed report text in ``lang`` (keyed by its English wording), arguments filled in."""
    cat = load_messages()
    template = cat.ui.get(text, text) if lang == "zh" else text
    if not args:
        return template
    return _Formatter(cat, lang, 0).vformat(template, (), _Args((k, _freeze(v)) for k, v in args.items()))


def uin(singular: str, plural: str, n: int, lang: str, /, **args: Any) -> str:
    """``ui`` with an English plural: the zh wording is keyed by the singular."""
    if lang == "zh":
        return ui(singular, lang, n=n, **args)
    return ui(singular if n == 1 else plural, lang, n=n, **args)


def rule_title(rule_id: str, lang: str, stored: str = "") -> str:
    """A rule's title in ``lang`` (the cn wording in zh, the eu wording in en). A ``stored``
    title that is none of the rule's catalogue wordings (a plug-in's or an edited one) is kept."""
    from harness.catalog.rules import load_rules

    cat = load_rules()
    rule = cat.rules.get(rule_id)
    if rule is None or (stored and stored not in rule.titles.values()):
        return stored
    return rule.title("cn" if lang == "zh" else "eu") or stored


def finding_text(message_id: str, args: Mapping[str, Any] | None, lang: str, fallback: str) -> str:
    """A stored finding message in ``lang`` from its machine fields ('' id or an unknown key:
    ``fallback``, the text stored with the finding)."""
    if not message_id:
        return fallback
    try:
        msg = Msg.from_json({"id": message_id, "args": dict(args or {})})
    except ValueError:
        return fallback
    return render(msg, lang) or fallback



# -- recorded English texts shown in reports ------------------------------------------------------
#
# The recogniser's reasons (``ScreenReading.reasons``) and the harness's error records are
# recorded in English (a run folder is a record, read the same whatever the report language).
# A report prints them in its language: each known wording below is an English template whose zh
# wording is in catalog/report_ui.yaml (keyed by the template, like every report text); a recorded
# text that matches one is printed in zh with its values (app texts, ids, numbers) unchanged.
# Anything else (an exception's text, an agent's message, a wording added later) is printed as
# recorded. Tests check that every template here has a zh wording, and that every reason the
# recogniser writes (harness/consent_ui/reader.py) is one of them.

#: What the recogniser says raised or lowered a screen kind's score, and why a control got its role.
REASON_TEMPLATES: tuple[str, ...] = (
    "AOSP permission button id '{id}'",
    "permission dialog id '{id}'",
    "package {package}",
    "permission question '{text}'",
    "asks for {group}",
    "allow and deny buttons",
    "while-using / one-time / don't-ask-again choice",
    "rationale text '{text}'",
    "names a permission",
    "permission question from the app itself ({package})",
    "go-to-settings button",
    "not-now button",
    "go-ahead button",
    "no way on but out of the app",
    "the app's own dialog names a permission ({named}) and offers go-ahead / not-now",
    "a permission package's dialog naming {what}",
    "privacy title '{text}'",
    "policy reference '{text}'",
    "several policy references",
    "privacy wording '{text}'",
    "agree button",
    "acknowledge / continue button",
    "refusal or browse option",
    "agreement checkbox",
    "implied-consent notice with a browse-only option",
    "implied-consent notice answered only by acknowledging it",
    "long body text",
    "login fields",
    "consent-management SDK id or package",
    "CMP wording '{text}' ({n} kinds)",
    "CMP heading '{text}'",
    "CMP choices {choices}",
    "{n} purpose/vendor toggles",
    "{n} switches with 'accept all' and 'save selection'",
    "accept / OK button",
    "reject button",
    "still-decline button",
    "second-confirm wording '{text}'",
    "go-back / think-again button",
    "decline-and-exit button",
    "short text",
    "long text (a policy, not a prompt)",
    "policy reference",
    "demands agreement and offers one answer",
    "login button",
    "several login options",
    "login field '{text}'",
    "text field",
    "login wording '{text}'",
    "implied-consent text",
    "browse / skip option",
    "appeared right after a decline",
    "the privacy prompt again, right after a decline",
    "not a wall: one optional sign-in among {n} other ways on",
    # why a control has its role
    "id {id}",
    "label class {cls}",
    "id class {cls}",
    "bracket class {cls}",
    "class {cls}",
    "acknowledgement beside go-to-settings dismisses the notice",
    "save with every purpose off",
    "save keeps {n} pre-ticked purpose(s)",
    # the reading as a whole
    "no consent-screen pattern passed its test",
    "no consent-screen pattern passed its test (closest: {closest})",
    "more than {n} controls; the rest not read",
    "text budget of {n} characters reached; later text not searched",
    "a modal covers the page: {n} nodes underneath set aside",
    "more than {n} checkboxes; the rest not read",
    "{n} image(s) read as tick boxes (state from content-desc, resource id or 'selected')",
    "only an acknowledgement (OK / 好的 / 我知道了) and no way to decline",
    "{n} consent box(es) pre-ticked",
    "decline is styled as a link while accept is a button",
)

#: The harness's own error-record wordings (the timeline, the sources, the steps).
ERROR_TEMPLATES: tuple[str, ...] = (
    "{n} event(s) could not be recorded: {error}",
    "{failures} emit(s) failed during the run, {lost} event(s) lost; {unreported} failure(s) could not be recorded when they happened; last: {error}",
    "event budget reached ({events} events or {size} bytes): later instrumentation events are counted, not stored",
    "{n} event(s) past the event budget were counted, not stored: {top}",
    "{n} event(s) held text that UTF-8 cannot carry (lone UTF-16 surrogates); recorded with U+FFFD in its place",
    "batch over {limit} events: {n} dropped",
    "{n} more malformed events in this batch",
    "final flush failed: {error}",
    "session lost: {reason}",
    "on_process_event: {error}",
    "reading flows: {error}",
    "finishing network capture: {error}",
    "flow record is not an object",
    "unreadable line in flows.jsonl",
    "no accept control on the privacy prompt",
    "second-confirm prompt offers no way to keep the refusal",
    "the consent switches did not turn off when tapped",
    "no control for '{choice}' on the {group} dialog",
    "no way to refuse the consent-management dialog (path so far: {path})",
    "the personalisation switch '{label}' did not read as off after the tap",
    "the personalisation switch found by explore ({path}) could not be reached again",
    "the {kind} did not change after the standing '{answer}' answer; not answering it again",
)


def _template_regex(template: str) -> re.Pattern[str]:
    out = ""
    for lit, name, _spec, _conv in string.Formatter().parse(template):
        out += re.escape(lit)
        if name is not None:
            out += f"(?P<{name}>.+?)" if name not in ("n", "failures", "lost", "unreported", "events", "size", "limit") else f"(?P<{name}>[0-9]+)"
    return re.compile(out, re.S)


@lru_cache(maxsize=2)
def _compiled(which: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    templates = REASON_TEMPLATES if which == "reason" else ERROR_TEMPLATES
    return tuple((t, _template_regex(t)) for t in templates)


def _from_templates(text: str, which: str) -> str | None:
    """``text`` in zh when it is one of the templates (its values kept), else None."""
    for template, rx in _compiled(which):
        m = rx.fullmatch(text)
        if m is not None:
            return ui(template, "zh", **m.groupdict())
    return None


_REASON_SCORE = re.compile(r"(?P<kind>[a-z_]+) (?P<pts>[+-][0-9.]+) (?P<why>.+)", re.S)
_REASON_CONTROL = re.compile(r"control '(?P<label>.*)' -> (?P<role>[a-z_]+) \((?P<why>.*)\)", re.S)
_REASON_RUNNER_UP = re.compile(r"runner-up (?P<kind>[a-z_]+) scored (?P<a>[0-9.+-]+) vs (?P<b>[0-9.+-]+)")


def reason_text(text: str, lang: str) -> str:
    """One of the recogniser's recorded reasons in ``lang`` (see above: known wordings in zh, the
    rest as recorded)."""
    if lang != "zh" or not text:
        return text
    m = _REASON_SCORE.fullmatch(text)
    if m is not None and m["kind"] in load_messages().terms.get("screen_kind", {}):
        why = _from_templates(m["why"], "reason")
        if why is not None:
            return ui("{kind}: {points} for {why}", "zh", kind=term("screen_kind", m["kind"], "zh"), points=m["pts"], why=why)
    m = _REASON_CONTROL.fullmatch(text)
    if m is not None:
        why = _from_templates(m["why"], "reason")
        return ui("control '{label}' -> {role} ({why})", "zh", label=m["label"], role=term("role", m["role"], "zh"), why=why if why is not None else m["why"])
    m = _REASON_RUNNER_UP.fullmatch(text)
    if m is not None:
        return ui("runner-up {kind} scored {a} vs {b}", "zh", kind=term("screen_kind", m["kind"], "zh"), a=m["a"], b=m["b"])
    return _from_templates(text, "reason") or text


def error_text(text: str, lang: str) -> str:
    """A recorded error record's message in ``lang`` (the harness's own wordings in zh, a failed
    step's through :func:`step_text`, anything else as recorded)."""
    if lang != "zh" or not text:
        return text
    translated = _from_templates(text, "error")
    return translated if translated is not None else step_text(text, lang)

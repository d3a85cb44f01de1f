"""The consent-UI lexicon: loading, validation and fast matching of ``lexicon.yaml``.

The recogniser never hard-codes a word: every label phrase, text pattern, resource id and
package it reads a screen with lives in ``lexicon.yaml`` beside this module (house habit 7).
This module checks that file against its schema once, compiles it into a few large regular
expressions (one scan per label, one per signal group) and answers two questions fast:

- :meth:`Lexicon.label_class` -- which class ("pos", "neg", "allow_fg", ...) a control's label
  belongs to, by the longest phrase it contains;
- :meth:`Lexicon.signals` -- which signal patterns (privacy title, CMP text, implied consent...)
  a piece of screen text matches.

A lexicon with unknown sections, unknown classes, a phrase listed under two classes or a regular
expression that does not compile is refused with :class:`harness.errors.CatalogError`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError

__all__ = [
    "LABEL_CLASSES",
    "SIGNAL_GROUPS",
    "Lexicon",
    "LabelMatch",
    "load_lexicon",
    "lexicon",
    "normalise_text",
    "normalise_label",
]

#: Label classes the lexicon must define (and may not exceed), in tie-break order.
LABEL_CLASSES: tuple[str, ...] = (
    "deny_dont_ask", "dont_ask", "allow_fg", "allow_once", "allow_always", "pos_all", "neg_all",
    "no_consent", "still_neg", "neg_exit", "logout", "browse", "neg", "deny", "think", "back", "pos",
    "consent", "save", "manage", "settings", "learn", "policy", "login", "allow", "ack", "cont",
    "cancel", "later", "close",
)

#: Signal groups searched in screen text.
SIGNAL_GROUPS: tuple[str, ...] = (
    "privacy_title", "privacy_body", "policy_ref", "cmp", "second_confirm", "rationale", "login",
    "implied", "agreement", "consent_context", "necessary_toggle", "legitimate_interest_toggle", "permission_question", "login_field", "field_label",
    "guest_label", "refuse_label", "save_label", "negated_label", "agree_and_label", "refuse_verb_label",
    "box_word", "box_checked", "box_unchecked", "box_id", "box_id_checked", "box_id_unchecked",
)

_PERMISSION_ROLES = frozenset({"allow_always", "allow_foreground", "allow_once", "deny", "deny_dont_ask", "other"})
_TOP_KEYS = frozenset({"schema", "labels", "id_hints", "permission_ids", "packages", "signals", "permission_groups", "toggle_states", "languages"})

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RE_COUNTDOWN = re.compile(r"[(\[]\s*\d{1,3}\s*(s|秒)?\s*[)\]]|\b\d{1,3}\s*(s|秒)\s*$")
_RE_PUNCT = re.compile(r"[\s,.;:!?、，。；：！？·•…\"'“”‘’「」『』()\[\]{}<>/\\|~_*#+=-]+")
_RE_SPACE_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_RE_WS = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
                         # bidirectional marks and embeddings (right-to-left screens carry them)
                         "\u200e": "", "\u200f": "", "\u061c": "", "\u202a": "", "\u202b": "", "\u202c": "", "\u202d": "",
                         "\u202e": "", "\u2066": "", "\u2067": "", "\u2068": "", "\u2069": ""})


def normalise_text(text: str) -> str:
    """Screen text as the signal patterns see it: NFKC, lower case, straight quotes, single spaces."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _RE_WS.sub(" ", t).strip()


def normalise_label(text: str) -> str:
    """A control label as the label phrases see it (see the header of lexicon.yaml)."""
    t = normalise_text(text).replace("&", " and ")
    t = _RE_COUNTDOWN.sub(" ", t)
    # keep apostrophes inside words ("don't"), drop every other punctuation mark
    t = t.replace("'", "\u0001")
    t = _RE_PUNCT.sub(" ", t).replace("\u0001", "'")
    t = _RE_SPACE_CJK.sub("", t)
    return _RE_WS.sub(" ", t).strip()


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """The class a label was read as, and the phrase that decided it."""

    cls: str
    phrase: str


def _is_ascii(s: str) -> bool:
    return all(ord(c) < 128 for c in s)


def _phrase_regex(phrase: str) -> str:
    body = re.escape(phrase)
    if phrase and (phrase[0].isalnum() and ord(phrase[0]) < 128):
        body = r"(?<![a-z0-9'])" + body
    if phrase and (phrase[-1].isalnum() and ord(phrase[-1]) < 128):
        body = body + r"(?![a-z0-9'])"
    return body


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise CatalogError(f"lexicon.yaml: {where}: bad regular expression {pattern!r}: {e}") from e


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(f"lexicon.yaml: {where} must be a list of non-empty strings")
    return [str(v) for v in value]


class Lexicon:
    """A validated, compiled lexicon.  Build it with :func:`load_lexicon` or :func:`lexicon`."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise CatalogError("lexicon.yaml: top level must be a mapping")
        unknown = set(data) - _TOP_KEYS
        if unknown:
            raise CatalogError(f"lexicon.yaml: unknown section(s) {sorted(unknown)}")
        if data.get("schema") != 1:
            raise CatalogError("lexicon.yaml: 'schema' must be 1")
        self._load_labels(data.get("labels"))
        self._load_id_hints(data.get("id_hints"))
        self._load_permission_ids(data.get("permission_ids"))
        self._load_packages(data.get("packages"))
        self._load_signals(data.get("signals"))
        self._load_groups(data.get("permission_groups"))
        self._load_languages(data.get("languages"))
        self.toggle_states = frozenset(normalise_text(t) for t in _str_list(data.get("toggle_states"), "toggle_states"))

    # -- loading ---------------------------------------------------------------------------
    def _load_labels(self, labels: Any) -> None:
        if not isinstance(labels, Mapping):
            raise CatalogError("lexicon.yaml: 'labels' must map class -> phrases")
        unknown = set(labels) - set(LABEL_CLASSES)
        missing = set(LABEL_CLASSES) - set(labels)
        if unknown or missing:
            raise CatalogError(f"lexicon.yaml: labels: unknown classes {sorted(unknown)}, missing classes {sorted(missing)}")
        self.phrase_class: dict[str, str] = {}
        self.class_rank: dict[str, int] = {c: i for i, c in enumerate(LABEL_CLASSES)}
        for cls in LABEL_CLASSES:
            for raw in _str_list(labels[cls], f"labels.{cls}"):
                phrase = normalise_label(raw)
                if not phrase:
                    raise CatalogError(f"lexicon.yaml: labels.{cls}: phrase {raw!r} is empty after normalising")
                other = self.phrase_class.get(phrase)
                if other is not None and other != cls:
                    raise CatalogError(f"lexicon.yaml: phrase {raw!r} is listed under both {other!r} and {cls!r}")
                self.phrase_class[phrase] = cls
        # one alternation, longest phrases first so each position yields its longest phrase
        ordered = sorted(self.phrase_class, key=lambda p: (-len(p), p))
        self._label_re = re.compile("|".join(f"(?:{_phrase_regex(p)})" for p in ordered))

    def _load_id_hints(self, hints: Any) -> None:
        if not isinstance(hints, list):
            raise CatalogError("lexicon.yaml: 'id_hints' must be a list of [regex, class] pairs")
        self.id_hints: list[tuple[re.Pattern[str], str]] = []
        for i, item in enumerate(hints):
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
                raise CatalogError(f"lexicon.yaml: id_hints[{i}] must be [regex, class]")
            if item[1] not in LABEL_CLASSES:
                raise CatalogError(f"lexicon.yaml: id_hints[{i}]: unknown class {item[1]!r}")
            self.id_hints.append((_compile(item[0], f"id_hints[{i}]"), item[1]))

    def _load_permission_ids(self, ids: Any) -> None:
        if not isinstance(ids, Mapping) or not isinstance(ids.get("buttons"), Mapping):
            raise CatalogError("lexicon.yaml: 'permission_ids.buttons' must map id -> role")
        self.permission_buttons: dict[str, str] = {}
        for rid, role in ids["buttons"].items():
            if role not in _PERMISSION_ROLES:
                raise CatalogError(f"lexicon.yaml: permission_ids.buttons.{rid}: role {role!r} is not a permission role")
            self.permission_buttons[str(rid)] = str(role)
        self.permission_structure = frozenset(_str_list(ids.get("structure"), "permission_ids.structure"))

    def _load_packages(self, pk: Any) -> None:
        if not isinstance(pk, Mapping):
            raise CatalogError("lexicon.yaml: 'packages' must be a mapping")
        self.permission_packages = frozenset(_str_list(pk.get("permission"), "packages.permission"))
        self.system_prefixes = tuple(_str_list(pk.get("system_prefixes"), "packages.system_prefixes"))
        self.system_ui = frozenset(_str_list(pk.get("system_ui"), "packages.system_ui"))
        cmp_sdk = pk.get("cmp_sdk")
        if not isinstance(cmp_sdk, str):
            raise CatalogError("lexicon.yaml: packages.cmp_sdk must be a regular expression")
        self.cmp_sdk_re = _compile(cmp_sdk, "packages.cmp_sdk")

    def _load_signals(self, sig: Any) -> None:
        if not isinstance(sig, Mapping):
            raise CatalogError("lexicon.yaml: 'signals' must map group -> patterns")
        unknown = set(sig) - set(SIGNAL_GROUPS)
        missing = set(SIGNAL_GROUPS) - set(sig)
        if unknown or missing:
            raise CatalogError(f"lexicon.yaml: signals: unknown groups {sorted(unknown)}, missing groups {sorted(missing)}")
        self.signal_patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
        self._signal_re: dict[str, re.Pattern[str]] = {}
        self._joined: dict[str, tuple[re.Pattern[str], ...]] = {}
        for group in SIGNAL_GROUPS:
            pats = _str_list(sig[group], f"signals.{group}")
            for p in pats:
                if "\\s" in p or "\\S" in p or "\n" in p:
                    raise CatalogError(f"lexicon.yaml: signals.{group}: {p!r}: use a literal space, not \\s or newlines")
            compiled = tuple(_compile(p, f"signals.{group}") for p in pats)
            self.signal_patterns[group] = compiled
            self._signal_re[group] = _compile("|".join(f"(?:{p})" for p in pats), f"signals.{group}")
            # each pattern alone over all texts joined by newlines (a lone pattern keeps the regex
            # engine's fast literal-prefix scan, an alternation of them does not); no match may
            # cross a newline
            self._joined[group] = tuple(re.compile(p.replace("[^", "[^\n"), re.MULTILINE) for p in pats)

    def _load_groups(self, groups: Any) -> None:
        from harness.catalog.permissions import GROUPS

        if not isinstance(groups, Mapping):
            raise CatalogError("lexicon.yaml: 'permission_groups' must map group -> keywords")
        unknown = set(groups) - set(GROUPS)
        if unknown:
            raise CatalogError(f"lexicon.yaml: permission_groups: {sorted(unknown)} not in harness/catalog/permissions.yaml")
        self.group_res: list[tuple[str, re.Pattern[str]]] = []
        for g, words in groups.items():
            alts = "|".join(f"(?:{w})" if not _is_ascii(w) else rf"(?:\b{w}\b)" for w in _str_list(words, f"permission_groups.{g}"))
            self.group_res.append((str(g), _compile(alts, f"permission_groups.{g}")))

    def _load_languages(self, langs: Any) -> None:
        if not isinstance(langs, Mapping) or "en" not in langs:
            raise CatalogError("lexicon.yaml: 'languages' must map language -> stop words and include 'en'")
        self.stopwords: dict[str, frozenset[str]] = {str(k): frozenset(_str_list(v, f"languages.{k}")) for k, v in langs.items()}

    # -- matching --------------------------------------------------------------------------
    def label_class(self, label: str) -> LabelMatch | None:
        """The class of a control label, or None.  ``label`` must already be normalised."""
        return _label_class_cached(self, label)

    def _label_class(self, label: str) -> LabelMatch | None:
        if not label:
            return None
        exact = self.phrase_class.get(label)
        if exact is not None:
            return LabelMatch(exact, label)
        best: tuple[int, int, str] | None = None
        for m in self._label_re.finditer(label):
            p = m.group(0)
            cls = self.phrase_class[p]
            key = (-len(p), self.class_rank[cls], p)
            if best is None or key < best:
                best = key
        if best is None:
            return None
        phrase = best[2]
        if len(phrase) * 3 < len(label):
            return None
        return LabelMatch(self.phrase_class[phrase], phrase)

    def id_class(self, local_id: str) -> str | None:
        """The class hinted by a resource id's local name (lower case), or None."""
        for rx, cls in self.id_hints:
            if rx.search(local_id):
                return cls
        return None

    def signal(self, group: str, text: str) -> re.Match[str] | None:
        """First match of a signal group in normalised ``text``."""
        return self._signal_re[group].search(text)

    def signal_all(self, group: str, joined: str) -> list[tuple[int, int, str]]:
        """Every match of a signal group in newline-joined texts: (offset, pattern index, text),
        in offset order."""
        out = [(m.start(), i, m.group(0)) for i, rx in enumerate(self._joined[group]) for m in rx.finditer(joined)]
        out.sort()
        return out

    def signal_hits(self, group: str, text: str) -> list[str]:
        """Distinct patterns of ``group`` that match ``text`` (pattern source strings)."""
        return [p.pattern for p in self.signal_patterns[group] if p.search(text)]

    def permission_group(self, question: str) -> str:
        """The permission group a (normalised) permission question asks for, '' if none."""
        for group, rx in self.group_res:
            if rx.search(question):
                return group
        return ""


@lru_cache(maxsize=8192)
def _label_class_cached(lex: Lexicon, label: str) -> LabelMatch | None:
    return lex._label_class(label)


def load_lexicon(text: str) -> Lexicon:
    """Parse and validate lexicon YAML text (used by tests to prove the schema checks)."""
    return Lexicon(parse_yaml(text, "lexicon.yaml"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The packaged lexicon, loaded and validated once per process."""
    text = resources.files("harness.consent_ui").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return load_lexicon(text)

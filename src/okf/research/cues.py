"""Intent cue tables (YAML data files beside this module) compiled into a word matcher.

Cues are data, not code: ``cues/pt.yaml`` and ``cues/en.yaml`` list the words that speak
for each search intent, with a weight; ``places.yaml`` and ``destinations.yaml`` list
places (local modifier) and sites people navigate to by name. Everything is matched on
whole words after lowercasing and accent folding, so "preço" and "preco" are one cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from okf.text.stem import fold

CUE_DIR = Path(__file__).with_name("cues")
LANGUAGES = ("pt", "en")
_WORD = re.compile(r"[a-z0-9]+(?:[.'’-][a-z0-9]+)*")


def words(text: str) -> tuple[str, ...]:
    """Folded words of a query ("Preço do iPhone?" → ("preco", "do", "iphone"))."""
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True, slots=True)
class Cue:
    """One entry of a table: ``kind`` is intent | opener | brand | question | question_anywhere
    | comparison | local; ``label`` the intent it speaks for (or the modifier)."""

    words: tuple[str, ...]
    kind: str
    label: str
    weight: float
    source: str  # "pt", "en", "brand", "places", "destinations"

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    cue: Cue


class CueTable:
    """Cues indexed by their first word; :meth:`find` returns every match in a query."""

    def __init__(self, cues: Iterable[Cue]) -> None:
        self._by_first: dict[str, list[Cue]] = {}
        for cue in cues:
            if cue.words:
                self._by_first.setdefault(cue.words[0], []).append(cue)

    def find(self, tokens: tuple[str, ...]) -> list[Match]:
        found = []
        for i, token in enumerate(tokens):
            for cue in self._by_first.get(token, ()):
                end = i + len(cue.words)
                if tokens[i:end] == cue.words:
                    found.append(Match(i, end, cue))
        return found

    def extended(self, extra: Iterable[Cue]) -> CueTable:
        table = CueTable(())
        table._by_first = {k: list(v) for k, v in self._by_first.items()}
        for cue in extra:
            if cue.words:
                table._by_first.setdefault(cue.words[0], []).append(cue)
        return table


def _load(name: str) -> dict:
    with (CUE_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"cue file {name} must hold a mapping")
    return data


def _language_cues(lang: str) -> list[Cue]:
    data = _load(f"{lang}.yaml")
    cues: list[Cue] = []
    for section, kind in (("intent", "intent"), ("openers", "opener")):
        for label, by_weight in (data.get(section) or {}).items():
            for weight, entries in by_weight.items():
                cues += [Cue(words(e), kind, label, float(weight), lang) for e in entries]
    for modifier, entries in (data.get("modifiers") or {}).items():
        cues += [Cue(words(e), modifier, modifier, 0.0, lang) for e in entries]
    return cues


@cache
def shared_cues() -> tuple[Cue, ...]:
    """Places (local) and well-known destinations (navigational, like a brand)."""
    places = [
        Cue(words(p), "local", "local", 0.0, "places") for p in _load("places.yaml")["places"]
    ]
    dest = _load("destinations.yaml")["destinations"]
    brands = [Cue(words(d), "brand", "navigational", BRAND_WEIGHT, "destinations") for d in dest]
    return tuple(places + brands)


#: What a brand name adds to navigational: alone it decides; a stronger cue beside it
#: ("nubank preço", "nubank review") wins.
BRAND_WEIGHT = 2.0


@cache
def table(lang: str | None) -> CueTable:
    """The cue table of one language, or of both when ``lang`` is None (short queries)."""
    langs = LANGUAGES if lang is None else (lang,)
    cues: list[Cue] = []
    for code in langs:
        if code not in LANGUAGES:
            raise ValueError(f"no intent cues for language {code!r}; have {', '.join(LANGUAGES)}")
        cues += _language_cues(code)
    return CueTable([*cues, *shared_cues()])


def brand_cues(brands: Iterable[str]) -> list[Cue]:
    return [
        Cue(words(b), "brand", "navigational", BRAND_WEIGHT, "brand") for b in brands if words(b)
    ]

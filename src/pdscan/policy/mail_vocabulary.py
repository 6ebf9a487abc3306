"""The mail classifier's vocabulary: categories of words on the personal and the work side.

The bundled categories are in wordlists/mail.toml; policy changes one, or
adds one, under [mail.vocabulary.SIDE.NAME] (weight, words, extra_words).
Words and phrases match whole normalised tokens, so "Mum's" matches "mum"
and "pub" never matches inside "public".
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from .keys import check_keys

BUNDLED = Path(__file__).parent / "wordlists" / "mail.toml"
TEXT_LIMIT = 64 * 1024
SIDES = ("personal", "work")
# Addresses of pages and files are not words anyone wrote: "pub" in /pub/PAUSE is not a pub.
LINKS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|(?<![\w/])(?:/[\w.~%+-]+){2,}/?|<[^<>\s]*/[^<>\s]*>")


def normalise(text: str) -> list:
    """Lower-case word tokens; possessive 's dropped, so "Mum's" matches "mum"."""
    text = text.lower().replace("\u2019", "'")
    tokens = []
    for token in re.findall(r"[a-z0-9][a-z0-9'&+.:@-]*", text):
        token = token.strip(".:'-")
        if token.endswith("'s"):
            token = token[:-2]
        if token:
            tokens.append(token)
    return tokens


@dataclass(frozen=True)
class Category:
    side: str
    name: str
    weight: float
    words: tuple


class Vocabulary:
    """Categories of words and phrases, matched on whole normalised tokens."""

    def __init__(self, categories: list, ambiguous=()):
        self.categories = categories
        self.ambiguous = frozenset(ambiguous)  # count only beside another word of their category
        self.single: dict = {}
        self.phrases: list = []
        for index, cat in enumerate(categories):
            for word in cat.words:
                key = " ".join(normalise(word))
                if not key:
                    continue
                if " " in key:
                    self.phrases.append((key, index, word))
                else:
                    self.single.setdefault(key, []).append((index, word))

    def find(self, text: str) -> dict:
        """Category index → the distinct list entries found in `text`, outside links. A category found
        only by ambiguous words (wordlists `ambiguous`: "mot", "pub") is not found."""
        tokens = normalise(LINKS.sub(" ", text[:TEXT_LIMIT]))
        found: dict = {}
        for token in set(tokens):
            for index, word in self.single.get(token, ()):
                found.setdefault(index, set()).add(word)
        joined = " " + " ".join(tokens) + " "
        for key, index, word in self.phrases:
            if f" {key} " in joined:
                found.setdefault(index, set()).add(word)
        return {index: words for index, words in found.items() if words - self.ambiguous}


def load_vocabulary(changes, where: str = "policy") -> Vocabulary:
    """The bundled categories, with policy [mail.vocabulary] `changes` applied."""
    doc = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    changes = changes or {}
    if not isinstance(changes, dict) or set(changes) - set(SIDES) \
            or not all(isinstance(v, dict) for v in changes.values()):
        raise ConfigError(f"{where}: [mail.vocabulary]: expected tables 'personal' and/or 'work'")
    categories = []
    for side in SIDES:
        merged = {name: dict(body) for name, body in doc.get(side, {}).items()}
        for name, change in (changes.get(side) or {}).items():
            _apply(merged.setdefault(name, {"weight": 1.0, "words": []}), change, where, f"mail.vocabulary.{side}.{name}")
        categories += [Category(side, name, float(body["weight"]), tuple(body["words"]))
                       for name, body in merged.items()]
    return Vocabulary(categories, doc.get("ambiguous", ()))


def _apply(body: dict, change, where: str, section: str) -> None:
    here = f"{where}: [{section}]"
    if not isinstance(change, dict):
        raise ConfigError(f"{here}: expected a table with weight, words, extra_words")
    check_keys(change, ("weight", "words", "extra_words"), where, section)
    for key in ("words", "extra_words"):
        if key in change and not (isinstance(change[key], list) and all(isinstance(w, str) for w in change[key])):
            raise ConfigError(f"{here} {key}: expected a list of strings")
    if "weight" in change:
        if not isinstance(change["weight"], (int, float)) or isinstance(change["weight"], bool):
            raise ConfigError(f"{here} weight: expected a number, got {change['weight']!r}")
        body["weight"] = change["weight"]
    if "words" in change:
        body["words"] = list(change["words"])
    body["words"] = list(body["words"]) + list(change.get("extra_words", []))

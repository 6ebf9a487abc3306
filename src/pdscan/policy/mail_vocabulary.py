"""The mail classifier's vocabulary: categories of words on the personal and the work side.

The bundled categories are in wordlists/mail.toml; policy changes one, or
adds one, under [mail.vocabulary.SIDE.NAME] (weight, words, extra_words).
Words and phrases match whole normalised tokens, so "Mum's" matches "mum"
(and a plural its listed singular, "boarding passes" the phrase "boarding pass")
and "pub" never matches inside "public";
a laughing or loving emoji is a token of its own, since it says as much as
"haha" or "xx". An entry listed in capitals is an acronym and counts only
written in capitals: "SEND" (special educational needs) is not "send". A
category marked `everyday` holds words of work that private life uses as much ("price",
"deadline", "draft"): they count in the score, but do not by themselves make a
mailing or an order look like business mail.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from .keys import check_keys

BUNDLED = Path(__file__).parent / "wordlists" / "mail.toml"
TEXT_LIMIT = 64 * 1024
SIDES = ("personal", "work")
# Addresses of pages and files are not words anyone wrote: "pub" in /pub/PAUSE is not a pub.
LINKS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|(?<![\w/])(?:/[\w.~%+-]+){2,}/?|<[^<>\s]*/[^<>\s]*>")


# Emoji that carry a word's meaning (faces laughing or in love, hearts, kisses, party): each a token.
EMOJI = "\U0001F602\U0001F923\U0001F606\U0001F605\U0001F601\U0001F60D\U0001F618\U0001F970\u2764\U0001F495\U0001F389\U0001F37B\U0001F37A"
TOKEN = re.compile(rf"[a-z0-9][a-z0-9'&+.:@-]*|[{EMOJI}]")


def normalise(text: str) -> list:
    """Lower-case word tokens; possessive 's dropped, so "Mum's" matches "mum"; "40%" reads "40 per cent"."""
    text = text.lower().replace("\u2019", "'").replace("%", " per cent ")
    tokens = []
    for token in TOKEN.findall(text):
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
    everyday: bool = False  # work words private life uses as much: scored, never proof of business


class Vocabulary:
    """Categories of words and phrases, matched on whole normalised tokens."""

    def __init__(self, categories: list, ambiguous=()):
        self.categories = categories
        self.ambiguous = frozenset(ambiguous)  # count only beside another word of their category
        self.single: dict = {}
        self.phrases: dict = {}  # first word -> [(" phrase ", index, entry)]: only phrases whose first word is seen are tried
        self.capitals: dict = {}  # key -> pattern: an entry listed in capitals ("SEND") counts only so written
        for index, cat in enumerate(categories):
            for word in cat.words:
                key = " ".join(normalise(word))
                if " " in key:
                    key = key.replace("-", " ")  # matched on text whose hyphens are spaces
                if not key:
                    continue
                if word.isupper():
                    self.capitals[key] = re.compile(rf"(?<![\w&'-]){re.escape(word)}(?![\w&'-])")
                if " " in key:
                    # A phrase's plural finds it too, as a word's does: "boarding passes", "kit orders".
                    ending = "es" if key.endswith(("s", "x", "ch", "sh")) else "s"
                    plural = () if word.isupper() else (f" {key}{ending} ",)
                    for padded in (f" {key} ", *plural):
                        self.phrases.setdefault(key.split(" ", 1)[0], []).append((padded, index, word))
                else:
                    self.single.setdefault(key, []).append((index, word))

    def find(self, text: str) -> dict:
        """Category index → the distinct list entries found in `text`, outside links. A category found
        only by ambiguous words (wordlists `ambiguous`: "mot", "pub") is not found. A word inside a
        phrase found for the other side is that phrase's: "contract note" is money, not a contract."""
        text = LINKS.sub(" ", text[:TEXT_LIMIT])
        tokens = normalise(text)
        found: dict = {}
        # A listed phrase is found written with hyphens too: "kick off" in "kick-off".
        joined = " " + " ".join(tokens).replace("-", " ") + " "
        inside = {side: Counter() for side in SIDES}  # side -> word -> times inside that side's phrases
        for first in self.phrases.keys() & set(joined.split()):
            for padded, index, word in self.phrases[first]:
                if padded in joined and (padded[1:-1] not in self.capitals or self.capitals[padded[1:-1]].search(text)):
                    found.setdefault(index, set()).add(word)
                    times = joined.count(padded)
                    for part in padded.split():
                        inside[self.categories[index].side][part] += times
        counts = Counter(tokens)
        for token, times in counts.items():
            # A plural finds its listed singular ("lineups": "lineup"); an acronym must be in capitals.
            key = token if token in self.single or not token.endswith("s") else token[:-1]
            for index, word in self.single.get(key, ()):
                other = SIDES[1 - SIDES.index(self.categories[index].side)]
                if times > inside[other][token] and (key not in self.capitals or self.capitals[key].search(text)):
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
        categories += [Category(side, name, float(body["weight"]), tuple(body["words"]), bool(body.get("everyday")))
                       for name, body in merged.items()]
    return Vocabulary(categories, doc.get("ambiguous", ()))


def _apply(body: dict, change, where: str, section: str) -> None:
    here = f"{where}: [{section}]"
    if not isinstance(change, dict):
        raise ConfigError(f"{here}: expected a table with weight, words, extra_words, everyday")
    check_keys(change, ("weight", "words", "extra_words", "everyday"), where, section)
    if "everyday" in change:
        if not isinstance(change["everyday"], bool):
            raise ConfigError(f"{here} everyday: expected true or false, got {change['everyday']!r}")
        body["everyday"] = change["everyday"]
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

"""The compiled core (pdscan_core) against the Python code it stands in for: the same
validator vectors, phonenumbers on every example number and a random sample, masking and
keyed hashing on any text, and whole engines on random documents (identical findings)."""
from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pdscan import privacy
from pdscan.config import bundled
from pdscan.detect import compiled
from pdscan.detect.engine import Engine
from pdscan.detect.loader import load_detectors
from pdscan.detect.validators import REGISTRY
from pdscan.model import Chunk, Columns
from pdscan.native import core

from .test_validators import TABLE

pytestmark = pytest.mark.skipif(core is None, reason="the compiled core is not in use (not installed, or PDSCAN_ENGINE=python)")

SPECS = load_detectors([bundled("detectors")])
KEY = b"c" * 32
PYTHON = Engine(SPECS, KEY, use_compiled=False)
COMPILED = Engine(SPECS, KEY) if core is not None else None
EXAMPLES = [text for spec in SPECS for text in spec.match_examples + spec.no_match_examples]
# Identifier-shaped text: digits, the separators people type, letters of the id formats.
ID_CHARS = st.text(alphabet="0123456789 -+()./ABCDEGHJKLMNPRSTWXYZabcdz@\t", max_size=30)
ANY_TEXT = st.text(max_size=40)


def checked(name):
    return compiled.validator(COMPILED.core, name, REGISTRY[name])


@pytest.mark.parametrize("name,value,expected", [p for p in TABLE if p.values[0] in compiled.COMPILED_VALIDATORS])
def test_published_vectors(name, value, expected):
    assert checked(name)(value) is expected


@pytest.mark.parametrize("name", sorted(compiled.COMPILED_VALIDATORS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(ID_CHARS, ANY_TEXT))
def test_validators_agree_on_any_text(name, text):
    assert checked(name)(text) is REGISTRY[name](text)


def test_validators_agree_on_every_candidate_in_the_examples():
    """Each value a pattern of a compiled validator's detector matches in any example."""
    seen = 0
    for spec in SPECS:
        if spec.validator not in compiled.COMPILED_VALIDATORS:
            continue
        for pattern in spec.patterns:
            regex = re.compile(pattern.regex.encode(), re.IGNORECASE if pattern.ignore_case else 0)
            for text in EXAMPLES:
                for m in regex.finditer(text.encode()):
                    value = m.group(pattern.group).decode()
                    assert checked(spec.validator)(value) is REGISTRY[spec.validator](value), (spec.id, value)
                    seen += 1
    assert seen > 100


def _phone_numbers(rng: random.Random, count: int):
    """Numbers in the shapes the phone patterns match, around real and unused ranges."""
    starts = ["1", "11", "12", "13", "14", "15", "16", "19", "2", "20", "28", "29", "3", "30", "33", "55", "56",
              "7", "70", "71", "74", "75", "76", "77", "78", "79", "7700900", "1632960", "20794", "8", "80",
              "800", "84", "87", "9", "90", "98", "1481", "1534", "1624", "7781", "7624", "4", "6", "0"]
    for _ in range(count):
        body = rng.choice(starts)
        body += "".join(rng.choice("0123456789") for _ in range(rng.choice([8, 9, 9, 9, 10, 11]) - len(body) + 1))
        groups, i = [], 0
        while i < len(body):
            step = rng.choice([2, 3, 4, 4, 6, 11])
            groups.append(body[i:i + step])
            i += step
        sep = rng.choice([" ", "-", "", " "])
        prefix = rng.choice(["0", "0", "+44", "+44 ", "+44 (0)", "+44(0)", "0044 ", "00 44 ", "", "+1 ", "(0"])
        number = prefix + sep.join(groups)
        if prefix == "(0":
            number = f"(0{groups[0]}) {' '.join(groups[1:])}"
        yield number


def test_uk_phone_agrees_with_phonenumbers_on_a_random_sample():
    """phonenumbers (the reference) against the compiled numbering plan: 20,000 numbers;
    most are decided by the core, not handed back."""
    check = COMPILED.core.check
    decided = 0
    for number in _phone_numbers(random.Random(18), 20000):
        code = check("uk_phone", number)
        if code < 3:
            decided += 1
            assert (False, True, None)[code] is REGISTRY["uk_phone"](number), number
    assert decided > 15000


def test_uk_phone_agrees_on_every_number_in_the_examples():
    phone = next(s for s in SPECS if s.id == "uk.phone")
    numbers = {m.group().decode() for p in phone.patterns for text in EXAMPLES
               for m in re.finditer(p.regex.encode(), text.encode())}
    assert len(numbers) >= 10
    for number in sorted(numbers):
        assert checked("uk_phone")(number) is REGISTRY["uk_phone"](number), number


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(ID_CHARS, ANY_TEXT, st.text(alphabet="ab@.-_ \x1c\u00a0é", max_size=30)),
       style=st.sampled_from(["default", "email", "name", "keep"]))
def test_mask_and_keyed_hash_agree_with_python(text, style):
    assert privacy.mask(text, style) == privacy.python_mask(text, style)
    assert privacy.keyed_hash("uk.nhs", text, KEY) == privacy.python_keyed_hash("uk.nhs", text, KEY)


def test_the_identifier_patterns_all_run_in_the_core():
    """Only patterns the core cannot run stay with Python's re: look-ahead (names, special
    categories) and a back-reference (a date whose two separators must be the same)."""
    patterns = COMPILED.text_patterns + [c for cs in COMPILED.near_patterns.values() for c in cs]
    left = [c for c in patterns if id(c) not in COMPILED.in_core]
    assert {SPECS[c.detector].category for c in left if "\\1" not in c.spec.regex} <= {"name", "special"}, \
        [c.spec.name for c in left]


FRAGMENTS = EXAMPLES + ["\n", " ", ", ", "\t", "Tel", "NHS", "ULN:", "DOB", "account", "0", "07911", "SW1A",
                        "Mr", "Dear", "Name:", "O'Brien", "Zoë", "ADHD", "ADHD.", "SEN-", ".", "@", "-", "x"]


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), ID_CHARS, ANY_TEXT), max_size=25),
       joint=st.sampled_from([" ", "", "\n"]),
       header=st.sampled_from([None, "NHS number", "Phone", "Account no", "ULN", "Name"]))
def test_engines_find_the_same_on_random_documents(parts, joint, header):
    data = joint.join(parts).encode("utf-8")
    assert COMPILED.scan(Chunk(data)) == PYTHON.scan(Chunk(data))
    assert COMPILED.scan(Chunk(data, header=header)) == PYTHON.scan(Chunk(data, header=header))
    table = b"Name\tNHS number\tPhone\n" + data.replace(b",", b"\t")
    columns = Columns(("Name", "NHS number", "Phone"))
    assert COMPILED.scan(Chunk(table, columns=columns)) == PYTHON.scan(Chunk(table, columns=columns))


# A class list: one person per row from two name columns, a special category that needs a
# person in reach, dates of birth keyed in ISO form, a reference column that passes the ULN
# check only by chance.
ROSTER = ("Forename", "Surname", "Preferred name", "Date of birth", "Ethnicity", "Medical conditions", "ULN", "Mobile")


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.sampled_from(FRAGMENTS + ["Aisha", "KHAN", "O'Neil", "12/03/2005",
                                                                      "White British", "Asthma", "1234567890"]),
                                        ID_CHARS), min_size=1, max_size=len(ROSTER)), max_size=8),
       sparse=st.booleans())
def test_engines_find_the_same_in_tables_of_people(rows, sparse):
    body = "\n".join("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) for row in rows)
    table = ("\t".join(ROSTER) + "\n" + body).encode("utf-8")
    columns = Columns(ROSTER, sparse=sparse)
    assert COMPILED.scan(Chunk(table, columns=columns)) == PYTHON.scan(Chunk(table, columns=columns))


@pytest.mark.parametrize("regex,text", [
    (r"\b(?:ADHD|AD)\b(?![.@-]\w)", "AD.x ADHD-1 ADHD. AD-HD ADHD@x.com AD"),
    (r"(?<![\w-])[A-Z][a-z]+(?:[ ][A-Z][a-z]+)?(?![a-z0-9])", "Jo Bloggs5 Ann Lee-Smith Zed Al9 -Bo"),
    (r"(?<!#)\b\d{3}(?:-\d{3})?(?!\d)", "#123 123-4567 123-456 12345 999"),
])
def test_look_arounds_the_core_rewrites_match_as_re_does(regex, text):
    from pdscan.detect.spec import parse_detector
    spec = parse_detector({"id": "test.shape", "name": "Shape", "category": "identifier",
                           "patterns": [{"name": "shape", "regex": regex, "confidence": "low"}],
                           "examples": {"match": ["x"], "no_match": ["y"]}}, "inline", 0, REGISTRY)
    fast, slow = Engine([spec], KEY), Engine([spec], KEY, use_compiled=False)
    assert fast.in_core, "the core should run this pattern"
    for chunk in (Chunk(text.encode()), Chunk(text.encode(), guard=3)):
        assert [m.sample for m in fast.scan(chunk)] == [m.sample for m in slow.scan(chunk)] != []


WORDS = sorted({w for _, ws in PYTHON.words for w in ws} | {"nhs no", "NHS", "Number", "_dob", "dob_", "passport9"})


@pytest.mark.skipif(PYTHON.db is None, reason="Hyperscan is not installed on this platform")
@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from([" ", "", ":", "-", "_", "a", "9", "\n", "é"])),
                      max_size=30))
def test_context_words_are_what_the_hyperscan_pass_reports(parts):
    """Whole words, any case, one leftmost start per end: overlapping words ("nhs", "nhs no",
    "nhs number") and words inside longer words are where the two could part."""
    from pdscan.detect.engine import CONTEXT_IDS
    data = "".join(parts).encode("utf-8")
    hits = PYTHON.prefilter_hits(data)
    expected = {pid: sorted(found) for pid, found in hits.items() if pid >= CONTEXT_IDS}
    assert COMPILED.core.context_words(data) == expected

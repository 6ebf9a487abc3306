"""Forwarding rules of a mailbox: the addresses its mail is sent on to, by kind of rule file.

- Sieve (RFC 5228, `redirect` with or without `:copy`, RFC 3894), as Dovecot keeps it
  (`.dovecot.sieve`, `sieve/*.sieve`): comments, quoted strings and `text:` blocks are read as
  the language has them, so a `redirect` inside a comment or a string forwards nothing;
- `.forward` (sendmail, Postfix, Exim): every address line, not pipes, files or `\\user`;
- Thunderbird's `msgFilterRules.dat`: enabled filters with an action "Forward" or "Redirect"
  (their `actionValue`);
- procmail (`.procmailrc`): action lines `! address`.
Outlook's exported rules (`.rwz`) are a binary format without a public description: they are
not read (a wrong answer either way would mislead). Each parser takes the file's text and
returns (address, what in the file says so).
"""
from __future__ import annotations

import re
from typing import Iterator

ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_SIEVE_TOKEN = re.compile(r'#[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|text:[ \t]*(?:#[^\n]*)?\r?\n.*?\r?\n\.\r?\n'
                          r'|:[A-Za-z_]\w*|[A-Za-z_]\w*|[;{}\[\](),]|\S', re.S)


def sieve(text: str) -> list:
    """`redirect [:copy] "address";` anywhere in the script (conditions included: some mail goes)."""
    tokens = [t for t in _SIEVE_TOKEN.findall(text) if not t.startswith(("#", "/*"))]
    found = []
    for i, token in enumerate(tokens):
        if token.lower() != "redirect":
            continue
        copy = False
        for arg in tokens[i + 1:i + 8]:
            if arg == ";":
                break
            if arg.lower() == ":copy":
                copy = True
            value = _sieve_string(arg)
            if value is not None:
                for address in ADDRESS.findall(value):
                    found.append((address, "Sieve redirect :copy" if copy else "Sieve redirect"))
                break
    return found


def _sieve_string(token: str):
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    if token.startswith("text:"):
        return token.split("\n", 1)[1].rsplit("\n.", 1)[0]
    return None


def dot_forward(text: str) -> list:
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for entry in re.split(r"[,\s]+", line):
            entry = entry.strip('"<>')
            if entry.startswith(("|", "/", "\\", ":include:")):
                continue
            if ADDRESS.fullmatch(entry):
                found.append((entry, ".forward"))
    return found


def procmail(text: str) -> list:
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("!"):
            found += [(a, "procmail forward") for a in ADDRESS.findall(line.split("#", 1)[0])]
    return found


def thunderbird_filters(text: str) -> list:
    """Enabled filters of msgFilterRules.dat whose action forwards or redirects."""
    found = []
    for name, enabled, actions in _filters(text):
        if enabled:
            for action, value in actions:
                if action.lower() in ("forward", "redirect"):
                    found += [(a, f"Thunderbird filter {name!r} ({action})") for a in ADDRESS.findall(value)]
    return found


def _filters(text: str) -> Iterator[tuple]:
    """(name, enabled, [(action, actionValue)]) of each filter, in file order."""
    name, enabled, actions = None, True, []
    for line in text.splitlines():
        key, eq, value = line.partition("=")
        if not eq:
            continue
        value = value.strip()
        value = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
        value = value.replace('\\"', '"')
        key = key.strip()
        if key == "name":
            if name is not None:
                yield name, enabled, actions
            name, enabled, actions = value, True, []
        elif key == "enabled":
            enabled = value.lower() == "yes"
        elif key == "action":
            actions.append((value, ""))
        elif key == "actionValue" and actions:
            actions[-1] = (actions[-1][0], value)
    if name is not None:
        yield name, enabled, actions


PARSERS = {"sieve": sieve, "forward": dot_forward, "procmail": procmail, "thunderbird": thunderbird_filters}

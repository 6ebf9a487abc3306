"""Helpers for mail classification tests: facts as the extractor gives them, rules as policy loads them."""
from __future__ import annotations

import io

from pdscan.config import bundled
from pdscan.errors import ItemError
from pdscan.extract import Context
from pdscan.extract.message import extract_message
from pdscan.limits import Budget, Limits
from pdscan.model import Item, MessageFacts
from pdscan.policy.loader import merge, read_toml
from pdscan.policy.mail_rules import MailRules, load_mail_rules


def facts_of(raw: bytes, meta=None) -> MessageFacts:
    """The facts extract_message yields for a message read from a mailbox (or for one it cannot read)."""
    item = Item(path="/mail/m.eml", open=lambda: io.BytesIO(raw), size=len(raw), name_hint="m.eml",
                meta=meta or {"folder": "Inbox"})
    found = []
    try:
        for out in extract_message(item, Context(Limits(), Budget(Limits()))):
            if isinstance(out, MessageFacts):
                found.append(out)
    except ItemError:
        pass
    [facts] = found
    return facts


def mail_rules(**mail) -> MailRules:
    """[mail] of the bundled policy with these keys changed, as a site policy would change them."""
    return load_mail_rules(merge(read_toml(bundled("policies.toml")), {"mail": mail}), "test policy")

"""Personal data sent outside, on the blind mailbox set (fixtures/mail/blind-sentout/): the figure kept.

The set (Kestrel Bay College: a Dovecot home, a Thunderbird account, a folder of saved .eml) was
written from issue 22's brief by a helper who never saw pdscan, and measured once, after the rule
was built (before it, nothing was found: the rule did not exist): 89 of 104 high flows and 25 of 27
partner flows found, each with its labelled destination kind and severity; 7 of 196 messages that
hold no one else's data, or were not sent outside, flagged; both forwarding rules found and none
where there is none. The floors hold those figures, including what is still wrong.

Round 2 (the set studied as a dev set): 94 of 104 high flows, 1 of 196 false alarms (a value the
writer says is the reader's or their own is not others' data; Thunderbird's HTML mail is read as
mail; a known name opening a row of a table pasted without its header is a name). 8 high and 2
partner flows missed are filed in the Personal folder, which the default policy counts but does not
read; a policy that reads it (scan_personal) finds 100 and all 27, with 3 false alarms (the owner's
own payslip NI, sent to her own webmail, named by no one). The 2 high flows still missed that are
read hold four learners each, in rows with no header: names the name lists do not know or fewer
than person_name's min_count, and ULNs without a word that says so.

Set 2 (Calderbrook College, an apprenticeship coordinator's three mailboxes, written blind from the same
brief) measured 135 of 146 high and 23 of 23 partner flows with 21 of 217 false alarms before round 2,
140/146, 23/23, 21/217 after it; round 3 (set 2 studied as a dev set): 0 false alarms, no flow lost on
either set. The 21 were a learner told their own details ("the details we hold for you", wrapped mid-value;
"your certificate is attached") and the owner's own payslip, address and birth date beside her name.
Set 1's last false alarms (the owner's payslip NI to her own Gmail, under the subject "my payslip") went
with them: 0 of 196, with Personal read too. Still missed in set 2: five learners' health told to a
friend in prose (a name the name lists do not know, "my apprentices" no person word for special.health,
or too far from the condition) and three learners in an HTML table without a header (unknown names,
drama-range phones, ULNs and dates with no word that says so).

Set 3 (a work-placement officer's three mailboxes, real-format phone numbers, written blind during
round 3) measured 103 of 103 high and 20 of 20 partner flows with 10 of 156 false alarms (learners and
parents told their own details) on round 2's code, and 103/103, 20/20 with 0 false alarms after round 3.
14 high flows go to the owner's own webmail at addresses the DPO never listed and are named other
people's webmail: found, high, but not with the labelled destination kind; the floor keeps that.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import bench_module

ROOT = Path(__file__).resolve().parents[1]


def _evaluator():
    return bench_module("sent_outside_eval")


@pytest.mark.parametrize("name, scan_personal, high, low, flagged, wrong_kind", [
    ("blind-sentout", False, 94, 25, 0, 0), ("blind-sentout", True, 100, 27, 0, 0),
    ("blind-sentout-2", False, 140, 23, 0, 0), ("blind-sentout-3", False, 103, 20, 0, 14)])
def test_sent_outside_on_the_blind_mailboxes_keeps_its_figures(name, scan_personal, high, low, flagged, wrong_kind):
    result = _evaluator().evaluate(ROOT / "fixtures" / "mail" / name, scan_personal)
    counts = result["counts"]
    assert counts.get("not_read", 0) == 0, counts
    assert counts.get("high_found", 0) >= high, result["missed"]
    assert counts.get("high_found", 0) - counts.get("high_kind_right", 0) <= wrong_kind, result["wrong_kind"]
    assert counts.get("low_found", 0) >= low, result["missed"]
    assert counts.get("low_severity_right", 0) == counts.get("low_found", 0), counts
    assert counts.get("partner_as_high", 0) == 0, counts
    assert counts.get("none_flagged", 0) <= flagged, result["false_alarms"]
    assert result["forwarding_rules"]["right"] == result["forwarding_rules"]["of"], result["forwarding_rules"]

"""How well `pdscan mail` finds personal data sent outside, on a labelled blind set.

    python bench/sent_outside_eval.py fixtures/mail/blind-sentout [--json] [--scan-personal]

The set (written from the issue's brief by a helper who never saw pdscan) holds three mailboxes of
one owner: A, a Dovecot home (Maildir and a Sieve script); B, a Thunderbird account folder (mbox files
and msgFilterRules.dat); C, a folder of saved .eml files. `site.json` is what a DPO would configure
(the college's domains, the owner's addresses, the partners by kind); `labels.json` says, per
message, whether the owner sent others' personal data outside and to which kind of destination
(`expected` high, low or none); `rules_labels.json` which mailboxes forward outside. site.json's
`"sources"` ({"A": "A/home/Maildir", ...}) names each mailbox's folder inside the set; a set without it
has the first set's three (SOURCES).

Each mailbox is scanned by the installed code as a user would run it (`pdscan mail SOURCE --format
jsonl`) with a site policy made from site.json. Counted:
- flows: labelled high or low; found when the message has personal-data-sent-outside, with the
  labelled destination kind and severity;
- false alarms: messages labelled none that get the rule, by the set's own scenario names;
- forwarding rules: a mail-forwarding-outside record for each mailbox labelled as forwarding.
Flows missed because they were never read (filed in the Personal folder: counted, not read, by
default) are also counted apart, as `high_missed_unread`; --scan-personal measures with a policy that
reads the Personal folder (`scan_personal = true`).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE = "personal-data-sent-outside"
FORWARDING = "mail-forwarding-outside"
# mailbox -> the folder a user would point `pdscan mail` at, inside the set (when site.json has no "sources")
SOURCES = {"A": "A/home/Maildir", "B": "B/Mail/mail.kestrelbay.ac.uk", "C": "C/Saved mail"}


def site_policy(site: dict, scan_personal: bool = False) -> str:
    owner = site["owner"]
    addresses = [owner["address"], *owner.get("personal_addresses", [])]
    lines = ["[mail]", *(["scan_personal = true"] if scan_personal else []),
             f"owner_domains = {json.dumps(site['owner_domains'])}",
             f"owner_addresses = {json.dumps(addresses)}",
             "", "[mail.partner_domains]"]
    for kind, domains in site["partners"].items():
        lines.append(f"{kind.replace(' ', '_')} = {json.dumps(domains)}")
    return "\n".join(lines) + "\n"


def scan(source: Path, policy: Path, tmp: str) -> list:
    env = {**os.environ, "PDSCAN_DATA_DIR": tmp, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-m", "pdscan", "mail", str(source), "--policy", str(policy),
                          "--format", "jsonl", "--no-progress"], capture_output=True, env=env, check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"pdscan mail {source} failed ({out.returncode}): {out.stderr.decode(errors='replace')[-2000:]}")
    return [json.loads(line) for line in out.stdout.splitlines()]


def rule_of(record: dict, rule: str) -> dict | None:
    return next((v for v in record.get("violations") or () if v["rule"] == rule), None)


def evaluate(base: Path, scan_personal: bool = False) -> dict:
    site = json.loads((base / "site.json").read_text(encoding="utf-8"))
    labels = json.loads((base / "labels.json").read_text(encoding="utf-8"))
    rules = json.loads((base / "rules_labels.json").read_text(encoding="utf-8"))
    counts = collections.Counter()
    false_alarms = collections.Counter()
    missed = collections.Counter()
    wrong_kind = collections.Counter()
    forwarding = {}
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "site.toml"
        policy.write_text(site_policy(site, scan_personal), encoding="utf-8")
        for box, folder in (site.get("sources") or SOURCES).items():
            records = scan(base / folder, policy, tmp)
            by_id = collections.defaultdict(list)
            for record in records:
                if record.get("type") == "message":
                    by_id[record.get("message_id")].append(record)
            forwarding[box] = any(rule_of(r, FORWARDING) for r in records if r.get("type") == "item")
            for label in (x for x in labels if x["mailbox"] == box):
                copies = by_id.get(label["message_id"])
                if not copies:
                    counts["not_read"] += 1
                    continue
                hits = [(r, rule_of(r, RULE)) for r in copies if rule_of(r, RULE)]
                expected = label["expected"]
                counts[f"labelled_{expected}"] += 1
                if expected == "none":
                    if hits:
                        counts["none_flagged"] += 1
                        false_alarms[label.get("scenario", "?")] += 1
                    continue
                if not hits:
                    counts[f"{expected}_missed"] += 1
                    missed[label.get("scenario", "?")] += 1
                    if all(r.get("score") is None and not r.get("findings") for r in copies):
                        counts[f"{expected}_missed_unread"] += 1  # in Personal: counted, not read
                    continue
                record, violation = hits[0]
                counts[f"{expected}_found"] += 1
                kind = (record.get("sent_outside") or {}).get("destination")
                if kind == label["destination_kind"]:
                    counts[f"{expected}_kind_right"] += 1
                else:
                    wrong_kind[f"{label['destination_kind']} as {kind}"] += 1
                if violation["severity"] == expected:
                    counts[f"{expected}_severity_right"] += 1
                elif expected == "low" and violation["severity"] == "high":
                    counts["partner_as_high"] += 1
    rules_right = sum(forwarding.get(r["mailbox"]) == r["forwards_outside"] for r in rules)
    return {"counts": dict(sorted(counts.items())), "false_alarms": dict(false_alarms),
            "missed": dict(missed), "wrong_kind": dict(wrong_kind),
            "forwarding_rules": {"right": rules_right, "of": len(rules), "found": forwarding}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--scan-personal", action="store_true", help="read the Personal folder too")
    args = parser.parse_args()
    result = evaluate(args.set, args.scan_personal)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for key, value in result["counts"].items():
        print(f"{key:<28} {value}")
    for title in ("missed", "false_alarms", "wrong_kind"):
        for key, value in sorted(result[title].items()):
            print(f"  {title}: {key}: {value}")
    rules = result["forwarding_rules"]
    print(f"forwarding rules right       {rules['right']} of {rules['of']} ({rules['found']})")


if __name__ == "__main__":
    main()

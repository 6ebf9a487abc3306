"""`pdscan store info|prune`: what the store holds, and pruning it to the policy's period."""
from __future__ import annotations

from ..config import build
from ..display import shown
from ..policy.loader import keep_days
from ..sinks.central import is_url
from ..sinks.store import CentralStore, Store, default_path
from ..sinks.store.decisions import existing
from ..sinks.store.upkeep import CENTRAL_INTEGRITY, info, prune


def add_parser(sub) -> None:
    p = sub.add_parser("store", help="show what the store holds, or prune old scans from it",
                       description="The store keeps every scan's records (paths, masked samples, keyed "
                                   "hashes): personal data too. `info` says its size, scans, oldest scan and "
                                   "whether it is sound; `prune` deletes scans older than --keep (default: "
                                   "the policy's [store] keep) and compacts the file.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True,
                               help="info: what the store holds; prune: delete old scans")
    for name, text in (("info", "size, scans, oldest and newest scan, integrity check"),
                       ("prune", "delete scans older than --keep, then VACUUM")):
        a = actions.add_parser(name, help=text)
        a.add_argument("--db", metavar="FILE|URL", help="the store (default: pdscan.db in the per-user data "
                                                        "folder), or the central store's postgresql:// URL")
        a.add_argument("--policy", metavar="FILE", help="site policy file (its [store] keep)")
        if name == "prune":
            a.add_argument("--keep", metavar="AGE", help='keep scans this recent: "180d" or "26w" '
                                                          "(default: the policy's [store] keep)")
    p.set_defaults(run=run_store)


def _open(target) -> Store:
    return CentralStore(target) if is_url(target) else existing(target)


def run_store(args) -> int:
    store = _open(args.db or default_path())
    try:
        if args.action == "info":
            i = info(store)
            print(f"store: {shown(i.path)}\nsize: {i.size} bytes\nscans: {i.scans} ({i.complete} complete)\n"
                  f"oldest scan: {i.oldest or '-'}\nnewest scan: {i.newest or '-'}\nintegrity: {i.integrity}")
            return 0 if i.integrity in ("ok", CENTRAL_INTEGRITY) else 2
        days = keep_days(args.keep, "--keep") if args.keep else build(args.policy).policy.store_keep_days
        deleted, before, after = prune(store, days)
        print(f"pruned {deleted} scan(s) older than {days} days from {shown(store.path)}: "
              f"{before} bytes before, {after} after")
        return 0
    finally:
        store.close()

"""The ground floor: how file and mail formats are written, shared by every stage above.

Modules here read bytes and strings only and import nothing else of pdscan, so
sniff, extract, sources and policy can all build on them without reaching
sideways or up the house.
"""

"""The ground floor: what bytes and text in a known format look like.

Magic numbers, MIME names, container directories, encrypted-volume signatures, UK dates,
passport and ID card machine-readable zones:
facts about formats that sniff, encryption, extract, detect, policy and the sources all use.
Nothing here imports the rest of pdscan (tests/test_import_layers.py), so any stage may
build on it without reaching up the house.
"""

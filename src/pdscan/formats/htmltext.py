"""HTML to the text a reader sees: one block element per line.

Script, style and template bodies are dropped; alt and title attributes (and
author, description or keywords meta tags) are kept, since names, addresses
and words hide there. Fed in pieces, so a page of any size is converted in
the memory of its longest line.
"""
from __future__ import annotations

from html.parser import HTMLParser

BLOCKS = frozenset((
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html legend li main nav ol "
    "option p pre section summary table tbody td tfoot th thead title tr ul").split())
HIDDEN = frozenset(("script", "style", "template"))
ATTRIBUTES = ("alt", "title")
META_NAMES = frozenset(("author", "description", "keywords"))


CELLS = frozenset(("td", "th"))


class HtmlText(HTMLParser):
    """Visible text, line by line: `feed` pieces of HTML, `take` the lines finished so far,
    `finish` for the rest. Each line has its white space collapsed; empty lines are dropped.
    With `cells`, a table row is one line of its cells apart by tabs, as a sheet's row is."""

    def __init__(self, cells: bool = False):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.current: list = []
        self.done: list = []
        self.cells = cells
        self.cell = 0  # cells begun in the row being read

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        if self.cells and tag in CELLS:
            if self.cell:
                self.current.append("\t")
            self.cell += 1
        elif tag in BLOCKS:
            self.end_line()
        values = dict(attrs)
        extra = [values.get(name) for name in ATTRIBUTES]
        if tag == "meta" and (values.get("name") or "").lower() in META_NAMES:
            extra.append(values.get("content"))
        self.current.extend(f" {v} " for v in extra if v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in BLOCKS and not (self.cells and tag in CELLS):
            self.end_line()

    def handle_data(self, data):
        if not self.hidden:
            self.current.append(data)

    def end_line(self):
        line = "\t".join(" ".join(cell.split()) for cell in "".join(self.current).split("\t"))
        self.current = []
        self.cell = 0
        if line.strip():
            self.done.append(line)

    def take(self) -> list:
        """The lines finished since the last call."""
        lines, self.done = self.done, []
        return lines

    def finish(self) -> list:
        """The last lines, once all the HTML has been fed."""
        self.close()
        self.end_line()
        return self.take()


def html_to_text(html: str, cells: bool = False) -> str:
    """The visible text of a whole HTML string, one line per block (with `cells`, a table
    row per line, its cells apart by tabs)."""
    parser = HtmlText(cells)
    parser.feed(html)
    return "\n".join(parser.take() + parser.finish())

"""One self-contained HTML page: headline figures, inline SVG bar charts, sortable tables.

Nothing is fetched from the network: styles, charts and the small sorting
script are all in the page. Every value is escaped.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter

from .cells import plain
from .tables import ACCEPTED_FIGURE, DISMISSED_FIGURE, PERSONAL, Tables, declared_rules

HEADLINES = ("Endpoints", "Files scanned", PERSONAL, f"{PERSONAL}, unencrypted", "Violations", ACCEPTED_FIGURE,
             DISMISSED_FIGURE, "Volumes failed",
             "Retention: items past their period", "Errors (items that could not be read)")
NOTES = {  # a table's one-line explanation on the page
    "summary": f"{PERSONAL}: items whose findings meet the policy's thresholds, as each scan's own summary "
               "counts them. Each endpoint's state is the latest complete result of each check (files, "
               "mailbox, USB volume, retention) of each folder, mailbox or volume.",
    "triage": "Items whose violations a decision covers: accepted for a reason (pdscan accept, or a policy "
              "exception for a folder) or dismissed as not personal data. They are not counted among the open "
              "Violations; each lapses when its file changes, its date passes or a new kind of finding appears.",
    "mail": "Personal mail should be kept in the Personal folder so it stays private if a mailbox is looked at.",
    "sent_outside": "Messages the mailbox owner sent or forwarded outside the organisation holding other people's "
                    "personal data, by where they went: the owner's own personal webmail, other personal webmail, "
                    "an unknown organisation, or an allow-listed partner (low severity, still counted).",
}
ROW_LIMIT = 5000  # per table on the page; the spreadsheets carry every row

STYLE = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header{background:#1f3a5f;color:#fff;padding:24px 40px}header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;opacity:.8}main{padding:24px 32px;max-width:1800px;box-sizing:border-box}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:24px}
.card{background:#fff;border-radius:6px;padding:14px 18px;min-width:150px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.card b{display:block;font-size:26px}.card span{font-size:13px;color:#52606d}
.card.bad b{color:#b42318}section{background:#fff;border-radius:6px;padding:16px 20px;margin-bottom:20px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}h2{font-size:18px;margin:0 0 12px}
.charts{display:flex;flex-wrap:wrap;gap:20px;margin-bottom:20px}.charts section{flex:1 1 360px;margin-bottom:0}
.charts svg{max-width:100%;height:auto}section{min-width:0}td.d,td.n{white-space:nowrap}
td{overflow-wrap:anywhere}th{white-space:nowrap}.card{flex:1 1 150px}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:auto}th,td{text-align:left;padding:5px 8px;
border-bottom:1px solid #e4e7eb;vertical-align:top}th{background:#eef2f7;cursor:pointer;user-select:none}
th:after{content:" \\2195";color:#9aa5b1}td.n{text-align:right;font-variant-numeric:tabular-nums}
.sev-high{color:#b42318;font-weight:600}.sev-medium{color:#b54708}.empty{font-size:18px;padding:30px}
dl dt{font-weight:600;margin-top:10px}dl dd{margin:2px 0 0 0}.note{color:#52606d;font-size:13px}
"""

SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function(th){th.addEventListener("click",function(){
var table=th.closest("table"),body=table.tBodies[0],i=th.cellIndex,asc=th.dataset.dir!=="asc";
table.querySelectorAll("th").forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?"asc":"desc";
var rows=Array.prototype.slice.call(body.rows);rows.sort(function(a,b){
var x=a.cells[i].dataset.v||a.cells[i].textContent,y=b.cells[i].dataset.v||b.cells[i].textContent,
p=parseFloat(x),q=parseFloat(y),c=(!isNaN(p)&&!isNaN(q)&&isFinite(x)&&isFinite(y))?p-q:x.localeCompare(y);
return asc?c:-c});rows.forEach(function(r){body.appendChild(r)})})});
document.querySelectorAll("table.sortable").forEach(function(t){t.dataset.sorting="ready"});
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(plain(value)))


def bar_chart(pairs: list, colour: str = "#2f6db3") -> str:
    """Horizontal bars as inline SVG; pairs of (label, number)."""
    if not pairs:
        return '<p class="note">Nothing to show.</p>'
    top = max(n for _, n in pairs) or 1
    row, label_w, bar_w = 24, 220, 260
    parts = [f'<svg role="img" width="{label_w + bar_w + 70}" height="{row * len(pairs) + 6}" '
             f'viewBox="0 0 {label_w + bar_w + 70} {row * len(pairs) + 6}">']
    for i, (label, n) in enumerate(pairs):
        y, w = i * row + 3, max(1, round(bar_w * n / top)) if n else 0
        text = str(label) if len(str(label)) <= 32 else str(label)[:31] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{esc(text)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{row - 8}" fill="{colour}" rx="2">'
                     f'<title>{esc(label)}: {n}</title></rect>'
                     f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(t, limit: int = ROW_LIMIT) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in t.columns)
    body = []
    for row in t.rows[:limit]:
        cells = []
        for col, v in zip(t.columns, row):
            cls = " class=\"n\"" if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
            if isinstance(v, dt.date):
                cls = ' class="d"'
            if col == "severity":
                cls = f' class="sev-{esc(v)}"'
            cells.append(f"<td{cls}>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p class="note">Showing {limit} of {len(t.rows)} rows; the spreadsheet report has them all.</p>'
            if len(t.rows) > limit else "")
    if not t.rows:
        return '<p class="note">None.</p>'
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{more}'


def figure_id(name: str) -> str:
    """A headline's stable id for the page: "Files scanned" -> "files_scanned"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _cards(summary: dict) -> str:
    out = []
    for name in HEADLINES:
        value = summary.get(name, 0)
        bad = " bad" if value and name not in ("Endpoints", "Files scanned", ACCEPTED_FIGURE, DISMISSED_FIGURE) else ""
        out.append(f'<div class="card{bad}" data-figure="{figure_id(name)}">'
                   f'<b>{esc(value)}</b><span>{esc(name)}</span></div>')
    return '<div class="cards">' + "".join(out) + "</div>"


def _column(t, name: str) -> int:
    return t.columns.index(name)


def _charts(tables: Tables) -> str:
    """The charts sum the same tables as the cards: current violations by rule and by the day their
    check last ran (both add up to the Violations card), unencrypted personal data by endpoint."""
    by_rule = Counter()
    for rule, _sev, n, *_ in tables.tables["rules"].rows:
        by_rule[rule] += n
    ends, checks = tables.tables["endpoints"], tables.tables["checks"]
    col = _column(ends, "unencrypted")
    unencrypted = sorted(((r[0], r[col]) for r in ends.rows if r[col]), key=lambda p: -p[1])
    by_day = Counter()
    for row in checks.rows:
        by_day[row[_column(checks, "last run")]] += row[_column(checks, "violations")]
    return ('<div class="charts">'
            f'<section><h2>Violations by rule</h2>{bar_chart(by_rule.most_common(), "#b42318")}</section>'
            f'<section><h2>Unencrypted personal data by endpoint</h2>{bar_chart(unencrypted[:25], "#b54708")}'
            f'{"<p class=note>The 25 endpoints with the most.</p>" if len(unencrypted) > 25 else ""}</section>'
            f'<section><h2>Current violations by the day last checked</h2>'
            f'{bar_chart(sorted((d, n) for d, n in by_day.items() if n))}</section>'
            '</div>')


def _rules_text() -> str:
    items = "".join(f"<dt>{esc(rule)}</dt><dd>{esc(meaning)} <em>What to do:</em> {esc(action)}</dd>"
                    for rule, (meaning, action) in declared_rules().items())
    return f"<section><h2>What the rules mean</h2><dl>{items}</dl></section>"


def _note(name: str) -> str:
    return f'<p class="note">{esc(NOTES[name])}</p>' if name in NOTES else ""


def render(tables: Tables) -> str:
    summary = {row[0]: row[1] for row in tables.tables["summary"].rows}
    head = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>pdscan compliance report</title><style>{STYLE}</style></head><body>"
            f"<header><h1>Personal data compliance report</h1>"
            f"<p>Generated {esc(tables.generated)} UTC by pdscan</p></header><main>")
    if tables.empty:
        body = ('<section class="empty">No scan results: the sources given hold no scans'
                " (in the date range asked for). Run <code>pdscan scan</code> and try again.</section>")
    else:
        body = _cards(summary) + _charts(tables) + "".join(
            f'<section id="{esc(name)}"><h2>{esc(t.title)}</h2>'
            f'{_note(name)}{_table(t)}</section>'
            for name, t in tables.tables.items()) + _rules_text()
    return f"{head}{body}</main><script>{SCRIPT}</script></body></html>\n"


def write_html(tables: Tables, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(render(tables))

"""The HTML report in a real browser: headless Chromium (Debian's `chromium`).

The page is rendered with its inline script run (`--dump-dom`), the headline
figures are read from the rendered DOM and compared with the JSON report of
the same scans, and a screenshot is kept as a test artefact in
tests/artifacts/report.png.
"""
from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pdscan.reports.html_page import HEADLINES, figure_id

from .test_report import _json, _summary_of, endpoints, reports  # noqa: F401  (fixtures reused)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium not found: install Debian's chromium "
                                                          "(.ci/run does: apt-get install chromium)")]


def _chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *map(str, args)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class _Page(HTMLParser):
    """The rendered DOM's headline figures (data-figure -> the text of its <b>) and its tables."""

    def __init__(self):
        super().__init__()
        self.figures, self.tables, self._figure, self._in_b = {}, [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self._figure = attrs["data-figure"]
        elif tag == "b" and self._figure:
            self._in_b = True
            self.figures[self._figure] = ""
        elif tag == "table":
            self.tables.append(attrs)

    def handle_endtag(self, tag):
        if tag == "b" and self._in_b:
            self._in_b, self._figure = False, None

    def handle_data(self, data):
        if self._in_b:
            self.figures[self._figure] += data


def test_rendered_figures_equal_the_json_report(tmp_path, reports):  # noqa: F811
    page = _Page()
    page.feed(_chromium(tmp_path, "--dump-dom", reports["html"].as_uri()).stdout)
    summary = _summary_of(_json(reports["json"]))
    assert page.figures == {figure_id(name): str(summary.get(name, 0)) for name in HEADLINES}
    assert summary["Files scanned"] > 0 and summary["Violations"] > 0  # the figures compared are real ones
    sortable = [t for t in page.tables if "sortable" in (t.get("class") or "")]
    assert sortable and all(t.get("data-sorting") == "ready" for t in sortable)  # the inline script ran


def test_screenshot_is_saved(tmp_path, reports):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", reports["html"].as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000, len(data)


# Appended to a copy of the page: the layout as the browser laid it out, written into the DOM.
MEASURE = """<script>
var over = [];
document.querySelectorAll("main, section, table, th, .cards, .charts").forEach(function (e) {
  if (e.scrollWidth > e.clientWidth + 1) over.push(e.tagName + "#" + (e.id || e.closest("section") && e.closest("section").id));
});
var wrapped = [];
document.querySelectorAll("th").forEach(function (th) {
  var line = parseFloat(getComputedStyle(th).lineHeight) || 16;
  if (th.getBoundingClientRect().height > 2.2 * line + 10) wrapped.push(th.textContent);
});
document.body.setAttribute("data-layout", JSON.stringify({page: document.documentElement.scrollWidth,
  view: window.innerWidth, over: over, wrapped: wrapped}));
</script>"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_week_report_fits_the_window(tmp_path, cli, width):
    """The week's report (test_report_week.py) at 1280 and 1920 px: nothing wider than the window,
    no table scrolling sideways, no header wrapping; screenshots kept as artefacts."""
    import json as json_

    from .test_report_week import _week

    _week(tmp_path, cli, tmp_path / "s.db")
    page = tmp_path / "week.html"
    assert cli("report", "--db", tmp_path / "s.db", "--format", "html", "--output", page).code == 0
    measured = tmp_path / "measured.html"
    measured.write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    dom = _chromium(tmp_path, f"--window-size={width},1200", "--dump-dom", measured.as_uri()).stdout
    layout = json_.loads(html_unescape(dom.split('data-layout="', 1)[1].split('"', 1)[0]))
    assert layout["page"] <= layout["view"] == width, layout
    assert layout["over"] == [] and layout["wrapped"] == [], layout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-week-{width}.png"
    _chromium(tmp_path, f"--screenshot={shot}", f"--window-size={width},2400", page.as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)

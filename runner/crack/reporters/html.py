"""The instructors' page: one self-contained HTML file for a batch (``crack grade --format html``).

A grid of submissions × stages, each cell coloured by status; clicking (or Enter on) a cell
opens its message and the end of its log below the grid; the Score and Submission headers
sort the rows. Everything is inline — CSS, script, data — so the file can be mailed or
opened from disk with no network. The grid is rendered here, not by the script, so the
page reads fine even with scripts off; the script only opens details and sorts.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from crack.reporters.documents import STATUS_WORD, excerpt

_MARK = {"passed": "✓", "failed": "✗", "timed_out": "◔", "error": "!", "skipped": "·"}
"""Marks every common font has (the stopwatch emoji is missing from the usual Linux fonts)."""

_CSS = """
:root { --passed:#2e7d32; --failed:#c62828; --timed_out:#ef6c00; --error:#6a1b9a; --skipped:#bdbdbd; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #212121; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
.meta { color: #616161; margin-bottom: 1rem; }
table.grid { border-collapse: collapse; }
.grid th, .grid td { border: 1px solid #e0e0e0; padding: 4px 8px; text-align: center; }
.grid th.name, .grid td.name { text-align: left; white-space: nowrap; }
.grid td.result { text-align: left; color: #424242; }
.grid th button { font: inherit; font-weight: bold; background: none; border: 0;
  cursor: pointer; padding: 0; }
.grid th.stage { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: normal; }
td.cell { width: 1.6rem; cursor: pointer; color: #fff; font-weight: bold; }
td.cell:focus, td.cell.open { outline: 3px solid #1565c0; outline-offset: -3px; }
td.status-passed { background: var(--passed); } td.status-failed { background: var(--failed); }
td.status-timed_out { background: var(--timed_out); } td.status-error { background: var(--error); }
td.status-skipped { background: var(--skipped); }
tr.broken td.name { color: var(--failed); font-weight: bold; }
.legend span { display: inline-block; padding: 0 .5rem; margin-right: .3rem; color: #fff;
  border-radius: 3px; }
#detail { margin-top: 1.2rem; border: 1px solid #bdbdbd; border-radius: 4px; padding: .8rem 1rem; }
#detail h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
#detail pre { background: #f5f5f5; padding: .6rem; overflow-x: auto; white-space: pre-wrap;
  max-height: 28rem; }
"""

_SCRIPT = """
(function () {
  var panel = document.getElementById('detail');
  function open(cell) {
    document.querySelectorAll('td.cell.open').forEach(function (c) { c.classList.remove('open'); });
    var source = document.getElementById(cell.dataset.detail);
    panel.innerHTML = source.innerHTML;
    panel.hidden = false;
    cell.classList.add('open');
  }
  document.querySelectorAll('td.cell').forEach(function (cell) {
    cell.addEventListener('click', function () { open(cell); });
    cell.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(cell); }
    });
  });
  var body = document.querySelector('table.grid tbody');
  function sortBy(key, button) {
    var descending = button.dataset.order !== 'desc';
    document.querySelectorAll('table.grid th button').forEach(function (b) { delete b.dataset.order; });
    button.dataset.order = descending ? 'desc' : 'asc';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key === 'score' ? Number(a.dataset.score) : a.dataset.name;
      var y = key === 'score' ? Number(b.dataset.score) : b.dataset.name;
      var order = x < y ? -1 : (x > y ? 1 : 0);
      if (order === 0) { order = a.dataset.name < b.dataset.name ? -1 : 1; if (descending) order = -order; }
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll('table.grid th button').forEach(function (button) {
    button.addEventListener('click', function () { sortBy(button.dataset.sort, button); });
  });
})();
"""


def _detail(entry: Mapping[str, Any], stage: Mapping[str, Any]) -> str:
    status = stage["status"]
    parts = [
        f"<h2>{escape(entry['name'])} · stage {stage['number']}: {escape(stage['name'])} "
        f"(<code>{escape(stage['slug'])}</code>) — {escape(STATUS_WORD[status])}</h2>",
    ]
    if status != "skipped":
        parts.append(f"<p>{stage['duration_s']:.2f} s · {stage['score']}/{stage['max_score']} points</p>")
    if stage["message"]:
        parts.append(f'<pre class="message">{escape(stage["message"])}</pre>')
    log = excerpt(stage["log"], 60, 6000) if status != "passed" else excerpt(stage["log"], 20, 2000)
    if log:
        parts.append(f'<p>Session log (the end):</p><pre class="log">{escape(log)}</pre>')
    return "".join(parts)


def render_html(batch: Mapping[str, Any]) -> str:
    stages: list[str] = list(batch["stages"])
    entries = list(batch["submissions"])
    names: dict[str, str] = {}
    for entry in entries:
        for stage in entry["stages"]:
            names.setdefault(stage["slug"], stage["name"])
    head = "".join(
        f'<th class="stage" title="{escape(names.get(slug, slug))}">{i}. {escape(slug)}</th>'
        for i, slug in enumerate(stages, start=1)
    )
    rows, details = [], []
    for r, entry in enumerate(entries):
        by_slug = {stage["slug"]: stage for stage in entry["stages"]}
        cells = []
        for c, slug in enumerate(stages):
            stage = by_slug.get(slug)
            if stage is None:
                cells.append('<td class="missing"></td>')
                continue
            detail_id = f"detail-{r}-{c}"
            details.append(f'<div id="{detail_id}">{_detail(entry, stage)}</div>')
            status = stage["status"]
            cells.append(
                f'<td class="cell status-{status}" data-status="{status}" data-stage="{escape(slug)}" '
                f'data-detail="{detail_id}" tabindex="0" role="button" '
                f'title="{escape(slug)}: {escape(STATUS_WORD[status])}">{_MARK[status]}</td>'
            )
        error = entry.get("error")
        if error:
            result = f"not graded: {error}"
        else:
            first_bad = next((s for s in entry["stages"] if s["status"] != "passed"), None)
            result = (
                "all passed"
                if first_bad is None
                else f"{STATUS_WORD[first_bad['status']]} at {first_bad['number']} ({first_bad['slug']})"
            )
        rows.append(
            f'<tr class="{"broken" if error else "graded"}" data-name="{escape(entry["name"])}" '
            f'data-score="{entry["score"]}">'
            f'<td class="name">{escape(entry["name"])}</td>'
            f'<td class="score">{entry["score"]}/{entry["max_score"]}</td>'
            f'{"".join(cells)}<td class="result">{escape(result)}</td></tr>'
        )
    legend = "".join(
        f'<span style="background:var(--{status})">{_MARK[status]} {escape(word)}</span>'
        for status, word in STATUS_WORD.items()
    )
    title = f"crack grade {batch['challenge']}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="meta">{len(entries)} submission{"s" if len(entries) != 1 else ""} · {len(stages)} stages ·
seed {batch["seed"]} · isolation {escape(str(batch["isolation"]))} · {escape(str(batch["executor"]))} ·
{batch["duration_s"]:.1f} s. Click a cell for its message and log; click Score or Submission to sort.</p>
<p class="legend">{legend}</p>
<table class="grid">
<thead><tr><th class="name"><button type="button" data-sort="name">Submission</button></th>
<th><button type="button" data-sort="score">Score</button></th>{head}<th>Result</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<section id="detail" hidden aria-live="polite"></section>
<div id="details" hidden>
{chr(10).join(details)}
</div>
<script>{_SCRIPT}</script>
</body>
</html>
"""

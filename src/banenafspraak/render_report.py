"""Render the visual report: one self-contained HTML file from the published marts.

Usage (from the project root, in the virtual environment):

    banenafspraak report                     # published/report.html
    banenafspraak report --year 2022         # table 1 for another measured year
    banenafspraak report --out report.html   # somewhere else

What it reads:

- the PUBLISHED marts (BANENAFSPRAAK_PUBLISHED_DB, default published/banenafspraak.duckdb; see
  banenafspraak publish), opened read-only, so the report shows what BI tools see. Run
  `banenafspraak run` first: it builds, checks and publishes the marts. Also,
  when the file has it (files published before vintages existed do not), its table
  publication.revisions: the figures the current vintage revised (docs/revisions.md).
- three seeds, for what the marts do not hold: the provenance of each split key
  (seeds/split_keys.csv), the targets of the years after the latest measured year
  (seeds/targets.csv; the marts carry a target only on measured years) and the provenance of the
  December hours (seeds/december_hours.csv). Where a seed and the marts both hold a number (a split
  key share, a target) they must agree; otherwise the marts were built from other seeds and the
  report stops, rather than put a provenance beside a number it does not describe.

What it writes (default: report.html beside the published file, so published/report.html): one
HTML file that is readable offline and fetches nothing: inline CSS, charts as inline SVG (no
script, font or image), the reader's own sans-serif font, Dutch labels (the results letter's
language), no timestamps or machine paths. The charts are Vega-Lite specifications built with
altair and rendered to static SVG by vl-convert, offline and in this process; the page is the
Jinja2 template templates/report.html.j2 (autoescaped). This module prepares what the template
shows: which figures each section holds, formatted the Dutch way (suppressed cells as secret,
never as a number), and its charts. The sections are listed in docs/bi-and-publishing.md.

Paths: the command-line options are relative to the current directory; the environment variable
BANENAFSPRAAK_PUBLISHED_DB, like profiles.yml, is relative to the project root.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import duckdb
import jinja2
import vl_convert

from banenafspraak.project import PROJECT_DIR
from banenafspraak.publish import MARTS, PUBLICATION_SCHEMA, SCHEMA, published_db_path

DEFAULT_SEEDS_DIR = PROJECT_DIR / "seeds"
REPORT_NAME = "report.html"
TEMPLATE = "report.html.j2"  # in src/banenafspraak/templates/

SECTORS = ("market", "government", "total")
FORMS = ("formal", "loan", "total")
SECTOR_NL = {"market": "markt", "government": "overheid", "total": "totaal"}
FORM_NL = {"formal": "formele dienstverbanden", "loan": "inleenverbanden", "total": "totaal"}
RELATION_NL = {
    "regular": "formeel dienstverband",
    "temp_agency": "uitzendrelatie",
    "sheltered_secondment": "Wsw-detachering",
}
PROVENANCE_NL = {"published": "gepubliceerd", "assumed": "aangenomen", "reconstructed": "gereconstrueerd"}
TABLE_1_ROWS = (
    ("formal", "Formele dienstverbanden"),
    ("loan", "Inleenverbanden (uitzendrelaties en Wsw-detacheringen)"),
    ("total", "Totaal"),
    ("target", "Doelstelling Sociaal Akkoord"),
)

# Colours: sectors blue and orange, forms two greens, targets dark grey.
COLOUR = {
    "market": "#1f5fa8",
    "government": "#d9730d",
    "total": "#333333",
    "formal": "#23607a",
    "loan": "#8cc0d6",
    "target": "#555555",
    "grid": "#e3e3e3",
    "axis": "#888888",
    "text": "#222222",
    "muted": "#666666",
}
FONT = "system-ui, 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"


class ReportError(Exception):
    """The report cannot be made; the message says why and what to do."""


# --- numbers in Dutch --------------------------------------------------------------------------


def nl_int(value: int | None) -> str:
    """A whole number with a dot for thousands (70.388), a real minus sign for negatives.

    Only whole numbers: every figure shown is one the marts rounded (their `*_rounded` columns,
    macro round_half_away_from_zero), so that the report never rounds by a rule of its own.
    """
    if value is None:
        return ""
    if not isinstance(value, int):
        raise TypeError(f"the report shows figures the marts rounded, not {value!r}")
    text = f"{abs(value):,}".replace(",", ".")
    return f"\u2212{text}" if value < 0 else text


def nl_signed(value: int) -> str:
    return f"+{nl_int(value)}" if value > 0 else nl_int(value)


def nl_decimal(value: float, places: int) -> str:
    text = f"{abs(value):,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"\u2212{text}" if value < 0 else text


def nl_percent(share: float | None, places: int = 1) -> str:
    return "" if share is None else f"{nl_decimal(share * 100, places)}%"


# --- the data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitKey:
    year: int
    sector: str
    share: float
    provenance: str
    source: str


@dataclass(frozen=True)
class HoursRow:
    year: int
    relation_type: str
    sector: str
    paid_hours: float
    provenance: str
    note: str


@dataclass
class ReportData:
    years: list[int]  # measured years, ascending
    report_year: int
    # (year, sector, form) -> row of mart_baseline_comparison, as a dict
    comparison: dict[tuple[int, str, str], dict]
    # (year, sector, form) -> row of mart_year_on_year
    year_on_year: dict[tuple[int, str, str], dict]
    # (year, sector, form) -> row of mart_formal_loan_breakdown
    breakdown: dict[tuple[int, str, str], dict]
    # (year, sector) -> target extra jobs, market and government, 2015-2026; and where it came from
    targets: dict[tuple[int, str], int]
    target_origin: dict[int, str]  # year -> 'marts' or 'seed'
    split_keys: list[SplitKey]  # every row of seeds/split_keys.csv
    hours: list[HoursRow]  # every row of seeds/december_hours.csv
    # Beyond the letter: rows of the marts, as dicts (empty where the input lacks the detail)
    subsectors: list[dict] = field(default_factory=list)  # mart_government_subsectors
    regions: list[dict] = field(default_factory=list)  # mart_regions
    quota: list[dict] = field(default_factory=list)  # mart_quota_percentages
    projection: list[dict] = field(default_factory=list)  # mart_target_projection
    merged: list[dict] = field(default_factory=list)  # mart_merged_measurement
    # Rows of publication.revisions (the current vintage against the one before it); empty for
    # the first vintage and for files published before vintages existed.
    revisions: list[dict] = field(default_factory=list)


# The fields of ReportData with the rows of the marts beyond the letter.
BEYOND_THE_LETTER = {
    "subsectors": "mart_government_subsectors",
    "regions": "mart_regions",
    "quota": "mart_quota_percentages",
    "projection": "mart_target_projection",
    "merged": "mart_merged_measurement",
}


def _read_seed(seeds_dir: Path, name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = seeds_dir / f"{name}.csv"
    if not path.is_file():
        raise ReportError(
            f"Cannot make the report: seeds/{path.name} is missing ({path}). The report reads "
            f"provenance from it; restore it (git checkout seeds/{path.name})."
        )
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise ReportError(
                f"Cannot make the report: seeds/{path.name} lacks the column(s) "
                f"{', '.join(missing)} (docs/CONTRACT.md, section 1)."
            )
        return list(reader)


def _query(connection: duckdb.DuckDBPyConnection, mart: str, schema: str = SCHEMA) -> list[dict]:
    cursor = connection.execute(f'select * from "{schema}"."{mart}" order by all')
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _by_grain(rows: list[dict]) -> dict[tuple[int, str, str], dict]:
    return {(row["measurement_year"], row["sector"], row["employment_form"]): row for row in rows}


def load_data(published_db: Path, seeds_dir: Path, report_year: int | None = None) -> ReportData:
    """Read the published marts (read-only) and the seeds the report needs."""
    if not published_db.is_file():
        raise ReportError(
            f"Cannot make the report: the published marts file {published_db} does not exist. "
            "Run banenafspraak run first: it builds, checks and publishes the marts "
            "(or point BANENAFSPRAAK_PUBLISHED_DB / --published-db at a published file)."
        )
    try:
        connection = duckdb.connect(str(published_db), read_only=True)
    except duckdb.Error as error:
        raise ReportError(
            f"Cannot make the report: {published_db} cannot be opened as a DuckDB file ({error}). "
            "Run banenafspraak run first to publish the marts again."
        ) from error
    with connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        present = {name for schema, name in tables if schema == SCHEMA}
        missing = [name for name in MARTS if name not in present]
        if missing:
            raise ReportError(
                f"Cannot make the report: {published_db} lacks "
                f"{', '.join(f'{SCHEMA}.{name}' for name in missing)}; it is not a published marts "
                "file. Run banenafspraak run first."
            )
        comparison = _by_grain(_query(connection, "mart_baseline_comparison"))
        year_on_year = _by_grain(_query(connection, "mart_year_on_year"))
        breakdown = _by_grain(_query(connection, "mart_formal_loan_breakdown"))
        beyond = {mart: _query(connection, mart) for mart in BEYOND_THE_LETTER.values()}
        # Ordered by revision_number, its first column.
        revisions = (
            _query(connection, "revisions", PUBLICATION_SCHEMA)
            if (PUBLICATION_SCHEMA, "revisions") in tables
            else []
        )

    years = sorted({year for year, _, _ in comparison})
    if not years:
        raise ReportError(
            f"Cannot make the report: {SCHEMA}.mart_baseline_comparison in {published_db} has no "
            "rows. Run banenafspraak run first."
        )
    if report_year is None:
        report_year = years[-1]
    elif report_year not in years:
        raise ReportError(
            f"Cannot make the report for {report_year}: the published marts hold the measurement "
            f"years {years[0]}-{years[-1]}."
        )

    # Targets: the marts hold them on measured years (rows with employment form total); the path
    # to 2026 goes on past the latest measured year, for which only the seed has them.
    targets: dict[tuple[int, str], int] = {}
    target_origin: dict[int, str] = {}
    for (year, sector, form), row in comparison.items():
        if form == "total" and sector != "total" and row["target_extra_jobs"] is not None:
            targets[(year, sector)] = int(row["target_extra_jobs"])
            target_origin[year] = "marts"
    for row in _read_seed(seeds_dir, "targets", ("measurement_year", "sector", "target_extra_jobs")):
        key = (int(row["measurement_year"]), row["sector"])
        value = int(row["target_extra_jobs"])
        if key in targets and targets[key] != value:
            raise ReportError(
                f"Cannot make the report: the published marts hold a target of {targets[key]} "
                f"extra jobs for {key[1]} in {key[0]}, seeds/targets.csv {value}. The marts were "
                "built from other seeds: run banenafspraak run first."
            )
        if key[0] > years[-1]:
            targets[key] = value
            target_origin[key[0]] = "seed"

    columns = ("measurement_year", "sector", "share", "provenance", "source")
    split_keys = [
        SplitKey(int(r["measurement_year"]), r["sector"], float(r["share"]), r["provenance"], r["source"])
        for r in _read_seed(seeds_dir, "split_keys", columns)
    ]
    seed_share = {(key.year, key.sector): key for key in split_keys}
    for (year, sector, form), row in breakdown.items():
        if form != "loan" or sector == "total":
            continue
        key = seed_share.get((year, sector))
        share = row["split_key_share"]
        if key is None or share is None or abs(key.share - share) > 1e-9:
            raise ReportError(
                f"Cannot make the report: the published marts split the loan jobs of {year} with "
                f"a {sector} share of {share}, but seeds/split_keys.csv holds "
                f"{'no key' if key is None else key.share} for that year and sector, so its "
                "provenance does not describe the published figure. The marts were built from "
                "other seeds: run banenafspraak run first."
            )

    columns = ("measurement_year", "relation_type", "employer_sector", "paid_hours", "provenance")
    hours = [
        HoursRow(
            int(r["measurement_year"]),
            r["relation_type"],
            r["employer_sector"] or "",
            float(r["paid_hours"]),
            r["provenance"],
            r["provenance_note"],
        )
        for r in _read_seed(seeds_dir, "december_hours", (*columns, "provenance_note"))
    ]
    return ReportData(
        years,
        report_year,
        comparison,
        year_on_year,
        breakdown,
        targets,
        target_origin,
        split_keys,
        hours,
        **{field: beyond[mart] for field, mart in BEYOND_THE_LETTER.items()},
        revisions=revisions,
    )


# --- charts: Vega-Lite specifications (altair), rendered to static SVG by vl-convert ------------

# The Vega-Lite version altair writes (its schema v6.4.x); vl-convert bundles it.
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
CHART_CONFIG = {
    "font": FONT,
    "background": "#ffffff",
    "padding": 4,
    "view": {"stroke": None},
    # No ARIA text of Vega's own (English: "X-axis for a linear scale ..."): the accessible
    # names are the chart's title and each mark's Dutch description.
    "axis": {"labelColor": COLOUR["muted"], "labelFontSize": 11, "gridColor": COLOUR["grid"], "aria": False},
    "axisX": {"grid": False, "labelAngle": 0, "domainColor": COLOUR["axis"], "tickColor": COLOUR["axis"]},
    "axisY": {"domain": False, "ticks": False},
    "text": {"fontSize": 11},
}
PANEL, WIDE = (530, 300), (1080, 300)  # (width, height): two panels side by side, or one wide
SECRET_BAR = "geheim (minder dan 10 personen of afgeleid)"
# Vega's SVG names no address but its XML namespaces, which inline SVG in HTML does not need.
_SVG_ROOT = re.compile(r"<svg\b([^>]*)>")
_NAMESPACES = re.compile(r'\s(?:xmlns(?::\w+)?|version)="[^"]*"')
_EXTERNAL = re.compile(
    r"https?:|@import|@font-face|<(?:script|image|foreignObject)\b|url\((?!#assumed-hatch\))"
)


def svg_chart(layers: list[alt.Chart], chart_id: str, title: str, size=WIDE) -> str:
    """The layers as one chart of `size` pixels, as inline SVG: `chart_id` its id, `title` its
    accessible name. (Its heading is the template's, above it.)"""
    chart = alt.layer(*layers, width=size[0], height=size[1])
    spec = chart.properties(autosize=alt.AutoSizeParams(type="fit", contains="padding")).to_dict()
    svg = vl_convert.vegalite_to_svg(
        spec, VEGA_LITE_VERSION, config=CHART_CONFIG, format_locale="nl-NL", allowed_base_urls=[]
    )
    root = _SVG_ROOT.match(svg)
    svg = (
        f'<svg id="{chart_id}" role="figure" aria-label="{html.escape(title)}"'
        f"{_NAMESPACES.sub('', root.group(1))}><title>{html.escape(title)}</title>{svg[root.end() :]}"
    )
    if found := _EXTERNAL.search(svg):
        raise ReportError(f"Chart {chart_id} refers to something outside the file: {found.group(0)}")
    return svg


def _data(points: list[dict]) -> alt.Data:
    return alt.Data(values=[point for point in points if point["value"] is not None])


def _point(year: int, value: float | None, label: str, **fields) -> dict:
    """A datum of a chart: `label` is its accessible description, or the text of a label mark."""
    return {"year": year, "value": value, "label": label, **fields}


def _figure(year: int, value: float, rounded: int, prefix: str = "") -> dict:
    """A datum labelled with its figure as the marts rounded it: '2023: 74.031'."""
    return _point(year, value, f"{prefix}{year}: {nl_int(rounded)}")


def _text(point: dict, colour: str, **options) -> alt.Chart:
    return alt.Chart(_data([point])).mark_text(color=colour, aria=False, **options).encode(text="label:N")


def line_chart(
    chart_id, title, measured, target, colour, last, trend=(), size=PANEL, markers=True, marker_year=None
):
    """Measured extra jobs (mart rows: measurement_year, extra_jobs, extra_jobs_rounded) against
    the dashed target path ({year: target}), from the first measured year to `last`; with
    `trend` (rows of mart_target_projection) the trend line and its end."""
    domain = [measured[0]["measurement_year"], last]
    x = alt.X("year:Q", title=None, scale=alt.Scale(domain=domain, nice=False, padding=14))
    encoding = {"x": x.axis(format="d", tickMinStep=1), "y": alt.Y("value:Q", title=None).axis(format=",d")}
    layers = []
    if marker_year is not None:  # the last measured year, so the measured line visibly ends there
        rule = alt.Chart(_data([_point(marker_year, 0, "")])).mark_rule(strokeDash=[2, 3], aria=False)
        layers.append(rule.encode(x=encoding["x"], color=alt.value(COLOUR["grid"])))

    def line(name: str, colour: str, points: list[dict], marker: str | None, **options) -> None:
        fill = colour if marker == "filled" else "#ffffff"
        point = bool(marker) and alt.OverlayMarkDef(filled=True, size=40, fill=fill, stroke=colour)
        mark = alt.Chart(_data(points), name=name).mark_line(color=colour, point=point, **options)
        layers.append(mark.encode(description="label:N"))

    path = [_figure(y, v, v, "doelstelling ") for y, v in sorted(target.items())]
    line("target", COLOUR["target"], path, markers and "open", strokeWidth=2, strokeDash=[6, 4])
    points = [_figure(r["measurement_year"], r["extra_jobs"], r["extra_jobs_rounded"]) for r in measured]
    line("measured", colour, points, markers and "filled", strokeWidth=2.5)
    if trend:  # a projection, not a forecast
        points = [
            _figure(r["year"], r["trend_extra_jobs"], r["trend_extra_jobs_rounded"], "projectie ")
            for r in trend
        ]
        line("trend", colour, points, None, strokeWidth=2, strokeDash=[3, 3])
        line("trend_end", colour, points[-1:], "open")
        layers.append(_text(points[-1], colour, align="right", dx=-6, dy=16, fontWeight="bold"))
    elif measured[-1]["measurement_year"] == last:
        layers.append(_text(points[-1], colour, align="right", dx=-6, dy=-12, fontWeight="bold"))
    else:
        layers.append(_text(points[-1], colour, align="left", dx=6, dy=16, fontWeight="bold"))
    if path:
        layers.append(_text(path[-1], COLOUR["target"], align="right", dx=-2, dy=-12))
    return svg_chart([layer.encode(**encoding) for layer in layers], chart_id, title, size)


def bar_chart(chart_id, title, bars, stacked, y_format=",d", labels=(), overlays=(), x_axis=None) -> str:
    """Bars per year (points with a colour, a series and optionally an opacity), stacked in the
    order given or side by side; labels are (point, colour, text options): the point's label is
    drawn at its value."""
    x = alt.X("year:O", title=None, axis=x_axis or alt.Axis())
    bars = [{"order": order, "opacity": 1.0, **bar} for order, bar in enumerate(bars)]
    encoding = {
        "y": alt.Y("value:Q", title=None, stack="zero" if stacked else None).axis(format=y_format),
        "color": alt.Color("colour:N", scale=None),
        "opacity": alt.Opacity("opacity:Q", scale=None),
        "order": alt.Order("order:Q"),
        "description": "label:N",
    }
    if not stacked:
        encoding["xOffset"] = alt.XOffset("series:N", sort=None)
    mark = alt.Chart(_data(bars)).mark_bar(width={"band": 0.7 if stacked else 0.9})
    layers = [mark.encode(x=x, **encoding), *(overlay.encode(x=x) for overlay in overlays)]
    layers += [
        _text(p, colour, fontSize=10, **options).encode(x=x, y="value:Q") for p, colour, options in labels
    ]
    return svg_chart(layers, chart_id, title)


def horizontal_bars(chart_id, title, rows: list[tuple[str, list[tuple[int | None, str, str]]]]) -> str:
    """Horizontal bars from a zero line: one row per label, one bar per (rounded value, colour,
    series name); a value of None is a suppressed cell, shown as a label instead of a bar (and
    never its number, which the marts do not hold)."""
    bars = []
    for label, values in rows:
        for index, (value, colour, series) in enumerate(values):
            text = SECRET_BAR if value is None else nl_int(value)
            bars.append({"row": label, "series": index, "value": value or 0, "colour": colour, "label": text})
            bars[-1] |= {"negative": (value or 0) < 0, "description": f"{label}{series}: {text}"}
    y = alt.Y("row:N", title=None, sort=None).axis(labelLimit=240, labelColor=COLOUR["text"])
    base = alt.Chart(alt.Data(values=bars)).encode(y=y, yOffset="series:N", x=alt.X("value:Q", title=None))
    layers = [base.mark_bar().encode(color=alt.Color("colour:N", scale=None), description="description:N")]
    for negative, align, dx in ((False, "left", 4), (True, "right", -4)):
        text = base.transform_filter(alt.datum.negative == negative)
        text = text.mark_text(align=align, dx=dx, fontSize=10, color=COLOUR["muted"], aria=False)
        layers.append(text.encode(text="label:N"))
    height = (10 + 12 * max(len(values) for _, values in rows)) * len(rows)
    return svg_chart(layers, chart_id, title, (WIDE[0], max(150, height) + 50))


# --- the sections: which figures each shows (formatted) and its charts; the markup, headers and
# --- texts are the template's

SUBSECTOR_NL = {
    "rijk": "Rijk",
    "gemeenten": "Gemeenten",
    "provincies": "Provincies",
    "waterschappen": "Waterschappen",
    "onderwijs": "Onderwijs",
    "defensie": "Defensie",
    "politie": "Politie",
    "overig_overheid": "Overige overheid",
}
# At most this many revised figures are listed; the rest are in revisions.parquet.
REVISIONS_SHOWN = 200
CHANGE_NL = {"revised": "herzien", "removed": "vervallen", "added": "nieuw"}


def _suppressed_or(value: int | None, row: dict) -> str:
    return "geheim" if row.get("is_suppressed") else nl_int(value)


def _latest_year(rows: list[dict], wanted: int) -> int:
    years = sorted({row["measurement_year"] for row in rows})
    return wanted if wanted in years else years[-1]


def _percentage(value) -> str:
    return "" if value is None else f"{nl_decimal(float(value), 2)}%"


def _euro(value) -> str:
    return "" if value is None else f"\u20ac {nl_int(int(value))}"


def _target_path(data: ReportData, sector: str, until: int) -> dict[int, int]:
    """The targets of a sector (market, government, or total: their sum) up to `until`."""
    sectors = ("market", "government") if sector == "total" else (sector,)
    years = {y for y, _ in data.targets if y <= until and all((y, s) in data.targets for s in sectors)}
    return {y: sum(data.targets[(y, s)] for s in sectors) for y in sorted(years)}


def section_table_1(data: ReportData) -> dict:
    year = data.report_year
    total = data.comparison[(year, "total", "total")]
    if total["target_met"]:
        status = "De doelstelling voor beide sectoren samen is gehaald."
    elif total["target_met"] is False:
        shortfall = nl_int(total["target_shortfall"])
        status = f"Tot de doelstelling voor beide sectoren samen ontbreken {shortfall} banen."
    else:
        status = f"Voor {year} geldt nog geen doelstelling."
    # The letter's table 1 (like analyses/letter_table_1.sql), in whole extra jobs.
    rows = [
        [label, *(nl_int(data.comparison[(year, s, form)]["extra_jobs_rounded"]) for s in SECTORS)]
        for form, label in TABLE_1_ROWS[:3]
    ]
    targets = [nl_int(data.comparison[(year, s, "total")]["target_extra_jobs"]) for s in SECTORS]
    return {"status": status, "rows": [*rows, [TABLE_1_ROWS[3][1], *targets]]}


def section_targets(data: ReportData) -> dict:
    """Extra jobs against the target path per sector, 2012 to the last target year."""
    target_years = sorted({y for y, _ in data.targets})
    last = max(target_years + data.years)
    paths = {sector: _target_path(data, sector, last) for sector in SECTORS}
    rows = []
    for year in sorted(set(data.years) | set(target_years)):
        rows.append([str(year)])
        for sector in SECTORS:
            row = data.comparison.get((year, sector, "total"))
            rows[-1] += [nl_int(row["extra_jobs_rounded"]) if row else "", nl_int(paths[sector].get(year))]
    charts = []
    for sector in ("market", "government"):
        name = SECTOR_NL[sector]
        ids = (f"chart-extra-{sector}", f"Extra banen en doelstelling, {name}")
        measured = [data.comparison[(y, sector, "total")] for y in data.years]
        charts.append(
            line_chart(*ids, measured, paths[sector], COLOUR[sector], last, marker_year=data.years[-1])
        )
    seed_years = sorted(y for y, origin in data.target_origin.items() if origin == "seed")
    return {"target_years": target_years, "seed_years": seed_years, "charts": charts, "rows": rows}


def section_formal_loan(data: ReportData) -> dict:
    """Jobs per year, formal and loan; the chart: market and government together, formal jobs
    with loan jobs on top."""
    rows, bars, labels = [], [], []
    for year in data.years:
        jobs = {(s, f): data.comparison[(year, s, f)] for s in SECTORS for f in FORMS}
        share = data.breakdown[(year, "total", "loan")]["share_of_sector_jobs"]
        rows.append([str(year), *(nl_int(jobs[(s, f)]["jobs_rounded"]) for s in SECTORS for f in FORMS[:2])])
        rows[-1].append(nl_percent(share))
        for form in ("formal", "loan"):
            text = f"{year}, {FORM_NL[form]}: {nl_int(jobs[('total', form)]['jobs_rounded'])}"
            bars.append(_point(year, jobs[("total", form)]["jobs"], text, colour=COLOUR[form]))
        total = jobs[("total", "total")]
        labels.append(
            (_point(year, total["jobs"], nl_int(total["jobs_rounded"])), COLOUR["muted"], {"dy": -8})
        )
    ids = ("chart-formal-loan", "Formele dienstverbanden en inleenverbanden per jaar")
    chart = bar_chart(*ids, bars, True, labels=labels)
    return {"chart": chart, "rows": rows}


def section_year_on_year(data: ReportData) -> dict:
    """The change against the year before; the chart: extra jobs, market and government."""
    rows, bars = [], []
    for year in sorted({y for y, _, _ in data.year_on_year}):
        deltas = {(s, f): data.year_on_year.get((year, s, f)) for s in SECTORS for f in FORMS}
        rows.append([str(year)] + [nl_signed(row["delta_rounded"]) if row else "" for row in deltas.values()])
        for sector in ("market", "government"):
            if row := deltas[(sector, "total")]:
                text = f"{year}, {SECTOR_NL[sector]}: {nl_signed(row['delta_rounded'])}"
                bars.append(_point(year, row["delta"], text, series=sector, colour=COLOUR[sector]))
    ids = ("chart-year-on-year", "Ontwikkeling ten opzichte van het jaar ervoor")
    return {"chart": bar_chart(*ids, bars, False), "rows": rows}


def section_split_key(data: ReportData) -> dict:
    """The split key per measured year with its provenance; the chart: market share below,
    government share above, hatched (the page's pattern #assumed-hatch) where assumed rather
    than published, as the year's axis label also says."""
    keys = {(k.year, k.sector): k for k in data.split_keys}
    rows, bars, labels, provenance = [], [], [], {}
    for year in data.years:
        market, government = keys[(year, "market")], keys[(year, "government")]
        sources = dict.fromkeys((market.source, government.source))
        rows.append([str(year), nl_percent(market.share), nl_percent(government.share)])
        rows[-1] += [PROVENANCE_NL.get(market.provenance, market.provenance), "; ".join(sources)]
        assumed = {market.provenance, government.provenance} != {"published"}
        provenance[year] = PROVENANCE_NL["assumed" if assumed else "published"]
        for key in (market, government):
            text = f"{year}, {SECTOR_NL[key.sector]}: {nl_percent(key.share)}"
            bars.append(_point(year, key.share, text, colour=COLOUR[key.sector]))
        share = _point(year, market.share, nl_percent(market.share))
        labels.append((share, "#ffffff", {"dy": 12, "fontWeight": "bold"}))
    hatched = [_point(y, 1, "") for y, text in provenance.items() if text == PROVENANCE_NL["assumed"]]
    hatch = alt.Chart(_data(hatched)).mark_bar(fill="url(#assumed-hatch)", width={"band": 0.7}, aria=False)
    axis = alt.Axis(labelExpr=f"[datum.label, {json.dumps(provenance)}[datum.label]]")
    overlays = [hatch.encode(y=alt.Y("value:Q", stack=None))] if hatched else []
    ids = ("chart-split-key", "Verdeelsleutel inleenverbanden per jaar")
    return {"chart": bar_chart(*ids, bars, True, ".0%", labels, overlays, axis), "rows": rows}


def section_projection(data: ReportData) -> dict | None:
    """The road to the horizon (2026): measured extra jobs, the trend of the last measured years
    projected (a projection, not a forecast) and the target path, per sector."""
    if not data.projection:
        return None
    horizon = max(row["year"] for row in data.projection)
    rows, charts = [], []
    for sector in SECTORS:
        projected = sorted((r for r in data.projection if r["sector"] == sector), key=lambda r: r["year"])
        if not projected:
            continue
        end, name = projected[-1], SECTOR_NL[sector]
        last = end["last_measured_year"]
        rows.append([name, str(last), nl_int(data.comparison[(last, sector, "total")]["extra_jobs_rounded"])])
        rows[-1] += [nl_int(end["trend_extra_jobs_rounded"]), nl_int(end["target_extra_jobs"])]
        rows[-1] += [nl_signed(end["gap_to_target"]) if end["gap_to_target"] is not None else ""]
        rows[-1] += [nl_int(end["needed_extra_jobs_per_year_rounded"])]
        if sector == "total":
            continue
        # No trend while fewer measured years than the trend needs follow the baseline.
        trend = [row for row in projected if row["trend_extra_jobs"] is not None]
        ids = (f"chart-projectie-{sector}", f"Projectie tot {end['year']}, {name}")
        measured = [data.comparison[(y, sector, "total")] for y in data.years]
        path = _target_path(data, sector, end["year"])
        charts.append(line_chart(*ids, measured, path, COLOUR[sector], end["year"], trend, markers=False))
    return {
        "label": data.projection[0]["projection_label"],
        "horizon": horizon,
        "has_trend": any(row["trend_extra_jobs"] is not None for row in data.projection),
        "charts": charts,
        "rows": rows,
        "row_classes": ["total" if row[0] == SECTOR_NL["total"] else "" for row in rows],
    }


def section_merged(data: ReportData) -> dict | None:
    """The measurement without the market/government split, against the one combined target."""
    if not data.merged:
        return None
    by_key = {(row["measurement_year"], row["employment_form"]): row for row in data.merged}
    years = sorted({year for year, _ in by_key})
    rows = [[str(y), *(nl_int(by_key[(y, form)]["extra_jobs_rounded"]) for form in FORMS)] for y in years]
    for row, year in zip(rows, years):
        row += [
            nl_int(by_key[(year, "total")][column]) for column in ("target_extra_jobs", "target_shortfall")
        ]
    last = max(years + [y for y, _ in data.targets])
    ids = ("chart-zonder-splitsing", "Extra banen zonder splitsing markt/overheid")
    measured = [by_key[(year, "total")] for year in years]
    chart = line_chart(*ids, measured, _target_path(data, "total", last), COLOUR["total"], last, size=WIDE)
    return {"chart": chart, "rows": rows}


def section_subsectors(data: ReportData) -> dict | None:
    """Government per subsector (person-level input only), the latest year; suppressed cells
    are secret."""
    if not data.subsectors:
        return None
    year = _latest_year(data.subsectors, data.report_year)
    rows, bars = [], []
    for row in sorted(
        (row for row in data.subsectors if row["measurement_year"] == year),
        key=lambda r: (r["employment_form"] != "formal", r["government_subsector"] or ""),
    ):
        formal = row["employment_form"] == "formal"
        code = row["government_subsector"]
        label = SUBSECTOR_NL.get(code, code) if formal else "Inleenverbanden (geen subsector)"
        rows.append(
            [label, _suppressed_or(row["persons"], row), _suppressed_or(row["extra_jobs_rounded"], row)]
        )
        rows[-1].append(row["suppression_reason"] or "")
        value = None if row["is_suppressed"] else row["extra_jobs_rounded"]
        bars.append((label, [(value, COLOUR["government" if formal else "loan"], "")]))
    ids = ("chart-subsectoren", f"Extra banen overheid per subsector, {year}")
    return {"year": year, "chart": horizontal_bars(*ids, bars), "rows": rows}


def section_regions(data: ReportData) -> dict | None:
    """Formal jobs per labour market region (person-level input only), the latest year;
    suppressed cells are secret."""
    if not data.regions:
        return None
    year = _latest_year(data.regions, data.report_year)
    by_key = {
        (r["labour_market_region"], r["sector"]): r for r in data.regions if r["measurement_year"] == year
    }
    rows, bars = [], []
    for region in sorted({region for region, _ in by_key}, key=lambda r: (r is None, r or "")):
        cells = [by_key.get((region, sector)) for sector in ("market", "government")]
        rows.append(
            [region or "onbekend"] + [_suppressed_or(r["extra_jobs_rounded"], r) if r else "" for r in cells]
        )
        values = [0 if r is None else None if r["is_suppressed"] else r["extra_jobs_rounded"] for r in cells]
        series = [(COLOUR[sector], f", {SECTOR_NL[sector]}") for sector in ("market", "government")]
        bars.append((region or "onbekend", [(value, *rest) for value, rest in zip(values, series)]))
    ids = ("chart-regios", f"Extra banen per arbeidsmarktregio, {year}")
    return {"year": year, "chart": horizontal_bars(*ids, bars), "rows": rows}


def section_quota(data: ReportData) -> dict:
    """The quota levy per year and sector, and the published quota percentages with the window
    of employee hours that gives each; the chart when the input has the levy."""
    rows, bars, published = [], [], []
    for row in sorted(data.quota, key=lambda r: (r["quota_year"], r["sector"] != "government")):
        year, sector, levy = row["quota_year"], SECTOR_NL[row["sector"]], row["what_if_levy_eur"]
        rows.append([str(year), sector, "ja" if row["is_activated"] else "nee"])
        rows[-1] += [_percentage(row["quota_percentage"]), _percentage(row["published_quota_percentage"])]
        rows[-1] += [nl_int(row["liable_employers"]), _euro(row["levy_eur"]), _euro(levy)]
        rows[-1].append(row["input_status"])
        if levy is not None:  # faint where the levy is not activated: a what-if
            extra = {"series": row["sector"], "colour": COLOUR[row["sector"]]}
            bars.append(_point(year, float(levy), f"{year}, {sector}: {_euro(levy)}", **extra))
            bars[-1]["opacity"] = 1.0 if row["is_activated"] else 0.45
    for row in sorted(data.quota, key=lambda r: (r["quota_year"], r["sector"])):
        if row["published_quota_percentage"] is None:
            continue
        low, high = row["implied_employee_hours_min"], row["implied_employee_hours_max"]
        window = ""
        if low is not None and high is not None:
            window = f"meer dan {nl_decimal(low / 1e6, 1)} tot en met {nl_decimal(high / 1e6, 1)} mln uur"
        reproduced = {True: "ja", False: "nee"}.get(row["reproduces_published"], "niet te toetsen")
        published.append([str(row["quota_year"]), SECTOR_NL[row["sector"]]])
        published[-1].append(_percentage(row["published_quota_percentage"]))
        published[-1] += [window, reproduced, row["input_status"]]
    bars.sort(key=lambda bar: (bar["year"], bar["series"] != "market"))
    chart = bar_chart("chart-quotumheffing", "Quotumheffing per jaar", bars, False, "$,d") if bars else None
    return {"chart": chart, "rows": rows, "published_rows": published}


def _hours_rows(rows: list[HoursRow]) -> list[list[str]]:
    """One table row per year and note: the rows of a year that share a note side by side."""
    groups: dict[tuple[int, str], list[str]] = {}
    for row in rows:
        what = RELATION_NL.get(row.relation_type, row.relation_type)
        sector = f" {SECTOR_NL.get(row.sector, row.sector)}" if row.sector else ""
        hours = f"{what}{sector}: {nl_decimal(row.paid_hours, 2)} uur"
        groups.setdefault((row.year, row.note), []).append(hours)
    return [
        [str(year), "; ".join(hours), note]
        for (year, note), hours in sorted(groups.items(), key=lambda i: i[0][0])
    ]


def section_assumptions(data: ReportData) -> dict:
    """Every assumed number: December hours and split keys; and the reconstructed hours."""
    assumed_hours = [row for row in data.hours if row.provenance != "reconstructed"]
    reconstructed = [row for row in data.hours if row.provenance == "reconstructed"]
    assumed_keys = [key for key in data.split_keys if key.provenance != "published"]
    # One row per year: the market and government shares of a year side by side, with the
    # assumption once when both rows state the same one.
    by_year: dict[int, dict[str, SplitKey]] = {}
    for key in assumed_keys:
        by_year.setdefault(key.year, {})[key.sector] = key
    key_rows = []
    for year, keys in sorted(by_year.items()):
        key_rows.append(
            [str(year)] + [nl_percent(keys[s].share) if s in keys else "" for s in ("market", "government")]
        )
        unused = "" if year in data.years else " (nog geen meetjaar: niet gebruikt)"
        key_rows[-1].append("; ".join(dict.fromkeys(k.source for k in keys.values())) + unused)
    return {
        "assumed_hours": len(assumed_hours),
        "assumed_keys": len(assumed_keys),
        "reconstructed": len(reconstructed),
        "hours_rows": _hours_rows(assumed_hours),
        "key_rows": key_rows,
        "reconstructed_rows": _hours_rows(reconstructed),
    }


def section_revisions(data: ReportData) -> dict | None:
    """Herzieningen: the published figures that changed against the previous vintage; none when
    nothing changed (or there is one vintage). Added rows (a new year) are counted, not listed."""
    changed = [row for row in data.revisions if row["change"] != "added"]
    if not changed:
        return None
    rows = [
        [row["mart"], row["grain_key"], row["column_name"] or "(hele rij)"]
        + [
            CHANGE_NL.get(row["change"], row["change"]),
            row["old_value"] or "",
            row["new_value"] or "",
            row["why"],
        ]
        for row in changed[:REVISIONS_SHOWN]
    ]
    added = len(data.revisions) - len(changed)
    return {
        "changed": nl_int(len(changed)),
        "added": nl_int(added) if added else None,
        "shown": REVISIONS_SHOWN if len(changed) > REVISIONS_SHOWN else None,
        "old_vintage": changed[0]["old_vintage_id"],
        "new_vintage": changed[0]["new_vintage_id"],
        "rows": rows,
    }


# The sections, by the names the template knows them by.
SECTIONS = {
    "table_1": section_table_1,
    "revisions": section_revisions,
    "targets": section_targets,
    "formal_loan": section_formal_loan,
    "year_on_year": section_year_on_year,
    "split_key": section_split_key,
    "projection": section_projection,
    "merged": section_merged,
    "subsectors": section_subsectors,
    "regions": section_regions,
    "quota": section_quota,
    "assumptions": section_assumptions,
}
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("banenafspraak", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_html(data: ReportData, source_name: str) -> str:
    sections = {name: section(data) for name, section in SECTIONS.items()}
    page = _TEMPLATES.get_template(TEMPLATE)
    return page.render(
        data=data, source_name=source_name, schema=SCHEMA, colour=COLOUR, font=FONT, **sections
    )


def render_report(
    published_db: Path,
    out: Path,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    report_year: int | None = None,
) -> Path:
    """Write the report for `published_db` to `out` (replaced in one rename); return `out`."""
    data = load_data(Path(published_db), Path(seeds_dir), report_year)
    text = render_html(data, Path(published_db).name)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, out)
    finally:
        staged.unlink(missing_ok=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--published-db",
        type=Path,
        help="the published marts (default: BANENAFSPRAAK_PUBLISHED_DB, else published/banenafspraak.duckdb)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"the HTML file to write (default: {REPORT_NAME} beside the published file)",
    )
    parser.add_argument("--year", type=int, help="measurement year of table 1 (default: the latest)")
    parser.add_argument(
        "--seeds-dir",
        type=Path,
        default=DEFAULT_SEEDS_DIR,
        help="the seeds with the provenance of split keys and hours (default: seeds/)",
    )
    args = parser.parse_args(argv)
    published_db = args.published_db.resolve() if args.published_db else published_db_path()
    out = args.out.resolve() if args.out else published_db.parent / REPORT_NAME
    try:
        written = render_report(published_db, out, args.seeds_dir.resolve(), args.year)
    except ReportError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Wrote the report to {written} ({written.stat().st_size // 1024} KB).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

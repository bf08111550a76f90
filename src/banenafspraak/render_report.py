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
HTML file that is readable offline. It fetches nothing: CSS is inline, the charts are inline SVG
drawn here (no script, no font, no image), text uses the reader's own sans-serif font. Labels are
Dutch, the language of the results letter. Contents: table 1 of the letter for the latest
measured year (like analyses/letter_table_1.sql), extra jobs against the target path 2015-2026
per sector, formal versus loan jobs per year, year-on-year deltas, the split key per year with
its provenance, the road to 2026 (a projection), the measurement without the market/government
split, government subsectors and labour market regions (person-level input; suppressed cells are
shown as secret, never as a number), the quota levy with the published percentages, and a list of
every assumed input number; and, when a published figure changed against the previous vintage,
the revisions (herzieningen) with the reason. The output is deterministic: no
timestamps, no machine paths.

Paths: the command-line options are relative to the current directory; the environment variable
BANENAFSPRAAK_PUBLISHED_DB, like profiles.yml, is relative to the project root.
"""

from __future__ import annotations

import argparse
import csv
import html
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from banenafspraak.project import PROJECT_DIR
from banenafspraak.publish import MARTS, PUBLICATION_SCHEMA, SCHEMA, published_db_path

DEFAULT_SEEDS_DIR = PROJECT_DIR / "seeds"
REPORT_NAME = "report.html"

SECTORS = ("market", "government", "total")
FORMS = ("formal", "loan", "total")
SECTOR_NL = {"market": "markt", "government": "overheid", "total": "totaal"}
FORM_NL = {"formal": "formele dienstverbanden", "loan": "inleenverbanden", "total": "totaal"}
RELATION_NL = {
    "regular": "formeel dienstverband",
    "temp_agency": "uitzendrelatie",
    "sheltered_secondment": "Wsw-detachering",
}
PROVENANCE_NL = {
    "published": "gepubliceerd",
    "assumed": "aangenomen",
    "reconstructed": "gereconstrueerd",
}
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
    number = value
    text = f"{abs(number):,}".replace(",", ".")
    return f"\u2212{text}" if number < 0 else text


def nl_signed(value: int) -> str:
    return f"+{nl_int(value)}" if value > 0 else nl_int(value)


def nl_decimal(value: float, places: int) -> str:
    text = f"{abs(value):,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"\u2212{text}" if value < 0 else text


def nl_percent(share: float | None, places: int = 1) -> str:
    return "" if share is None else f"{nl_decimal(share * 100, places)}%"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


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
        beyond = {
            name: _query(connection, name)
            for name in (
                "mart_government_subsectors",
                "mart_regions",
                "mart_quota_percentages",
                "mart_target_projection",
                "mart_merged_measurement",
            )
        }
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

    split_keys = [
        SplitKey(
            int(row["measurement_year"]),
            row["sector"],
            float(row["share"]),
            row["provenance"],
            row["source"],
        )
        for row in _read_seed(
            seeds_dir, "split_keys", ("measurement_year", "sector", "share", "provenance", "source")
        )
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

    hours = [
        HoursRow(
            int(row["measurement_year"]),
            row["relation_type"],
            row["employer_sector"] or "",
            float(row["paid_hours"]),
            row["provenance"],
            row["provenance_note"],
        )
        for row in _read_seed(
            seeds_dir,
            "december_hours",
            (
                "measurement_year",
                "relation_type",
                "employer_sector",
                "paid_hours",
                "provenance",
                "provenance_note",
            ),
        )
    ]
    return ReportData(
        years=years,
        report_year=report_year,
        comparison=comparison,
        year_on_year=year_on_year,
        breakdown=breakdown,
        targets=targets,
        target_origin=target_origin,
        split_keys=split_keys,
        hours=hours,
        subsectors=beyond["mart_government_subsectors"],
        regions=beyond["mart_regions"],
        quota=beyond["mart_quota_percentages"],
        projection=beyond["mart_target_projection"],
        merged=beyond["mart_merged_measurement"],
        revisions=revisions,
    )


def table_1(
    data: ReportData, year: int | None = None
) -> list[tuple[str, int | None, int | None, int | None]]:
    """The letter's table 1 (analyses/letter_table_1.sql) from mart_baseline_comparison:
    (row label, market, government, total) in whole extra jobs against the baseline."""
    year = data.report_year if year is None else year
    rows = []
    for key, label in TABLE_1_ROWS:
        if key == "target":
            values = [data.comparison[(year, s, "total")]["target_extra_jobs"] for s in SECTORS]
        else:
            values = [data.comparison[(year, s, key)]["extra_jobs_rounded"] for s in SECTORS]
        rows.append((label, *values))
    return rows


# --- SVG ---------------------------------------------------------------------------------------


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum >= value and a tick step: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0, 1.0
    rough = value / 5
    power = 10 ** (len(str(int(rough))) - 1) if rough >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if rough <= step:
            break
    top = step * -(-value // step)
    return top, step


class Svg:
    """A small SVG canvas: elements appended as text, coordinates in viewBox units."""

    def __init__(self, chart_id: str, width: int, height: int, title: str):
        self.chart_id = chart_id
        self.width = width
        self.height = height
        self.parts = [f"<title>{esc(title)}</title>"]

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(
        self,
        x: float,
        y: float,
        content: str,
        size: int = 11,
        anchor: str = "middle",
        colour: str = COLOUR["muted"],
        weight: str = "normal",
    ) -> None:
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}" font-weight="{weight}">{esc(content)}</text>'
        )

    def heading(self, x: float, content: str) -> None:
        """The chart's own title, above the plotting area."""
        self.text(x, 18, content, size=13, anchor="start", colour=COLOUR["text"], weight="bold")

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        colour: str,
        width: float = 1,
        dash: str = "",
    ) -> None:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width}"{dash_attr}/>'
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> None:
        if h < 0:
            y, h = y + h, -h
        self.add(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{max(h, 0.5):.1f}" fill="{fill}"{extra}/>'
        )

    def render(self) -> str:
        body = "".join(self.parts)
        return (
            f'<svg id="{self.chart_id}" class="chart" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'font-family="{esc(FONT)}">{body}</svg>'
        )


@dataclass
class Plot:
    """The plotting area of a chart with a linear y axis from y_min to y_max."""

    svg: Svg
    left: float
    top: float
    right: float
    bottom: float
    y_min: float
    y_max: float
    step: float

    def y(self, value: float) -> float:
        span = self.y_max - self.y_min
        return self.bottom - (value - self.y_min) / span * (self.bottom - self.top)

    def y_axis(self, label_format=lambda tick: nl_int(int(tick))) -> None:
        tick = self.y_min
        while tick <= self.y_max + self.step / 1000:
            y = self.y(tick)
            colour = COLOUR["axis"] if abs(tick) < 1e-9 else COLOUR["grid"]
            self.svg.line(self.left, y, self.right, y, colour)
            self.svg.text(self.left - 6, y + 4, label_format(tick), anchor="end")
            tick += self.step


def chart_extra_vs_target(data: ReportData, sector: str) -> str:
    """Extra jobs (measured) against the target path, one sector, 2012 to the last target year."""
    first = data.years[0]
    last = max([year for year, _ in data.targets] + data.years)
    svg = Svg(f"chart-extra-{sector}", 530, 300, f"Extra banen en doelstelling, {SECTOR_NL[sector]}")
    measured = [(y, data.comparison[(y, sector, "total")]["extra_jobs"]) for y in data.years]
    target = sorted((y, v) for (y, s), v in data.targets.items() if s == sector)
    peak = max([v for _, v in measured] + [v for _, v in target] + [1])
    low = min([v for _, v in measured] + [0])
    top, step = nice_ceiling(peak * 1.04)
    bottom_value = 0.0 if low >= 0 else -nice_ceiling(-low)[0]
    plot = Plot(svg, 62, 34, 516, 262, bottom_value, top, step)
    plot.y_axis()

    def x(year: float) -> float:
        return plot.left + 12 + (year - first) / max(last - first, 1) * (plot.right - plot.left - 24)

    for year in range(first, last + 1):
        svg.line(x(year), plot.bottom, x(year), plot.bottom + 4, COLOUR["axis"])
        if (year - first) % 2 == 0 or year == last:
            svg.text(x(year), plot.bottom + 18, str(year))
    # The last measured year: a faint marker, so the measured line visibly ends there.
    svg.line(x(data.years[-1]), plot.top, x(data.years[-1]), plot.bottom, COLOUR["grid"], 1, "2 3")

    colour = COLOUR[sector]
    if target:
        points = " ".join(f"{x(y):.1f},{plot.y(v):.1f}" for y, v in target)
        svg.add(
            f'<polyline points="{points}" fill="none" stroke="{COLOUR["target"]}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        for y, v in target:
            svg.add(
                f'<circle cx="{x(y):.1f}" cy="{plot.y(v):.1f}" r="3.2" fill="#ffffff" '
                f'stroke="{COLOUR["target"]}" stroke-width="1.5"/>'
            )
        end_year, end_value = target[-1]
        svg.text(
            x(end_year),
            plot.y(end_value) - 10,
            f"doelstelling {end_year}: {nl_int(end_value)}",
            anchor="end",
            colour=COLOUR["target"],
        )
    points = " ".join(f"{x(y):.1f},{plot.y(v):.1f}" for y, v in measured)
    svg.add(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
    for y, v in measured:
        svg.add(f'<circle cx="{x(y):.1f}" cy="{plot.y(v):.1f}" r="3.4" fill="{colour}"/>')
    last_year, last_value = measured[-1]
    svg.text(
        x(last_year) + 6,
        plot.y(last_value) + 16,
        f"{last_year}: {nl_int(data.comparison[(last_year, sector, 'total')]['extra_jobs_rounded'])}",
        anchor="start",
        colour=colour,
        weight="bold",
    )
    svg.heading(plot.left, f"{SECTOR_NL[sector].capitalize()}: extra banen t.o.v. de nulmeting")
    return svg.render()


def _bar_positions(count: int, left: float, right: float, fill: float = 0.68):
    band = (right - left) / count
    return band, band * fill


def chart_formal_loan(data: ReportData) -> str:
    """Jobs per year, market and government together: formal jobs with loan jobs on top."""
    svg = Svg("chart-formal-loan", 1080, 300, "Formele dienstverbanden en inleenverbanden per jaar")
    rows = [
        (
            y,
            data.comparison[(y, "total", "formal")]["jobs"],
            data.comparison[(y, "total", "loan")]["jobs"],
        )
        for y in data.years
    ]
    top, step = nice_ceiling(max(formal + loan for _, formal, loan in rows) * 1.06)
    plot = Plot(svg, 70, 34, 1064, 262, 0, top, step)
    plot.y_axis()
    band, width = _bar_positions(len(rows), plot.left, plot.right)
    for index, (year, formal, loan) in enumerate(rows):
        x = plot.left + index * band + (band - width) / 2
        svg.rect(x, plot.y(formal), width, plot.bottom - plot.y(formal), COLOUR["formal"])
        svg.rect(x, plot.y(formal + loan), width, plot.y(formal) - plot.y(formal + loan), COLOUR["loan"])
        total_jobs = data.comparison[(year, "total", "total")]["jobs_rounded"]
        svg.text(x + width / 2, plot.y(formal + loan) - 5, nl_int(total_jobs), size=10)
        svg.text(x + width / 2, plot.bottom + 18, str(year))
    svg.heading(plot.left, "Banen in december (markt en overheid samen)")
    return svg.render()


def chart_year_on_year(data: ReportData) -> str:
    """The change in extra jobs against the year before, market and government (all forms)."""
    svg = Svg("chart-year-on-year", 1080, 300, "Ontwikkeling ten opzichte van het jaar ervoor")
    years = sorted({y for y, s, f in data.year_on_year if f == "total"})
    values = {
        (y, s): data.year_on_year[(y, s, "total")]["delta"] for y in years for s in ("market", "government")
    }
    high = max(list(values.values()) + [0])
    low = min(list(values.values()) + [0])
    top, step = nice_ceiling(max(high, -low) * 1.1)
    bottom_value = 0.0 if low >= 0 else -step * math.ceil(-low / step)
    plot = Plot(svg, 70, 34, 1064, 262, bottom_value, max(top, step), step)
    plot.y_axis()
    band, width = _bar_positions(len(years), plot.left, plot.right, 0.74)
    zero = plot.y(0)
    for index, year in enumerate(years):
        x = plot.left + index * band + (band - width) / 2
        for offset, sector in enumerate(("market", "government")):
            value = values[(year, sector)]
            svg.rect(
                x + offset * width / 2,
                plot.y(value),
                width / 2 - 2,
                zero - plot.y(value),
                COLOUR[sector],
            )
        svg.text(x + width / 2, plot.bottom + 18, str(year))
    svg.heading(plot.left, "Verschil in extra banen met het jaar ervoor")
    return svg.render()


def chart_split_key(data: ReportData) -> str:
    """The split key per measured year: market share below, government share above; hatched
    where the key is assumed rather than published."""
    svg = Svg("chart-split-key", 1080, 300, "Verdeelsleutel inleenverbanden per jaar")
    svg.add(
        '<defs><pattern id="assumed-hatch" width="7" height="7" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="3" height="7" fill="#ffffff" '
        'fill-opacity="0.55"/></pattern></defs>'
    )
    keys = {(k.year, k.sector): k for k in data.split_keys}
    plot = Plot(svg, 70, 34, 1064, 250, 0, 1, 0.25)
    plot.y_axis(lambda v: nl_percent(v, 0))
    band, width = _bar_positions(len(data.years), plot.left, plot.right)
    for index, year in enumerate(data.years):
        x = plot.left + index * band + (band - width) / 2
        market = keys[(year, "market")]
        assumed = market.provenance != "published" or keys[(year, "government")].provenance != "published"
        svg.rect(x, plot.y(market.share), width, plot.bottom - plot.y(market.share), COLOUR["market"])
        svg.rect(x, plot.top, width, plot.y(market.share) - plot.top, COLOUR["government"])
        if assumed:
            svg.rect(x, plot.top, width, plot.bottom - plot.top, "url(#assumed-hatch)")
        svg.text(
            x + width / 2,
            plot.y(market.share) + 16,
            nl_percent(market.share),
            size=10,
            colour="#ffffff",
            weight="bold",
        )
        svg.text(x + width / 2, plot.bottom + 16, str(year))
        svg.text(
            x + width / 2,
            plot.bottom + 30,
            PROVENANCE_NL["assumed" if assumed else "published"],
            size=10,
            colour=COLOUR["muted"] if assumed else COLOUR["text"],
        )
    svg.heading(plot.left, "Aandeel van markt en overheid in de inleenbanen")
    return svg.render()


# --- charts beyond the letter ------------------------------------------------------------------


def chart_projection(data: ReportData, sector: str) -> str:
    """Measured extra jobs, the trend of the last measured years projected to the horizon (a
    projection, not a forecast), and the target path, one sector."""
    rows = sorted((row for row in data.projection if row["sector"] == sector), key=lambda row: row["year"])
    svg = Svg(f"chart-projectie-{sector}", 530, 300, f"Projectie tot {rows[-1]['year']}, {SECTOR_NL[sector]}")
    first = data.years[0]
    last = rows[-1]["year"]
    measured = [(y, data.comparison[(y, sector, "total")]["extra_jobs"]) for y in data.years]
    # No trend while fewer measured years than the trend needs follow the baseline.
    trend = [(row["year"], row["trend_extra_jobs"]) for row in rows if row["trend_extra_jobs"] is not None]
    target = sorted((y, v) for (y, s), v in data.targets.items() if s == sector and first <= y <= last)
    values = [v for _, v in measured + trend + target]
    top, step = nice_ceiling(max(values + [1]) * 1.04)
    low = min(values + [0])
    bottom_value = 0.0 if low >= 0 else -nice_ceiling(-low)[0]
    plot = Plot(svg, 62, 34, 516, 262, bottom_value, top, step)
    plot.y_axis()

    def x(year: float) -> float:
        return plot.left + 12 + (year - first) / max(last - first, 1) * (plot.right - plot.left - 24)

    for year in range(first, last + 1):
        svg.line(x(year), plot.bottom, x(year), plot.bottom + 4, COLOUR["axis"])
        if (year - first) % 2 == 0 or year == last:
            svg.text(x(year), plot.bottom + 18, str(year))
    colour = COLOUR[sector]
    if target:
        points = " ".join(f"{x(y):.1f},{plot.y(v):.1f}" for y, v in target)
        svg.add(
            f'<polyline points="{points}" fill="none" stroke="{COLOUR["target"]}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
    points = " ".join(f"{x(y):.1f},{plot.y(v):.1f}" for y, v in measured)
    svg.add(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
    end = rows[-1]
    if trend:
        points = " ".join(f"{x(y):.1f},{plot.y(v):.1f}" for y, v in trend)
        svg.add(
            f'<polyline class="trend" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="3 3"/>'
        )
        svg.add(
            f'<circle cx="{x(end["year"]):.1f}" cy="{plot.y(end["trend_extra_jobs"]):.1f}" '
            f'r="3.4" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
        svg.text(
            x(end["year"]) - 6,
            plot.y(end["trend_extra_jobs"]) + 16,
            f"projectie {end['year']}: {nl_int(end['trend_extra_jobs_rounded'])}",
            anchor="end",
            colour=colour,
            weight="bold",
        )
    if end["target_extra_jobs"] is not None:
        svg.text(
            x(end["year"]) - 6,
            plot.y(end["target_extra_jobs"]) - 8,
            f"doelstelling {end['year']}: {nl_int(end['target_extra_jobs'])}",
            anchor="end",
            colour=COLOUR["target"],
        )
    svg.heading(plot.left, f"{SECTOR_NL[sector].capitalize()}: trend van de laatste meetjaren")
    return svg.render()


def chart_merged(data: ReportData) -> str:
    """Extra jobs without the market/government split against the one combined target."""
    rows = sorted(
        (row for row in data.merged if row["employment_form"] == "total"),
        key=lambda row: row["measurement_year"],
    )
    svg = Svg("chart-zonder-splitsing", 1080, 300, "Extra banen zonder splitsing markt/overheid")
    years = [row["measurement_year"] for row in rows]
    target_years = sorted({y for y, _ in data.targets})
    first, last = years[0], max(years + target_years)
    combined = {
        y: data.targets[(y, "market")] + data.targets[(y, "government")]
        for y in target_years
        if (y, "market") in data.targets and (y, "government") in data.targets
    }
    values = [row["extra_jobs"] for row in rows] + list(combined.values())
    top, step = nice_ceiling(max(values + [1]) * 1.04)
    low = min(values + [0])
    bottom_value = 0.0 if low >= 0 else -nice_ceiling(-low)[0]
    plot = Plot(svg, 70, 34, 1064, 262, bottom_value, top, step)
    plot.y_axis()

    def x(year: float) -> float:
        return plot.left + 16 + (year - first) / max(last - first, 1) * (plot.right - plot.left - 32)

    for year in range(first, last + 1):
        svg.line(x(year), plot.bottom, x(year), plot.bottom + 4, COLOUR["axis"])
        svg.text(x(year), plot.bottom + 18, str(year))
    points = " ".join(f"{x(y):.1f},{plot.y(v):.1f}" for y, v in sorted(combined.items()))
    svg.add(
        f'<polyline points="{points}" fill="none" stroke="{COLOUR["target"]}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    points = " ".join(f"{x(r['measurement_year']):.1f},{plot.y(r['extra_jobs']):.1f}" for r in rows)
    svg.add(f'<polyline points="{points}" fill="none" stroke="{COLOUR["total"]}" stroke-width="2.5"/>')
    for row in rows:
        svg.add(
            f'<circle cx="{x(row["measurement_year"]):.1f}" cy="{plot.y(row["extra_jobs"]):.1f}" '
            f'r="3.4" fill="{COLOUR["total"]}"/>'
        )
    end = rows[-1]
    at_right_edge = end["measurement_year"] == last
    svg.text(
        x(end["measurement_year"]) + (-6 if at_right_edge else 6),
        plot.y(end["extra_jobs"]) + (-10 if at_right_edge else 16),
        f"{end['measurement_year']}: {nl_int(end['extra_jobs_rounded'])}",
        anchor="end" if at_right_edge else "start",
        colour=COLOUR["total"],
        weight="bold",
    )
    if combined:
        end_year = max(combined)
        svg.text(
            x(end_year),
            plot.y(combined[end_year]) - 10,
            f"doelstelling {end_year}: {nl_int(combined[end_year])}",
            anchor="end",
            colour=COLOUR["target"],
        )
    svg.heading(plot.left, "Extra banen, markt en overheid samen, tegen één doelstelling")
    return svg.render()


def chart_horizontal_bars(
    chart_id: str,
    title: str,
    heading: str,
    rows: list[tuple[str, list[tuple[int | None, str]]]],
) -> str:
    """Horizontal bars from a zero line: one row per label, one bar per (rounded value, colour);
    a value of None is a suppressed cell, drawn as a label instead of a bar."""
    bars_per_row = max(len(values) for _, values in rows)
    row_height = 10 + 12 * bars_per_row
    height = 50 + row_height * len(rows)
    svg = Svg(chart_id, 1080, height, title)
    values = [v for _, vals in rows for v, _ in vals if v is not None]
    high = max(values + [1])
    low = min(values + [0])
    top, step = nice_ceiling(max(high, -low) * 1.08)
    left_value = 0.0 if low >= 0 else -step * math.ceil(-low / step)
    label_right, plot_left, plot_right = 250, 260, 1040

    def x(value: float) -> float:
        return plot_left + (value - left_value) / (top - left_value) * (plot_right - plot_left)

    plot_bottom = 34 + row_height * len(rows)
    tick = left_value
    while tick <= top + step / 1000:
        colour = COLOUR["axis"] if abs(tick) < 1e-9 else COLOUR["grid"]
        svg.line(x(tick), 30, x(tick), plot_bottom, colour)
        svg.text(x(tick), plot_bottom + 14, nl_int(int(tick)))
        tick += step
    for index, (label, vals) in enumerate(rows):
        y0 = 34 + index * row_height + 5
        svg.text(label_right, y0 + 6 * len(vals) + 4, label, size=11, anchor="end", colour=COLOUR["text"])
        for offset, (value, colour) in enumerate(vals):
            y = y0 + offset * 12
            if value is None:
                svg.text(
                    x(0) + 4,
                    y + 9,
                    "geheim (minder dan 10 personen of afgeleid)",
                    size=10,
                    anchor="start",
                    colour=COLOUR["muted"],
                )
                continue
            svg.rect(min(x(0), x(value)), y, abs(x(value) - x(0)), 10, colour)
            anchor = "start" if value >= 0 else "end"
            shift = 4 if value >= 0 else -4
            svg.text(x(value) + shift, y + 9, nl_int(value), size=10, anchor=anchor)
    svg.heading(plot_left, heading)
    return svg.render()


def chart_quota_levy(data: ReportData) -> str:
    """The levy per quota year: government (activated) and the market what-if, in euros."""
    years = sorted({row["quota_year"] for row in data.quota if row["what_if_levy_eur"] is not None})
    by_key = {(row["quota_year"], row["sector"]): row for row in data.quota}
    svg = Svg("chart-quotumheffing", 1080, 300, "Quotumheffing per jaar")
    amounts = [
        float(by_key[(y, s)]["what_if_levy_eur"] or 0)
        for y in years
        for s in ("market", "government")
        if (y, s) in by_key
    ]
    top, step = nice_ceiling(max(amounts + [1]) * 1.1)
    plot = Plot(svg, 110, 34, 1064, 262, 0, top, step)
    plot.y_axis(lambda tick: f"\u20ac {nl_int(int(tick))}")
    band, width = _bar_positions(len(years), plot.left, plot.right, 0.7)
    for index, year in enumerate(years):
        x = plot.left + index * band + (band - width) / 2
        for offset, sector in enumerate(("market", "government")):
            row = by_key.get((year, sector))
            if row is None or row["what_if_levy_eur"] is None:
                continue
            value = float(row["what_if_levy_eur"])
            activated = bool(row["is_activated"])
            extra = "" if activated else ' fill-opacity="0.45"'
            svg.rect(
                x + offset * width / 2,
                plot.y(value),
                width / 2 - 2,
                plot.bottom - plot.y(value),
                COLOUR[sector],
                extra,
            )
        svg.text(x + width / 2, plot.bottom + 18, str(year))
    svg.heading(plot.left, "Heffing (overheid, geactiveerd) en wat-als-heffing (markt), in euro")
    return svg.render()


# --- HTML --------------------------------------------------------------------------------------

CSS = f"""
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #ffffff; color: {COLOUR["text"]}; font-family: {FONT};
  font-size: 14px; line-height: 1.45; }}
main {{ width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }}
h2 {{ font-size: 18px; margin: 32px 0 8px; padding-top: 12px; border-top: 1px solid #dddddd; }}
h3 {{ font-size: 15px; margin: 20px 0 6px; }}
p {{ margin: 6px 0; max-width: 960px; }}
.lead {{ color: {COLOUR["muted"]}; }}
.note {{ background: #fff6e0; border-left: 4px solid #e0a100; padding: 8px 12px; margin: 12px 0; }}
figure {{ margin: 8px 0 4px; }}
.panels {{ display: flex; gap: 20px; }}
svg.chart {{ display: block; background: #ffffff; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 18px; margin: 6px 0 2px; color: {COLOUR["muted"]};
  font-size: 13px; }}
.legend span.key {{ display: inline-block; width: 22px; height: 10px; margin-right: 6px;
  vertical-align: middle; }}
.legend span.line {{ height: 0; border-top: 3px solid; }}
.legend span.dashed {{ height: 0; border-top: 2px dashed; }}
.legend span.hatched {{
  background: repeating-linear-gradient(45deg, #1f5fa8 0 4px, #8fb0d4 4px 7px); }}
table {{ border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }}
th, td {{ padding: 4px 10px; border-bottom: 1px solid #e6e6e6; text-align: left;
  vertical-align: top; }}
th {{ background: #f4f4f4; font-weight: 600; }}
th.group {{ text-align: center; border-bottom: 1px solid #cccccc; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
tr.total td {{ font-weight: 600; border-top: 1px solid #999999; }}
tr.target td {{ color: {COLOUR["muted"]}; font-style: italic; }}
table.small {{ font-size: 12.5px; }}
td.text {{ max-width: 620px; }}
details {{ margin: 8px 0; }}
summary {{ cursor: pointer; color: {COLOUR["market"]}; }}
footer {{ margin-top: 36px; color: {COLOUR["muted"]}; font-size: 12.5px; }}
"""


def _table(
    headers: list[tuple[str, bool]],
    rows: list[tuple[list[tuple[str, bool]], str]],
    table_id: str = "",
    css_class: str = "",
    groups: list[tuple[str, int]] | None = None,
) -> str:
    """headers: (text, numeric); rows: ([(cell text, numeric)], row css class); groups: an
    optional header row above the headers, (text, number of columns it spans)."""
    id_attr = f' id="{table_id}"' if table_id else ""
    class_attr = f' class="{css_class}"' if css_class else ""
    num = ' class="num"'
    head = "".join(f"<th{num if numeric else ''}>{esc(text)}</th>" for text, numeric in headers)
    if groups:
        group_cells = "".join(f'<th colspan="{span}" class="group">{esc(text)}</th>' for text, span in groups)
        head = f"{group_cells}</tr><tr>{head}"
    body = []
    for cells, row_class in rows:
        tds = "".join(
            f'<td class="{"num" if numeric else "text"}">{esc(text)}</td>' for text, numeric in cells
        )
        tr_class = f' class="{row_class}"' if row_class else ""
        body.append(f"<tr{tr_class}>{tds}</tr>")
    return f"<table{id_attr}{class_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _legend(items: list[tuple[str, str, str]]) -> str:
    """items: (css kind: box/line/dashed/hatched, colour, label)."""
    spans = []
    for kind, colour, label in items:
        style = (
            f"border-color: {colour};"
            if kind in ("line", "dashed")
            else (f"background: {colour};" if kind == "box" else "")
        )
        spans.append(f'<span><span class="key {kind}" style="{style}"></span>{esc(label)}</span>')
    return f'<div class="legend">{"".join(spans)}</div>'


def section_table_1(data: ReportData) -> str:
    year = data.report_year
    rows = []
    for (key, _), (label, market, government, total) in zip(TABLE_1_ROWS, table_1(data), strict=True):
        rows.append(
            (
                [
                    (label, False),
                    (nl_int(market), True),
                    (nl_int(government), True),
                    (nl_int(total), True),
                ],
                {"total": "total", "target": "target"}.get(key, ""),
            )
        )
    table = _table(
        [
            ("Vorm", False),
            ("Toename banen markt", True),
            ("Toename banen overheid", True),
            ("Totale toename banen", True),
        ],
        rows,
        table_id="tabel-1",
    )
    total = data.comparison[(year, "total", "total")]
    status = (
        "De doelstelling voor beide sectoren samen is gehaald."
        if total["target_met"]
        else f"Tot de doelstelling voor beide sectoren samen ontbreken "
        f"{nl_int(total['target_shortfall'])} banen."
        if total["target_met"] is False
        else f"Voor {year} geldt nog geen doelstelling."
    )
    return (
        '<section id="sectie-tabel-1">'
        f"<h2>Tabel 1: resultaten eind {year} ten opzichte van de nulmeting</h2>"
        f"<p>Extra banen ten opzichte van de nulmeting (december {data.years[0]}), afgerond op "
        "hele banen; "
        "markt en overheid kunnen door afronding één baan van het totaal verschillen. "
        f"{esc(status)}</p>{table}</section>"
    )


def section_targets(data: ReportData) -> str:
    seed_years = sorted(y for y, origin in data.target_origin.items() if origin == "seed")
    origin = (
        f" De doelstellingen van {seed_years[0]}-{seed_years[-1]} (nog geen meetjaar) komen uit "
        "seeds/targets.csv; die van de meetjaren uit de marts."
        if seed_years
        else ""
    )
    target_years = sorted({y for y, _ in data.targets})
    rows = []
    for year in sorted(set(data.years) | set(target_years)):
        cells = [(str(year), False)]
        for sector in ("market", "government", "total"):
            row = data.comparison.get((year, sector, "total"))
            if sector == "total":
                target = (
                    data.targets.get((year, "market"), 0) + data.targets.get((year, "government"), 0)
                    if (year, "market") in data.targets
                    else None
                )
            else:
                target = data.targets.get((year, sector))
            cells += [
                (nl_int(row["extra_jobs_rounded"]) if row else "", True),
                (nl_int(target), True),
            ]
        rows.append((cells, ""))
    table = _table(
        [
            ("Jaar", False),
            ("Markt: extra banen", True),
            ("Markt: doelstelling", True),
            ("Overheid: extra banen", True),
            ("Overheid: doelstelling", True),
            ("Totaal: extra banen", True),
            ("Totaal: doelstelling", True),
        ],
        rows,
        table_id="tabel-doelstelling",
        css_class="small",
    )
    return (
        '<section id="sectie-doelstelling"><h2>Extra banen en de doelstelling per sector</h2>'
        f"<p>Gemeten extra banen ten opzichte van de nulmeting ({data.years[0]}-{data.years[-1]}) "
        f"naast het pad van de doelstelling ({target_years[0]}-{target_years[-1]}, "
        f"Sociaal Akkoord, Regeling Wfsv art. 3.29).{esc(origin)}</p>"
        + _legend(
            [
                ("line", COLOUR["market"], "extra banen markt"),
                ("line", COLOUR["government"], "extra banen overheid"),
                ("dashed", COLOUR["target"], "doelstelling"),
            ]
        )
        + '<figure class="panels">'
        + chart_extra_vs_target(data, "market")
        + chart_extra_vs_target(data, "government")
        + "</figure>"
        + f"<details><summary>De cijfers per jaar</summary>{table}</details></section>"
    )


def section_formal_loan(data: ReportData) -> str:
    rows = []
    for year in data.years:
        cells = [(str(year), False)]
        for sector in SECTORS:
            for form in ("formal", "loan"):
                cells.append((nl_int(data.comparison[(year, sector, form)]["jobs_rounded"]), True))
        share = data.breakdown[(year, "total", "loan")]["share_of_sector_jobs"]
        cells.append((nl_percent(share), True))
        rows.append((cells, ""))
    table = _table(
        [
            ("Jaar", False),
            ("formeel", True),
            ("inleen", True),
            ("formeel", True),
            ("inleen", True),
            ("formeel", True),
            ("inleen", True),
            ("aandeel inleen", True),
        ],
        rows,
        table_id="tabel-formeel-inleen",
        css_class="small",
        groups=[("", 1), ("Markt", 2), ("Overheid", 2), ("Totaal", 3)],
    )
    return (
        '<section id="sectie-formeel-inleen"><h2>Formele dienstverbanden en inleenverbanden</h2>'
        "<p>Banen in december (verloonde uren / 110,92), inclusief de banen van de nulmeting. "
        "Inleenverbanden zijn uitzendrelaties en Wsw-detacheringen; hun banen gaan met de "
        "verdeelsleutel van het jaar naar markt en overheid.</p>"
        + _legend(
            [
                ("box", COLOUR["formal"], "formele dienstverbanden"),
                ("box", COLOUR["loan"], "inleenverbanden"),
            ]
        )
        + "<figure>"
        + chart_formal_loan(data)
        + "</figure>"
        + table
        + "</section>"
    )


def section_year_on_year(data: ReportData) -> str:
    years = sorted({y for y, _, _ in data.year_on_year})
    rows = []
    for year in years:
        cells = [(str(year), False)]
        for sector in SECTORS:
            for form in FORMS:
                row = data.year_on_year.get((year, sector, form))
                cells.append((nl_signed(row["delta_rounded"]) if row else "", True))
        rows.append((cells, ""))
    headers = [("Jaar", False)] + [(form, True) for _ in SECTORS for form in ("formeel", "inleen", "totaal")]
    table = _table(
        headers,
        rows,
        table_id="tabel-jaar-op-jaar",
        css_class="small",
        groups=[("", 1)] + [(SECTOR_NL[s].capitalize(), 3) for s in SECTORS],
    )
    return (
        '<section id="sectie-jaar-op-jaar"><h2>Ontwikkeling ten opzichte van het jaar ervoor</h2>'
        "<p>Verschil in extra banen met het jaar ervoor, berekend op onafgeronde aantallen en dan "
        "afgerond.</p>"
        + _legend([("box", COLOUR["market"], "markt"), ("box", COLOUR["government"], "overheid")])
        + "<figure>"
        + chart_year_on_year(data)
        + "</figure>"
        + table
        + "</section>"
    )


def section_split_key(data: ReportData) -> str:
    keys = {(k.year, k.sector): k for k in data.split_keys}
    rows = []
    for year in data.years:
        market, government = keys[(year, "market")], keys[(year, "government")]
        provenance = PROVENANCE_NL.get(market.provenance, market.provenance)
        source = (
            market.source if market.source == government.source else f"{market.source}; {government.source}"
        )
        rows.append(
            (
                [
                    (str(year), False),
                    (nl_percent(market.share), True),
                    (nl_percent(government.share), True),
                    (provenance, False),
                    (source, False),
                ],
                "",
            )
        )
    table = _table(
        [
            ("Jaar", False),
            ("Markt", True),
            ("Overheid", True),
            ("Herkomst", False),
            ("Bron of aanname", False),
        ],
        rows,
        table_id="tabel-verdeelsleutel",
        css_class="small",
    )
    return (
        '<section id="sectie-verdeelsleutel"><h2>Verdeelsleutel inleenverbanden</h2>'
        "<p>Het aandeel van markt en overheid in de uren van inleenverbanden, per meetjaar, uit "
        "het onderzoek van SEO. Gearceerd: aangenomen, niet gepubliceerd. De aandelen staan in de "
        "marts (split_key_share); de herkomst in seeds/split_keys.csv.</p>"
        + _legend(
            [
                ("box", COLOUR["market"], "markt"),
                ("box", COLOUR["government"], "overheid"),
                ("hatched", "", "aangenomen"),
            ]
        )
        + "<figure>"
        + chart_split_key(data)
        + "</figure>"
        + table
        + "</section>"
    )


def section_assumptions(data: ReportData) -> str:
    measured = set(data.years)
    assumed_hours = [row for row in data.hours if row.provenance != "reconstructed"]
    reconstructed = [row for row in data.hours if row.provenance == "reconstructed"]

    def grouped(rows: list[HoursRow]) -> list[tuple[list[tuple[str, bool]], str]]:
        """One table row per year and note: the rows of a year that share a note side by side."""
        groups: dict[tuple[int, str], list[HoursRow]] = {}
        for row in rows:
            groups.setdefault((row.year, row.note), []).append(row)
        out = []
        for (year, note), members in sorted(groups.items(), key=lambda item: item[0][0]):
            figures = "; ".join(
                f"{RELATION_NL.get(m.relation_type, m.relation_type)}"
                f"{' ' + SECTOR_NL.get(m.sector, m.sector) if m.sector else ''}: "
                f"{nl_decimal(m.paid_hours, 2)} uur"
                for m in members
            )
            out.append(([(str(year), False), (figures, False), (note, False)], ""))
        return out

    assumed_keys = [k for k in data.split_keys if k.provenance != "published"]
    # One row per year: the market and government shares of a year side by side, with the
    # assumption once when both rows state the same one.
    by_year: dict[int, dict[str, SplitKey]] = {}
    for key in assumed_keys:
        by_year.setdefault(key.year, {})[key.sector] = key
    key_rows = []
    for year, keys in sorted(by_year.items()):
        sources = list(dict.fromkeys(k.source for k in keys.values()))
        unused = "" if year in measured else " (nog geen meetjaar: niet gebruikt)"
        key_rows.append(
            (
                [(str(year), False)]
                + [(nl_percent(keys[s].share) if s in keys else "", True) for s in ("market", "government")]
                + [("; ".join(sources) + unused, False)],
                "",
            )
        )
    hours_headers = [
        ("Jaar", False),
        ("Verloonde uren in december", False),
        ("Toelichting (uit de seed)", False),
    ]
    return (
        '<section id="sectie-aannames"><h2>Aangenomen getallen</h2>'
        '<p class="note">Er zijn geen uren gepubliceerd, alleen afgeronde banen. De meegeleverde '
        "invoer is daarom gereconstrueerd (banenafspraak reconstruct-seeds): elke rij van "
        "seeds/december_hours.csv is <em>gereconstrueerd</em> (vastgelegd door gepubliceerde "
        "cijfers) of <em>aangenomen</em>, en elke verdeelsleutel <em>gepubliceerd</em> of "
        "<em>aangenomen</em>. Hieronder elk aangenomen getal. Zijn de marts op een bestand met "
        "loonregels per persoon gebouwd, dan gelden de aannames over de uren niet; "
        "verdeelsleutels en doelstellingen komen altijd uit de seeds.</p>"
        f"<h3>Verloonde uren: {len(assumed_hours)} aangenomen rijen (seeds/december_hours.csv)</h3>"
        + _table(hours_headers, grouped(assumed_hours), table_id="tabel-aanname-uren", css_class="small")
        + f"<h3>Verdeelsleutel: {len(assumed_keys)} aangenomen aandelen (seeds/split_keys.csv)</h3>"
        + _table(
            [("Jaar", False), ("Markt", True), ("Overheid", True), ("Aanname", False)],
            key_rows,
            table_id="tabel-aanname-verdeelsleutel",
            css_class="small",
        )
        + f"<h3>Verloonde uren: {len(reconstructed)} gereconstrueerde rijen "
        "(seeds/december_hours.csv)</h3><p>Vastgelegd door gepubliceerde cijfers; de toelichting "
        "zegt wat binnen zo'n rij nog is aangenomen.</p>"
        + _table(
            hours_headers,
            grouped(reconstructed),
            table_id="tabel-gereconstrueerd",
            css_class="small",
        )
        + "</section>"
    )


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
PERSON_LEVEL_ONLY = (
    "Alleen bij invoer per persoon (BANENAFSPRAAK_PAYROLL_DIR): de meegeleverde invoer heeft deze "
    "indeling niet, dus de mart is leeg."
)


def _suppressed_or(value: int | None, row: dict) -> str:
    return "geheim" if row.get("is_suppressed") else nl_int(value)


def _latest_year(rows: list[dict], wanted: int) -> int:
    years = sorted({row["measurement_year"] for row in rows})
    return wanted if wanted in years else years[-1]


def section_projection(data: ReportData) -> str:
    head = '<section id="sectie-projectie"><h2>De weg naar 2026 (projectie)</h2>'
    if not data.projection:
        return head + '<p class="note">Geen projectie: te weinig meetjaren.</p></section>'
    label = data.projection[0]["projection_label"]
    rows = []
    for sector in SECTORS:
        sector_rows = sorted(
            (row for row in data.projection if row["sector"] == sector), key=lambda r: r["year"]
        )
        if not sector_rows:
            continue
        end = sector_rows[-1]
        last = end["last_measured_year"]
        rows.append(
            (
                [
                    (SECTOR_NL[sector], False),
                    (str(last), True),
                    (nl_int(data.comparison[(last, sector, "total")]["extra_jobs_rounded"]), True),
                    (nl_int(end["trend_extra_jobs_rounded"]), True),
                    (nl_int(end["target_extra_jobs"]), True),
                    (nl_signed(end["gap_to_target"]) if end["gap_to_target"] is not None else "", True),
                    (nl_int(end["needed_extra_jobs_per_year_rounded"]), True),
                ],
                "total" if sector == "total" else "",
            )
        )
    horizon = max(row["year"] for row in data.projection)
    table = _table(
        [
            ("Sector", False),
            ("Laatste meetjaar", True),
            ("Extra banen toen", True),
            (f"Projectie {horizon}", True),
            (f"Doelstelling {horizon}", True),
            ("Tekort op de projectie", True),
            ("Nodig per jaar", True),
        ],
        rows,
        table_id="tabel-projectie",
    )
    return (
        head + f'<p class="note">Een projectie, geen prognose: {esc(label)}. De lijn door de extra '
        "banen van de laatste meetjaren (kleinste kwadraten) is doorgetrokken tot "
        f"{horizon}. 'Nodig per jaar' is wat er elk jaar bij moet komen om de doelstelling van "
        f"{horizon} vanaf het laatste meetjaar te halen.</p>"
        + _legend(
            [
                ("line", COLOUR["market"], "gemeten markt"),
                ("line", COLOUR["government"], "gemeten overheid"),
                ("dashed", COLOUR["market"], "trend, doorgetrokken"),
                ("dashed", COLOUR["target"], "doelstelling"),
            ]
        )
        + '<figure class="panels">'
        + chart_projection(data, "market")
        + chart_projection(data, "government")
        + "</figure>"
        + table
        + "</section>"
    )


def section_merged(data: ReportData) -> str:
    head = '<section id="sectie-zonder-splitsing"><h2>Zonder splitsing markt en overheid</h2>'
    if not data.merged:
        return head + '<p class="note">Geen meetjaren.</p></section>'
    by_key = {(row["measurement_year"], row["employment_form"]): row for row in data.merged}
    rows = []
    for year in sorted({y for y, _ in by_key}):
        total = by_key[(year, "total")]
        rows.append(
            (
                [(str(year), False)]
                + [(nl_int(by_key[(year, form)]["extra_jobs_rounded"]), True) for form in FORMS]
                + [
                    (nl_int(total["target_extra_jobs"]), True),
                    (nl_int(total["target_shortfall"]), True),
                ],
                "",
            )
        )
    table = _table(
        [
            ("Jaar", False),
            ("Formeel", True),
            ("Inleen", True),
            ("Totaal", True),
            ("Doelstelling", True),
            ("Tekort", True),
        ],
        rows,
        table_id="tabel-zonder-splitsing",
        css_class="small",
    )
    return (
        head + "<p>Het wetsvoorstel van Kamerstuk 36 449 schaft de splitsing in markt en overheid af: "
        "één doelstelling (125.000 extra banen in 2026, de som van beide) en geen verdeelsleutel "
        "nodig voor het totaal. Deze meting telt inleenbanen niet uit over de sectoren; het "
        "totaal is gelijk aan dat van tabel 1.</p>"
        + _legend([("line", COLOUR["total"], "extra banen"), ("dashed", COLOUR["target"], "doelstelling")])
        + "<figure>"
        + chart_merged(data)
        + "</figure>"
        + f"<details><summary>De cijfers per jaar</summary>{table}</details></section>"
    )


def section_subsectors(data: ReportData) -> str:
    head = '<section id="sectie-subsectoren"><h2>Overheid per subsector</h2>'
    published = (
        "<p>Gepubliceerd (BZK): het Rijk had eind 2022 3.749 extra banen tegen een doel van "
        "5.144. Volledige tabellen per subsector zijn niet gevonden; de indeling in "
        "seeds/government_subsectors.csv is die van dit project.</p>"
    )
    if not data.subsectors:
        return head + f'<p class="note">{PERSON_LEVEL_ONLY}</p>{published}</section>'
    year = _latest_year(data.subsectors, data.report_year)
    rows = sorted(
        (row for row in data.subsectors if row["measurement_year"] == year),
        key=lambda r: (r["employment_form"] != "formal", r["government_subsector"] or ""),
    )

    def label(row: dict) -> str:
        if row["employment_form"] == "loan":
            return "Inleenverbanden (geen subsector)"
        code = row["government_subsector"]
        return SUBSECTOR_NL.get(code, code)

    chart = chart_horizontal_bars(
        "chart-subsectoren",
        f"Extra banen overheid per subsector, {year}",
        f"Extra banen overheid per subsector t.o.v. de nulmeting, {year}",
        [
            (
                label(row),
                [
                    (
                        None if row["is_suppressed"] else row["extra_jobs_rounded"],
                        COLOUR["government"] if row["employment_form"] == "formal" else COLOUR["loan"],
                    )
                ],
            )
            for row in rows
        ],
    )
    table = _table(
        [("Subsector", False), ("Personen", True), ("Extra banen", True), ("Geheim", False)],
        [
            (
                [
                    (label(row), False),
                    (_suppressed_or(row["persons"], row), True),
                    (_suppressed_or(row["extra_jobs_rounded"], row), True),
                    (row["suppression_reason"] or "", False),
                ],
                "",
            )
            for row in rows
        ],
        table_id="tabel-subsectoren",
        css_class="small",
    )
    return (
        head + "<p>Formele dienstverbanden bij overheidswerkgevers per subsector; inleenbanen hebben "
        "geen subsector en staan apart (het overheidsdeel volgens de verdeelsleutel). Een cel van "
        "minder dan 10 personen is geheim, en zo nodig ook een tweede cel, zodat de eerste niet "
        "uit de totalen is terug te rekenen.</p>" + published + f"<figure>{chart}</figure>{table}</section>"
    )


def section_regions(data: ReportData) -> str:
    head = '<section id="sectie-regios"><h2>Per arbeidsmarktregio</h2>'
    if not data.regions:
        return head + f'<p class="note">{PERSON_LEVEL_ONLY}</p></section>'
    year = _latest_year(data.regions, data.report_year)
    by_key = {
        (row["labour_market_region"], row["sector"]): row
        for row in data.regions
        if row["measurement_year"] == year
    }
    regions = sorted({region for region, _ in by_key}, key=lambda r: (r is None, r or ""))
    bars = []
    table_rows = []
    for region in regions:
        values = []
        cells = [(region or "onbekend", False)]
        for sector in ("market", "government"):
            row = by_key.get((region, sector))
            value = None if row is None or row["is_suppressed"] else row["extra_jobs_rounded"]
            values.append((value if row is not None else 0, COLOUR[sector]))
            cells.append((_suppressed_or(row["extra_jobs_rounded"], row) if row else "", True))
        bars.append((region or "onbekend", values))
        table_rows.append((cells, ""))
    chart = chart_horizontal_bars(
        "chart-regios",
        f"Extra banen per arbeidsmarktregio, {year}",
        f"Extra banen in formele dienstverbanden per arbeidsmarktregio, {year}",
        bars,
    )
    table = _table(
        [("Arbeidsmarktregio", False), ("Markt", True), ("Overheid", True)],
        table_rows,
        table_id="tabel-regios",
        css_class="small",
    )
    return (
        head + "<p>Alleen formele dienstverbanden: bij inleenverbanden is de regio van de inlener niet "
        "bekend. Dezelfde geheimhouding als bij de subsectoren.</p>"
        + _legend([("box", COLOUR["market"], "markt"), ("box", COLOUR["government"], "overheid")])
        + f"<figure>{chart}</figure>"
        + f"<details><summary>De cijfers per regio</summary>{table}</details></section>"
    )


def section_quota(data: ReportData) -> str:
    head = '<section id="sectie-quotumheffing"><h2>Quotumheffing</h2>'
    rows = []
    for row in sorted(data.quota, key=lambda r: (r["quota_year"], r["sector"] != "government")):
        percentage = row["quota_percentage"]
        published = row["published_quota_percentage"]
        rows.append(
            (
                [
                    (str(row["quota_year"]), False),
                    (SECTOR_NL[row["sector"]], False),
                    ("ja" if row["is_activated"] else "nee", False),
                    (f"{nl_decimal(float(percentage), 2)}%" if percentage is not None else "", True),
                    (f"{nl_decimal(float(published), 2)}%" if published is not None else "", True),
                    (nl_int(row["liable_employers"]), True),
                    (
                        f"\u20ac {nl_int(int(row['levy_eur']))}" if row["levy_eur"] is not None else "",
                        True,
                    ),
                    (
                        f"\u20ac {nl_int(int(row['what_if_levy_eur']))}"
                        if row["what_if_levy_eur"] is not None
                        else "",
                        True,
                    ),
                    (row["input_status"], False),
                ],
                "",
            )
        )
    table = _table(
        [
            ("Jaar", False),
            ("Sector", False),
            ("Geactiveerd", False),
            ("Quotum", True),
            ("Gepubliceerd", True),
            ("Plichtige werkgevers", True),
            ("Heffing", True),
            ("Wat-als-heffing", True),
            ("Invoer", False),
        ],
        rows,
        table_id="tabel-quotumheffing",
        css_class="small",
    )
    has_levy = any(row["what_if_levy_eur"] is not None for row in data.quota)
    published_rows = []
    for row in sorted(data.quota, key=lambda r: (r["quota_year"], r["sector"])):
        if row["published_quota_percentage"] is None:
            continue
        low, high = row["implied_employee_hours_min"], row["implied_employee_hours_max"]
        window = (
            f"meer dan {nl_decimal(low / 1e6, 1)} tot en met {nl_decimal(high / 1e6, 1)} mln uur"
            if low is not None and high is not None
            else ""
        )
        reproduced = {True: "ja", False: "nee"}.get(row["reproduces_published"], "niet te toetsen")
        published_rows.append(
            (
                [
                    (str(row["quota_year"]), False),
                    (SECTOR_NL[row["sector"]], False),
                    (f"{nl_decimal(float(row['published_quota_percentage']), 2)}%", True),
                    (window, False),
                    (reproduced, False),
                    (row["input_status"], False),
                ],
                "",
            )
        )
    published_table = _table(
        [
            ("Jaar", False),
            ("Sector", False),
            ("Gepubliceerd quotum", True),
            ("Werknemersuren die dit quotum geven", False),
            ("Nagerekend", False),
            ("Invoer", False),
        ],
        published_rows,
        table_id="tabel-quotum-gepubliceerd",
        css_class="small",
    )
    legend = _legend(
        [
            ("box", COLOUR["government"], "overheid"),
            ("box", COLOUR["market"], "markt"),
            ("box", "#c8c8c8", "vaag: niet geactiveerd, een wat-als-heffing"),
        ]
    )
    chart = (
        f"{legend}<figure>{chart_quota_levy(data)}</figure>"
        if has_levy
        else '<p class="note">Geen heffing te berekenen: de invoer mist de verloonde uren van '
        "alle werknemers per werkgever (employers.total_paid_hours, invoer per persoon). De "
        "tabel per jaar noemt wat er ontbreekt.</p>"
    )
    return (
        head + "<p>Het quotumpercentage per sector is (banen nulmeting A + meetellende extra banen B) "
        "\u00d7 1.331 / (werknemersbanen D \u00d7 1.623), naar beneden afgerond op twee "
        "decimalen. Een werkgever met ten minste 40.575 verloonde uren betaalt \u20ac 5.000 per "
        "ontbrekende baan (naar beneden afgerond op één decimaal). Geactiveerd voor de overheid "
        "vanaf 2018 (de heffing is sindsdien elk jaar opgeschort); voor de markt nooit: daar is "
        "het een wat-als-berekening.</p>"
        + chart
        + "<h3>De gepubliceerde quotumpercentages nagerekend</h3><p>Het quotum volgt uit A, B en "
        "de verloonde uren van alle werknemers van de quotumplichtige werkgevers in de sector. "
        "Die uren zijn niet gepubliceerd; de tabel geeft het venster waarbinnen ze het "
        "gepubliceerde percentage opleveren.</p>"
        + published_table
        + (table if has_levy else f"<details><summary>Per jaar en sector</summary>{table}</details>")
        + "</section>"
    )


# At most this many revised figures are listed; the rest are in revisions.parquet.
REVISIONS_SHOWN = 200
CHANGE_NL = {"revised": "herzien", "removed": "vervallen", "added": "nieuw"}


def section_revisions(data: ReportData) -> str:
    """Herzieningen: the published figures that changed against the previous vintage; none when
    nothing changed (or there is one vintage). Added rows (a new year) are counted, not listed."""
    changed = [row for row in data.revisions if row["change"] != "added"]
    if not changed:
        return ""
    added = len(data.revisions) - len(changed)
    rows = [
        (
            [
                (row["mart"], False),
                (row["grain_key"], False),
                (row["column_name"] or "(hele rij)", False),
                (CHANGE_NL.get(row["change"], row["change"]), False),
                (row["old_value"] or "", True),
                (row["new_value"] or "", True),
                (row["why"], False),
            ],
            "",
        )
        for row in changed[:REVISIONS_SHOWN]
    ]
    table = _table(
        [
            ("Mart", False),
            ("Sleutel", False),
            ("Kolom", False),
            ("Wijziging", False),
            ("Oud", True),
            ("Nieuw", True),
            ("Waarom", False),
        ],
        rows,
        table_id="tabel-herzieningen",
        css_class="small",
    )
    first = changed[0]
    more = (
        f" De tabel toont de eerste {REVISIONS_SHOWN}; alle staan in revisions.parquet."
        if len(changed) > REVISIONS_SHOWN
        else ""
    )
    new_rows = f" Daarnaast zijn er {nl_int(added)} rijen nieuw." if added else ""
    return (
        '<section id="sectie-herzieningen">'
        "<h2>Herzieningen</h2>"
        f"<p>{nl_int(len(changed))} gepubliceerde cijfers wijken af van de vorige publicatie "
        f"(vintage {esc(first['old_vintage_id'])}; deze: {esc(first['new_vintage_id'])}). "
        "Waarom: de invoer waarvan de vingerafdruk voor dat meetjaar veranderde; anders die van "
        "andere jaren (via), of geen invoer (dan veranderden code of regels: de commits staan "
        f"erbij).{more}{new_rows}</p>{table}</section>"
    )


def render_html(data: ReportData, source_name: str) -> str:
    year = data.report_year
    sections = [
        section_table_1(data),
        section_revisions(data),
        section_targets(data),
        section_formal_loan(data),
        section_year_on_year(data),
        section_split_key(data),
        section_projection(data),
        section_merged(data),
        section_subsectors(data),
        section_regions(data),
        section_quota(data),
        section_assumptions(data),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Banenafspraak: resultaten eind {year}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f"<h1>Banenafspraak: resultaten eind {year}</h1>"
        f'<p class="lead">Extra banen voor mensen met een arbeidsbeperking ten opzichte van de '
        f"nulmeting (december {data.years[0]}), meetjaren {data.years[0]}-{data.years[-1]}. "
        f"Uit de gepubliceerde marts ({esc(source_name)}, schema {SCHEMA}); één baan is 25,5 uur "
        "per week, 110,92 verloonde uren in december.</p>"
        + "".join(sections)
        + "<footer>Gemaakt met banenafspraak report uit de gepubliceerde marts en de seeds "
        "(herkomst van verdeelsleutels, uren en doelstellingen na het laatste meetjaar). Dit "
        "bestand haalt niets op: geen scripts, lettertypen, stylesheets of afbeeldingen.</footer>"
        "</main></body></html>\n"
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

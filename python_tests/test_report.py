"""The visual report (banenafspraak report, module render_report): its figures, in its tables and
in its charts (the Vega-Lite charts, rendered to inline SVG by vl-convert, describe every mark in
an aria-label: the figure as the marts rounded it), and what a real browser makes of it.

The report is rendered from the published marts of a build on the embedded seeds, then opened in
Debian's headless Chromium (/usr/bin/chromium, driven by Playwright for Python; Playwright's own
browser download is never used). The browser checks: every chart drew (pixels of its colours where
the chart's box is on a full-page screenshot), and no request left the machine (every request the
page made is file:// or data:). A probe page with one remote image proves the request recorder
sees a request that does leave.

Without Chromium these tests fail, they do not skip: install Debian's package
(`apt-get install -y --no-install-recommends chromium`; `.ci/run` does it on CI).

The screenshot in docs/ (shown by the README) is refreshed from the embedded data by:

    REFRESH_REPORT_SCREENSHOT=1 python -m pytest python_tests/test_report.py
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, PROJECT_DIR, banenafspraak, read_csv, run_dbt

from banenafspraak import publish, render_report

VIEWPORT = {"width": 1200, "height": 900}
SCREENSHOT = PROJECT_DIR / "docs" / "report_screenshot.png"
REFRESH_VARIABLE = "REFRESH_REPORT_SCREENSHOT"
# Each chart (the id of its <svg>) with the colours it must show: its series.
COLOUR = render_report.COLOUR
SECTOR_NL = render_report.SECTOR_NL
CHARTS = {
    "chart-extra-market": (COLOUR["market"], COLOUR["target"]),
    "chart-extra-government": (COLOUR["government"], COLOUR["target"]),
    "chart-formal-loan": (COLOUR["formal"], COLOUR["loan"]),
    "chart-year-on-year": (COLOUR["market"], COLOUR["government"]),
    "chart-split-key": (COLOUR["market"], COLOUR["government"]),
    "chart-projectie-market": (COLOUR["market"], COLOUR["target"]),
    "chart-projectie-government": (COLOUR["government"], COLOUR["target"]),
    "chart-zonder-splitsing": (COLOUR["total"], COLOUR["target"]),
}
# The charts that need person-level input (the seed has no subsector, region or employer detail).
PERSON_LEVEL_CHARTS = {
    "chart-subsectoren": (COLOUR["government"], COLOUR["loan"]),
    "chart-regios": (COLOUR["market"],),
    "chart-quotumheffing": (COLOUR["government"],),
}
LOCAL_SCHEMES = ("file://", "data:")


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published_db(built, tmp_path_factory) -> Path:
    """The marts of the embedded build, published as BI tools would read them, in tmp."""
    target = tmp_path_factory.mktemp("report") / "published" / "banenafspraak.duckdb"
    publish.publish(built.warehouse, target)
    return target


@pytest.fixture(scope="module")
def report(published_db) -> Path:
    out = published_db.parent / "report.html"
    assert render_report.main(["--published-db", str(published_db), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def marts(published_db) -> dict[str, list[dict]]:
    with duckdb.connect(str(published_db), read_only=True) as connection:
        return {name: render_report._query(connection, name) for name in publish.MARTS}


@pytest.fixture(scope="module")
def person_level(tmp_path_factory) -> tuple[Path, Path, dict[str, list[dict]]]:
    """A build on generated person-level data, published and rendered: (report, published file,
    marts)."""
    work = tmp_path_factory.mktemp("report_person_level")
    data = work / "payroll"
    subprocess.run(
        [*banenafspraak("generate-payroll"), "--out", str(data), "--persons", "4000", "--years", "2012-2018"],
        check=True,
        capture_output=True,
        text=True,
    )
    run = run_dbt(PROJECT_DIR, work / "build", "build", payroll_dir=data)
    assert run.returncode == 0, run.output[-4000:]
    target = work / "published" / "banenafspraak.duckdb"
    publish.publish(run.warehouse, target)
    out = target.parent / "report.html"
    assert render_report.main(["--published-db", str(target), "--out", str(out)]) == 0
    with duckdb.connect(str(target), read_only=True) as connection:
        marts = {name: render_report._query(connection, name) for name in publish.MARTS}
    return out, target, marts


# --- reading the HTML --------------------------------------------------------------------------


class Tables(HTMLParser):
    """The text of every cell of every table with an id: {id: [[cell, ...] per row]}."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def body_rows(text: str, table_id: str) -> list[list[str]]:
    """The rows of a table that are data rows (their first cell is a year or a row label)."""
    rows = Tables(text).tables[table_id]
    headers = ("", "Jaar", "Vorm", "Sector", "Subsector", "Arbeidsmarktregio")
    return [row for row in rows if row and row[0] not in headers]


def dutch(value: int) -> str:
    return render_report.nl_int(value)


@dataclass
class Chart:
    """One chart of the page (the inline SVG that vl-convert rendered): the accessible
    description of every mark (their aria-label, from the chart's data), the texts it draws
    (labels, axis ticks; the lines of a label joined by a space) and its SVG."""

    descriptions: list[str]
    texts: list[str]
    svg: str


def chart(text: str, chart_id: str) -> Chart:
    found = re.search(rf'<svg id="{chart_id}"[^>]*>.*?</svg>', text, re.DOTALL)
    assert found, f"no chart {chart_id}"
    svg = found.group(0)
    descriptions = [
        html.unescape(label) for label in re.findall(r'<(?:path|circle)[^>]* aria-label="([^"]*)"', svg)
    ]
    texts = [
        html.unescape(" ".join(re.findall(r">([^<>]+)<", f">{body}<")))
        for body in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)
    ]
    return Chart(descriptions, texts, svg)


# --- the figures -------------------------------------------------------------------------------


def test_table_1_of_2022_is_the_letters_table(published_db, tmp_path, published_figures):
    """--year 2022 gives table 1 of Kamerstuk 34 352 nr. 299, every cell a published figure."""
    out = tmp_path / "report_2022.html"
    assert render_report.main(["--published-db", str(published_db), "--out", str(out), "--year", "2022"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Tabel 1: resultaten eind 2022 ten opzichte van de nulmeting" in text
    published = {
        (row["sector"], row["employment_form"], row["metric"]): int(row["value"])
        for row in published_figures
        if row["measurement_year"] == "2022"
        and row["status"] in ("published", "revised", "derived")
        and row["metric"] in ("extra_jobs", "target_extra_jobs")
    }
    published[("total", "total", "target_extra_jobs")] = (
        published[("market", "total", "target_extra_jobs")]
        + published[("government", "total", "target_extra_jobs")]
    )
    expected = [
        ["Formele dienstverbanden"]
        + [dutch(published[(s, "formal", "extra_jobs")]) for s in render_report.SECTORS],
        ["Inleenverbanden (uitzendrelaties en Wsw-detacheringen)"]
        + [dutch(published[(s, "loan", "extra_jobs")]) for s in render_report.SECTORS],
        ["Totaal"] + [dutch(published[(s, "total", "extra_jobs")]) for s in render_report.SECTORS],
        ["Doelstelling Sociaal Akkoord"]
        + [dutch(published[(s, "total", "target_extra_jobs")]) for s in render_report.SECTORS],
    ]
    assert body_rows(text, "tabel-1") == expected
    # The letter's year-on-year figures of 2022 in the delta table.
    deltas = {row[0]: row[1:] for row in body_rows(text, "tabel-jaar-op-jaar")}["2022"]
    for (sector, form), value in (
        ((row["sector"], row["employment_form"]), int(row["value"]))
        for row in published_figures
        if row["measurement_year"] == "2022" and row["metric"] == "yoy_delta"
    ):
        column = render_report.SECTORS.index(sector) * 3 + render_report.FORMS.index(form)
        assert deltas[column] == render_report.nl_signed(value), (sector, form)


def test_report_shows_the_published_marts(report, marts):
    """Table 1 of the latest year, the jobs per form and every delta come from the marts."""
    text = report.read_text(encoding="utf-8")
    comparison = render_report._by_grain(marts["mart_baseline_comparison"])
    latest = max(year for year, _, _ in comparison)
    assert f"Tabel 1: resultaten eind {latest} ten opzichte van de nulmeting" in text
    table = body_rows(text, "tabel-1")
    for row, form in zip(table[:3], ("formal", "loan", "total"), strict=True):
        assert row[1:] == [
            dutch(comparison[(latest, s, form)]["extra_jobs_rounded"]) for s in render_report.SECTORS
        ]
    assert table[3][1:] == [
        dutch(comparison[(latest, s, "total")]["target_extra_jobs"]) for s in render_report.SECTORS
    ]

    formal_loan = {row[0]: row[1:] for row in body_rows(text, "tabel-formeel-inleen")}
    years = sorted({year for year, _, _ in comparison})
    assert list(formal_loan) == [str(year) for year in years]
    for year in years:
        expected = [
            dutch(comparison[(year, s, f)]["jobs_rounded"])
            for s in render_report.SECTORS
            for f in ("formal", "loan")
        ]
        assert formal_loan[str(year)][:6] == expected

    deltas = {row[0]: row[1:] for row in body_rows(text, "tabel-jaar-op-jaar")}
    for row in marts["mart_year_on_year"]:
        column = render_report.SECTORS.index(row["sector"]) * 3 + render_report.FORMS.index(
            row["employment_form"]
        )
        assert deltas[str(row["measurement_year"])][column] == render_report.nl_signed(row["delta_rounded"])


def test_target_path_runs_to_2026(report):
    """The target path: every target of seeds/targets.csv, measured years or not, to 2026."""
    text = report.read_text(encoding="utf-8")
    rows = {row[0]: row[1:] for row in body_rows(text, "tabel-doelstelling")}
    targets = read_csv(PROJECT_DIR / "seeds" / "targets.csv")
    assert max(int(row["measurement_year"]) for row in targets) == 2026
    for row in targets:
        column = {"market": 1, "government": 3}[row["sector"]]
        assert rows[row["measurement_year"]][column] == dutch(int(row["target_extra_jobs"]))
    assert rows["2026"][5] == dutch(125000)
    assert rows["2026"][0] == ""  # not measured yet


def test_split_keys_carry_their_provenance(report, marts):
    text = report.read_text(encoding="utf-8")
    seed = {
        (int(r["measurement_year"]), r["sector"]): r
        for r in read_csv(PROJECT_DIR / "seeds" / "split_keys.csv")
    }
    rows = {row[0]: row for row in body_rows(text, "tabel-verdeelsleutel")}
    loan = [
        r
        for r in marts["mart_formal_loan_breakdown"]
        if r["employment_form"] == "loan" and r["sector"] == "market"
    ]
    assert sorted(rows) == sorted(str(r["measurement_year"]) for r in loan)
    for mart_row in loan:
        year = mart_row["measurement_year"]
        row = rows[str(year)]
        assert row[1] == render_report.nl_percent(mart_row["split_key_share"])
        assert row[3] == render_report.PROVENANCE_NL[seed[(year, "market")]["provenance"]]
        assert seed[(year, "market")]["source"] in row[4]


def test_every_assumed_number_is_listed(report):
    """Every assumed row of december_hours and split_keys is in the list of assumptions."""
    text = report.read_text(encoding="utf-8")
    hours = {row[0] + " " + row[1] for row in body_rows(text, "tabel-aanname-uren")}
    assumed_hours = [
        r for r in read_csv(PROJECT_DIR / "seeds" / "december_hours.csv") if r["provenance"] == "assumed"
    ]
    assert assumed_hours
    for row in assumed_hours:
        figure = render_report.nl_decimal(float(row["paid_hours"]), 2) + " uur"
        assert any(line.startswith(row["measurement_year"]) and figure in line for line in hours), row
    notes = " ".join(row[2] for row in body_rows(text, "tabel-aanname-uren"))
    assert all(row["provenance_note"] in notes for row in assumed_hours)

    keys = {row[0]: row for row in body_rows(text, "tabel-aanname-verdeelsleutel")}
    assumed_keys = [
        r for r in read_csv(PROJECT_DIR / "seeds" / "split_keys.csv") if r["provenance"] == "assumed"
    ]
    assert assumed_keys
    for row in assumed_keys:
        listed = keys[row["measurement_year"]]
        assert listed[1 + ("market", "government").index(row["sector"])] == render_report.nl_percent(
            float(row["share"])
        )
        assert row["source"] in listed[3]
    published_years = {
        r["measurement_year"]
        for r in read_csv(PROJECT_DIR / "seeds" / "split_keys.csv")
        if r["provenance"] == "published"
    }
    assert not published_years & set(keys)


def test_the_report_names_nothing_outside_the_file(report):
    """No http(s) reference, no script, no external stylesheet, image, frame or font."""
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text, re.IGNORECASE)
    assert not re.search(r"<(script|link|img|iframe|object|embed|video|audio|source)\b", text, re.IGNORECASE)
    assert not re.search(r"\b(src|href|srcset)\s*=", text, re.IGNORECASE)
    assert not re.search(r"@import|@font-face", text, re.IGNORECASE)
    assert re.findall(r"url\(([^)]*)\)", text) == ["#assumed-hatch"] * len(re.findall(r"url\(", text))
    # No machine paths: not the folder of the published file, not the project's.
    assert str(report.parent) not in text and str(PROJECT_DIR) not in text


def revisions_section(text: str) -> list[list[str]] | None:
    """The rows of the Herzieningen table, or None when the report has no such section."""
    if "<h2>Herzieningen</h2>" not in text:
        assert "tabel-herzieningen" not in text
        return None
    return Tables(text).tables["tabel-herzieningen"][1:]


def test_herzieningen_only_when_a_figure_changed_against_the_previous_vintage(built, report, tmp_path):
    # One vintage (the module's publication): no section.
    assert revisions_section(report.read_text(encoding="utf-8")) is None

    published = tmp_path / "published" / "banenafspraak.duckdb"
    out = tmp_path / "report.html"

    def render(db: Path = published) -> str:
        assert render_report.main(["--published-db", str(db), "--out", str(out)]) == 0
        return out.read_text(encoding="utf-8")

    publish.publish(built.warehouse, published)
    assert not publish.publish(built.warehouse, published).new_vintage
    assert revisions_section(render()) is None, "nothing changed, yet a Herzieningen section"

    # One figure changed: a second vintage, and the section lists that figure.
    changed = tmp_path / "changed.duckdb"
    changed.write_bytes(built.warehouse.read_bytes())
    cell = "measurement_year = 2016 and sector = 'market' and employment_form = 'formal'"
    with duckdb.connect(str(changed)) as connection:
        connection.execute(f"update marts.fct_jobs set jobs = jobs + 1 where {cell}")
    result = publish.publish(changed, published)
    assert result.new_vintage
    with duckdb.connect(str(published), read_only=True) as connection:
        stored = connection.execute(
            "select mart, grain_key, column_name, change, old_value, new_value, why "
            "from publication.revisions order by revision_number"
        ).fetchall()
    assert [row[:3] for row in stored] == [
        ("fct_jobs", "measurement_year=2016, sector=market, employment_form=formal", "jobs")
    ]
    text = render()
    assert revisions_section(text) == [
        [mart, key, column, render_report.CHANGE_NL[change], old, new, why]
        for mart, key, column, change, old, new, why in stored
    ]
    assert result.previous.id in text and result.vintage.id in text

    # A file published before vintages existed (no schema publication): a report, no section.
    older = tmp_path / "older" / "banenafspraak.duckdb"
    older.parent.mkdir()
    older.write_bytes(published.read_bytes())
    with duckdb.connect(str(older)) as connection:
        connection.execute("drop schema publication cascade")
    text = render(older)
    assert revisions_section(text) is None and "Tabel 1: resultaten eind" in text


def test_missing_published_file_says_what_to_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BANENAFSPRAAK_PUBLISHED_DB", str(tmp_path / "nowhere" / "banenafspraak.duckdb"))
    assert render_report.main([]) == 1
    error = capsys.readouterr().err
    assert "does not exist" in error and "run banenafspraak run first" in error.lower()
    assert not (tmp_path / "nowhere").exists()


def test_marts_from_other_seeds_are_refused(published_db, tmp_path, capsys):
    """A split key in the seeds that the published marts did not use: no report, a clear error."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("december_hours", "targets", "split_keys"):
        (seeds / f"{name}.csv").write_bytes((PROJECT_DIR / "seeds" / f"{name}.csv").read_bytes())
    rows = read_csv(seeds / "split_keys.csv")
    for row in rows:
        if row["measurement_year"] == "2016":
            row["share"] = {"market": "0.700", "government": "0.300"}[row["sector"]]
    with (seeds / "split_keys.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "report.html"
    code = render_report.main(
        ["--published-db", str(published_db), "--out", str(out), "--seeds-dir", str(seeds)]
    )
    assert code == 1 and not out.exists()
    assert "2016" in capsys.readouterr().err


def test_the_road_to_2026_is_the_projection_mart(report, marts):
    """The projection table: every figure the mart's, rounded by the mart; labelled a projection."""
    text = report.read_text(encoding="utf-8")
    rows = {row[0]: row[1:] for row in body_rows(text, "tabel-projectie")}
    comparison = render_report._by_grain(marts["mart_baseline_comparison"])
    horizon = max(row["year"] for row in marts["mart_target_projection"])
    assert sorted(rows) == sorted(render_report.SECTOR_NL.values())
    for sector in render_report.SECTORS:
        end = next(
            row
            for row in marts["mart_target_projection"]
            if row["sector"] == sector and row["year"] == horizon
        )
        last = end["last_measured_year"]
        assert rows[render_report.SECTOR_NL[sector]] == [
            str(last),
            dutch(comparison[(last, sector, "total")]["extra_jobs_rounded"]),
            dutch(end["trend_extra_jobs_rounded"]),
            dutch(end["target_extra_jobs"]),
            render_report.nl_signed(end["gap_to_target"]),
            dutch(end["needed_extra_jobs_per_year_rounded"]),
        ]
    assert "Een projectie, geen prognose" in text and "not a forecast" in text


def test_the_merged_measurement_is_its_mart(report, marts):
    text = report.read_text(encoding="utf-8")
    rows = {row[0]: row[1:] for row in body_rows(text, "tabel-zonder-splitsing")}
    merged = {(r["measurement_year"], r["employment_form"]): r for r in marts["mart_merged_measurement"]}
    assert sorted(rows) == sorted({str(year) for year, _ in merged})
    for year in {year for year, _ in merged}:
        total = merged[(year, "total")]
        assert rows[str(year)] == [
            dutch(merged[(year, form)]["extra_jobs_rounded"]) for form in render_report.FORMS
        ] + [dutch(total["target_extra_jobs"]), dutch(total["target_shortfall"])]
    # 2026: one target of 125,000 (100,000 + 25,000), the reform bill's.
    assert "125.000" in text and "36 449" in text


def test_the_charts_draw_the_marts_figures(report, marts):
    """Every chart's series, mark by mark, are the marts' rounded figures (and the seeds'
    targets), as the SVG describes each mark; the labels drawn say the same."""
    text = report.read_text(encoding="utf-8")
    comparison = render_report._by_grain(marts["mart_baseline_comparison"])
    years = sorted({year for year, _, _ in comparison})
    targets = read_csv(PROJECT_DIR / "seeds" / "targets.csv")
    for sector in ("market", "government"):
        extra = chart(text, f"chart-extra-{sector}")
        measured = [f"{y}: {dutch(comparison[(y, sector, 'total')]['extra_jobs_rounded'])}" for y in years]
        path = [
            f"doelstelling {r['measurement_year']}: {dutch(int(r['target_extra_jobs']))}"
            for r in targets
            if r["sector"] == sector
        ]
        assert sorted(set(extra.descriptions)) == sorted(measured + path), sector
        assert (
            measured[-1] in extra.texts
            and path[-1] in extra.texts
            and path[-1].startswith("doelstelling 2026: ")
        )
    formal_loan = chart(text, "chart-formal-loan")
    assert formal_loan.descriptions == [
        f"{y}, {label}: {dutch(comparison[(y, 'total', form)]['jobs_rounded'])}"
        for y in years
        for form, label in (("formal", "formele dienstverbanden"), ("loan", "inleenverbanden"))
    ]
    assert [dutch(comparison[(y, "total", "total")]["jobs_rounded"]) for y in years] == formal_loan.texts[
        -len(years) :
    ]
    assert sorted(chart(text, "chart-year-on-year").descriptions) == sorted(
        f"{r['measurement_year']}, {SECTOR_NL[r['sector']]}: {render_report.nl_signed(r['delta_rounded'])}"
        for r in marts["mart_year_on_year"]
        if r["employment_form"] == "total" and r["sector"] != "total"
    )
    # The split key: the shares, and the assumed years hatched and labelled so.
    split_key = chart(text, "chart-split-key")
    keys = {
        (int(r["measurement_year"]), r["sector"]): r
        for r in read_csv(PROJECT_DIR / "seeds" / "split_keys.csv")
    }
    assert split_key.descriptions == [
        f"{y}, {render_report.SECTOR_NL[s]}: {render_report.nl_percent(float(keys[(y, s)]['share']))}"
        for y in years
        for s in ("market", "government")
    ]
    assumed = [
        y for y in years if {keys[(y, s)]["provenance"] for s in ("market", "government")} != {"published"}
    ]
    assert assumed and split_key.svg.count('fill="url(#assumed-hatch)"') == len(assumed)
    assert [t for t in split_key.texts if t[:4].isdigit() and " " in t] == [
        f"{y} {'aangenomen' if y in assumed else 'gepubliceerd'}" for y in years
    ]
    # The road to 2026: the trend to the horizon, labelled a projection.
    horizon = max(r["year"] for r in marts["mart_target_projection"])
    for sector in ("market", "government"):
        projection = chart(text, f"chart-projectie-{sector}")
        end = next(
            r for r in marts["mart_target_projection"] if r["sector"] == sector and r["year"] == horizon
        )
        label = f"projectie {horizon}: {dutch(end['trend_extra_jobs_rounded'])}"
        assert label in projection.descriptions and label in projection.texts
        assert "trend_marks" in projection.svg and 'class="trend"' in text
    merged = chart(text, "chart-zonder-splitsing")
    totals = sorted(
        (r for r in marts["mart_merged_measurement"] if r["employment_form"] == "total"),
        key=lambda r: r["measurement_year"],
    )
    assert [
        f"{r['measurement_year']}: {dutch(r['extra_jobs_rounded'])}" for r in totals
    ] == merged.descriptions[-len(totals) :]
    assert "doelstelling 2026: 125.000" in merged.texts


def test_on_the_seed_the_person_level_sections_say_what_input_they_need(report, marts):
    text = report.read_text(encoding="utf-8")
    assert not marts["mart_government_subsectors"] and not marts["mart_regions"]
    for section in ("sectie-subsectoren", "sectie-regios"):
        start = text.index(f'id="{section}"')
        assert "BANENAFSPRAAK_PAYROLL_DIR" in text[start : text.index("</section>", start)]
    # The published quota percentages, with the window of employee hours that gives each and
    # the input that is missing to check it.
    published = [r for r in marts["mart_quota_percentages"] if r["published_quota_percentage"] is not None]
    rows = body_rows(text, "tabel-quotum-gepubliceerd")
    assert [row[:3] for row in rows] == [
        [
            str(r["quota_year"]),
            render_report.SECTOR_NL[r["sector"]],
            f"{render_report.nl_decimal(float(r['published_quota_percentage']), 2)}%",
        ]
        for r in sorted(published, key=lambda r: (r["quota_year"], r["sector"]))
    ]
    assert all(row[4] == "niet te toetsen" and row[5] for row in rows)
    assert 'id="chart-quotumheffing"' not in text


def test_person_level_sections_show_their_marts_and_keep_suppressed_cells_secret(person_level):
    report, _, marts = person_level
    text = report.read_text(encoding="utf-8")
    subsectors = marts["mart_government_subsectors"]
    year = max(row["measurement_year"] for row in subsectors)
    shown = body_rows(text, "tabel-subsectoren")
    year_rows = [row for row in subsectors if row["measurement_year"] == year]
    assert len(shown) == len(year_rows)
    by_label = {row[0]: row[1:] for row in shown}
    for row in year_rows:
        label = (
            "Inleenverbanden (geen subsector)"
            if row["employment_form"] == "loan"
            else render_report.SUBSECTOR_NL[row["government_subsector"]]
        )
        if row["is_suppressed"]:
            assert by_label[label][:2] == ["geheim", "geheim"], label
        else:
            assert by_label[label][:2] == [dutch(row["persons"]), dutch(row["extra_jobs_rounded"])], label
    assert any(row["is_suppressed"] for row in marts["mart_regions"])
    regions = {row[0]: row[1:] for row in body_rows(text, "tabel-regios")}
    for row in marts["mart_regions"]:
        if row["measurement_year"] != year:
            continue
        cell = regions[row["labour_market_region"] or "onbekend"][
            ("market", "government").index(row["sector"])
        ]
        assert cell == ("geheim" if row["is_suppressed"] else dutch(row["extra_jobs_rounded"]))
    # No suppressed figure reaches the page: not in a table, not as a bar label.
    secret = {row["extra_jobs_rounded"] for row in subsectors + marts["mart_regions"] if row["is_suppressed"]}
    assert all(
        row["extra_jobs_rounded"] is None
        for row in subsectors + marts["mart_regions"]
        if row["is_suppressed"]
    ), secret
    # The charts: a bar per cell, a suppressed one described and labelled as secret, never with
    # a number.
    secret = render_report.SECRET_BAR
    assert chart(text, "chart-subsectoren").descriptions == [
        f"{row[0]}: {secret if row[2] == 'geheim' else row[2]}" for row in shown
    ]
    assert sorted(chart(text, "chart-regios").descriptions) == sorted(
        f"{region}, {sector}: {secret if cell == 'geheim' else cell or '0'}"
        for region, cells in regions.items()
        for sector, cell in zip(("markt", "overheid"), cells)
    )
    assert secret in chart(text, "chart-regios").texts
    assert sorted(chart(text, "chart-quotumheffing").descriptions) == sorted(
        f"{r['quota_year']}, {SECTOR_NL[r['sector']]}: \u20ac {dutch(int(r['what_if_levy_eur']))}"
        for r in marts["mart_quota_percentages"]
        if r["what_if_levy_eur"] is not None
    )
    quota = body_rows(text, "tabel-quotumheffing")
    assert len(quota) == len(marts["mart_quota_percentages"])
    levies = {
        (r["quota_year"], render_report.SECTOR_NL[r["sector"]]): r for r in marts["mart_quota_percentages"]
    }
    for row in quota:
        expected = levies[(int(row[0]), row[1])]
        if expected["what_if_levy_eur"] is not None:
            assert row[7] == f"\u20ac {dutch(int(expected['what_if_levy_eur']))}"


# --- in a real browser -------------------------------------------------------------------------


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)
    boxes: dict[str, dict[str, float]] = field(default_factory=dict)
    screenshot: bytes = b""


def require_chromium() -> None:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: these tests open the report in Debian's headless Chromium. "
            "Install Debian's chromium: apt-get update && apt-get install -y "
            "--no-install-recommends chromium (.ci/run does this on CI)."
        )


def visit(page_file: Path, profile: Path, element_ids=()) -> Visit:
    """Open `page_file` in headless Chromium with a fresh profile; record every request.

    Requests are recorded on the browser context (every page, frame and worker in it), from
    before the navigation until the page and all its subresources have loaded and the network
    has been idle for 500 ms.
    """
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a broken environment
        pytest.fail("Playwright for Python is not installed: pip install -r requirements-dev.txt")

    result = Visit()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport=VIEWPORT,
            device_scale_factor=1,
            offline=False,
        )
        try:
            context.on("request", lambda request: result.requests.append(request.url))
            page = context.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            for element_id in element_ids:
                result.boxes[element_id] = page.evaluate(
                    """id => { const e = document.getElementById(id); if (!e) return null;
                    const b = e.getBoundingClientRect();
                    return {x: b.left + window.scrollX, y: b.top + window.scrollY,
                            width: b.width, height: b.height}; }""",
                    element_id,
                )
            result.screenshot = page.screenshot(full_page=True, animations="disabled")
        finally:
            context.close()
    return result


def colour_pixels(image, box: dict[str, float], colour: str, tolerance: int = 24) -> int:
    """Pixels within the box whose colour is within `tolerance` (per channel) of `colour`."""
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    crop = image.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    )
    return sum(
        count
        for count, pixel in crop.getcolors(maxcolors=crop.width * crop.height)
        if all(abs(channel - wanted) <= tolerance for channel, wanted in zip(pixel[:3], target, strict=True))
    )


def test_report_in_headless_chromium(report, tmp_path):
    """Every chart drew, and the page asked nothing of the network."""
    from PIL import Image

    seen = visit(report, tmp_path / "profile", CHARTS)
    shot = tmp_path / "report_screenshot.png"
    shot.write_bytes(seen.screenshot)

    # (b) No request left the machine: the page itself, nothing else.
    assert seen.requests, "the request recorder saw not even the page itself"
    assert report.as_uri() in seen.requests
    remote = [url for url in seen.requests if not url.startswith(LOCAL_SCHEMES)]
    assert remote == [], f"the report made requests that leave the machine: {remote}"

    # (a) Every chart drew: its box is on the page, and the screenshot shows its colours there.
    image = Image.open(io.BytesIO(seen.screenshot)).convert("RGB")
    problems = []
    for chart, colours in CHARTS.items():
        box = seen.boxes[chart]
        if not box or box["width"] < 200 or box["height"] < 150:
            problems.append(f"{chart}: no box of chart size on the page ({box})")
            continue
        if box["x"] + box["width"] > image.width or box["y"] + box["height"] > image.height:
            problems.append(f"{chart}: box {box} outside the screenshot {image.size}")
            continue
        crop = image.crop(
            (
                int(box["x"]),
                int(box["y"]),
                int(box["x"] + box["width"]),
                int(box["y"] + box["height"]),
            )
        )
        area = crop.width * crop.height
        blank = sum(count for count, pixel in crop.getcolors(maxcolors=area) if min(pixel) >= 250)
        if area - blank < 0.03 * area:
            problems.append(f"{chart}: only {area - blank} of {area} pixels are not blank")
        for colour in colours:
            found = colour_pixels(image, box, colour)
            if found < 40:
                problems.append(f"{chart}: {found} pixels of its series colour {colour}")
    assert not problems, "charts that did not draw (screenshot: " + str(shot) + "):\n" + "\n".join(problems)

    if os.environ.get(REFRESH_VARIABLE):
        save_screenshot(image, SCREENSHOT)


def save_screenshot(image, path: Path) -> None:
    """The screenshot for the README: a palette PNG (the page has few colours), a third the size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    palette = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


def test_request_recorder_sees_a_request_that_leaves(tmp_path):
    """The control: a page with one image from another address; the recorder must list it.

    The address is on this machine (127.0.0.1, the discard port), so nothing leaves in fact: the
    connection is refused at once.
    """
    probe = tmp_path / "probe.html"
    remote = "http://127.0.0.1:9/probe.png"
    probe.write_text(
        f'<!DOCTYPE html><html><body><img src="{remote}" alt=""></body></html>\n', encoding="utf-8"
    )
    seen = visit(probe, tmp_path / "profile")
    assert probe.as_uri() in seen.requests
    assert remote in seen.requests, f"the recorder missed the remote image; it saw {seen.requests}"


def test_person_level_report_in_headless_chromium(person_level, tmp_path):
    """The subsector, region and quota charts drew, and the page asked nothing of the network."""
    from PIL import Image

    report = person_level[0]
    seen = visit(report, tmp_path / "profile", PERSON_LEVEL_CHARTS)
    remote = [url for url in seen.requests if not url.startswith(LOCAL_SCHEMES)]
    assert remote == [], f"the report made requests that leave the machine: {remote}"
    image = Image.open(io.BytesIO(seen.screenshot)).convert("RGB")
    problems = []
    for chart, colours in PERSON_LEVEL_CHARTS.items():
        box = seen.boxes[chart]
        if not box or box["width"] < 200 or box["height"] < 150:
            problems.append(f"{chart}: no box of chart size on the page ({box})")
            continue
        for colour in colours:
            found = colour_pixels(image, box, colour)
            if found < 40:
                problems.append(f"{chart}: {found} pixels of its series colour {colour}")
    assert not problems, "\n".join(problems)

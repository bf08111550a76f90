"""Reconstruct the December-hours and split-key seeds of the 'banenafspraak' measurement.

What this script produces
-------------------------
* ``seeds/split_keys.csv``: per measurement year 2012..2026 the share of loan jobs
  (temp agency work and sheltered secondments) attributed to the market and to the
  government sector.
* ``seeds/december_hours.csv``: per measurement year four rows of December paid hours of
  target-group people: ``regular`` employment in the ``market`` and in the
  ``government`` sector, ``temp_agency`` and ``sheltered_secondment`` (loan hours,
  no sector).

The only input is ``seeds/published_figures.csv``. No figure of that file is retyped
here: adding or revising a figure there changes the reconstruction.

Measurement rules (as applied by the ministry and re-applied by the dbt models)
------------------------------------------------------------------------------
* jobs = paid December hours / 110.92 (exactly).
* Loan jobs L(Y) of year Y are split with the split key of year Y: market loan jobs =
  L(Y) x market share(Y), government loan jobs = L(Y) x government share(Y).
* jobs(Y, sector, form) for sector in market/government and form in formal/loan;
  sector ``total`` = market + government and form ``total`` = formal + loan, always
  summed from unrounded values.
* extra_jobs(Y, s, f) = jobs(Y, s, f) - jobs(2012, s, f); the 2012 baseline loans are
  split with the 2012 key.
* yoy_delta(Y, s, f) = extra_jobs(Y, s, f) - extra_jobs(Y - 1, s, f), unrounded.
* metric ``jobs`` = total jobs (not extra jobs).
* Every published figure is its unrounded value rounded half away from zero to a
  whole job.

Split keys
----------
Published keys (rows with metric ``split_key_share``) are copied with the publication
as source. Years between two published keys get a market share interpolated linearly
between them, rounded half away from zero to 3 decimals; the government share is
1 - market. Years after the last published key carry that key forward, and the
source column says so explicitly. Shares are fixed before the optimisation, so the
reconstruction stays a linear problem.

December hours: one linear program over all years
------------------------------------------------
Unknowns per year Y, in jobs: formal market jobs Fm(Y), formal government jobs Fg(Y)
and loan jobs L(Y).

Hard constraints: every row with status published, revised or derived and metric
extra_jobs, yoy_delta or jobs gives |unrounded(Y, s, f) - value| <= 0.5 - 0.01. The
0.01 job margin keeps each figure strictly inside its rounding window, so rounding the
hours to 2 decimals (at most 0.005 h = 0.00005 jobs) can never flip a figure. No
constraint is ever relaxed: if the program is infeasible the script stops.
Lower bounds keep every unknown at 1 job or more (no zero or negative hours).

The published figures fix sector totals, and in some years the formal/loan split, but
not everything. The remaining freedom is resolved by minimising a weighted sum of
absolute deviations (L1, with auxiliary variables) from a prior path, plus a smaller
weighted L1 penalty on second differences of Fm, Fg and L over the years (no jump
that no letter shows). Assumptions behind the prior path:

1. Baseline sector split (unpublished). The 2012 sector totals (formal + loan after the
   2012 key) follow the statutory December 2012 hours of the 2015 regulation
   (Regeling Wfsv art. 3.29): market 6,914,491 h and government 1,055,474 h, scaled
   proportionally to the revised baseline total (the published 2012 ``jobs`` figure,
   75,179 jobs). So prior Fm(2012) = market share x baseline - market key(2012) x L(2012)
   and likewise for the government.
2. Loan jobs L(Y). Years in which the hard constraints pin L(Y) to within
   PINNED_RANGE_JOBS jobs (found by minimising and maximising L(Y) under the hard
   constraints alone: 2012 via the published baseline loan jobs, 2021 and 2022 via
   table 1 and the year-on-year figures of the 2022 letter) use the middle of that
   range (2012: the published loan jobs). Years with an indicative UWV loan figure
   (sector total, form loan, metric extra_jobs, status indicative) use baseline loan
   jobs + that figure. Other years interpolate linearly between neighbouring anchors.
   Indicative figures are never constraints.
3. Formal jobs. In years with published sector totals, prior Fm(Y) = prior 2012
   market total + published market extra jobs - market key(Y) x prior L(Y), likewise
   for the government. Years without published sector totals (2013 and 2014)
   interpolate linearly between the neighbouring anchor years, which puts their extra
   jobs per sector and form at 1/3 and 2/3 of the 2015 prior values (a linear ramp
   from the baseline).
4. Weights: deviations from anchored priors weigh W_ANCHOR, from interpolated priors
   W_INTERPOLATED, second differences W_SMOOTH (all per job). The prior path is itself
   piecewise linear, so the smoothness term mostly breaks ties; the solution is
   practically unchanged for W_SMOOTH up to about 0.6, while W_SMOOTH >= 1 starts to
   override the indicative 2016 loan figure.

Hours are jobs x 110.92 rounded half away from zero to 2 decimals. The rounded loan
hours are divided into sheltered secondments and temp agency work with an assumed
sheltered-secondment share that declines linearly from 0.40 in 2012 to 0.25 in 2023
(no new Wsw inflow since 2015), rounded to 4 decimals; the sheltered hours are rounded
to 2 decimals and temp agency hours are the remainder, so both add up exactly to the
rounded loan hours. The division does not affect any published figure.

Provenance: ``reconstructed`` for rows pinned by published figures beyond the sector
totals (loan rows when L(Y) is pinned; regular rows when the formal extra jobs of that
sector are pinned, i.e. 2021 and 2022; the 2012 regular rows always rest on the
assumed baseline sector split), ``assumed`` for all other rows. Note that the level of
every regular row rests on the assumed 2012 sector split; only extra jobs are pinned.

Verification: after writing, both CSVs are re-read, every figure is recomputed exactly
(fractions, no floating point) from the written hours and shares, and compared with
every published, revised or derived extra_jobs, yoy_delta, jobs and split_key_share
row. Any mismatch makes the script exit non-zero. ``--check`` only verifies the
existing CSVs.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

from banenafspraak.project import PROJECT_DIR as REPO_ROOT

SEEDS_DIR = REPO_ROOT / "seeds"
PUBLISHED_CSV = SEEDS_DIR / "published_figures.csv"
HOURS_CSV = SEEDS_DIR / "december_hours.csv"
KEYS_CSV = SEEDS_DIR / "split_keys.csv"

HOURS_PER_JOB = Fraction("110.92")
BASELINE_YEAR = 2012
LAST_YEAR = 2023
YEARS = list(range(BASELINE_YEAR, LAST_YEAR + 1))
# Split keys run to the last year with a statutory target: person-level input may be measured
# up to then, and a year with loan hours needs a key (after the last published key, an assumed
# carried-forward key that says so, never a silent one).
KEY_LAST_YEAR = 2026
KEY_YEARS = list(range(BASELINE_YEAR, KEY_LAST_YEAR + 1))
SECTORS = ("market", "government")

CONSTRAINT_STATUSES = {"published", "revised", "derived"}
CONSTRAINT_METRICS = {"extra_jobs", "yoy_delta", "jobs"}
SHARE_METRIC = "split_key_share"
# Keep each unrounded figure strictly inside its rounding window.
EPS_JOBS = 0.01
HALF_WINDOW = 0.5 - EPS_JOBS

# Statutory December 2012 hours of target-group people per sector, from the 2015
# regulation (Regeling Wfsv art. 3.29). Not in published_figures.csv. Only their ratio
# is used: it is scaled proportionally to the revised baseline total, the published
# 2012 total 'jobs' figure (75,179 jobs), which is read from the CSV.
STATUTORY_2012_HOURS = {"market": Fraction(6914491), "government": Fraction(1055474)}

# Assumed share of sheltered secondments in the loan hours: linear decline from
# SHELTERED_SHARE_FIRST in BASELINE_YEAR to SHELTERED_SHARE_LAST in LAST_YEAR.
SHELTERED_SHARE_FIRST = Fraction("0.40")
SHELTERED_SHARE_LAST = Fraction("0.25")

# A quantity counts as pinned by the published figures if the hard constraints alone
# leave it a range of at most this many jobs.
PINNED_RANGE_JOBS = 10.0
# Lower bound of every unknown, in jobs (no zero or negative hours).
MIN_JOBS = 1.0

# Objective weights (per job of absolute deviation).
W_ANCHOR = 1.0
W_INTERPOLATED = 0.25
W_SMOOTH = 0.1

KINDS = ("Fm", "Fg", "L")
HOURS_ROWS = (
    ("regular", "market"),
    ("regular", "government"),
    ("temp_agency", ""),
    ("sheltered_secondment", ""),
)
HOURS_COLUMNS = [
    "measurement_year",
    "relation_type",
    "employer_sector",
    "paid_hours",
    "provenance",
    "provenance_note",
]
KEYS_COLUMNS = ["measurement_year", "sector", "share", "provenance", "source"]


# --------------------------------------------------------------------------- helpers


def round_half_away(x: Fraction) -> int:
    """Round half away from zero to a whole number (exact, no float)."""
    sign = -1 if x < 0 else 1
    return sign * math.floor(abs(x) + Fraction(1, 2))


def round_fraction(x: Fraction, decimals: int) -> Decimal:
    """Round an exact fraction half away from zero to a Decimal with `decimals` places."""
    scale = 10**decimals
    units = round_half_away(x * scale)
    return (Decimal(units) / Decimal(scale)).quantize(Decimal(1).scaleb(-decimals))


def fraction_of(text: str) -> Fraction:
    return Fraction(Decimal(text.strip()))


def fmt_int(x) -> str:
    return f"{x:,.0f}".replace(",", " ")


def read_published() -> list[dict]:
    with PUBLISHED_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["measurement_year"] = int(row["measurement_year"])
        row["value_fraction"] = fraction_of(row["value"])
    return rows


def constraint_rows(published: list[dict]) -> list[dict]:
    rows = [r for r in published if r["status"] in CONSTRAINT_STATUSES and r["metric"] in CONSTRAINT_METRICS]
    for r in rows:
        y = r["measurement_year"]
        low = y - 1 if r["metric"] == "yoy_delta" else y
        if low < BASELINE_YEAR or y > LAST_YEAR:
            sys.exit(f"constraint row outside {BASELINE_YEAR}..{LAST_YEAR}: {r}")
        if r["sector"] not in SECTORS + ("total",):
            sys.exit(f"unknown sector in constraint row: {r}")
        if r["employment_form"] not in ("formal", "loan", "total"):
            sys.exit(f"unknown employment_form in constraint row: {r}")
    return rows


def find_value(published, year, sector, form, metric, statuses) -> dict | None:
    """The row for a figure; a revised row wins over a published or derived one."""
    hits = [
        r
        for r in published
        if r["measurement_year"] == year
        and r["sector"] == sector
        and r["employment_form"] == form
        and r["metric"] == metric
        and r["status"] in statuses
    ]
    hits.sort(key=lambda r: r["status"] != "revised")
    return hits[0] if hits else None


def sheltered_share(year: int) -> Fraction:
    """Assumed sheltered-secondment share of loan hours, rounded to 4 decimals."""
    t = Fraction(year - BASELINE_YEAR, LAST_YEAR - BASELINE_YEAR)
    exact = SHELTERED_SHARE_FIRST + (SHELTERED_SHARE_LAST - SHELTERED_SHARE_FIRST) * t
    return Fraction(round_fraction(exact, 4))


# ------------------------------------------------------------------------ split keys


def build_split_keys(published: list[dict]) -> list[dict]:
    """Market/government shares per year as rows of split_keys.csv."""
    known: dict[int, dict] = {}
    for row in published:
        if row["metric"] != SHARE_METRIC or row["status"] not in CONSTRAINT_STATUSES:
            continue
        entry = known.setdefault(row["measurement_year"], {})
        old = entry.get(row["sector"])
        if old is None or row["status"] == "revised":
            entry[row["sector"]] = row
    published_keys: dict[int, tuple[Fraction, str, str]] = {}
    for year, entry in known.items():
        if "market" not in entry:
            sys.exit(f"split key {year}: market share missing")
        market = round_fraction(entry["market"]["value_fraction"], 3)
        if "government" in entry:
            gov_row = entry["government"]
            if round_fraction(gov_row["value_fraction"], 3) != Decimal(1) - market:
                sys.exit(f"split key {year}: published shares do not sum to 1")
            gov_source = gov_row["publication"]
        else:
            gov_source = entry["market"]["publication"] + " (government = 1 - market)"
        published_keys[year] = (Fraction(market), entry["market"]["publication"], gov_source)
    key_years = sorted(published_keys)
    if not key_years or key_years[0] > BASELINE_YEAR:
        sys.exit(f"no published split key for {BASELINE_YEAR}: cannot split the baseline")

    rows = []
    for year in KEY_YEARS:
        if year in published_keys:
            market, src_m, src_g = published_keys[year]
            market_d = round_fraction(market, 3)
            prov = "published"
        else:
            before = max(y for y in key_years if y < year)
            after = [y for y in key_years if y > year]
            if after:
                nxt = after[0]
                m0, m1 = published_keys[before][0], published_keys[nxt][0]
                exact = m0 + (m1 - m0) * Fraction(year - before, nxt - before)
                market_d = round_fraction(exact, 3)
                src_m = src_g = (
                    f"assumed: linear interpolation between the published keys of {before} and {nxt}"
                )
            else:
                market_d = round_fraction(published_keys[before][0], 3)
                src_m = src_g = (
                    f"assumed: no SEO key published for {year}; {before} key carried "
                    "forward, stated here, not applied silently"
                )
            prov = "assumed"
        gov_d = Decimal(1) - market_d
        rows.append(
            dict(measurement_year=year, sector="market", share=market_d, provenance=prov, source=src_m)
        )
        rows.append(
            dict(measurement_year=year, sector="government", share=gov_d, provenance=prov, source=src_g)
        )
    return rows


def shares_from_key_rows(key_rows) -> dict[int, dict[str, Fraction]]:
    out: dict[int, dict[str, Fraction]] = {}
    for r in key_rows:
        out.setdefault(int(r["measurement_year"]), {})[r["sector"]] = Fraction(Decimal(str(r["share"])))
    return out


# ------------------------------------------------------------------- linear program


def var_index(kind: str, year: int) -> int:
    return KINDS.index(kind) * len(YEARS) + (year - BASELINE_YEAR)


N_BASE = len(KINDS) * len(YEARS)


def jobs_expr(year, sector, form, shares) -> dict[int, Fraction]:
    """Linear expression of jobs(year, sector, form) in the unknowns."""
    expr: dict[int, Fraction] = {}

    def add(i, c):
        expr[i] = expr.get(i, Fraction(0)) + c

    sectors = SECTORS if sector == "total" else (sector,)
    forms = ("formal", "loan") if form == "total" else (form,)
    for s in sectors:
        for f in forms:
            if f == "formal":
                add(var_index("Fm" if s == "market" else "Fg", year), Fraction(1))
            else:
                add(var_index("L", year), shares[year][s])
    return expr


def figure_expr(row, shares) -> dict[int, Fraction]:
    """Linear expression of the unrounded value of a published figure."""
    y, s, f, metric = row["measurement_year"], row["sector"], row["employment_form"], row["metric"]

    def diff(a, b):
        out = dict(a)
        for i, c in b.items():
            out[i] = out.get(i, Fraction(0)) - c
        return out

    if metric == "jobs":
        return jobs_expr(y, s, f, shares)
    if metric == "extra_jobs":
        return diff(jobs_expr(y, s, f, shares), jobs_expr(BASELINE_YEAR, s, f, shares))
    if metric == "yoy_delta":
        return diff(jobs_expr(y, s, f, shares), jobs_expr(y - 1, s, f, shares))
    raise ValueError(metric)


def hard_constraint_matrix(constraints, shares, n_vars):
    a_rows, b = [], []
    for r in constraints:
        expr = figure_expr(r, shares)
        vec = np.zeros(n_vars)
        for i, c in expr.items():
            vec[i] = float(c)
        v = float(r["value_fraction"])
        a_rows.append(vec)
        b.append(v + HALF_WINDOW)
        a_rows.append(-vec)
        b.append(-(v - HALF_WINDOW))
    return np.array(a_rows), np.array(b)


def feasible_range(objective_vec, a_ub, b_ub, bounds):
    """(min, max) of a linear function under the hard constraints; None if unbounded."""
    out = []
    for sign in (1.0, -1.0):
        res = linprog(sign * objective_vec, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        if res.status == 2:
            sys.exit("the published figures are infeasible as hard constraints: " + res.message)
        out.append(sign * res.fun if res.status == 0 else None)
    return tuple(out)


def interpolate(anchors: dict[int, float], year: int) -> tuple[float, int | None, int | None]:
    """Linear interpolation between neighbouring anchors; carried beyond the ends."""
    before = [y for y in anchors if y <= year]
    after = [y for y in anchors if y >= year]
    if before and after:
        a, b = max(before), min(after)
        if a == b:
            return anchors[a], a, b
        t = (year - a) / (b - a)
        return anchors[a] + t * (anchors[b] - anchors[a]), a, b
    nearest = max(before) if before else min(after)
    return anchors[nearest], nearest, nearest


def solve(published, shares):
    constraints = constraint_rows(published)
    bounds_base = [(MIN_JOBS, None)] * N_BASE
    a_ub, b_ub = hard_constraint_matrix(constraints, shares, N_BASE)

    # Which quantities do the published figures pin?
    ranges: dict[tuple[str, int], tuple] = {}
    for year in YEARS:
        vec = np.zeros(N_BASE)
        vec[var_index("L", year)] = 1.0
        ranges[("L", year)] = feasible_range(vec, a_ub, b_ub, bounds_base)
        for kind in ("Fm", "Fg"):
            if year == BASELINE_YEAR:
                continue
            vec = np.zeros(N_BASE)
            vec[var_index(kind, year)] = 1.0
            vec[var_index(kind, BASELINE_YEAR)] -= 1.0
            ranges[(kind, year)] = feasible_range(vec, a_ub, b_ub, bounds_base)

    def pinned(key):
        lo, hi = ranges.get(key, (None, None))
        return lo is not None and hi is not None and hi - lo <= PINNED_RANGE_JOBS

    # Prior 1: 2012 sector totals from the statutory hours, scaled to the baseline.
    baseline_row = find_value(published, BASELINE_YEAR, "total", "total", "jobs", CONSTRAINT_STATUSES)
    if baseline_row is None:
        sys.exit(f"no published total jobs figure for {BASELINE_YEAR} (the baseline)")
    baseline_total = baseline_row["value_fraction"]
    stat_sum = sum(STATUTORY_2012_HOURS.values())
    prior_total_2012 = {s: STATUTORY_2012_HOURS[s] / stat_sum * baseline_total for s in SECTORS}

    # Prior 2: loan jobs.
    loan_anchor: dict[int, float] = {}
    loan_source: dict[int, str] = {}
    base_loan_row = find_value(published, BASELINE_YEAR, "total", "loan", "jobs", CONSTRAINT_STATUSES)
    if base_loan_row is None:
        sys.exit(f"no published loan jobs figure for {BASELINE_YEAR}")
    base_loan = float(base_loan_row["value_fraction"])
    indicative = {
        r["measurement_year"]: r
        for r in published
        if r["status"] == "indicative"
        and r["metric"] == "extra_jobs"
        and r["sector"] == "total"
        and r["employment_form"] == "loan"
    }
    for year in YEARS:
        if year == BASELINE_YEAR:
            loan_anchor[year] = base_loan
            loan_source[year] = "pinned"
        elif pinned(("L", year)):
            lo, hi = ranges[("L", year)]
            loan_anchor[year] = (lo + hi) / 2
            loan_source[year] = "pinned"
        elif year in indicative:
            loan_anchor[year] = base_loan + float(indicative[year]["value_fraction"])
            loan_source[year] = "indicative"
    prior: dict[tuple[str, int], float] = {}
    weight: dict[tuple[str, int], float] = {}
    loan_note: dict[int, str] = {}
    for year in YEARS:
        value, a, b = interpolate(loan_anchor, year)
        prior[("L", year)] = value
        if year in loan_anchor:
            weight[("L", year)] = W_ANCHOR
            loan_note[year] = (
                "loan level pinned by published figures"
                if loan_source[year] == "pinned"
                else "loan level from the indicative UWV figure"
            )
        else:
            weight[("L", year)] = W_INTERPOLATED
            loan_note[year] = (
                f"loan level interpolated between the {a} and {b} loan anchors"
                if a != b
                else f"loan level carried from {a}"
            )

    # Prior 3: formal jobs from published sector totals minus the prior loan part.
    sector_extra: dict[int, dict[str, float]] = {}
    sector_note: dict[int, str] = {}
    for year in YEARS[1:]:
        rows = {
            s: find_value(published, year, s, "total", "extra_jobs", CONSTRAINT_STATUSES) for s in SECTORS
        }
        if all(rows.values()):
            sector_extra[year] = {s: float(rows[s]["value_fraction"]) for s in SECTORS}
            derived = [s for s in SECTORS if rows[s]["status"] == "derived"]
            sector_note[year] = f"sector totals published {year}" + (
                f" ({', '.join(derived)} derived)" if derived else ""
            )
    formal_anchor = {k: {} for k in ("Fm", "Fg")}
    for year in [BASELINE_YEAR] + sorted(sector_extra):
        for kind, s in (("Fm", "market"), ("Fg", "government")):
            extra = 0.0 if year == BASELINE_YEAR else sector_extra[year][s]
            formal_anchor[kind][year] = (
                float(prior_total_2012[s]) + extra - float(shares[year][s]) * prior[("L", year)]
            )
    ramp_note: dict[int, str] = {}
    for year in YEARS:
        for kind in ("Fm", "Fg"):
            value, a, b = interpolate(formal_anchor[kind], year)
            prior[(kind, year)] = value
            weight[(kind, year)] = W_ANCHOR if year in formal_anchor[kind] else W_INTERPOLATED
            if year not in formal_anchor[kind]:
                t = Fraction(year - a, b - a) if a != b else Fraction(1)
                ramp_note[year] = (
                    f"no figures published for {year}; extra jobs ramped linearly from the "
                    f"{a} prior to the {b} prior ({t} of the way)"
                )

    # Objective: weighted L1 deviations from the prior and of second differences.
    prior_keys = [(k, y) for k in KINDS for y in YEARS]
    smooth_keys = [(k, y) for k in KINDS for y in YEARS[1:-1]]
    n_vars = N_BASE + len(prior_keys) + len(smooth_keys)
    c = np.zeros(n_vars)
    extra_rows, extra_b = [], []
    for j, (kind, year) in enumerate(prior_keys):
        t = N_BASE + j
        c[t] = weight[(kind, year)]
        for sign in (1.0, -1.0):  # t >= +-(x - prior)
            vec = np.zeros(n_vars)
            vec[var_index(kind, year)] = sign
            vec[t] = -1.0
            extra_rows.append(vec)
            extra_b.append(sign * prior[(kind, year)])
    for j, (kind, year) in enumerate(smooth_keys):
        t = N_BASE + len(prior_keys) + j
        c[t] = W_SMOOTH
        for sign in (1.0, -1.0):  # t >= +-(x[y-1] - 2 x[y] + x[y+1])
            vec = np.zeros(n_vars)
            vec[var_index(kind, year - 1)] = sign
            vec[var_index(kind, year)] = -2.0 * sign
            vec[var_index(kind, year + 1)] = sign
            vec[t] = -1.0
            extra_rows.append(vec)
            extra_b.append(0.0)
    a_full = np.hstack([a_ub, np.zeros((a_ub.shape[0], n_vars - N_BASE))])
    a_all = np.vstack([a_full, np.array(extra_rows)])
    b_all = np.concatenate([b_ub, np.array(extra_b)])
    bounds = bounds_base + [(0.0, None)] * (n_vars - N_BASE)
    res = linprog(c, A_ub=a_all, b_ub=b_all, bounds=bounds, method="highs")
    if res.status != 0:
        sys.exit(f"linear program failed (no constraint is relaxed): {res.message}")
    x = res.x
    solution = {(k, y): float(x[var_index(k, y)]) for k in KINDS for y in YEARS}
    slack = max(0.0, float(np.min(b_ub - a_ub @ x[:N_BASE]))) if len(b_ub) else float("nan")
    print(
        f"LP solved: {len(constraints)} published figures as hard two-sided constraints "
        f"(|unrounded - published| <= {HALF_WINDOW}), none relaxed; objective {res.fun:.3f}; "
        f"smallest slack {slack:.4f} jobs (0 = on the {HALF_WINDOW} bound, still "
        f"{EPS_JOBS} inside the rounding window)"
    )
    print("ranges left by the hard constraints (jobs):")
    for year in YEARS:
        parts = []
        for key in (("L", year), ("Fm", year), ("Fg", year)):
            if key not in ranges:
                continue
            lo, hi = ranges[key]
            label = "L" if key[0] == "L" else key[0] + " extra"
            width = "unbounded" if lo is None or hi is None else f"{hi - lo:9.2f}"
            parts.append(f"{label} {width}")
        print(f"  {year}: " + "; ".join(parts))

    context = dict(
        pinned=pinned,
        ranges=ranges,
        loan_note=loan_note,
        sector_note=sector_note,
        ramp_note=ramp_note,
        baseline_total=baseline_total,
    )
    return solution, context


# --------------------------------------------------------------------- hours output


def to_hours(jobs: float) -> Decimal:
    return round_fraction(Fraction(jobs) * HOURS_PER_JOB, 2)


def build_hours_rows(solution, context) -> list[dict]:
    pinned = context["pinned"]
    rows = []
    for year in YEARS:
        share_text = f"{float(sheltered_share(year)):.4f}"
        division = (
            "temp_agency/sheltered_secondment division assumed (sheltered share "
            f"{share_text}, linear decline from {float(SHELTERED_SHARE_FIRST):.2f} in "
            f"{BASELINE_YEAR} to {float(SHELTERED_SHARE_LAST):.2f} in {LAST_YEAR})"
        )
        context_bits = []
        if year in context["ramp_note"]:
            context_bits.append(context["ramp_note"][year])
        if year in context["sector_note"]:
            context_bits.append(context["sector_note"][year])
        context_text = "; ".join(context_bits)

        loan_hours = to_hours(solution[("L", year)])
        sheltered = round_fraction(Fraction(loan_hours) * sheltered_share(year), 2)
        temp = loan_hours - sheltered

        for relation, sector in HOURS_ROWS:
            if relation == "regular":
                kind = "Fm" if sector == "market" else "Fg"
                hours = to_hours(solution[(kind, year)])
                if year == BASELINE_YEAR:
                    prov = "assumed"
                    note = (
                        "assumed: baseline sector split unpublished; statutory December "
                        f"{BASELINE_YEAR} hours of the 2015 regulation scaled to the published "
                        f"baseline of {context['baseline_total']} jobs; formal total pinned by "
                        "the published baseline and loan jobs"
                    )
                elif pinned((kind, year)):
                    prov = "reconstructed"
                    note = (
                        f"reconstructed: {sector} formal extra jobs pinned by published figures "
                        "(formal/loan split and year-on-year deltas); level rests on the "
                        f"assumed {BASELINE_YEAR} baseline sector split"
                    )
                else:
                    prov = "assumed"
                    note = "assumed: formal/loan split unpublished; " + context["loan_note"][year]
                    if context_text:
                        note += "; " + context_text
            else:
                hours = temp if relation == "temp_agency" else sheltered
                if pinned(("L", year)):
                    prov = "reconstructed"
                    note = "reconstructed: loan jobs pinned by published figures; " + division
                else:
                    prov = "assumed"
                    note = "assumed: " + context["loan_note"][year]
                    if context_text:
                        note += "; " + context_text
                    note += "; " + division
            if hours <= 0:
                sys.exit(f"non-positive hours for {year} {relation} {sector}: {hours}")
            rows.append(
                dict(
                    measurement_year=year,
                    relation_type=relation,
                    employer_sector=sector,
                    paid_hours=hours,
                    provenance=prov,
                    provenance_note=note,
                )
            )
    return rows


def write_csv(path: Path, columns, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([str(row[c]) for c in columns])


# ---------------------------------------------------------------------- verification


def verify(published) -> bool:
    """Re-read both seeds, recompute every published figure exactly, compare."""
    problems: list[str] = []
    for path in (HOURS_CSV, KEYS_CSV):
        if not path.exists():
            print(f"ERROR: {path.relative_to(REPO_ROOT)} does not exist", file=sys.stderr)
            return False
    with KEYS_CSV.open(newline="", encoding="utf-8") as fh:
        key_rows = list(csv.DictReader(fh))
    with HOURS_CSV.open(newline="", encoding="utf-8") as fh:
        hour_rows = list(csv.DictReader(fh))

    # Shape checks.
    expected_keys = [(y, s) for y in KEY_YEARS for s in SECTORS]
    got_keys = [(int(r["measurement_year"]), r["sector"]) for r in key_rows]
    if got_keys != expected_keys:
        problems.append("split_keys.csv: rows are not (year, market/government) for each year")
    for r in key_rows:
        if len(r["share"].split(".")[-1]) != 3:
            problems.append(f"split_keys.csv: share not 3 decimals: {r}")
    shares = shares_from_key_rows(key_rows)
    for y in YEARS:
        if y in shares and sum(shares[y].values()) != 1:
            problems.append(f"split_keys.csv: shares of {y} do not sum to 1")
    expected_hours = [(y, rel, sec) for y in YEARS for rel, sec in HOURS_ROWS]
    got_hours = [(int(r["measurement_year"]), r["relation_type"], r["employer_sector"]) for r in hour_rows]
    if got_hours != expected_hours:
        problems.append("december_hours.csv: rows are not the four expected rows per year in order")
    hours: dict[tuple[int, str, str], Fraction] = {}
    for r in hour_rows:
        text = r["paid_hours"]
        if "." not in text or len(text.split(".")[1]) != 2:
            problems.append(f"december_hours.csv: paid_hours not 2 decimals: {r}")
        value = fraction_of(text)
        if value <= 0:
            problems.append(f"december_hours.csv: paid_hours not positive: {r}")
        if r["provenance"] not in ("reconstructed", "assumed"):
            problems.append(f"december_hours.csv: unexpected provenance: {r}")
        hours[(int(r["measurement_year"]), r["relation_type"], r["employer_sector"])] = value
    if problems:
        for p in problems:
            print("ERROR: " + p, file=sys.stderr)
        return False

    # Jobs per (year, sector, form), straight from the written hours and shares.
    jobs: dict[tuple[int, str, str], Fraction] = {}
    loan_jobs: dict[int, Fraction] = {}
    for y in YEARS:
        loan = (hours[(y, "temp_agency", "")] + hours[(y, "sheltered_secondment", "")]) / HOURS_PER_JOB
        loan_jobs[y] = loan
        for s in SECTORS:
            jobs[(y, s, "formal")] = hours[(y, "regular", s)] / HOURS_PER_JOB
            jobs[(y, s, "loan")] = loan * shares[y][s]
            jobs[(y, s, "total")] = jobs[(y, s, "formal")] + jobs[(y, s, "loan")]
        for f in ("formal", "loan", "total"):
            jobs[(y, "total", f)] = jobs[(y, "market", f)] + jobs[(y, "government", f)]

    def extra(y, s, f):
        return jobs[(y, s, f)] - jobs[(BASELINE_YEAR, s, f)]

    def unrounded(row):
        y, s, f = row["measurement_year"], row["sector"], row["employment_form"]
        if row["metric"] == "jobs":
            return jobs[(y, s, f)]
        if row["metric"] == "extra_jobs":
            return extra(y, s, f)
        if row["metric"] == "yoy_delta":
            return extra(y, s, f) - extra(y - 1, s, f)
        raise ValueError(row["metric"])

    checked = 0
    mismatches = []
    worst = Fraction(0)
    for row in published:
        if row["status"] not in CONSTRAINT_STATUSES:
            continue
        label = (
            f"{row['measurement_year']} {row['sector']}/{row['employment_form']} "
            f"{row['metric']} = {row['value']} ({row['status']})"
        )
        if row["metric"] in CONSTRAINT_METRICS:
            checked += 1
            value = unrounded(row)
            worst = max(worst, abs(value - row["value_fraction"]))
            if round_half_away(value) != row["value_fraction"]:
                mismatches.append(f"{label}: recomputed {float(value):.4f} -> {round_half_away(value)}")
        elif row["metric"] == SHARE_METRIC:
            checked += 1
            got = shares.get(row["measurement_year"], {}).get(row["sector"])
            if got != row["value_fraction"]:
                mismatches.append(f"{label}: split_keys.csv has {got}")

    # Per-year table for a human plausibility check (ind = indicative hint).
    indicative = {
        (r["measurement_year"], r["sector"], r["employment_form"]): r["value"]
        for r in published
        if r["status"] == "indicative" and r["metric"] == "extra_jobs"
    }

    def ind(y, s, f):
        return indicative.get((y, s, f), "-")

    print()
    print(
        "year  key m/g      L(Y)  loan extra (ind)   Fm extra (ind)    Fg extra (ind)  "
        "mkt extra  gov extra  sheltered"
    )
    for y in YEARS:
        secondment = hours[(y, "sheltered_secondment", "")]
        sheltered = float(secondment / (secondment + hours[(y, "temp_agency", "")]))
        loan = f"{float(loan_jobs[y]):8.0f} {float(extra(y, 'total', 'loan')):7.0f}"
        print(
            f"{y}  {float(shares[y]['market']):.3f}/{float(shares[y]['government']):.3f} "
            f"{loan} ({ind(y, 'total', 'loan'):>6}) "
            f"{float(extra(y, 'market', 'formal')):7.0f} ({ind(y, 'market', 'formal'):>6}) "
            f"{float(extra(y, 'government', 'formal')):7.0f} ({ind(y, 'government', 'formal'):>6}) "
            f"{float(extra(y, 'market', 'total')):9.0f} {float(extra(y, 'government', 'total')):9.0f} "
            f"{sheltered:9.3f}"
        )
    fm12 = jobs[(BASELINE_YEAR, "market", "formal")]
    fg12 = jobs[(BASELINE_YEAR, "government", "formal")]
    print(
        f"baseline {BASELINE_YEAR}: formal market {float(fm12):.1f}, formal government "
        f"{float(fg12):.1f}, loan {float(loan_jobs[BASELINE_YEAR]):.1f} jobs"
    )
    print(f"largest |unrounded - published| over extra_jobs/yoy_delta/jobs: {float(worst):.4f} jobs")
    print()
    if mismatches:
        print(f"reproduced {checked - len(mismatches)} of {checked} published figures", file=sys.stderr)
        print("MISMATCHES:", file=sys.stderr)
        for m in mismatches:
            print("  " + m, file=sys.stderr)
        return False
    print(f"reproduced {checked} of {checked} published figures")
    return True


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify the existing seed CSVs against the published figures",
    )
    args = parser.parse_args(argv)
    published = read_published()
    if not args.check:
        key_rows = build_split_keys(published)
        shares = shares_from_key_rows(key_rows)
        solution, context = solve(published, shares)
        hour_rows = build_hours_rows(solution, context)
        write_csv(KEYS_CSV, KEYS_COLUMNS, key_rows)
        write_csv(HOURS_CSV, HOURS_COLUMNS, hour_rows)
        print(f"wrote {KEYS_CSV.relative_to(REPO_ROOT)} and {HOURS_CSV.relative_to(REPO_ROOT)}")
    return 0 if verify(published) else 1


if __name__ == "__main__":
    sys.exit(main())

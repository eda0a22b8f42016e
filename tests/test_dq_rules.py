"""Every data-quality rule DQ01–DQ16, on two raw layers built in the test and run through the real dbt.

One database holds a case that triggers each rule, the other a near miss that must not trigger it.
Each case has its own reporting unit (and its own enterprises), so the cases do not disturb each
other; DQ12 is city-wide and has period 2024-09 to itself. Both are built once for the module, with
`dbt build --vars '{as_of_period: "2024-12-01"}'` (DQ14's window is then 2022年1月 to 2024年12月: the
plan's baseline year is 2022). Money is 万元. The numbers, worked out by hand:

    rule  unit    triggers                                          near miss
    DQ01  500101  an enterprise filed 2024-03, no submission          the submission arrived
          500229  its only table of 2024-03 (城口县_2024年3月.csv) is
                  dated 2042-03: the finding cites that line
    DQ02  500102  submitted 1020 against filings of 1000 (2% > 1%)   1005 (0.5%); April's 1020
                                                                      corrected to a blank
          500120  submitted 2000 against a filing DQ06 finds in 元
                  (20,000,000): the message says 2,000 agrees
    DQ03  500103  submitted 3 enterprises, 2 filed                   2
    DQ04  500104  district 2024-02 1000 → 2024-04 990 (−1%;          996 (−0.4%); 2023-12 5000 →
                  2024-03 not sent: compared with February)           2024-02 1000 is a new year
          500105  enterprise 2024-02 2000 → 2024-03 1980 (−1%)        1995 (−0.25%)
    DQ05  500106  2023-06 1000 → 2024-06 1600: +60% warn              1500: +50% is not above 50%
          500107  2023-06 1000 → 2024-06 2500: +150% error            500: −50%
          500230  2023-06 sent in 元 (12,000,000; DQ06 on its run     2024-06 1320: +10% on 1200,
                  rate between 2023-05 1000 and 2023-07 1400) →       not −99.99%
                  2024-06 3000: +150% on 1200, the corrected value
    DQ06  500108  district 2023-06 1000 → 2024-06 1050000 (×1050)    2500 (×2.5, genuine growth)
          500109  enterprise without a year earlier: increments       increments 100, 100, 840
                  100 (Feb), 100, 100000 (×1000)                      (×8.4, outside 10 ± 15%)
          500110  enterprise 2023-06 50000 → 2024-06 5.2 (×1/9615)    10000 → 840 (×0.084)
    DQ07  500111  revenue −100; R&D 150 > revenue 100; intensity      intensity 300/1000 = 30%;
                  400/1000 = 40% (warn); district R&D −5 and          zeros
                  enterprise count −3
    DQ08  500112  two lines for 2024-03: revenue 100, then 120 in a   two identical lines; April's
                  补报 (the later file's name holds a credit code)   100 then 110 in a 更正 file
    DQ09  500113  registry 91500000747150426A (check W, not A);        915000007339743120 and
                  a 17-character code; a code with an I               91110000802085421K
    DQ10  500114  an unregistered filer; a registered in-scope       the registered one files every
                  enterprise that did not file                       period; out of scope, below
                                                                     size: not expected to file
    DQ11  500115  registry 500115, filed through 500116              filed through 500115 / none
    DQ12  —       division 39 filed 10000, bureau 10300 (2.91%)      bureau 10150 (1.48%)
    DQ13  500117  2024-03 repeats 2024-02 (3, 1000, 20)               R&D 21; zeros repeated
    DQ14  500118  submission 2025-01, filing 2021-12, bureau 2025-01  2024-12 and 2022-01
                  (the filing in 江北's file of 2024-03: filed under 2024-03;
                  its 2024-03 submission of 1 enterprise gets DQ02 and DQ03 saying why)
    DQ06  500119  district and enterprise: 2023-03 1800, 2024-02 1000, 2024-03 20,000,000 (元,
    +DQ04 500120  ×11111 ≈ 10^4), 2024-04 3000: DQ06 for March; DQ04 compares April with
                  20,000,000 / 10^4 = 2000 → no finding
    DQ07  500151  revenue 1e20 万元 > 1e8 (var dq_max_amount_wan): "100,000,000,000,000,000,000",
                  never a run of digits the credit-code guard would refuse
    DQ15  500152  registry 区县 火星区 (district NULL, enterprise     filing without 区县
                  counts city-wide); filing 区县 潼南县城; a submission
                  for 潼南新区 (district NULL)
    DQ06  500154  March's whole year to date typed in 元: 5000 (Feb) → 76,000,000, run rate  ramp-up 100 (Jan)
    (run          ×10,133 ≈ 10^4; against 2023-03 6080 it is ×12,500 (the firm → 1600: run rate
    rate)         grew 25%), its increment ×25,332: neither matches. April 10,100  ×8, not ≈ 10
                  right again: its run rate ≈ 1/10^4 of March's is the return, no
                  finding. A second firm without a year earlier, the same months
    DQ06  500155  March and April in 元, no year earlier: 1000, 2000, 30,000,000 (×10^4 run rate),
    (two          40,500,000 (level with March: the same mix-up), May 5000 right again: no finding
    months)       near miss: 2024-02 20 → 2024-03 300, ×10 February's run rate, but ×3 of 2023-03
                  100 (a slow 1-2月): a run-rate match stands only where a year earlier agrees;
                  2024-04 420, level with March (×3 of 140), no finding either
    DQ06  500156  June 2023 in a tenth of the unit: 5000 (May) → 60,000 (run rate ×10), July
    (a year      7000 right again; 2024-05 5500, 2024-06 6600: June 2024 is 1/10 of June 2023, which
    earlier      jumps from its own May and is no yardstick: no finding for 2024
    astray)
    DQ16  500153  registry 产业链 智慧终端 on a 3911 maker (warn:   智能终端产业链 and 智能家居 (the
                  counted as 智能终端); 智能家电 on a 3851 maker      ingest matched them); 智慧终端
                  (error: its class is out of scope, it counts     on a below-scale enterprise
                  nowhere)
    DQ04  500231  published figures: January's cell suppressed (one enterprise makes 96.7%), so the
    (pub-         fall February → January is withheld; April → March, two published cells, is shown
    lished)
Amounts in expected/actual are written with thousands separators and their exact decimals ("1,000",
"5.2").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.identity import uscc_check_char
from orchestration.ingest.kinds import KINDS
from orchestration.ingest.ledger import ensure_schema
from orchestration.ingest.values import named_period
from orchestration.settings import DBT_PROJECT_DIR, QUIET_ENV

DBT = str(Path(sys.executable).with_name("dbt"))
AS_OF_VARS = '{as_of_period: "2024-12-01"}'
KIND_OF_TABLE = {kind.table: name for name, kind in KINDS.items()}
CREDIT_CODE_RUN = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
WINDOW = "2022年1月至2024年12月"
INGESTED = dt.datetime(2024, 12, 20, 9, 0)

DISTRICT_NAMES = {
    "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区", "500105": "江北区",
    "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区", "500109": "北碚区", "500110": "綦江区",
    "500111": "大足区", "500112": "渝北区", "500113": "巴南区", "500114": "黔江区", "500115": "长寿区",
    "500116": "江津区", "500117": "合川区", "500118": "永川区", "500119": "南川区", "500120": "璧山区",
    "500151": "铜梁区", "500152": "潼南区", "500153": "荣昌区",
    "500154": "开州区", "500155": "梁平区", "500156": "武隆区", "500229": "城口县",
    "500230": "丰都县", "500231": "垫江县", "500233": "忠县", "500235": "云阳县",
    "500236": "奉节县", "500237": "巫山县",
}  # fmt: skip


def code(district: str, serial: int) -> str:
    """A valid credit code (GB 32100-2015) registered in `district`."""
    first17 = f"91{district}MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def month(period: str) -> dt.date:
    return dt.date.fromisoformat(f"{period}-01")


class RawLayer:
    """Writes raw tables as the ingest does (its own DDL), one line at a time, with provenance, and the
    ledger's row of each file."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.next_row: dict[str, int] = defaultdict(lambda: 2)
        self.registry_district: dict[str, str] = {}
        self.codes: set[str] = set()
        self.files: set[str] = set()

    def _insert(
        self, table: str, source_file: str, row: int | None, ingested_at: dt.datetime | None, **values: Any
    ) -> None:
        if row is None:
            row, self.next_row[source_file] = self.next_row[source_file], self.next_row[source_file] + 1
        values |= {
            "source_file": source_file,
            "source_sheet": None,
            "source_row": row,
            "file_sha256": hashlib.sha256(source_file.encode()).hexdigest(),
            "ingested_at": ingested_at or INGESTED,
        }
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.con.execute(f"insert into raw.{table} ({columns}) values ({marks})", list(values.values()))
        if source_file not in self.files:  # the ledger's row of the file, with the month of its name
            self.files.add(source_file)
            self.con.execute(
                "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, first_seen_at, "
                "named_period) values (?, ?, ?, 'ingested', ?, ?)",
                [values["file_sha256"], source_file, KIND_OF_TABLE[table], values["ingested_at"],
                 named_period(source_file)],
            )  # fmt: skip

    def registry(
        self,
        uscc: str,
        name: str,
        district: str,
        industry: str = "3911",
        above_scale: bool = True,
        chain_raw: str | None = None,
        chain_code: str | None = None,
    ) -> None:
        """A registry line; `chain_raw` as written, `chain_code` as the ingest matched it (None: no chain)."""
        self.registry_district[uscc] = district
        self.codes.add(uscc)
        self._insert(
            "registry", f"registry/名录_{district}.xlsx", None, None,
            uscc=uscc, enterprise_name=name, district_raw=DISTRICT_NAMES.get(district, district),
            district_code=district, industry_code=industry, chain_raw=chain_raw, chain_code=chain_code,
            above_scale=above_scale,
        )  # fmt: skip

    def filing(
        self,
        uscc: str,
        period: str,
        revenue: float | Decimal | None,
        rd: float | None,
        name: str | None = None,
        district: str | None = None,
        source_file: str | None = None,
        ingested_at: dt.datetime | None = None,
        district_text: str | None = None,
    ) -> None:
        """A filing line; by default in file filings/<period>_<registry district or filing district>.csv.
        `district_text` is a 区县 the ingest matched to no unit (district_code NULL)."""
        self.codes.add(uscc)
        unit = self.registry_district.get(uscc, district)
        self._insert(
            "filings", source_file or f"filings/{period}_{unit}.csv", None, ingested_at,
            uscc=uscc, enterprise_name=name, district_raw=district_text or (district and DISTRICT_NAMES[district]),
            district_code=district, period=month(period), revenue_ytd_wan=revenue, rd_ytd_wan=rd, employees=None,
        )  # fmt: skip

    def unplaced_registry(self, uscc: str, name: str, district_text: str, source_file: str) -> None:
        """A registry line whose 区县 the ingest matched to no reporting unit (district_code NULL)."""
        self.codes.add(uscc)
        self._insert(
            "registry", source_file, None, None,
            uscc=uscc, enterprise_name=name, district_raw=district_text, district_code=None,
            industry_code="3911", chain_raw=None, chain_code=None, above_scale=True,
        )  # fmt: skip

    def unplaced_submission(self, district_text: str, period: str, source_file: str) -> None:
        """A district submission (row 4) whose 区县 matched no reporting unit."""
        self._insert(
            "district_submissions", source_file, 4, None,
            district_raw=district_text, district_code=None, period=month(period),
            enterprise_count=1, revenue_ytd_wan=100, rd_ytd_wan=1,
        )  # fmt: skip

    def submission(
        self,
        district: str,
        period: str,
        count: int,
        revenue: float | None,
        rd: float,
        source_file: str | None = None,
        ingested_at: dt.datetime | None = None,
    ) -> None:
        """A district's submission, row 4 of districts/<district>_<period>.csv (under title rows)."""
        self._insert(
            "district_submissions", source_file or f"districts/{district}_{period}.csv", 4, ingested_at,
            district_raw=DISTRICT_NAMES[district], district_code=district, period=month(period),
            enterprise_count=count, revenue_ytd_wan=revenue, rd_ytd_wan=rd,
        )  # fmt: skip

    def bureau(self, period: str, industry: str, revenue: float, row: int) -> None:
        self._insert(
            "bureau", f"bureau/统计局_{period}.xlsx", row, None,
            period=month(period), industry_raw=industry, industry_code=industry, revenue_ytd_wan=revenue,
            yoy_pct=None,
        )  # fmt: skip


def triggering_layer(raw: RawLayer) -> None:
    # DQ01
    raw.registry(code("500101", 1), "万州甲电子公司", "500101")
    raw.filing(code("500101", 1), "2024-03", 1000, 10)
    # ... and a unit whose one-line table of 2024-03 has its year mistyped
    raw.registry(code("500229", 1), "城口甲电子公司", "500229")
    raw.filing(code("500229", 1), "2024-03", 1000, 10)
    raw.submission("500229", "2042-03", 1, 1000, 10, source_file="districts/城口县_2024年3月.csv")
    # DQ02
    raw.registry(code("500102", 1), "涪陵甲电子公司", "500102")
    raw.filing(code("500102", 1), "2024-03", 1000, 10)
    raw.submission("500102", "2024-03", 1, 1020, 10)
    # DQ03
    raw.registry(code("500103", 1), "渝中甲电子公司", "500103")
    raw.registry(code("500103", 2), "渝中乙电子公司", "500103")
    raw.filing(code("500103", 1), "2024-03", 500, 5)
    raw.filing(code("500103", 2), "2024-03", 500, 5)
    raw.submission("500103", "2024-03", 3, 1000, 10)
    # DQ04: a district (March not sent) and an enterprise
    raw.submission("500104", "2024-02", 1, 1000, 10)
    raw.submission("500104", "2024-04", 1, 990, 10)
    raw.registry(code("500105", 1), "江北甲电子公司", "500105")
    raw.filing(code("500105", 1), "2024-02", 2000, 20)
    raw.filing(code("500105", 1), "2024-03", 1980, 20)
    # DQ05: warn and error
    raw.submission("500106", "2023-06", 1, 1000, 10)
    raw.submission("500106", "2024-06", 1, 1600, 16)
    raw.submission("500107", "2023-06", 1, 1000, 10)
    raw.submission("500107", "2024-06", 1, 2500, 25)
    # ... against a year earlier that DQ06 found in 元: compared with it read in 万元
    for period, revenue in (("2023-05", 1000), ("2023-06", 12_000_000), ("2023-07", 1400), ("2024-06", 3000)):
        raw.submission("500230", period, 1, revenue, 10)
    # DQ06: district against a year earlier, enterprise increments, enterprise a fraction of a year earlier
    raw.submission("500108", "2023-06", 1, 1000, 10)
    raw.submission("500108", "2024-06", 1, 1050000, 10)
    raw.registry(code("500109", 1), "北碚甲电子公司", "500109")
    raw.filing(code("500109", 1), "2024-02", 100, 1)
    raw.filing(code("500109", 1), "2024-03", 200, 2)
    raw.filing(code("500109", 1), "2024-04", 100200, 3)
    raw.registry(code("500110", 1), "綦江甲电子公司", "500110")
    raw.filing(code("500110", 1), "2023-06", 50000, 500)
    raw.filing(code("500110", 1), "2024-06", 5.2, 0)
    # DQ07
    raw.registry(code("500111", 1), "大足甲电子公司", "500111")
    raw.registry(code("500111", 2), "大足乙电子公司", "500111")
    raw.registry(code("500111", 3), "大足丙电子公司", "500111")
    raw.filing(code("500111", 1), "2024-03", -100, 0)
    raw.filing(code("500111", 2), "2024-03", 100, 150)
    raw.filing(code("500111", 3), "2024-03", 1000, 400)
    raw.submission("500111", "2024-03", -3, 1000, -5)
    # DQ08: a late report (补报) that differs; its file name carries the credit code, which must not
    # reach dq_findings
    raw.registry(code("500112", 1), "渝北甲电子公司", "500112")
    raw.filing(code("500112", 1), "2024-03", 100, 1)
    raw.filing(
        code("500112", 1), "2024-03", 120, 1,
        source_file=f"filings/企业月报_{code('500112', 1)}_补报.csv", ingested_at=INGESTED + dt.timedelta(days=1),
    )  # fmt: skip
    # DQ09: a public code with a wrong check character (docs/rules.md), a short code, a code with an I
    raw.registry("91500000747150426A", "巴南甲电子公司", "500113")
    raw.filing("91500113MA0000001", "2024-03", 100, 1, name="巴南乙电子公司", district="500113")
    raw.filing("91500113MA000000IX", "2024-03", 100, 1, name="巴南丙电子公司", district="500113")
    # DQ10
    raw.filing(code("500114", 1), "2024-03", 100, 1, name="黔江甲电子公司", district="500114")
    raw.registry(code("500114", 2), "黔江乙电子公司", "500114")
    # DQ11
    raw.registry(code("500115", 1), "长寿甲电子公司", "500115")
    raw.filing(code("500115", 1), "2024-03", 100, 1, district="500116")
    # DQ12 (2024-09 is this case's alone): a class-3911 and a class-3825 enterprise; the bureau's
    # class line 3911 is not the division's
    raw.registry(code("500116", 1), "江津甲电子公司", "500116")
    raw.registry(code("500116", 2), "江津乙光伏公司", "500116", industry="3825")
    raw.filing(code("500116", 1), "2024-09", 10000, 100)
    raw.filing(code("500116", 2), "2024-09", 5000, 50)
    raw.bureau("2024-09", "39", 10300, row=6)
    raw.bureau("2024-09", "3911", 9000, row=7)
    # DQ13
    raw.submission("500117", "2024-02", 3, 1000, 20)
    raw.submission("500117", "2024-03", 3, 1000, 20)
    # DQ14
    raw.submission("500118", "2025-01", 1, 100, 1)
    raw.registry(code("500118", 1), "永川甲电子公司", "500118")
    # in another unit's file of 2024-03: the finding is filed under the month of its file
    raw.filing(code("500118", 1), "2021-12", 100, 1, source_file="filings/2024-03_500105.csv")
    # ... whose district sends 2024-03 with it counted: DQ02 and DQ03 say the typo leaves it out
    raw.submission("500118", "2024-03", 1, 100, 1)
    # a one-line table of 2024-03 with its year mistyped: filed under the month its name gives
    raw.submission("500118", "2042-03", 1, 120, 1, source_file="districts/500118_2024-03_b.csv")
    raw.bureau("2025-01", "39", 100, row=6)
    # DQ06 then DQ04: 2024-03 sent in 元 (2000 万元 as 20,000,000), 2024-04 right (3000). DQ06 finds
    # March (×11111 its year-earlier 1800, within 15% of 10^4); April is compared with March / 10^4
    # = 2000 (R&D 200000 / 10^4 = 20 against 30): no DQ04 error for a right month. A district and
    # an enterprise.
    for period, revenue, rd in (
        ("2023-03", 1800, 18),
        ("2024-02", 1000, 10),
        ("2024-03", 20_000_000, 200_000),
        ("2024-04", 3000, 30),
    ):
        raw.submission("500119", period, 1, revenue, rd)
    raw.registry(code("500120", 1), "璧山甲电子公司", "500120")
    for period, revenue, rd in (
        ("2023-03", 1800, 18),
        ("2024-02", 1000, 10),
        ("2024-03", 20_000_000, 200_000),
        ("2024-04", 3000, 30),
    ):
        raw.filing(code("500120", 1), period, revenue, rd)
    # ... and 璧山's district sends March right, 2,000: DQ02 finds the filings' sum of 20,000,000 off,
    # and says that with 璧山甲's line read back the sum is 2,000, the district's own figure
    raw.submission("500120", "2024-03", 1, 2000, 20)
    # the same in a district whose cell is published (3 enterprises, 丙 83% of it): 丙 filed 2024-03 in
    # 千元 (11,000 for 1,100); the read-back sum, 3,300, less the filed 13,200 is 丙's line: published,
    # DQ02's figures are withheld as an enterprise's
    for serial, name in ((1, "忠县甲电子公司"), (2, "忠县乙电子公司"), (3, "忠县丙电子公司")):
        raw.registry(code("500233", serial), name, "500233")
        raw.filing(code("500233", serial), "2023-03", 1000, 10)
        raw.filing(code("500233", serial), "2024-03", 11000 if serial == 3 else 1100, 10)
    raw.submission("500233", "2023-03", 3, 3000, 30)
    raw.submission("500233", "2024-03", 3, 3300, 30)
    # A credit code mistyped in a filing: 云阳甲's line stands under a code the registry does not hold,
    # so the filings' sum (400) and count (1) leave it out while 云阳县 counted it (1,000, 2): DQ02
    # and DQ03 say so and find the district's figures right; DQ10 names both sides of the typo
    raw.registry(code("500235", 1), "云阳甲电子公司", "500235")
    raw.registry(code("500235", 2), "云阳乙电子公司", "500235")
    raw.filing(code("500235", 9), "2024-03", 600, 6, name="云阳甲电子公司", district="500235")
    raw.filing(code("500235", 2), "2024-03", 400, 4)
    raw.submission("500235", "2024-03", 2, 1000, 10)
    # ... and a firm the registry does not know, with no namesake there: perhaps outside the
    # statistics, so neither DQ02 nor DQ03 counts it as the district's
    raw.filing(code("500235", 8), "2024-03", 50, 1, name="云阳丙贸易公司", district="500235")
    # DQ04 after a month too large: 奉节甲's May (13,029.52) stands above April, June and July, so
    # June's fall from it is said to point at May (the sample's 忠县 case, where May was doubled)
    raw.registry(code("500236", 1), "奉节甲电子公司", "500236")
    for period, revenue in (
        ("2024-04", 4914.88),
        ("2024-05", 13029.52),
        ("2024-06", 7908.88),
        ("2024-07", 9281.16),
    ):
        raw.filing(code("500236", 1), period, Decimal(str(revenue)), 1)
    # DQ04 with the month after below the previous month, yet no month standing out: 巫山甲's July is
    # back within the tolerance of May (June is the dip), 巫山乙's June is below April (a fall that stays)
    for serial, name, revenues in (
        (1, "巫山甲电子公司", (("2024-05", 1000), ("2024-06", 900), ("2024-07", 999))),
        (2, "巫山乙电子公司", (("2024-04", 400), ("2024-05", 500), ("2024-06", 100), ("2024-07", 150))),
    ):
        raw.registry(code("500237", serial), name, "500237")
        for period, revenue in revenues:
            raw.filing(code("500237", serial), period, revenue, 1)
    # 忠县's April submission falls from March's, whose 3,300 less the published March cell is 丙's line
    # (DQ02 of March reads it back): the published April DQ04, which prints 3,300, withholds it
    for serial in (1, 2, 3):
        raw.filing(code("500233", serial), "2024-04", 1150 if serial < 3 else 1200, 10)
    raw.submission("500233", "2024-04", 3, 3200, 30)
    # DQ07: a revenue of 1e20 万元 fits DECIMAL(38, 6) but no enterprise earns it; its text must
    # not look like a credit code (21 digits in a row would)
    raw.registry(code("500151", 1), "铜梁甲电子公司", "500151")
    raw.filing(code("500151", 1), "2024-03", Decimal("1e20"), 10)  # as the reader hands it over
    # DQ15: a registry 区县 of no unit (the enterprise still files and counts city-wide), a filing's
    # 区县 of no unit, a district submission whose 区县 is no unit
    raw.unplaced_registry(code("500152", 1), "潼南甲电子公司", "火星区", "registry/名录_补充.csv")
    raw.filing(code("500152", 1), "2024-03", 500, 5, source_file="filings/2024-03_补充.csv")
    raw.registry(code("500152", 2), "潼南乙电子公司", "500152")
    raw.filing(code("500152", 2), "2024-03", 400, 4, district_text="潼南县城")
    raw.unplaced_submission("潼南新区", "2024-03", "districts/潼南_2024-03.csv")
    # DQ16: a tag the ingest matched to no chain, on a class of the scope (counted under its default
    # chain) and on a refrigerator maker, whose class only a tag brings in (counted nowhere)
    raw.registry(code("500153", 1), "荣昌甲电子公司", "500153", chain_raw="智慧终端")
    raw.registry(code("500153", 2), "荣昌乙电器公司", "500153", industry="3851", chain_raw="智能家电")
    # DQ06 on the run rate: March's year to date in 元, April right again (no finding for April)
    # (甲 with a year earlier, 乙 without)
    for serial, name, first in (
        (1, "开州甲电子公司", ("2023-03", 6080)),
        (2, "开州乙电子公司", ("2024-01", 2000)),
    ):
        raw.registry(code("500154", serial), name, "500154")
        for period, revenue in (first, ("2024-02", 5000), ("2024-03", 76_000_000), ("2024-04", 10_100)):
            raw.filing(code("500154", serial), period, revenue, 1)
    # DQ06 two months running in 元, no year earlier: March is ×10^4 February's run rate, April is
    # level with March (the same mistake: ×1.0125), May, right again, is neither a mix-up nor a fall
    raw.registry(code("500155", 1), "梁平甲电子公司", "500155")
    for period, revenue in (
        ("2024-01", 1000), ("2024-02", 2000), ("2024-03", 30_000_000), ("2024-04", 40_500_000), ("2024-05", 5000),
    ):  # fmt: skip
        raw.filing(code("500155", 1), period, revenue, 1)
    # DQ06 with a year earlier that was itself the mix-up: June 2024, right, is no 1/10 of June 2023
    raw.registry(code("500156", 1), "武隆甲电子公司", "500156")
    for period, revenue in (
        ("2023-05", 5000), ("2023-06", 60_000), ("2023-07", 7000), ("2024-05", 5500), ("2024-06", 6600),
    ):  # fmt: skip
        raw.filing(code("500156", 1), period, revenue, 1)
    # Published figures: 垫江县's January cell is suppressed (one enterprise makes 96.7%), so its
    # February fall from January is withheld, while its April fall from March, two published cells,
    # is not
    for serial, name, revenues in (
        (1, "垫江甲电子公司", (1160, 400, 800, 780)), (2, "垫江乙电子公司", (20, 300, 600, 600)),
        (3, "垫江丙电子公司", (20, 300, 600, 600)),
    ):  # fmt: skip
        raw.registry(code("500231", serial), name, "500231")
        for number, revenue in enumerate(revenues, start=1):
            raw.filing(code("500231", serial), f"2024-0{number}", revenue, 1)
    for period, revenue, rd in (("2024-01", 1200, 12), ("2024-02", 1000, 12), ("2024-03", 2000, 20),
                                ("2024-04", 1980, 20)):  # fmt: skip
        raw.submission("500231", period, 3, revenue, rd)


def near_miss_layer(raw: RawLayer) -> None:
    # DQ01
    raw.registry(code("500101", 1), "万州甲电子公司", "500101")
    raw.filing(code("500101", 1), "2024-03", 1000, 10)
    raw.submission("500101", "2024-03", 1, 1000, 10)
    # DQ02
    raw.registry(code("500102", 1), "涪陵甲电子公司", "500102")
    raw.filing(code("500102", 1), "2024-03", 1000, 10)
    raw.submission("500102", "2024-03", 1, 1005, 10)
    # DQ02: April's 1020 was corrected to a blank 营业收入: the superseded line is not judged
    raw.filing(code("500102", 1), "2024-04", 1000, 11)
    raw.submission("500102", "2024-04", 1, 1020, 11)
    raw.submission(
        "500102", "2024-04", 1, None, 11,
        source_file="districts/500102_2024-04_更正.csv", ingested_at=INGESTED + dt.timedelta(days=1),
    )  # fmt: skip
    # DQ03
    raw.registry(code("500103", 1), "渝中甲电子公司", "500103")
    raw.registry(code("500103", 2), "渝中乙电子公司", "500103")
    raw.filing(code("500103", 1), "2024-03", 500, 5)
    raw.filing(code("500103", 2), "2024-03", 500, 5)
    raw.submission("500103", "2024-03", 2, 1000, 10)
    # DQ04
    raw.submission("500104", "2023-12", 1, 5000, 50)
    raw.submission("500104", "2024-02", 1, 1000, 10)
    raw.submission("500104", "2024-04", 1, 996, 10)
    raw.registry(code("500105", 1), "江北甲电子公司", "500105")
    raw.filing(code("500105", 1), "2023-12", 4000, 40)
    raw.filing(code("500105", 1), "2024-02", 2000, 20)
    raw.filing(code("500105", 1), "2024-03", 1995, 20)
    # DQ05
    raw.submission("500106", "2023-06", 1, 1000, 10)
    raw.submission("500106", "2024-06", 1, 1500, 15)
    raw.submission("500107", "2023-06", 1, 1000, 10)
    raw.submission("500107", "2024-06", 1, 500, 5)
    for period, revenue in (("2023-05", 1000), ("2023-06", 12_000_000), ("2023-07", 1400), ("2024-06", 1320)):
        raw.submission("500230", period, 1, revenue, 10)
    # DQ06
    raw.submission("500108", "2023-06", 1, 1000, 10)
    raw.submission("500108", "2024-06", 1, 2500, 25)
    raw.registry(code("500109", 1), "北碚甲电子公司", "500109")
    raw.filing(code("500109", 1), "2024-02", 100, 1)
    raw.filing(code("500109", 1), "2024-03", 200, 2)
    raw.filing(code("500109", 1), "2024-04", 1040, 3)
    raw.registry(code("500110", 1), "綦江甲电子公司", "500110")
    raw.filing(code("500110", 1), "2023-06", 10000, 100)
    raw.filing(code("500110", 1), "2024-06", 840, 8)
    # DQ07
    raw.registry(code("500111", 1), "大足甲电子公司", "500111")
    raw.registry(code("500111", 2), "大足乙电子公司", "500111")
    raw.filing(code("500111", 1), "2024-03", 1000, 300)
    raw.filing(code("500111", 2), "2024-03", 0, 0)
    raw.submission("500111", "2024-03", 2, 1000, 0)
    # DQ08: the same figures twice are no conflict
    raw.registry(code("500112", 1), "渝北甲电子公司", "500112")
    raw.filing(code("500112", 1), "2024-03", 100, 1)
    raw.filing(code("500112", 1), "2024-03", 100, 1, source_file="filings/企业月报_补报.csv")
    # DQ08: a correction that changes the figure replaces the line, it does not conflict with it
    raw.filing(code("500112", 1), "2024-04", 100, 1)
    raw.filing(
        code("500112", 1), "2024-04", 110, 1,
        source_file="filings/企业月报_2024年1-4月（更正）.xlsx", ingested_at=INGESTED + dt.timedelta(days=1),
    )  # fmt: skip
    # DQ09: the public codes that pass (docs/rules.md)
    raw.registry("915000007339743120", "巴南甲电子公司", "500113")
    raw.registry("91110000802085421K", "巴南乙电子公司", "500113")
    raw.filing("915000007339743120", "2024-03", 100, 1)
    # DQ12
    raw.registry(code("500116", 1), "江津甲电子公司", "500116")
    raw.filing(code("500116", 1), "2024-09", 10000, 100)
    raw.bureau("2024-09", "39", 10150, row=6)
    # DQ11: filed through its own district, or without saying
    raw.registry(code("500115", 1), "长寿甲电子公司", "500115")
    raw.registry(code("500115", 2), "长寿乙电子公司", "500115")
    raw.filing(code("500115", 1), "2024-03", 100, 1, district="500115")
    raw.filing(code("500115", 2), "2024-03", 100, 1)
    # DQ13
    raw.submission("500117", "2023-06", 0, 0, 0)
    raw.submission("500117", "2023-07", 0, 0, 0)
    raw.submission("500117", "2024-02", 3, 1000, 20)
    raw.submission("500117", "2024-03", 3, 1000, 21)
    # DQ14: the window's last and first months
    raw.submission("500118", "2024-12", 1, 100, 1)
    raw.registry(code("500118", 1), "永川甲电子公司", "500118")
    raw.filing(code("500118", 1), "2022-01", 100, 1)
    raw.bureau("2024-12", "39", 100, row=6)
    # DQ15: the registry by short name is matched by the ingest (district_code set); a filing
    # without 区县 says nothing
    raw.registry(code("500152", 2), "潼南乙电子公司", "500152")
    raw.filing(code("500152", 2), "2024-03", 400, 4, district_text="")
    # DQ16: tags the ingest matched (with a suffix, and a chain only a tag brings in); an unknown tag
    # on a below-scale enterprise, which counts nowhere anyway
    raw.registry(
        code("500153", 1), "荣昌甲电子公司", "500153", chain_raw="智能终端产业链", chain_code="smart_terminal"
    )
    raw.registry(
        code("500153", 2),
        "荣昌乙电器公司",
        "500153",
        industry="3851",
        chain_raw="智能家居",
        chain_code="smart_home",
    )
    raw.registry(code("500153", 3), "荣昌丙电子公司", "500153", above_scale=False, chain_raw="智慧终端")
    # DQ06: a firm ramping up is no unit mix-up: its run rate ×8 is not within 15% of 10
    raw.registry(code("500154", 1), "开州甲电子公司", "500154")
    for period, revenue in (("2024-01", 100), ("2024-02", 1600), ("2024-03", 2400)):
        raw.filing(code("500154", 1), period, revenue, 1)
    # DQ06: a slow 1-2月 (the Spring Festival), then March ten times its run rate, but three times
    # March a year earlier: no mix-up in March, nor in April, level with March
    raw.registry(code("500155", 1), "梁平甲电子公司", "500155")
    for period, revenue in (
        ("2023-03", 100),
        ("2023-04", 140),
        ("2024-02", 20),
        ("2024-03", 300),
        ("2024-04", 420),
    ):
        raw.filing(code("500155", 1), period, revenue, 1)
    # DQ10 last, so that its enterprise (class 3825: outside division 39, DQ12 stays as it is) can
    # file for every period the others filed for
    raw.registry(code("500114", 1), "黔江甲光伏公司", "500114", industry="3825")
    raw.registry(code("500114", 2), "黔江乙材料公司", "500114", industry="2611")
    raw.registry(code("500114", 3), "黔江丙电子公司", "500114", above_scale=False)
    periods = raw.con.execute(
        "select distinct strftime(period, '%Y-%m') from raw.filings "
        "where period between date '2022-01-01' and date '2024-12-01' order by 1"
    ).fetchall()
    for (period,) in periods:
        raw.filing(code("500114", 1), period, 100, 1)


def build(root: Path, layer) -> subprocess.Popen:
    """Write the raw layer into root/build.duckdb and start `dbt build` on it (not waited for)."""
    root.mkdir(parents=True, exist_ok=True)
    database = root / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        raw = RawLayer(con)
        layer(raw)
        (root / "codes.txt").write_text("\n".join(sorted(raw.codes)), encoding="utf-8")
    command = [
        DBT, "build",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
        "--vars", AS_OF_VARS,
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **QUIET_ENV, "PLANWATCH_BUILD_DB": str(database)},
    )


@dataclass(frozen=True)
class Built:
    database: Path
    codes: list[str]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Both databases, built side by side (two dbt processes, each with its own target path)."""
    root = tmp_path_factory.mktemp("dq_rules")
    processes = {
        name: build(root / name, layer)
        for name, layer in (("trigger", triggering_layer), ("near_miss", near_miss_layer))
    }
    for name, process in processes.items():
        output, _ = process.communicate(timeout=900)
        assert process.returncode == 0, f"dbt build of the {name} fixture failed:\n{output[-5000:]}"
    return {
        name: Built(
            root / name / "build.duckdb", (root / name / "codes.txt").read_text(encoding="utf-8").split()
        )
        for name in processes
    }


@pytest.fixture(scope="module")
def triggered(builds: dict[str, Built]) -> Built:
    return builds["trigger"]


@pytest.fixture(scope="module")
def near_miss(builds: dict[str, Built]) -> Built:
    return builds["near_miss"]


@dataclass(frozen=True)
class Expected:
    rule_id: str
    district_code: str | None
    period: str | None
    subject: str
    severity: str
    expected: str
    actual: str
    source_file: str | None
    source_row: int | None


TRIGGERED = [
    Expected("DQ01", "500101", "2024-03", "区县月报", "error", "1", "0", None, None),
    Expected("DQ01", "500229", "2024-03", "区县月报", "error", "1", "0", "districts/城口县_2024年3月.csv", 4),
    Expected("DQ02", "500102", "2024-03", "营业收入本年累计", "error", "1,000", "1,020",
             "districts/500102_2024-03.csv", 4),
    Expected("DQ02", "500120", "2024-03", "营业收入本年累计", "error", "2,000", "2,000",
             "districts/500120_2024-03.csv", 4),
    Expected("DQ03", "500103", "2024-03", "区县月报 企业个数", "warn", "2", "3", "districts/500103_2024-03.csv", 4),
    Expected("DQ02", "500235", "2024-03", "营业收入本年累计", "error", "1,000", "1,000", "districts/500235_2024-03.csv", 4),
    Expected("DQ03", "500235", "2024-03", "区县月报 企业个数", "warn", "2", "2", "districts/500235_2024-03.csv", 4),
    Expected("DQ10", "500235", "2024-03", "云阳甲电子公司 企业名录", "warn", "名录有此企业", "名录无此企业",
             "filings/2024-03_500235.csv", 2),
    Expected("DQ10", "500235", "2024-03", "云阳甲电子公司 企业月报", "warn", "1", "0", "filings/2024-03_500235.csv", 2),
    Expected("DQ10", "500235", "2024-03", "云阳丙贸易公司 企业名录", "warn", "名录有此企业", "名录无此企业",
             "filings/2024-03_500235.csv", 4),
    Expected("DQ04", "500104", "2024-04", "区县月报 营业收入本年累计", "error", "≥ 1,000", "990",
             "districts/500104_2024-04.csv", 4),
    Expected("DQ04", "500105", "2024-03", "江北甲电子公司 营业收入本年累计", "error", "≥ 2,000", "1,980",
             "filings/2024-03_500105.csv", 2),
    Expected("DQ04", "500236", "2024-06", "奉节甲电子公司 营业收入本年累计", "error", "≥ 13,029.52", "7,908.88",
             "filings/2024-06_500236.csv", 2),
    Expected("DQ04", "500237", "2024-06", "巫山甲电子公司 营业收入本年累计", "error", "≥ 1,000", "900",
             "filings/2024-06_500237.csv", 2),
    Expected("DQ04", "500237", "2024-06", "巫山乙电子公司 营业收入本年累计", "error", "≥ 500", "100",
             "filings/2024-06_500237.csv", 3),
    Expected("DQ05", "500106", "2024-06", "区县月报 营业收入本年累计同比", "warn", "500 至 1,500", "1,600",
             "districts/500106_2024-06.csv", 4),
    Expected("DQ05", "500107", "2024-06", "区县月报 营业收入本年累计同比", "error", "500 至 1,500", "2,500",
             "districts/500107_2024-06.csv", 4),
    Expected("DQ05", "500230", "2024-06", "区县月报 营业收入本年累计同比", "error", "600 至 1,800", "3,000",
             "districts/500230_2024-06.csv", 4),
    Expected("DQ06", "500230", "2023-06", "区县月报 营业收入本年累计", "error", "1,200", "12,000,000",
             "districts/500230_2023-06.csv", 4),
    Expected("DQ06", "500108", "2024-06", "区县月报 营业收入本年累计", "error", "1,050", "1,050,000",
             "districts/500108_2024-06.csv", 4),
    Expected("DQ06", "500109", "2024-04", "北碚甲电子公司 营业收入本年累计", "error", "300", "100,200",
             "filings/2024-04_500109.csv", 2),
    Expected("DQ06", "500110", "2024-06", "綦江甲电子公司 营业收入本年累计", "error", "52,000", "5.2",
             "filings/2024-06_500110.csv", 2),
    Expected("DQ07", "500111", "2024-03", "大足甲电子公司 营业收入本年累计", "error", "≥ 0", "-100",
             "filings/2024-03_500111.csv", 2),
    Expected("DQ07", "500111", "2024-03", "大足乙电子公司 研发费用与营业收入", "error", "≤ 100", "150",
             "filings/2024-03_500111.csv", 3),
    Expected("DQ07", "500111", "2024-03", "大足丙电子公司 研发强度", "warn", "≤ 30.00%", "40.00%",
             "filings/2024-03_500111.csv", 4),
    Expected("DQ07", "500111", "2024-03", "区县月报 研发费用本年累计", "error", "≥ 0", "-5",
             "districts/500111_2024-03.csv", 4),
    Expected("DQ07", "500111", "2024-03", "区县月报 企业个数", "error", "≥ 0", "-3",
             "districts/500111_2024-03.csv", 4),
    Expected("DQ08", "500112", "2024-03", "渝北甲电子公司 企业月报", "error", "1", "2",
             "filings/企业月报_[代码已隐去]_补报.csv", 2),
    Expected("DQ09", "500113", None, "巴南甲电子公司 统一社会信用代码（企业名录）", "error", "与营业执照一致的代码",
             "校验码 A 与前 17 位不符",
             "registry/名录_500113.xlsx", 2),
    Expected("DQ09", "500113", "2024-03", "巴南乙电子公司 统一社会信用代码（企业月报）", "error", "18 位", "17 位",
             "filings/2024-03_500113.csv", 2),
    Expected("DQ09", "500113", "2024-03", "巴南丙电子公司 统一社会信用代码（企业月报）", "error",
             "0-9 A-H J-N P-R T U W-Y", "含其他字符", "filings/2024-03_500113.csv", 3),
    Expected("DQ10", "500114", "2024-03", "黔江甲电子公司 企业名录", "warn", "名录有此企业", "名录无此企业",
             "filings/2024-03_500114.csv", 2),
    Expected("DQ10", "500114", "2024-03", "黔江乙电子公司 企业月报", "warn", "1", "0", "registry/名录_500114.xlsx", 2),
    Expected("DQ11", "500115", "2024-03", "长寿甲电子公司 填报区县", "warn", "500115", "500116",
             "filings/2024-03_500115.csv", 2),
    Expected("DQ12", None, "2024-09", "39大类营业收入本年累计", "warn", "10,300", "10,000",
             "bureau/统计局_2024-09.xlsx", 6),
    Expected("DQ13", "500117", "2024-03", "区县月报", "warn", "与上期（2024年2月）不同", "与上期（2024年2月）相同",
             "districts/500117_2024-03.csv", 4),
    Expected("DQ14", "500118", "2025-01", "区县月报 报告期", "error", WINDOW, "2025年1月", "districts/500118_2025-01.csv", 4),
    Expected("DQ14", "500118", "2021-12", "企业月报 报告期", "error", WINDOW, "2021年12月", "filings/2024-03_500105.csv", 3),
    Expected("DQ14", "500118", "2042-03", "区县月报 报告期", "error", WINDOW, "2042年3月",
             "districts/500118_2024-03_b.csv", 4),
    Expected("DQ14", None, "2025-01", "统计局月报 报告期", "error", WINDOW, "2025年1月", "bureau/统计局_2025-01.xlsx", 6),
    Expected("DQ06", "500119", "2024-03", "区县月报 营业收入本年累计", "error", "2,000", "20,000,000",
             "districts/500119_2024-03.csv", 4),
    Expected("DQ06", "500120", "2024-03", "璧山甲电子公司 营业收入本年累计", "error", "2,000", "20,000,000",
             "filings/2024-03_500120.csv", 2),
    Expected("DQ07", "500151", "2024-03", "铜梁甲电子公司 营业收入本年累计", "error", "≤ 100,000,000",
             "100,000,000,000,000,000,000", "filings/2024-03_500151.csv", 2),
    Expected("DQ15", None, None, "潼南甲电子公司 区县（企业名录）", "error", "区县代码、全称或简称", "“火星区”",
             "registry/名录_补充.csv", 2),
    Expected("DQ15", "500152", "2024-03", "潼南乙电子公司 区县（企业月报）", "error", "区县代码、全称或简称",
             "“潼南县城”", "filings/2024-03_500152.csv", 2),
    Expected("DQ15", None, "2024-03", "区县月报 区县", "error", "区县代码、全称或简称", "“潼南新区”",
             "districts/潼南_2024-03.csv", 4),
    Expected("DQ06", "500154", "2024-03", "开州甲电子公司 营业收入本年累计", "error", "7,600", "76,000,000",
             "filings/2024-03_500154.csv", 2),
    Expected("DQ06", "500154", "2024-03", "开州乙电子公司 营业收入本年累计", "error", "7,600", "76,000,000",
             "filings/2024-03_500154.csv", 3),
    Expected("DQ06", "500155", "2024-03", "梁平甲电子公司 营业收入本年累计", "error", "3,000", "30,000,000",
             "filings/2024-03_500155.csv", 2),
    Expected("DQ06", "500155", "2024-04", "梁平甲电子公司 营业收入本年累计", "error", "4,050", "40,500,000",
             "filings/2024-04_500155.csv", 2),
    Expected("DQ06", "500156", "2023-06", "武隆甲电子公司 营业收入本年累计", "error", "6,000", "60,000",
             "filings/2023-06_500156.csv", 2),
    Expected("DQ16", "500153", None, "荣昌甲电子公司 产业链（企业名录）", "warn", "产业链代码或名称", "“智慧终端”",
             "registry/名录_500153.xlsx", 2),
    Expected("DQ16", "500153", None, "荣昌乙电器公司 产业链（企业名录）", "error", "产业链代码或名称", "“智能家电”",
             "registry/名录_500153.xlsx", 3),
]  # fmt: skip

RULES = [f"DQ{n:02d}" for n in range(1, 17)]
# DQ01 and DQ10 judge every period of the filings, and each case brings its own: they are looked
# at in the periods of their cases only. Every other rule is looked at in the whole unit.
PERIOD_BOUND = {"DQ01", "DQ10"}

NEAR_MISS_UNITS = {
    "DQ01": ["500101"], "DQ02": ["500102"], "DQ03": ["500103"], "DQ04": ["500104", "500105"],
    "DQ05": ["500106", "500107", "500230"], "DQ06": ["500108", "500109", "500110", "500154", "500155"],
    "DQ07": ["500111"],
    "DQ08": ["500112"], "DQ09": ["500113"], "DQ10": ["500114"], "DQ11": ["500115"], "DQ12": [None],
    "DQ13": ["500117"], "DQ14": ["500118", None], "DQ15": ["500152", None],
    "DQ16": ["500153"],
}  # fmt: skip


def findings_of(
    built: Built, rule_id: str, units: list[str | None], periods: list[str] | None = None
) -> set[tuple]:
    rows = built.query(
        "select district_code, strftime(period, '%Y-%m'), subject, severity, expected, actual, source_file, source_row "
        "from marts.dq_findings where rule_id = ?",
        [rule_id],
    )
    return {row for row in rows if row[0] in units and (periods is None or row[1] in periods)}


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_triggers(triggered: Built, rule_id: str) -> None:
    """Exactly the findings worked out by hand, in the units (and, for DQ01/DQ10, periods) of the rule's cases."""
    cases = [case for case in TRIGGERED if case.rule_id == rule_id]
    units = sorted({case.district_code for case in cases}, key=str)
    periods = sorted({case.period for case in cases}) if rule_id in PERIOD_BOUND else None
    expected = {
        (c.district_code, c.period, c.subject, c.severity, c.expected, c.actual, c.source_file, c.source_row)
        for c in cases
    }
    assert findings_of(triggered, rule_id, units, periods) == expected


@pytest.mark.parametrize("rule_id", RULES)
def test_near_miss_does_not_trigger(near_miss: Built, rule_id: str) -> None:
    periods = ["2024-03"] if rule_id == "DQ01" else None
    assert findings_of(near_miss, rule_id, NEAR_MISS_UNITS[rule_id], periods) == set()


@pytest.mark.parametrize(
    "case", TRIGGERED, ids=lambda case: f"{case.rule_id}-{case.district_code}-{case.subject}"
)
def test_message_tells_the_officer_where_and_what(triggered: Built, case: Expected) -> None:
    """The message names the unit, the period, the figures, the file and row, and what to do."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = ? and subject = ? "
        "and district_code is not distinct from ? and strftime(period, '%Y-%m') is not distinct from ?",
        [case.rule_id, case.subject, case.district_code, case.period],
    )
    assert message.startswith(DISTRICT_NAMES[case.district_code] if case.district_code else "全市")
    if case.period:
        year, month_number = case.period.split("-")
        assert f"{year}年{int(month_number)}月" in message
    if case.source_file:
        assert f"来源：{case.source_file} 第 {case.source_row} 行。" in message
    assert "请" in message


def test_credit_codes_never_reach_the_findings(builds: dict[str, Built]) -> None:
    """No fixture code, and nothing shaped like one, in any text of dq_findings (finding_id is md5 hex)."""
    for built in builds.values():
        columns = [
            name
            for name, data_type in built.query(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'dq_findings'"
            )
            if data_type == "VARCHAR"
        ]
        assert {"subject", "expected", "actual", "message", "source_file"} <= set(columns)
        for column in columns:
            for (cell,) in built.query(
                f'select "{column}" from marts.dq_findings where "{column}" is not null'
            ):
                assert not any(uscc in cell for uscc in built.codes), (column, cell)
                if column == "finding_id":
                    assert re.fullmatch(r"[0-9a-f]{32}", cell), cell
                else:
                    assert not CREDIT_CODE_RUN.search(cell), (column, cell)


def test_masked_file_name_in_message(triggered: Built) -> None:
    [(message,)] = triggered.query("select message from marts.dq_findings where rule_id = 'DQ08'")
    assert message == (
        "渝北区2024年3月企业“渝北甲电子公司”应报送 1 份月报，实际收到 2 份数据不同的月报："
        "filings/2024-03_500112.csv 第 2 行（营业收入 100.00 万元）；"
        "filings/企业月报_[代码已隐去]_补报.csv 第 2 行（营业收入 120.00 万元）。"
        "目前按最后一份（filings/企业月报_[代码已隐去]_补报.csv 第 2 行）计入。"
        "请与企业确认正确数据，撤回或更正其余报表。来源：filings/企业月报_[代码已隐去]_补报.csv 第 2 行。"
    )


def test_district_monthly_counts_findings_of_known_units_only(triggered: Built) -> None:
    """合川区 2024-03: its copied submission (DQ13) of 1000 and 3 enterprises, where none of its
    enterprises filed, also gives DQ02 (error) and DQ03 (warn). The city-wide DQ12 finding of
    2024-09 counts in no unit, nor does the DQ10 finding (did not file) of the enterprise whose
    registry 区县 火星区 places it in no unit (DQ15)."""
    assert triggered.query(
        "select rule_id, severity from marts.dq_findings "
        "where district_code = '500117' and period = date '2024-03-01' order by rule_id"
    ) == [("DQ02", "error"), ("DQ03", "warn"), ("DQ13", "warn")]
    assert triggered.query(
        "select findings_error, findings_warn from marts.district_monthly "
        "where district_code = '500117' and period = date '2024-03-01'"
    ) == [(1, 2)]
    counted, published = triggered.query(
        """
        select
            (select sum(findings_error + findings_warn) from marts.district_monthly),
            (select count(*) from marts.dq_findings
             where district_code is not null
               and filed_period in (select period from marts.district_monthly))
        """
    )[0]
    assert counted == published
    [(in_units, all_findings, city_wide)] = triggered.query(
        """
        select
            (select sum(findings_error + findings_warn) from marts.district_monthly
             where period = date '2024-09-01'),
            (select count(*) from marts.dq_findings where period = date '2024-09-01'),
            (select list(rule_id) from marts.dq_findings
             where period = date '2024-09-01' and district_code is null)
        """
    )
    assert city_wide == ["DQ10", "DQ12"]
    assert in_units == all_findings - 2


def district_figures_standing(triggered: Built, district: str) -> tuple[str, str]:
    """The messages of a district's DQ02 and DQ03 of 2024-03, having checked that both find its figures
    right (district_figure_stands) and that DQ02, whose gap is enterprises' lines, cites them."""
    said = triggered.query(
        "select rule_id, message, district_figure_stands, cites_enterprise_line from marts.dq_findings "
        "where district_code = ? and period = '2024-03-01' and rule_id in ('DQ02', 'DQ03') order by 1",
        [district],
    )
    assert [(rule, stands, cites) for rule, _, stands, cites in said] == [
        ("DQ02", True, True),
        ("DQ03", True, False),
    ]
    return said[0][1], said[1][1]


def test_a_finding_out_of_the_window_is_filed_under_the_month_of_its_file(triggered: Built) -> None:
    """DQ14's filing of 2021-12 sits in a file whose other line reports 2024-03: it is filed, and counted
    in district_monthly, under 2024-03, where the feedback workbook and the briefing list it too, with
    the DQ10 finding it causes (the enterprise has no filing of 2024-03). A one-line table dated
    2042-03 in districts/500118_2024-03_b.csv goes under the month of its name. The submission and the
    bureau line of 2025-01 are alone in their files, named for an untracked month: filed as they are.
    Every other finding, a missing submission's (no file) among them, keeps its own period."""
    assert set(
        triggered.query(
            "select subject, strftime(period, '%Y-%m'), strftime(filed_period, '%Y-%m') from marts.dq_findings "
            "where rule_id = 'DQ14'"
        )
    ) == {
        ("企业月报 报告期", "2021-12", "2024-03"),
        ("区县月报 报告期", "2025-01", "2025-01"),
        ("统计局月报 报告期", "2025-01", "2025-01"),
        ("区县月报 报告期", "2042-03", "2024-03"),  # alone in its file: the month of its name
    }
    assert triggered.query(
        "select count(*) from marts.dq_findings where rule_id <> 'DQ14' and filed_period is distinct from period"
    ) == [(0,)]
    [(counted, by_period, by_filed_period)] = triggered.query(
        """
        select
            (select findings_error from marts.district_monthly
             where district_code = '500118' and period = '2024-03-01'),
            count(*) filter (where period = '2024-03-01'),
            count(*) filter (where filed_period = '2024-03-01')
        from marts.dq_findings
        where district_code = '500118' and severity = 'error'
        """
    )
    assert counted == by_filed_period == by_period + 2
    # the enterprise has no filing of 2024-03: DQ10 says the mistyped line is most likely it, and cites
    # that line, so that the workbook lists it under the DQ14 finding (DQ14 explains DQ10)
    [(message, source)] = triggered.query(
        "select message, source_file || ' ' || source_row from marts.dq_findings "
        "where rule_id = 'DQ10' and district_code = '500118' and period = '2024-03-01'"
    )
    assert source == "filings/2024-03_500105.csv 3"
    assert (
        "本期文件中有该企业报告期为2021年12月的月报（见 DQ14 问题），很可能就是本期月报、报告期填错"
        in message
    )
    assert triggered.query("select explains from marts.dq_rules where rule_id = 'DQ14'") == [("DQ01 DQ10",)]
    # the district counted it: its total and count differ from the filings' by that enterprise alone,
    # so the district's figures stand and the enterprise is to correct (the gap is its line: withheld)
    revenue, count = district_figures_standing(triggered, "500118")
    assert (
        "涉及其他问题的企业月报：1 家企业的本期月报报告期疑似填错（见 DQ14 问题），未计入合计。按这些企业月报应为的数计，"
        "企业月报合计为 100.00 万元，与区县报送数相符：请督促上述企业更正月报，区县报送的营业收入无需更正。"
    ) in revenue
    assert (
        "涉及其他问题的企业月报：1 家企业的本期月报报告期疑似填错（见 DQ14 问题），未计入合计。计入这些企业为 1 家，与区县报送数相符："
        in count
    )


def test_right_month_after_a_unit_mixup_is_no_fall(triggered: Built) -> None:
    """南川区 (district) and 璧山甲电子公司 (enterprise) sent 2024-03 in 元: 20,000,000 where 2,000
    万元 was meant, and 2024-04 right, 3,000. DQ06 finds March (×10^4); DQ04 compares April with
    20,000,000 / 10^4 = 2,000 (R&D 200,000 / 10^4 = 20 against 30) and finds no fall."""
    assert triggered.query(
        "select district_code, strftime(period, '%Y-%m') from marts.dq_findings "
        "where rule_id = 'DQ06' and district_code in ('500119', '500120') order by 1"
    ) == [("500119", "2024-03"), ("500120", "2024-03")]
    assert triggered.query(
        "select count(*) from marts.dq_findings where rule_id = 'DQ04' and district_code in ('500119', '500120')"
    ) == [(0,)]
    assert triggered.query(
        "select unit_power from intermediate.int_dq__dq06_unit_mixup where district_code in ('500119', '500120')"
    ) == [(4,), (4,)]


def test_a_sum_off_by_an_enterprise_s_unit_mix_up_does_not_blame_the_district(triggered: Built) -> None:
    """璧山区 sent 2024-03 right, 2,000 万元, while its one enterprise filed 20,000,000 (元, DQ06). The
    filings' sum is 99.99% off, but read back in 万元 it is the district's own 2,000: the message
    says the enterprise is to correct, not the district (which it told to "核对更正"). Where no filing
    of the sum is in another unit (涪陵区), the district is to check as before."""
    messages = dict(
        triggered.query(
            "select district_code, message from marts.dq_findings where rule_id = 'DQ02' "
            "and district_code in ('500102', '500120') and period = date '2024-03-01'"
        )
    )
    assert (
        "相差 99.99%（允许误差 1.00%）。涉及其他问题的企业月报：1 家企业的月报疑似计量单位错误（见 DQ06 问题）。按这些企业月报应为的"
        "数计，企业月报合计为 2,000.00 万元，与区县报送数相符：请督促上述企业更正月报，区县报送的营业收入无需更正。"
    ) in messages["500120"]
    assert "相差 2.00%（允许误差 1.00%）。请核对更正。" in messages["500102"]


def test_a_filing_under_a_mistyped_code_is_said_and_the_district_is_not_blamed(triggered: Built) -> None:
    """云阳甲 filed under a code the registry does not hold (a typo), and 云阳县 counted it: 1,000 万元
    and 2 enterprises against the filings' 400 and 1. The district was told to correct both. Now DQ02
    and DQ03 count the line DQ10 names: with it the figures agree, so the district has nothing to
    correct, and the published DQ02 withholds its figures (1,000 less 400 is 云阳甲's line)."""
    revenue, count = district_figures_standing(triggered, "500235")
    assert (
        "相差 150.00%（允许误差 1.00%）。涉及其他问题的企业月报：1 家企业月报的统一社会信用代码疑似填错（不在企业名录中，名录中有同名企业本期无月报，见 DQ10 问题），"
        "未计入合计。按这些企业月报应为的数计，企业月报合计为 1,000.00 万元，与区县报送数相符：请督促上述企业更正月报，"
        "区县报送的营业收入无需更正。"
    ) in revenue
    assert (
        "计入这些企业为 2 家，与区县报送数相符：请督促上述企业更正月报，区县报送的企业个数无需更正。" in count
    )
    [(expected, actual, withheld)] = triggered.query(
        "select expected, actual, figures_withheld from marts.dq_findings_published "
        "where rule_id = 'DQ02' and district_code = '500235'"
    )
    assert (expected, actual, withheld) == (None, None, True)
    # DQ10 sees one enterprise on both sides: neither asks to add it to the registry nor to chase a
    # filing that came in, and both point at the filing line
    dq10 = dict(
        triggered.query(
            "select subject, message from marts.dq_findings where rule_id = 'DQ10' and district_code = '500235' "
            "and period = '2024-03-01'"
        )
    )
    assert (
        "的月报，其统一社会信用代码不在企业名录中，但名录中有同名企业（registry/名录_500235.xlsx 第 2 行）本期没有月报："
        "很可能是同一家企业、月报的代码填错，其数据因此未计入合计。请对照营业执照核对该行的统一社会信用代码并更正月报"
    ) in dq10["云阳甲电子公司 企业名录"]
    assert (
        "”没有本期月报，但本期收到同名企业的月报，其统一社会信用代码不在企业名录中（见该行的另一条 DQ10 问题），很可能就是"
        "该企业的月报、代码填错。请核对该行的统一社会信用代码并更正。来源：filings/2024-03_500235.csv 第 2 行。"
    ) in dq10["云阳甲电子公司 企业月报"]
    # a gap no finding's line explains still asks the district to check (涪陵区)
    assert triggered.query(
        "select district_figure_stands, cites_enterprise_line from marts.dq_findings "
        "where rule_id = 'DQ02' and district_code = '500102'"
    ) == [(False, False)]


def test_a_fall_after_a_month_that_stands_out_points_at_that_month(triggered: Built) -> None:
    """奉节甲's year to date: April 4,914.88, May 13,029.52, June 7,908.88, July 9,281.16. DQ04 told
    the officer June was wrong (应为 ≥ May) and never named May, the doubled month. July is below May
    too, so May stands out: the message asks for May's line to be checked first and prints July's
    figure, a period its published form withholds on (compared_periods). A fall the next month makes
    good (江北甲, March, with no April) keeps the plain advice."""
    [(message, compared)] = triggered.query(
        "select message, compared_periods from marts.dq_findings where rule_id = 'DQ04' and district_code = '500236'"
    )
    assert (
        "下期（2024年7月）为 9,281.16 万元，也低于上期：更可能是上期数据偏大。请联系企业先核对上期数据（2024年5月，"
        "filings/2024-05_500236.csv 第 2 行），再核对本期并更正。来源：filings/2024-06_500236.csv 第 2 行。"
    ) in message
    assert compared == [dt.date(2024, 5, 1), dt.date(2024, 7, 1)]
    plain = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ04' and district_code in ('500105', '500237')"
    )
    assert len(plain) == 3
    assert all(
        "请联系企业核对本期和上期数据并更正。" in message and "下期" not in message for (message,) in plain
    )


def test_a_district_figure_less_its_published_cell_that_gives_an_enterprise_s_line_is_withheld(
    triggered: Built,
) -> None:
    """忠县's March submission, 3,300, is right; its published March cell is the filings as filed,
    13,200 with 丙's line in 千元, so 13,200 less 3,300 is 丙's line less its read-back. DQ02 of March
    withholds its figures for that (cites_enterprise_line); April's DQ04, a fall from March, printed
    3,300 in the published findings. It is withheld now, as is any district finding printing a figure of
    such a month; April's own DQ02 (3,500 filed against 3,200 sent, no line read back) is not."""
    rows = dict(
        triggered.query(
            "select rule_id, figures_withheld from marts.dq_findings_published "
            "where district_code = '500233' and period = '2024-04-01' and rule_id in ('DQ02', 'DQ04')"
        )
    )
    assert rows == {"DQ04": True, "DQ02": False}
    [(suppressed,)] = triggered.query(
        "select suppressed from marts.district_monthly where district_code = '500233' and period = '2024-04-01'"
    )
    assert suppressed is False  # published: the cell rule alone would not have withheld it


def test_a_wrong_check_character_is_not_offered_as_the_correction(triggered: Built) -> None:
    """A wrong check character most often means a character before it was mistyped: the message said
    which character the first 17 give, and an officer who copied it in got a code that passes the
    check and belongs to no enterprise. It now says the typo may be anywhere in the code."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ09' and subject like '巴南甲电子公司%'"
    )
    assert (
        "校验码为 A，与前 17 位不符（按前 17 位计算应为 W）：代码中有字符填错，不一定是校验码本身，请勿只改校验码"
        in message
    )


def test_a_sum_read_back_for_one_enterprise_s_unit_mix_up_is_withheld_when_published(
    triggered: Built,
) -> None:
    """忠县's cell of 2024-03 is published (3 enterprises, the largest 83%), but DQ02's sum with 丙's line
    read back, 3,300, differs from the filed 13,200 by 丙's line and its read-back alone: 11,000 -
    1,100, which gives 丙's figure, that DQ06 withholds. The published DQ02 withholds its figures as
    an enterprise's; the feedback workbook's full message keeps them."""
    [(full, cites)] = triggered.query(
        "select message, cites_enterprise_line from marts.dq_findings "
        "where rule_id = 'DQ02' and district_code = '500233' and period = '2024-03-01'"
    )
    assert cites and "企业月报合计为 3,300.00 万元，与区县报送数相符" in full
    [(published, expected, actual)] = triggered.query(
        "select message, expected, actual from marts.dq_findings_published "
        "where rule_id = 'DQ02' and district_code = '500233' and period = '2024-03-01'"
    )
    assert (expected, actual) == (None, None)
    assert published.startswith(
        "忠县2024年3月：区县营业收入与企业月报合计不符（营业收入本年累计）。涉及单个企业的数据，"
    )
    assert "3,300" not in published and "13,200" not in published
    [(suppressed,)] = triggered.query(
        "select suppressed from marts.district_monthly where district_code = '500233' and period = '2024-03-01'"
    )
    assert suppressed is False


def test_huge_amount_is_a_finding_written_for_people(triggered: Built) -> None:
    """A revenue of 1e20 万元 is a DQ07 error whose figures carry thousands separators, so the
    publish guard (credit_code_cells, the same regex as dbt's assert_dq_findings_hold_no_credit_code)
    finds nothing in the marts."""
    from orchestration.publish import credit_code_cells

    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ07' and district_code = '500151'"
    )
    assert message == (
        "铜梁区2024年3月企业“铜梁甲电子公司”月报的营业收入本年累计为 100,000,000,000,000,000,000.00 万元，"
        "超过 100,000,000.00 万元（1 万亿元），一家企业或一个区县不可能达到，疑似多录了位数或计量单位错误。"
        "请联系企业核对数据并更正。来源：filings/2024-03_500151.csv 第 2 行。"
    )
    with duckdb.connect(str(triggered.database), read_only=True) as con:
        assert credit_code_cells(con) == []


def test_unknown_district_tells_the_officer_what_to_write(triggered: Built) -> None:
    """火星区 in the registry: a DQ15 error naming the file and row and the accepted spellings; the
    enterprise's 500 万元 stay in the city total (the city's 2024-03 revenue includes them) but in no
    district, and the blocking district_monthly_partitions_city_total passed (the build succeeded)."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ15' and source_file = 'registry/名录_补充.csv'"
    )
    assert message == (
        "全市企业名录中企业“潼南甲电子公司”的区县填写为“火星区”，无法识别为重庆市的区县或功能区：该企业的数据计入全市和"
        "产业链合计，但不计入任何区县。请在企业名录中更正，填写区县代码（如 500101）、全称（如 万州区）或不带“区”“县”的"
        "简称（如 万州），功能区同样填写代码、全称或简称（如 5001A1、两江新区 或 两江）。"
        "来源：registry/名录_补充.csv 第 2 行。"
    )
    # a filing's unknown 区县 on an enterprise the registry places: the message says where it counts
    [(filing_message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ15' and subject = '潼南乙电子公司 区县（企业月报）'"
    )
    assert filing_message.startswith(
        "潼南区2024年3月企业“潼南乙电子公司”月报的区县填写为“潼南县城”，无法识别为重庆市的区县或功能区"
        "（数据按企业名录所在区县潼南区计入）。请通知企业更正，"
    )
    [(in_districts, in_chains, in_city)] = triggered.query(
        """
        select
            (select sum(enterprise_count) from marts.district_monthly where period = date '2024-03-01'),
            (select sum(enterprise_count) from marts.chain_monthly where period = date '2024-03-01'),
            (select count(*) from intermediate.int_enterprise_months where period = date '2024-03-01')
        """
    )
    assert in_chains == in_city == in_districts + 1


def test_unknown_chain_says_where_the_enterprise_counts_and_what_to_write(triggered: Built) -> None:
    """智慧终端 on a 3911 maker: counted under 智能终端, its class's default (warn); 智能家电 on a 3851
    maker: its class is outside the scope, so it counts nowhere (error). The chain names come from
    the chains seed; the enterprise is in no chain's 2024-03 count either way but the default's."""
    messages = dict(triggered.query("select severity, message from marts.dq_findings where rule_id = 'DQ16'"))
    names = "智能终端、新型显示、功率半导体及集成电路、光伏及储能、AI及机器人、服务器、智能家居、传感器及仪器仪表、卫星互联网、元宇宙"
    assert messages == {
        "warn": "荣昌区企业名录中企业“荣昌甲电子公司”的产业链填写为“智慧终端”，不是规划的产业链之一：该企业按其行业的"
        f"默认产业链“智能终端”计入。请在企业名录中更正，填写{names}之一的名称或代码，可带“产业链”“链”或“产业”"
        "（如 智能终端产业链）。来源：registry/名录_500153.xlsx 第 2 行。",
        "error": "荣昌区企业名录中企业“荣昌乙电器公司”的产业链填写为“智能家电”，不是规划的产业链之一：该企业的行业不在"
        f"产业集群范围内，只能凭产业链标注计入，现不计入任何指标。请在企业名录中更正，填写{names}之一的名称或代码，"
        "可带“产业链”“链”或“产业”（如 智能终端产业链）。来源：registry/名录_500153.xlsx 第 3 行。",
    }
    assert triggered.query(
        "select distinct uscc, chain_code from intermediate.int_enterprises_in_scope where district_code = '500153'"
    ) == [(code("500153", 1), "smart_terminal")]


def test_a_single_line_out_of_the_window_names_its_enterprise(triggered: Built) -> None:
    """One filing line dated 2021-12: the officer is told whose line it is, not only 行号."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ14' and subject = '企业月报 报告期'"
    )
    assert message.startswith("永川区企业“永川甲电子公司”月报的报告期为2021年12月，早于规划基期（2022年）")


def test_a_year_to_date_typed_in_yuan_is_found_on_its_run_rate(triggered: Built) -> None:
    """开州甲 grew 25% on 2023, so March in 元 is ×12,500 a year earlier, outside 10^4 ± 15%; against
    February's run rate it is ×10,133. April, right again, is neither a mix-up nor a fall."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ06' and subject = '开州甲电子公司 营业收入本年累计'"
    )
    assert message == (
        "开州区2024年3月企业“开州甲电子公司”月报的营业收入本年累计为 76,000,000.00 万元，按月平均约为前一期"
        "（2024年2月）本年累计 5,000.00 万元按月平均的 10000 倍（误差 15.00% 以内），疑似计量单位错误（元、千元、"
        "万元、亿元混用）。请核对报表的计量单位并按万元更正。来源：filings/2024-03_500154.csv 第 2 行。"
    )
    assert (
        triggered.query(
            "select rule_id from marts.dq_findings where district_code = '500154' and period = date '2024-04-01' "
            "and rule_id in ('DQ04', 'DQ06')"
        )
        == []
    )


def test_a_second_month_in_yuan_is_the_same_mix_up_and_the_right_month_after_is_none(
    triggered: Built,
) -> None:
    """梁平甲 (no year earlier) sent March and April in 元: April's run rate is level with March's
    (×1.0125), so April carries March's ×10^4 and says why. May, right again, is 1/10^4 of April's run
    rate: the return, not a mix-up, and not a fall against April corrected (4,050)."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ06' and district_code = '500155' "
        "and period = date '2024-04-01'"
    )
    assert message == (
        "梁平区2024年4月企业“梁平甲电子公司”月报的营业收入本年累计为 40,500,000.00 万元，按月平均与前一期"
        "（2024年3月）本年累计 30,000,000.00 万元按月平均持平，而前一期已疑似计量单位错误（见该期 DQ06 问题），"
        "本期约为应报数的 10000 倍（误差 15.00% 以内），疑似计量单位错误（元、千元、万元、亿元混用）。"
        "请核对报表的计量单位并按万元更正。来源：filings/2024-04_500155.csv 第 2 行。"
    )
    assert (
        triggered.query(
            "select rule_id from marts.dq_findings where district_code = '500155' and period = date '2024-05-01' "
            "and rule_id in ('DQ04', 'DQ06')"
        )
        == []
    )


def test_published_findings_show_no_figure_of_a_small_group(triggered: Built) -> None:
    """What analysts get (dq_findings_published): division 39 files one enterprise in 2024-09 and so
    does the rest of the scope, so the city-wide DQ12 prints neither sum (the total minus one gives the
    other). 合川区 copies a submission with no enterprise behind it (its cell is suppressed): DQ13
    prints no figure. The count rule DQ03 keeps its figures."""
    rows = dict(
        triggered.query(
            "select rule_id || ' ' || coalesce(district_code, '全市'), figures_withheld "
            "from marts.dq_findings_published where rule_id = 'DQ12' "
            "or (rule_id in ('DQ03', 'DQ13') and district_code = '500117' and period = date '2024-03-01')"
        )
    )
    assert rows == {"DQ12 全市": True, "DQ13 500117": True, "DQ03 500117": False}
    [(message, expected, actual)] = triggered.query(
        "select message, expected, actual from marts.dq_findings_published where rule_id = 'DQ12'"
    )
    assert (expected, actual) == (None, None)
    assert message == (
        "全市2024年9月：39大类合计与统计局数据不符（39大类营业收入本年累计）。涉及按数据保密规则不公布的企业组的数据，"
        "分析库不列具体数值；完整说明（含数值）见全市反馈表。来源：bureau/统计局_2024-09.xlsx 第 6 行。"
    )


def test_a_fall_is_withheld_only_when_a_month_it_prints_is_not_published(triggered: Built) -> None:
    """垫江县 (500231): January 1200 (甲 1160 of it: 96.7% > 85%, suppressed), February 1000, March
    2000, April 1980, each the sum of its three enterprises. DQ04 prints February against January:
    withheld, January's figure is not published. It prints April against March: both published, so
    the figures are shown, although January, which it does not print, was suppressed. The
    enterprise's own falls (甲 1160 → 400, 800 → 780) are one enterprise's lines: withheld."""
    cells = triggered.query(
        "select strftime(period, '%Y-%m'), suppressed from marts.district_monthly "
        "where district_code = '500231' and period between date '2024-01-01' and date '2024-04-01' order by 1"
    )
    assert cells == [("2024-01", True), ("2024-02", False), ("2024-03", False), ("2024-04", False)]
    rows = triggered.query(
        "select strftime(period, '%Y-%m'), subject, figures_withheld, expected, actual, message "
        "from marts.dq_findings_published where rule_id = 'DQ04' and district_code = '500231' order by 1, 2"
    )
    assert [row[:3] for row in rows] == [
        ("2024-02", "区县月报 营业收入本年累计", True),
        ("2024-02", "垫江甲电子公司 营业收入本年累计", True),
        ("2024-04", "区县月报 营业收入本年累计", False),
        ("2024-04", "垫江甲电子公司 营业收入本年累计", True),
    ]
    assert rows[2][3:5] == ("≥ 2,000", "1,980")
    assert "2,000" in rows[2][5] and "1,980" in rows[2][5]
    assert rows[0][3:5] == (None, None) and "1,200" not in rows[0][5]
    assert triggered.query(
        "select compared_periods from marts.dq_findings where rule_id = 'DQ04' and district_code = '500231' "
        "and subject like '区县月报%' order by period"
    ) == [([dt.date(2024, 1, 1)],), ([dt.date(2024, 3, 1)],)]


def test_a_missing_submission_says_why_the_unit_owes_one(triggered: Built) -> None:
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ01' and district_code = '500101' "
        "and period = date '2024-03-01'"
    )
    assert message == (
        "万州区2024年3月区县月报未报送：企业名录中该区县有统计范围内的企业，应报送 1 份，实际收到 0 份。请尽快补报。"
    )


def test_a_table_with_its_period_mistyped_is_no_missing_submission(triggered: Built) -> None:
    """城口县's only table of 2024-03 is dated 2042-03: DQ01 does not say nothing came in, it cites the
    line, which the workbook lists under that line's DQ14 finding (DQ14 explains DQ01)."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ01' and district_code = '500229' "
        "and period = date '2024-03-01'"
    )
    assert message == (
        "城口县2024年3月区县月报没有本期的行，但本期报送的文件中有该区县报告期为2042年3月的一行（见 DQ14 问题），"
        "很可能就是本期月报、报告期填错。请更正该行的报告期后重新报送。来源：districts/城口县_2024年3月.csv 第 4 行。"
    )
    assert triggered.query(
        "select strftime(filed_period, '%Y-%m') from marts.dq_findings where rule_id = 'DQ14' "
        "and source_file = 'districts/城口县_2024年3月.csv'"
    ) == [("2024-03",)]


def test_growth_against_a_year_earlier_in_the_wrong_unit_uses_it_read_back(triggered: Built) -> None:
    """丰都县 sent June 2023 in 元 (DQ06): June 2024 is compared with 12,000,000 / 10^4 = 1,200, and the
    message says so; the near miss (1,320, +10%) gives no finding at all."""
    [(message,)] = triggered.query(
        "select message from marts.dq_findings where rule_id = 'DQ05' and district_code = '500230'"
    )
    assert message == (
        "丰都县2024年6月区县报送的营业收入本年累计为 3,000.00 万元，上年同期（2023年6月）为 12,000,000.00 万元"
        "（上年同期疑似计量单位错误，见该期 DQ06 问题，已按 1/10000 折算为 1,200.00 万元），同比增长 150.00%，"
        "超出合理范围（±50.00%），且超过 ±100.00%（按错误处理）。请核实本期及上年同期数据，有误请更正，属实请说明原因。"
        "来源：districts/500230_2024-06.csv 第 4 行。"
    )


def test_cells_count_the_registered_enterprises_that_did_not_file(triggered: Built) -> None:
    """黔江区 2024-03 (DQ10's case): 甲 filed but is on no registry, so it counts nowhere; 乙 is on
    the registry and filed nothing. The district's cell counts neither among its enterprises and says
    that one registered enterprise did not file: the figures leave it out. In every cell the count
    is the number of DQ10 findings that an enterprise of the cell's unit did not file."""
    assert triggered.query(
        "select enterprise_count, nonfiling_enterprises from marts.district_monthly "
        "where district_code = '500114' and period = date '2024-03-01'"
    ) == [(0, 1)]
    by_cell = triggered.query(
        "select district_code, period, nonfiling_enterprises from marts.district_monthly "
        "where nonfiling_enterprises > 0 order by 1, 2"
    )
    by_finding = triggered.query(
        "select district_code, filed_period, count(*) from marts.dq_findings "
        "where rule_id = 'DQ10' and district_code is not null and actual = '0' "
        "and filed_period in (select period from marts.district_monthly) group by all order by 1, 2"
    )
    assert by_cell == by_finding

"""Documented faults in the demo folder: at least one for every data-quality rule of docs/rules.md.

The faults are laid on top of consistent data, each in a district or period of its own where the run
has enough of them, and written down in demo_faults.csv (at the root of the demo folder, where the
ingest does not look): which rule, where (district, period, file, row), what was done, and every
district-period on which the fault may cause error findings of any rule, knock-on effects included.
Anything not listed there has no error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass
from planwatch_demo.district_faults import (
    _dq01_missing_submission,
    _dq02_revenue_off,
    _dq03_count_off,
    _dq04_ytd_drop,
    _dq05_implausible_growth,
    _dq06_submission_in_yuan,
    _dq12_bureau_off,
    _dq13_copied_forward,
)
from planwatch_demo.enterprise_faults import (
    _dq06_filing_in_thousands,
    _dq07_negative_rd,
    _dq08_conflicting_filing,
    _dq09_filing_code_typo,
    _dq09_registry_code,
    _dq10_stopped_filing,
    _dq10_unregistered_filing,
    _dq11_other_district,
    _dq14_wrong_year,
)
from planwatch_demo.planning import DemoData, Fault, _Planner


def inject_faults(data: DemoData, rng: np.random.Generator) -> list[Fault]:
    """Lay the faults into the tables (in place) and return them, numbered in rule order."""
    plan = _Planner(data, rng)
    makers: list[Callable[[_Planner], Fault | None]] = [
        # the most demanding picks first, while every district is still free
        _dq05_implausible_growth,
        _dq06_submission_in_yuan,
        _dq06_filing_in_thousands,
        _dq13_copied_forward,
        _dq04_ytd_drop,
        _dq01_missing_submission,
        _dq02_revenue_off,
        _dq03_count_off,
        _dq07_negative_rd,
        _dq08_conflicting_filing,
        _dq09_filing_code_typo,
        _dq10_unregistered_filing,
        _dq10_stopped_filing,
        _dq11_other_district,
        lambda plan: _dq14_wrong_year(plan, future=True),
        lambda plan: _dq14_wrong_year(plan, future=False),
        _dq12_bureau_off,
        _dq09_registry_code,
    ]
    faults = [fault for make in makers if (fault := plan.record(make(plan))) is not None]
    return sorted(faults, key=lambda fault: fault.rule_id)

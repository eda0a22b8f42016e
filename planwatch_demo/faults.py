"""Documented faults in the demo folder: at least one for every data-quality rule of docs/rules.md.

The faults are laid on top of consistent data, each in a district or period of its own where the run
has enough of them, and written down in demo_faults.csv (at the root of the demo folder, where the
ingest does not look): which rule, where (district, period, file, row), what was done, and every
district-period on which the fault may cause error findings of any rule, knock-on effects included.
Anything not listed there has no error.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from planwatch_demo.district_faults import (
    SUBMISSION_FAULTS,
    YTD_DROP,
    _dq05_implausible_growth,
    _dq12_bureau_off,
)
from planwatch_demo.enterprise_faults import (
    FILING_FAULTS,
    _dq09_registry_code,
    _dq10_unregistered_filing,
)
from planwatch_demo.planning import DemoData, Fault, _Planner, lay_fault


def inject_faults(data: DemoData, rng: np.random.Generator) -> list[Fault]:
    """Lay the faults into the tables (in place) and return them, numbered in rule order."""
    plan = _Planner(data, rng)

    def filing(name: str) -> Callable[[_Planner], Fault | None]:
        return lambda plan: lay_fault(plan, FILING_FAULTS[name])

    def submission(name: str) -> Callable[[_Planner], Fault | None]:
        return lambda plan: lay_fault(plan, SUBMISSION_FAULTS[name])

    makers: list[Callable[[_Planner], Fault | None]] = [
        # the most demanding picks first, while every district is still free
        _dq05_implausible_growth,
        submission("dq06_in_yuan"),
        filing("dq06_in_thousands"),
        submission("dq13_copied_forward"),
        lambda plan: lay_fault(plan, YTD_DROP),
        submission("dq01_left_out"),
        submission("dq02_revenue_off"),
        submission("dq03_count_off"),
        filing("dq07_negative_rd"),
        filing("dq08_filed_twice"),
        filing("dq09_code_transposed"),
        _dq10_unregistered_filing,
        filing("dq10_not_filed"),
        filing("dq11_other_district"),
        filing("dq14_future_year"),
        filing("dq14_year_before"),
        _dq12_bureau_off,
        _dq09_registry_code,
    ]
    faults = [fault for make in makers if (fault := plan.record(make(plan))) is not None]
    return sorted(faults, key=lambda fault: fault.rule_id)

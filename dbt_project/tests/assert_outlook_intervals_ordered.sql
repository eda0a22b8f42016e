-- The outlook's bounds nest around the point forecast (lower 95 ≤ lower 80 ≤ point ≤ upper 80 ≤
-- upper 95), a probability lies in 0..1 and exists only on the plan's target-year row, and a row
-- without a forecast says why and has no bound.
-- a failing row, whole
select *  -- noqa: AM04
from {{ ref('indicator_outlook') }}
where not (lower_95 <= lower_80 and lower_80 <= point_forecast and point_forecast <= upper_80 and upper_80 <= upper_95)
    or probability_meets_target < 0
    or probability_meets_target > 1
    or (probability_meets_target is not null and not is_plan_target_year)
    or (point_forecast is null and note is null)
    or (note is not null and coalesce(point_forecast, lower_80, upper_80, lower_95, upper_95) is not null)

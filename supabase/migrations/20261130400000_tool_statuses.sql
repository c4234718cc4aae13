-- tool_statuses: each tool's names, owner and status, and nothing else (issue 11, a cold /map).
--
-- The map shows no numbers, yet read tools_current, which passes over the newest day's rows
-- three times: newest_metric_at()'s max, the join on the newest instant, and the anti-join
-- for the tools not in it. Each pass rechecks every row of the day (its recorded_at index is a
-- block-range index, and a run's new pages are not summarised yet): at 5,000 tools x 7 days
-- just after a heartbeat, three passes of 20,000-120,000 rows.
--
-- Here one pass: the rows at or after the newest run, with the newest instant among them as a
-- window; a tool's row at that instant gives its status. The status is tools_current's: the
-- newest instant is the greatest recorded_at of all (any later row would be at or after the
-- run too), so a tool's row there is its latest row, as in tools_current's first branch; a
-- tool with none (not in the newest run, or no row at or after any run) takes its latest row
-- as the second branch does, or 'unknown' (tests/test_tool_statuses.py compares the two on
-- every store). The lookup of a latest row runs only for those tools (coalesce evaluates its
-- subquery only when the row at the newest instant is missing).
create view public.tool_statuses with (security_invoker = true) as
with recent as (
  select
    m.tool_id,
    m.status,
    m.recorded_at,
    max(m.recorded_at) over () as newest
  from public.metrics m
  where m.recorded_at >= (
    -- the newest run, through heartbeat_log's ran_at index (as newest_metric_at() reads it);
    -- with no run logged (rows written by hand), the newest metric: a bound of -infinity would
    -- have the window buffer every row of metrics (found by review: 3x tools_current's time)
    select coalesce(
      (select max(h.ran_at) from public.heartbeat_log h),
      (select max(l.recorded_at) from public.metrics l),
      '-infinity'::timestamptz)
  )
)
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.owner,
  coalesce(
    r.status,
    (
      select p.status
      from public.metrics p
      where p.tool_id = t.id
      order by p.recorded_at desc
      limit 1
    ),
    'unknown'
  ) as status
from public.tools t
left join recent r on r.tool_id = t.id and r.recorded_at = r.newest;

comment on view public.tool_statuses is
  'Each tool''s slug, names, owner and status: tools_current''s status, read in one pass '
  'over the newest rows (the map).';

revoke all on public.tool_statuses from public, anon, authenticated;
grant select on public.tool_statuses to anon, authenticated, service_role;

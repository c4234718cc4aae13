-- Issue 11, the backfill's 2x (eighth pass): the one-row-per-tool-and-instant check reads the
-- statement's instant in heap order instead of the whole day through the tool_id index.
--
-- _metrics_one_per_tool_and_instant as 20261128100000_metrics_tool_index.sql defines it; two
-- changes, marked below. What it refuses, and how (SQLSTATE, constraint, message), is the same;
-- the tool the message names is now always the lowest duplicated one (see below).
--
-- Why: its query (the tools with two rows at the instant, limit 1) was planned for its first row:
-- a GroupAggregate over the day partition's tool_id index, which yields tools in order so that
-- the limit can stop early. But no tool has two rows, so it never stops: it read every row of
-- the day through the index, in tool order (a random heap visit per row), and filtered out all
-- but the instant's. Late in the UTC day that is 24 rows a tool: 10-14 ms for a 1,000-tool run
-- at 23:00 against 0.6 ms at 02:00, 3.4 ms a run over a 168-hour backfill, and ten times that
-- at 10,000 tools. Asked for the lowest duplicated tool with min() instead, the query is
-- planned for all its rows: the instant's rows are read in heap order (the block-range index,
-- or a sequential scan of the day) and hashed by tool, about 1 ms at 23:00 and 0.4 ms at 02:00
-- for 1,000 tools (explain analyze in the trigger). The tool named in the message is the lowest
-- duplicated one. The old check named whichever its plan met first: the lowest on the index's
-- plan, another once the partitions were analysed (found by review); now always the lowest.
--
-- enable_indexscan = off is a guard: with an unanalysed day partition (a backfill's) the
-- estimates are tiny, and the planner must not come back to the full index scan. PostgreSQL 18
-- still takes a switched-off path when planning for a first row (it kept the index scan under
-- the limit), which is why the limit went.

create or replace function public._metrics_one_per_tool_and_instant()
returns trigger
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
-- Changed (issue 11, eighth pass): a guard, see above. Only this function's own statements see
-- the setting (the governance row's lock and the loop over the statement's rows read no index).
set enable_indexscan = off
as $$
declare
  v_at timestamptz;
  v_tool bigint;
begin
  -- Serialise with every other writer of metrics (see above); a no-op when already held.
  perform 1 from public.governance_settings g where g.id for update;
  for v_at in select distinct w.recorded_at from written w loop
    -- Changed (issue 11, eighth pass): the lowest duplicated tool, whatever the plan,
    -- by min() instead of a limit (a limit plans for the first row, which kept the index scan).
    select min(d.tool_id) into v_tool
    from (
      select m.tool_id
      from public.metrics m
      where m.recorded_at = v_at
      group by m.tool_id
      having count(*) > 1
    ) as d;
    if v_tool is not null then
      raise exception 'duplicate key value violates unique constraint "metrics_tool_time_key"'
        using errcode = '23505', constraint = 'metrics_tool_time_key', table = 'metrics',
          schema = 'public',
          detail = format('Key (tool_id, recorded_at)=(%s, %s) already exists.', v_tool, v_at);
    end if;
  end loop;
  return null;
end
$$;

revoke execute on function public._metrics_one_per_tool_and_instant() from public, anon,
  authenticated;

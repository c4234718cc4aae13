-- Issue 11, the dashboard's reads (twelfth pass): metrics' block-range index on recorded_at
-- summarises 8 pages a range instead of 128.
--
-- Why: a read of the last 24 hours (tool_sparklines, tool_health_24h, the stack's sparklines)
-- takes the end of yesterday from yesterday's partition. With 128 pages a range (the default,
-- 20261127100000) a range held about 15 hours of a 1,000-tool stack (about 8 pages an hour), so
-- late in the day the read took about 24,000 of yesterday's rows to keep the 1,000 of its last
-- hour: 3-4 ms of a 20-25 ms read of every tool's sparkline. With 8 pages a range it takes about
-- 2,000. The index stays small (a range's summary is a few bytes: about 30 ranges a day at
-- 1,000 tools), rows still arrive in time order within a day (a range then holds about an hour),
-- and the purge finds the boundary day's old rows through the same, finer, ranges.
--
-- The index is made again on every partition (the parent's definition is each partition's),
-- under the lock a create index takes: a few milliseconds a day of partition at 1,000 tools.

drop index public.metrics_recorded_at_idx;
create index metrics_recorded_at_idx on public.metrics using brin (recorded_at)
  with (pages_per_range = 8);

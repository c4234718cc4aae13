-- Issue 11, WAL: every run's purge (purge_old_metrics) deletes the rollups older than the
-- retention, "where day < cutoff day", and metric_trends_daily's only index leads with tool_id,
-- so every run read the whole table (667 pages at 10,000 tools x 7 days) to find, on all but
-- one run a day, nothing. With data checksums on (initdb's default since PostgreSQL 18) the
-- first read of a page after a checkpoint that sets a hint bit writes the whole page into the
-- WAL: 5.2 MiB of a 18.5 MiB heartbeat at 10,000 tools after a checkpoint
-- (bench/wal_breakdown.py). A btree on day finds the old days alone; equal days are stored
-- once (deduplicated), so it costs a few bytes a row, and the daily rollup appends to its end.
create index metric_trends_daily_day_idx on public.metric_trends_daily (day)
  with (deduplicate_items = on);

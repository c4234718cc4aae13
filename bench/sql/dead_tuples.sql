-- Live and dead tuples of the tables a backfill rewrites (as the statistics last flushed them).
-- n_dead_tup counts every version waiting for VACUUM, including those whose space a later read
-- has already freed (pruning leaves a 4-byte line pointer of a row that changed an indexed
-- column, such as an incident's resolution), so dead_space.sql gives the bytes.
select relname, n_live_tup, n_dead_tup
from pg_stat_user_tables
where relname in ('metric_trends_daily', 'sla_daily', 'tool_alert_state', 'incidents',
  'incident_tools', 'tool_latest_metrics')
order by relname

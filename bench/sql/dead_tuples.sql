-- Live and dead tuples of the tables a backfill rewrites (as the statistics last flushed them).
select relname, n_live_tup, n_dead_tup
from pg_stat_user_tables
where relname in ('metric_trends_daily', 'sla_daily', 'tool_alert_state', 'incidents',
  'tool_latest_metrics')
order by relname

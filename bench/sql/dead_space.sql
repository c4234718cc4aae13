-- The share of each table's bytes held by dead tuples, and the share free (pgstattuple), for
-- the tables of dead_tuples.sql: what a backfill leaves as dead space, beside the count of dead
-- versions (a dead version a read pruned, or VACUUM removed, is free space).
select c.relname, (s).dead_tuple_percent, (s).free_percent
from (
  select c.relname, public.pgstattuple(c.oid) as s
  from pg_class c
  where c.relnamespace = 'public'::regnamespace
    and c.relname in ('metric_trends_daily', 'sla_daily', 'tool_alert_state', 'incidents',
      'incident_tools', 'tool_latest_metrics')
) c
order by c.relname

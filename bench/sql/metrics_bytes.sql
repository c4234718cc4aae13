-- Bytes of metrics (every partition, with its indexes) and of metric_trends_daily.
select
  coalesce((select sum(pg_total_relation_size(relid)) from pg_partition_tree('public.metrics')),
    pg_total_relation_size('public.metrics'))::bigint,
  pg_total_relation_size('public.metric_trends_daily')::bigint

-- The day partitions make_history writes into (metrics has no default partition).
select public.ensure_metric_partitions(
  date_trunc('hour', now()) - make_interval(hours => %(oldest_hours)s::integer),
  date_trunc('hour', now()) - make_interval(hours => %(newest_hours)s::integer))

-- Whether the schema has prepare_metric_partitions (20261127270000 and later).
select to_regprocedure('public.prepare_metric_partitions(jsonb)') is not null

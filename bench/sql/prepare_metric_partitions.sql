select public.prepare_metric_partitions(%(payload)s)

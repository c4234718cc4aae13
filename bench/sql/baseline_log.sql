insert into public.heartbeat_log (run_key, ran_at, source, tools_checked, healthy_count, message)
values (%(run_key)s, %(ran_at)s, 'manual', %(count)s, %(count)s, 'row by row')

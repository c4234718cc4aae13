select public.record_heartbeat(%(payload)s)

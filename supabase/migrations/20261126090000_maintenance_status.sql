-- A fourth observed status: maintenance (a vendor's scheduled work, or a window of our own).
-- It is neither up nor down: it opens no incident and counts against no uptime.
alter table public.metrics drop constraint metrics_status_known;
alter table public.metrics add constraint metrics_status_known
  check (status in ('healthy', 'degraded', 'down', 'maintenance'));

alter table public.heartbeat_log add column maintenance_count integer not null default 0;
alter table public.heartbeat_log drop constraint heartbeat_log_counts_range;
alter table public.heartbeat_log add constraint heartbeat_log_counts_range check (
  tools_checked >= 0 and healthy_count >= 0 and degraded_count >= 0 and down_count >= 0
  and maintenance_count >= 0
  and healthy_count + degraded_count + down_count + maintenance_count = tools_checked
);

-- record_heartbeat counts maintenance in the run log; its one body is in
-- 20261126135900_record_heartbeat_hardening.sql, which holds every change to it since 20261125120400.

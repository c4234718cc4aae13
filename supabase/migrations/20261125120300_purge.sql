-- Governance: metrics older than the retention (governance_settings, 7 days by default) go away
-- by themselves after every insert. Statement-level, so a heartbeat of 10,000 rows purges once,
-- and the delete walks metrics_recorded_at_idx, so it costs what it deletes.
create function public.purge_old_metrics()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
begin
  delete from public.metrics
  where recorded_at < now() - coalesce(
    (select g.retention from public.governance_settings g where g.id), interval '7 days');
  return null;
end
$$;

create trigger metrics_purge_old
after insert on public.metrics
for each statement
execute function public.purge_old_metrics();

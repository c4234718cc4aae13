-- A heartbeat is not an edit: record_heartbeat's _import_vendor_maintenance runs an
-- INSERT .. ON CONFLICT DO UPDATE on maintenance_windows every run, and a statement trigger
-- fires for the insert and for the update even when no row is written, so stack_version moved
-- on every heartbeat (the dashboard's edits cache was read again after each one). The
-- counter now moves only when a statement wrote a row.
create function public.bump_stack_version_if_written()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if exists (select 1 from written) then
    update public.stack_version set version = version + 1 where id;
  end if;
  return null;
end
$$;

revoke execute on function public.bump_stack_version_if_written() from public, anon, authenticated;
grant execute on function public.bump_stack_version_if_written() to service_role;

drop trigger maintenance_windows_bump_stack_version on public.maintenance_windows;

create trigger maintenance_windows_inserted_bump_stack_version
after insert on public.maintenance_windows
referencing new table as written
for each statement execute function public.bump_stack_version_if_written();

create trigger maintenance_windows_updated_bump_stack_version
after update on public.maintenance_windows
referencing new table as written
for each statement execute function public.bump_stack_version_if_written();

create trigger maintenance_windows_deleted_bump_stack_version
after delete on public.maintenance_windows
referencing old table as written
for each statement execute function public.bump_stack_version_if_written();

create trigger maintenance_windows_truncated_bump_stack_version
after truncate on public.maintenance_windows
for each statement execute function public.bump_stack_version();

-- Issue 11: a reader can tell cheaply whether anything it shows has changed. The dashboard keeps
-- its reads (the stack, the summary, sparklines, a tool's page) once per change, keyed by
-- stack_state: the latest heartbeat run and an edit counter that triggers bump on every edit of
-- tools, integrations or the retention. Never stale after an edit: the bump commits
-- with the edit, so the next request reads a new key.

create table public.stack_version (
  id boolean primary key default true,
  version bigint not null default 0,
  constraint stack_version_single_row check (id)
);
insert into public.stack_version (id) values (true);

create function public.bump_stack_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.stack_version set version = version + 1 where id;
  return null;
end
$$;

create trigger tools_bump_stack_version
after insert or update or delete or truncate on public.tools
for each statement execute function public.bump_stack_version();

create trigger tool_integrations_bump_stack_version
after insert or update or delete or truncate on public.tool_integrations
for each statement execute function public.bump_stack_version();

-- tool_checks (issue 9, a later migration) needs the same trigger: its timestamp sorts after
-- this file, so that migration or a later one adds it.

-- Only the retention changes what readers see; trends_through moves with heartbeats already.
create trigger governance_settings_bump_stack_version
after update of retention on public.governance_settings
for each statement execute function public.bump_stack_version();

-- One row: the newest run recorded (by id, so a backfilled past hour counts too) and the edits.
create view public.stack_state with (security_invoker = true) as
select
  coalesce((select max(h.id) from public.heartbeat_log h), 0)::bigint as run_id,
  v.version
from public.stack_version v;

alter table public.stack_version enable row level security;
revoke all on public.stack_version from public, anon, authenticated;
grant select on public.stack_version to anon, authenticated;
grant select, update on public.stack_version to service_role;
create policy "readable by everyone" on public.stack_version
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.stack_version
  for all to service_role using (true) with check (true);

revoke all on public.stack_state from public, anon, authenticated;
grant select on public.stack_state to anon, authenticated, service_role;
revoke execute on function public.bump_stack_version() from public, anon, authenticated;
grant execute on function public.bump_stack_version() to service_role;

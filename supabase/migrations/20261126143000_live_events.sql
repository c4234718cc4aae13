-- Live pages. Every statement that records a heartbeat run or edits the inventory tells
-- listeners on the channel "worksinprod" (LISTEN/NOTIFY), from the database itself, so the
-- dashboard hears runs made anywhere: pg_cron, a serverless function, another machine's CLI.
-- Statement-level triggers with a transition table: a backfill or a bulk edit announces itself
-- once per statement, and a statement that changed nothing (a repeated run, ON CONFLICT DO
-- NOTHING) announces nothing. The payload names only the table: Postgres folds identical
-- payloads of one transaction into one, so a run (insert, then update of its counts) is one
-- event. Listeners re-read what they show.

create function public._notify_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if exists (select 1 from changed) then
    perform pg_catalog.pg_notify(
      'worksinprod', pg_catalog.json_build_object('table', tg_table_name)::text
    );
  end if;
  return null;
end;
$$;

revoke execute on function public._notify_change() from public, anon, authenticated;

-- A trigger with a transition table takes one event, hence three per table.
create trigger heartbeat_log_notify_insert after insert on public.heartbeat_log
  referencing new table as changed for each statement execute function public._notify_change();
create trigger heartbeat_log_notify_update after update on public.heartbeat_log
  referencing new table as changed for each statement execute function public._notify_change();
create trigger heartbeat_log_notify_delete after delete on public.heartbeat_log
  referencing old table as changed for each statement execute function public._notify_change();

create trigger tools_notify_insert after insert on public.tools
  referencing new table as changed for each statement execute function public._notify_change();
create trigger tools_notify_update after update on public.tools
  referencing new table as changed for each statement execute function public._notify_change();
create trigger tools_notify_delete after delete on public.tools
  referencing old table as changed for each statement execute function public._notify_change();

create trigger tool_integrations_notify_insert after insert on public.tool_integrations
  referencing new table as changed for each statement execute function public._notify_change();
create trigger tool_integrations_notify_update after update on public.tool_integrations
  referencing new table as changed for each statement execute function public._notify_change();
create trigger tool_integrations_notify_delete after delete on public.tool_integrations
  referencing old table as changed for each statement execute function public._notify_change();

-- Supabase Realtime streams the tables of the publication supabase_realtime to supabase-js and
-- realtime-py clients (under RLS, which lets anyone read these). Plain Postgres has no such
-- publication: it is created empty first, so the same file runs everywhere. metrics stays out on
-- purpose: a run writes one row per tool, and its heartbeat_log row already announces the run.
do $$
declare
  watched text;
begin
  if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
  foreach watched in array array['heartbeat_log', 'tools', 'tool_integrations'] loop
    if not exists (
      select 1 from pg_catalog.pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = watched
    ) then
      execute pg_catalog.format('alter publication supabase_realtime add table public.%I', watched);
    end if;
  end loop;
end;
$$;

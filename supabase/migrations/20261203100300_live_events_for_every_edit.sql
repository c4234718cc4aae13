-- Live pages hear every edit they show, not only runs and the inventory (found by review).
--
-- 20261126143000_live_events.sql told listeners of heartbeat_log, tools and tool_integrations:
-- an open tool page did not re-read itself when its check was set or pinged, a maintenance
-- window or a playbook revision was written, and /settings did not when a channel was added or
-- the retention changed, until the next run. The same triggers, on the tables those pages read.
-- A run that writes vendor maintenance windows tells of them too (another payload in the same
-- transaction), which costs an open page one more read of itself.

create trigger tool_checks_notify_insert after insert on public.tool_checks
  referencing new table as changed for each statement execute function public._notify_change();
create trigger tool_checks_notify_update after update on public.tool_checks
  referencing new table as changed for each statement execute function public._notify_change();
create trigger tool_checks_notify_delete after delete on public.tool_checks
  referencing old table as changed for each statement execute function public._notify_change();

create trigger maintenance_windows_notify_insert after insert on public.maintenance_windows
  referencing new table as changed for each statement execute function public._notify_change();
create trigger maintenance_windows_notify_update after update on public.maintenance_windows
  referencing new table as changed for each statement execute function public._notify_change();
create trigger maintenance_windows_notify_delete after delete on public.maintenance_windows
  referencing old table as changed for each statement execute function public._notify_change();

create trigger playbook_revisions_notify_insert after insert on public.playbook_revisions
  referencing new table as changed for each statement execute function public._notify_change();
create trigger playbook_revisions_notify_update after update on public.playbook_revisions
  referencing new table as changed for each statement execute function public._notify_change();
create trigger playbook_revisions_notify_delete after delete on public.playbook_revisions
  referencing old table as changed for each statement execute function public._notify_change();

create trigger notification_channels_notify_insert after insert on public.notification_channels
  referencing new table as changed for each statement execute function public._notify_change();
create trigger notification_channels_notify_update after update on public.notification_channels
  referencing new table as changed for each statement execute function public._notify_change();
create trigger notification_channels_notify_delete after delete on public.notification_channels
  referencing old table as changed for each statement execute function public._notify_change();

-- The retention: a trigger with a column list can have no transition table, and the column is
-- written only by set_retention (every run updates the row's rollup columns, and announces
-- itself through heartbeat_log already).
create function public._notify_retention()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify(
    'worksinprod', pg_catalog.json_build_object('table', tg_table_name)::text
  );
  return null;
end;
$$;

revoke execute on function public._notify_retention() from public, anon, authenticated;

create trigger governance_settings_notify_retention after update of retention
  on public.governance_settings for each statement execute function public._notify_retention();

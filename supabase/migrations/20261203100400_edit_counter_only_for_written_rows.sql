-- The edit counter moves only when an edit wrote a row, on every table that moves it (found by a
-- docs audit: `worksinprod seed` run again wrote nothing but moved stack_version by four, one
-- per INSERT .. ON CONFLICT DO NOTHING statement, so every dashboard read its whole stack again
-- after an edit that was none). As 20261201100200 did for maintenance_windows: one trigger per
-- event with its transition table, and bump_stack_version_if_written; a truncate moves it
-- always.

drop trigger tools_bump_stack_version on public.tools;
create trigger tools_inserted_bump_stack_version after insert on public.tools
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tools_updated_bump_stack_version after update on public.tools
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tools_deleted_bump_stack_version after delete on public.tools
  referencing old table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tools_truncated_bump_stack_version after truncate on public.tools
  for each statement execute function public.bump_stack_version();

drop trigger tool_integrations_bump_stack_version on public.tool_integrations;
create trigger tool_integrations_inserted_bump_stack_version after insert on public.tool_integrations
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tool_integrations_updated_bump_stack_version after update on public.tool_integrations
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tool_integrations_deleted_bump_stack_version after delete on public.tool_integrations
  referencing old table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tool_integrations_truncated_bump_stack_version after truncate on public.tool_integrations
  for each statement execute function public.bump_stack_version();

drop trigger tool_checks_bump_stack_version on public.tool_checks;
create trigger tool_checks_inserted_bump_stack_version after insert on public.tool_checks
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tool_checks_updated_bump_stack_version after update on public.tool_checks
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tool_checks_deleted_bump_stack_version after delete on public.tool_checks
  referencing old table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger tool_checks_truncated_bump_stack_version after truncate on public.tool_checks
  for each statement execute function public.bump_stack_version();

drop trigger playbook_revisions_bump_stack_version on public.playbook_revisions;
create trigger playbook_revisions_inserted_bump_stack_version after insert on public.playbook_revisions
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger playbook_revisions_updated_bump_stack_version after update on public.playbook_revisions
  referencing new table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger playbook_revisions_deleted_bump_stack_version after delete on public.playbook_revisions
  referencing old table as written
  for each statement execute function public.bump_stack_version_if_written();
create trigger playbook_revisions_truncated_bump_stack_version after truncate on public.playbook_revisions
  for each statement execute function public.bump_stack_version();

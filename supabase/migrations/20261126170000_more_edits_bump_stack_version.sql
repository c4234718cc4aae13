-- Edits made through tables that came after stack_version (20261126110000) bump it too, so the
-- dashboard's read cache never serves a page from before a check, a playbook or a maintenance
-- window changed (a ping updates its check's row, which counts as an edit of what pages show).
create trigger tool_checks_bump_stack_version
after insert or update or delete or truncate on public.tool_checks
for each statement execute function public.bump_stack_version();

create trigger playbook_revisions_bump_stack_version
after insert or update or delete or truncate on public.playbook_revisions
for each statement execute function public.bump_stack_version();

create trigger maintenance_windows_bump_stack_version
after insert or update or delete or truncate on public.maintenance_windows
for each statement execute function public.bump_stack_version();

-- Who may do what. anon and authenticated read; only service_role writes. Supabase grants ALL on
-- new tables and EXECUTE on new functions to anon and authenticated by default, so we revoke
-- explicitly rather than trust the defaults of whichever Postgres this runs on.

revoke all on public.governance_settings, public.tools, public.tool_integrations, public.metrics,
  public.heartbeat_log from public, anon, authenticated;
grant select on public.governance_settings, public.tools, public.tool_integrations, public.metrics,
  public.heartbeat_log to anon, authenticated;
grant select, insert, update, delete on public.governance_settings, public.tools,
  public.tool_integrations, public.metrics, public.heartbeat_log to service_role;

revoke all on public.tools_current, public.integrations_named, public.tool_health_trends,
  public.tool_sparklines, public.tool_status_changes, public.heartbeat_recent
  from public, anon, authenticated;
grant select on public.tools_current, public.integrations_named, public.tool_health_trends,
  public.tool_sparklines, public.tool_status_changes, public.heartbeat_recent
  to anon, authenticated, service_role;

-- Write functions: service_role only. Helpers: nobody calls them directly over the API.
revoke execute on function
  public.record_heartbeat(jsonb), public.add_tool(jsonb), public.update_tool(jsonb),
  public.remove_tool(jsonb), public.add_integration(jsonb), public.update_integration(jsonb),
  public.remove_integration(jsonb), public.set_retention(jsonb), public.purge_old_metrics(),
  public._raise_invalid(text, text), public._check_keys(jsonb, text[]),
  public._text_field(jsonb, text, boolean, integer), public._require(text, text),
  public._slugify(text), public._check_slug(text, text), public._tool_id(text, text),
  public._integration_json(bigint), public._integration_id(jsonb)
  from public, anon, authenticated;
grant execute on function
  public.record_heartbeat(jsonb), public.add_tool(jsonb), public.update_tool(jsonb),
  public.remove_tool(jsonb), public.add_integration(jsonb), public.update_integration(jsonb),
  public.remove_integration(jsonb), public.set_retention(jsonb), public.purge_old_metrics(),
  public._raise_invalid(text, text), public._check_keys(jsonb, text[]),
  public._text_field(jsonb, text, boolean, integer), public._require(text, text),
  public._slugify(text), public._check_slug(text, text), public._tool_id(text, text),
  public._integration_json(bigint), public._integration_id(jsonb)
  to service_role;

-- Row-level security on every table: anyone may read, service_role may write (it also bypasses
-- RLS on Supabase and where our roles migration created it; the policy keeps it explicit).
alter table public.governance_settings enable row level security;
alter table public.tools enable row level security;
alter table public.tool_integrations enable row level security;
alter table public.metrics enable row level security;
alter table public.heartbeat_log enable row level security;

create policy "readable by everyone" on public.governance_settings
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.tools
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.tool_integrations
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.metrics
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.heartbeat_log
  for select to anon, authenticated using (true);

create policy "written by the service role" on public.governance_settings
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.tools
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.tool_integrations
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.metrics
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.heartbeat_log
  for all to service_role using (true) with check (true);

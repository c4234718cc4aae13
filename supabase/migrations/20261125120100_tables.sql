-- The inventory (tools and the integrations between them), the hourly metrics, the heartbeat log,
-- and the one governance setting an operator may change (how long metrics are kept).

create table public.governance_settings (
  id boolean primary key default true,
  retention interval not null default interval '7 days',
  constraint governance_settings_single_row check (id),
  constraint governance_settings_retention_range
    check (retention >= interval '1 hour' and retention <= interval '366 days')
);
insert into public.governance_settings (id) values (true);

create table public.tools (
  id bigint generated always as identity primary key,
  slug text not null,
  name text not null,
  category text not null,
  vendor text not null default '',
  owner text not null,
  description text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tools_slug_key unique (slug),
  constraint tools_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 64),
  constraint tools_name_not_empty check (btrim(name) <> '' and length(name) <= 120),
  constraint tools_category_not_empty check (btrim(category) <> '' and length(category) <= 60),
  constraint tools_owner_not_empty check (btrim(owner) <> '' and length(owner) <= 120),
  constraint tools_vendor_length check (length(vendor) <= 120),
  constraint tools_description_length check (length(description) <= 2000)
);

create table public.tool_integrations (
  id bigint generated always as identity primary key,
  source_id bigint not null references public.tools (id) on delete cascade,
  target_id bigint not null references public.tools (id) on delete cascade,
  flow text not null,
  created_at timestamptz not null default now(),
  constraint tool_integrations_no_self_loop check (source_id <> target_id),
  constraint tool_integrations_pair_key unique (source_id, target_id),
  constraint tool_integrations_flow_not_empty check (btrim(flow) <> '' and length(flow) <= 120)
);
-- The pair key serves lookups by source; "what feeds this tool" needs its own index.
create index tool_integrations_target_idx on public.tool_integrations (target_id);

create table public.metrics (
  id bigint generated always as identity primary key,
  tool_id bigint not null references public.tools (id) on delete cascade,
  recorded_at timestamptz not null,
  health real not null,
  latency_ms real not null,
  uptime_pct real not null,
  data_quality real not null,
  status text not null,
  -- One sample per tool per instant; the same index serves "this tool's history" and "its latest".
  constraint metrics_tool_time_key unique (tool_id, recorded_at),
  constraint metrics_health_range check (health between 0 and 100),
  constraint metrics_latency_range check (latency_ms >= 0),
  constraint metrics_uptime_range check (uptime_pct between 0 and 100),
  constraint metrics_data_quality_range check (data_quality between 0 and 100),
  constraint metrics_status_known check (status in ('healthy', 'degraded', 'down'))
);
-- The purge deletes by time alone: a btree makes it cost what it deletes, not the table's size.
create index metrics_recorded_at_idx on public.metrics (recorded_at);

create table public.heartbeat_log (
  id bigint generated always as identity primary key,
  run_key text not null,
  ran_at timestamptz not null,
  source text not null default 'scheduled',
  tools_checked integer not null default 0,
  healthy_count integer not null default 0,
  degraded_count integer not null default 0,
  down_count integer not null default 0,
  duration_ms real not null default 0,
  message text not null default '',
  recorded_at timestamptz not null default now(),
  constraint heartbeat_log_run_key_key unique (run_key),
  constraint heartbeat_log_run_key_not_empty check (btrim(run_key) <> '' and length(run_key) <= 200),
  constraint heartbeat_log_source_known check (source in ('scheduled', 'manual', 'backfill')),
  constraint heartbeat_log_counts_range check (
    tools_checked >= 0 and healthy_count >= 0 and degraded_count >= 0 and down_count >= 0
    and healthy_count + degraded_count + down_count = tools_checked
  ),
  constraint heartbeat_log_duration_range check (duration_ms >= 0),
  constraint heartbeat_log_message_length check (length(message) <= 500)
);
create index heartbeat_log_ran_at_idx on public.heartbeat_log (ran_at desc);

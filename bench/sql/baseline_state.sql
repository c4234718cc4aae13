-- The original Edge Function kept current values on the tool rows; the row-by-row baseline
-- updates a table shaped like that, one row per tool.
create table if not exists public.bench_tool_state (
  tool_id bigint primary key references public.tools (id),
  health real, latency_ms real, uptime_pct real, data_quality real, status text,
  last_checked_at timestamptz
);
insert into public.bench_tool_state (tool_id) select id from public.tools on conflict do nothing

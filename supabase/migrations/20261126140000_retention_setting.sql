-- The retention as a number a reader can use over any store (PostgREST sends an interval as
-- text such as "7 days"): how long metrics are kept, in seconds.
create view public.retention_setting with (security_invoker = true) as
select extract(epoch from g.retention)::bigint as seconds
from public.governance_settings g
where g.id;

revoke all on public.retention_setting from public, anon, authenticated;
grant select on public.retention_setting to anon, authenticated, service_role;

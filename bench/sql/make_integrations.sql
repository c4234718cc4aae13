-- A chain of integrations: every bench tool sends to the next one.
insert into public.tool_integrations (source_id, target_id, flow)
select t.id, n.id, 'bench events'
from public.tools t
join public.tools n on n.slug = 'tool-' || (substring(t.slug from 6)::integer + 1)

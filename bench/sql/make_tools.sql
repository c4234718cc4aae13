insert into public.tools (slug, name, category, owner)
select 'tool-' || n, 'Tool ' || n, 'Bench', 'Bench owner'
from generate_series(1, %(count)s) as n

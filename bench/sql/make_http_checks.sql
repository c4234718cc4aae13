select count(public.set_check(jsonb_build_object(
  'slug', 'tool-' || n, 'kind', 'http', 'url', %(base)s || '/ok?' || n)))
from generate_series(1, %(count)s) as n

-- The tool page's week of one tool (client.metrics(slug, since=7 days)).
explain (analyze, format json)
select * from public.metrics
where tool_id = %(id)s and recorded_at >= now() - interval '7 days'
order by recorded_at

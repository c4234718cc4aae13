-- Every tool's current values.
explain (analyze, format json)
select * from public.tools_current

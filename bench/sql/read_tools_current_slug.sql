-- One tool's current values (the tool page).
explain (analyze, format json)
select * from public.tools_current where slug = %(slug)s

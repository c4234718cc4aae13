-- Supabase's three API roles. A hosted project already has them; on a plain Postgres (the embedded
-- server, the tests, any DATABASE_URL) we create them so the same migrations run everywhere.
-- Creating BYPASSRLS roles needs a superuser, which a plain Postgres we migrate always has.
do $roles$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$roles$;

grant usage on schema public to anon, authenticated, service_role;

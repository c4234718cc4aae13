insert into supabase_migrations.schema_migrations (version, statements, name)
values (%(version)s, %(statements)s, %(name)s)

-- Playbooks: one Markdown runbook per tool ("HubSpot is down, what do I do?"), every version kept.
-- A revision is never changed or deleted (only with its tool); the playbook is the latest one.
-- Writers pass the revision they opened: a stale one is refused, so no edit is lost silently.

create table public.playbook_revisions (
  id bigint generated always as identity primary key,
  tool_id bigint not null references public.tools (id) on delete cascade,
  revision integer not null,
  body text not null,
  author text not null,
  restored_from integer,
  created_at timestamptz not null default now(),
  -- The backstop of the optimistic check: two writers can never both make revision n + 1.
  constraint playbook_revisions_tool_revision_key unique (tool_id, revision),
  constraint playbook_revisions_revision_positive check (revision >= 1),
  constraint playbook_revisions_body_length check (length(body) <= 50000),
  constraint playbook_revisions_author_not_empty
    check (btrim(author) <> '' and length(author) <= 120),
  constraint playbook_revisions_restored_from_earlier
    check (restored_from is null or (restored_from >= 1 and restored_from < revision))
);

-- Each tool's current playbook: its latest revision (one probe of the unique index per tool).
create view public.tool_playbooks with (security_invoker = true) as
select
  t.id as tool_id,
  t.slug,
  t.name,
  r.revision,
  r.body,
  r.author,
  r.restored_from,
  r.created_at as updated_at
from public.tools t
join lateral (
  select lr.revision, lr.body, lr.author, lr.restored_from, lr.created_at
  from public.playbook_revisions lr
  where lr.tool_id = t.id
  order by lr.revision desc
  limit 1
) r on true;

-- Every version of every playbook, with the tool's slug, for history and restore.
create view public.playbook_history with (security_invoker = true) as
select
  r.tool_id,
  t.slug,
  r.revision,
  r.body,
  r.author,
  r.restored_from,
  r.created_at
from public.playbook_revisions r
join public.tools t on t.id = r.tool_id;

-- Refuses control characters other than tab and newline; the message says which and where.
create function public._check_plain_text(value text, field text, multiline boolean)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_found text;
begin
  v_found := substring(value from
    case when multiline then '[\x01-\x08\x0b-\x1f\x7f]' else '[\x01-\x1f\x7f]' end);
  if v_found is not null then
    perform public._raise_invalid(field, format(
      'must not contain control characters (found U+%s at character %s)',
      lpad(upper(to_hex(ascii(v_found))), 4, '0'), strpos(value, v_found)));
  end if;
  return value;
end
$$;

-- The writer's claim about what it opened: a whole number, 0 for "no playbook yet".
create function public._revision_field(payload jsonb, key text)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v jsonb := payload -> key;
begin
  if v is null or v = 'null'::jsonb then
    return null;
  end if;
  if jsonb_typeof(v) <> 'number' or (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric)
     or (v #>> '{}')::numeric not between 0 and 2147483647 then
    perform public._raise_invalid(key, 'must be a whole revision number (0 before the first)');
  end if;
  return (v #>> '{}')::integer;
end
$$;

-- The shared core of set_playbook and restore_playbook: lock the tool, check the writer's
-- revision, append one. Stale writers get 23505 on expected_revision ("changed since you
-- opened it"); an unchanged body appends nothing and answers the current playbook.
create function public._append_playbook(
  tool_id bigint, expected integer, body text, author text, restored_from integer)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_current public.playbook_revisions;
begin
  -- No key update: the heartbeat's metric inserts (key share on the tool) never wait on this.
  perform 1 from public.tools t where t.id = _append_playbook.tool_id for no key update;
  select * into v_current from public.playbook_revisions r
  where r.tool_id = _append_playbook.tool_id order by r.revision desc limit 1;
  if expected is not null and expected is distinct from coalesce(v_current.revision, 0) then
    raise exception
      'expected_revision: changed since you opened it (you opened revision %, the current one is %); reload it and apply your edit again',
      expected,
      case when v_current.revision is null then '0 (no playbook)'
        else format('%s, saved by %s at %s', v_current.revision, v_current.author,
          to_char(v_current.created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')) end
      using errcode = '23505', detail = 'expected_revision';
  end if;
  -- Saving what is already there (or clearing what was never written) appends nothing.
  if coalesce(v_current.body, '') is distinct from body then
    begin
      insert into public.playbook_revisions (tool_id, revision, body, author, restored_from)
      values (_append_playbook.tool_id, coalesce(v_current.revision, 0) + 1,
        _append_playbook.body, _append_playbook.author, _append_playbook.restored_from);
    exception when unique_violation then
      raise exception 'expected_revision: changed since you opened it; reload it and apply your edit again'
        using errcode = '23505', detail = 'expected_revision';
    end;
  end if;
  return (select to_jsonb(p) from public.tool_playbooks p where p.tool_id = _append_playbook.tool_id);
end
$$;

create function public._playbook_author(payload jsonb)
returns text
language plpgsql
set search_path = ''
as $$
begin
  return public._check_plain_text(
    public._require(public._text_field(payload, 'author', true, 120), 'author'), 'author', false);
end
$$;

-- Replace a tool's playbook: {slug, body, expected_revision, author}.
create function public.set_playbook(payload jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_body jsonb;
  v_text text;
  v_tool bigint;
  v_expected integer;
begin
  perform public._check_keys(payload, array['slug', 'body', 'expected_revision', 'author']);
  v_tool := public._tool_id(
    public._require(public._text_field(payload, 'slug', true, 64), 'slug'), 'slug');
  v_body := payload -> 'body';
  if v_body is null or jsonb_typeof(v_body) <> 'string' then
    perform public._raise_invalid('body', 'must be text (Markdown; empty clears the playbook)');
  end if;
  -- Browsers send CRLF from a textarea; one kind of line end keeps revisions comparable.
  v_text := replace(replace(v_body #>> '{}', E'\r\n', E'\n'), E'\r', E'\n');
  if length(v_text) > 50000 then
    perform public._raise_invalid('body', format(
      'must be at most 50000 characters (this one has %s); link to longer documents instead',
      length(v_text)));
  end if;
  perform public._check_plain_text(v_text, 'body', true);
  v_expected := public._revision_field(payload, 'expected_revision');
  if v_expected is null then
    perform public._raise_invalid('expected_revision',
      'is required: the revision you opened (0 before the first), so no edit is lost silently');
  end if;
  return public._append_playbook(v_tool, v_expected, v_text, public._playbook_author(payload), null);
end
$$;

-- Make an earlier revision current again, as a new revision: {slug, revision, author,
-- expected_revision (optional)}. History is never rewritten.
create function public.restore_playbook(payload jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_tool bigint;
  v_revision integer;
  v_body text;
begin
  perform public._check_keys(payload, array['slug', 'revision', 'expected_revision', 'author']);
  v_tool := public._tool_id(
    public._require(public._text_field(payload, 'slug', true, 64), 'slug'), 'slug');
  v_revision := public._revision_field(payload, 'revision');
  if v_revision is null then
    perform public._raise_invalid('revision', 'is required: the revision to make current again');
  end if;
  select r.body into v_body from public.playbook_revisions r
  where r.tool_id = v_tool and r.revision = v_revision;
  if v_body is null then
    raise exception 'revision: the playbook of "%" has no revision %', payload ->> 'slug', v_revision
      using errcode = 'P0002', detail = 'revision';
  end if;
  return public._append_playbook(v_tool, public._revision_field(payload, 'expected_revision'),
    v_body, public._playbook_author(payload), v_revision);
end
$$;

-- Who may do what: as for every other table (see 20261125120500_security.sql).
revoke all on public.playbook_revisions from public, anon, authenticated;
grant select on public.playbook_revisions to anon, authenticated;
grant select, insert, update, delete on public.playbook_revisions to service_role;
revoke all on public.tool_playbooks, public.playbook_history from public, anon, authenticated;
grant select on public.tool_playbooks, public.playbook_history
  to anon, authenticated, service_role;

revoke execute on function
  public.set_playbook(jsonb), public.restore_playbook(jsonb),
  public._check_plain_text(text, text, boolean), public._revision_field(jsonb, text),
  public._append_playbook(bigint, integer, text, text, integer), public._playbook_author(jsonb)
  from public, anon, authenticated;
grant execute on function
  public.set_playbook(jsonb), public.restore_playbook(jsonb),
  public._check_plain_text(text, text, boolean), public._revision_field(jsonb, text),
  public._append_playbook(bigint, integer, text, text, integer), public._playbook_author(jsonb)
  to service_role;

alter table public.playbook_revisions enable row level security;
create policy "readable by everyone" on public.playbook_revisions
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.playbook_revisions
  for all to service_role using (true) with check (true);

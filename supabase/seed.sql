-- The demo MarTech stack: believable tools, owners and the integrations between them.
-- Loading it twice changes nothing (ON CONFLICT DO NOTHING on the natural keys).
insert into public.tools (slug, name, category, vendor, owner, description) values
  ('salesforce', 'Salesforce Sales Cloud', 'CRM', 'Salesforce', 'Dana Whitfield', 'System of record for accounts, contacts and pipeline.'),
  ('hubspot', 'HubSpot Marketing Hub', 'Marketing automation', 'HubSpot', 'Priya Raman', 'Nurture programs, forms and lead scoring.'),
  ('marketo', 'Marketo Engage', 'Marketing automation', 'Adobe', 'Priya Raman', 'Enterprise programs nobody dares to migrate.'),
  ('segment', 'Segment', 'CDP', 'Twilio', 'Ravi Okafor', 'Collects events from every surface and fans them out.'),
  ('braze', 'Braze', 'Email', 'Braze', 'Lena Marsh', 'Lifecycle email, push and in-app messages.'),
  ('mailchimp', 'Mailchimp', 'Email', 'Intuit', 'Lena Marsh', 'Newsletters the founders still insist on.'),
  ('ga4', 'Google Analytics 4', 'Analytics', 'Google', 'Tomas Ibarra', 'Web analytics, sampled when it matters most.'),
  ('amplitude', 'Amplitude', 'Analytics', 'Amplitude', 'Tomas Ibarra', 'Product analytics and funnels.'),
  ('mixpanel', 'Mixpanel', 'Analytics', 'Mixpanel', 'Tomas Ibarra', 'The other product analytics tool, kept for one dashboard.'),
  ('google-ads', 'Google Ads', 'Ads', 'Google', 'Marcus Lee', 'Search and performance max campaigns.'),
  ('meta-ads', 'Meta Ads', 'Ads', 'Meta', 'Marcus Lee', 'Paid social on Facebook and Instagram.'),
  ('linkedin-ads', 'LinkedIn Ads', 'Ads', 'Microsoft', 'Marcus Lee', 'B2B paid social, priced accordingly.'),
  ('rockerbox', 'Rockerbox', 'Attribution', 'Rockerbox', 'Sofia Chen', 'Multi-touch attribution across paid and owned channels.'),
  ('appsflyer', 'AppsFlyer', 'Attribution', 'AppsFlyer', 'Sofia Chen', 'Mobile install attribution.'),
  ('gtm', 'Google Tag Manager', 'Tag management', 'Google', 'Ravi Okafor', 'Where tags go to multiply.'),
  ('tealium', 'Tealium iQ', 'Tag management', 'Tealium', 'Ravi Okafor', 'Server-side tags for the regulated markets.'),
  ('onetrust', 'OneTrust', 'Consent', 'OneTrust', 'Amara Nwosu', 'Cookie banner and consent records.'),
  ('snowflake', 'Snowflake', 'Warehouse', 'Snowflake', 'Jonas Berg', 'The warehouse every dashboard eventually queries.'),
  ('bigquery', 'BigQuery', 'Warehouse', 'Google', 'Jonas Berg', 'GA4 export and ad-hoc analysis.'),
  ('fivetran', 'Fivetran', 'ELT', 'Fivetran', 'Jonas Berg', 'Loads SaaS data into the warehouse on a schedule.'),
  ('hightouch', 'Hightouch', 'Reverse ETL', 'Hightouch', 'Jonas Berg', 'Syncs warehouse audiences back to the tools.'),
  ('census', 'Census', 'Reverse ETL', 'Fivetran', 'Jonas Berg', 'Legacy reverse ETL syncs, sunset planned since last year.'),
  ('contentful', 'Contentful', 'CMS', 'Contentful', 'Nadia Park', 'Headless CMS behind the website.'),
  ('webflow', 'Webflow', 'CMS', 'Webflow', 'Nadia Park', 'Landing pages shipped without engineering.'),
  ('intercom', 'Intercom', 'Chat', 'Intercom', 'Owen Gallagher', 'Website chat and support inbox.'),
  ('drift', 'Drift', 'Chat', 'Salesloft', 'Owen Gallagher', 'Conversational sales bot for high-intent pages.'),
  ('zapier', 'Zapier', 'Integration', 'Zapier', 'Priya Raman', 'The glue nobody documented.'),
  ('looker', 'Looker', 'BI', 'Google', 'Tomas Ibarra', 'Executive dashboards on top of Snowflake.')
on conflict (slug) do nothing;

insert into public.tool_integrations (source_id, target_id, flow)
select s.id, t.id, v.flow
from (values
  ('segment', 'amplitude', 'product events'),
  ('segment', 'mixpanel', 'product events'),
  ('segment', 'braze', 'user traits and events'),
  ('segment', 'snowflake', 'raw event stream'),
  ('segment', 'hubspot', 'identified users'),
  ('segment', 'google-ads', 'conversion events'),
  ('segment', 'meta-ads', 'conversion events (CAPI)'),
  ('gtm', 'ga4', 'page views and events'),
  ('gtm', 'google-ads', 'conversion tags'),
  ('gtm', 'linkedin-ads', 'insight tag'),
  ('onetrust', 'gtm', 'consent state'),
  ('onetrust', 'tealium', 'consent state'),
  ('tealium', 'meta-ads', 'server-side events'),
  ('hubspot', 'salesforce', 'MQLs and lead scores'),
  ('marketo', 'salesforce', 'program membership'),
  ('salesforce', 'hubspot', 'opportunity stages'),
  ('salesforce', 'fivetran', 'CRM objects'),
  ('hubspot', 'fivetran', 'email engagement'),
  ('fivetran', 'snowflake', 'SaaS tables'),
  ('ga4', 'bigquery', 'daily export'),
  ('bigquery', 'looker', 'web analytics models'),
  ('snowflake', 'looker', 'revenue models'),
  ('snowflake', 'hightouch', 'audiences'),
  ('snowflake', 'census', 'legacy audiences'),
  ('hightouch', 'braze', 'audience syncs'),
  ('hightouch', 'google-ads', 'customer match lists'),
  ('hightouch', 'meta-ads', 'custom audiences'),
  ('census', 'mailchimp', 'newsletter segments'),
  ('google-ads', 'rockerbox', 'spend and clicks'),
  ('meta-ads', 'rockerbox', 'spend and impressions'),
  ('linkedin-ads', 'rockerbox', 'spend'),
  ('rockerbox', 'snowflake', 'attributed conversions'),
  ('appsflyer', 'segment', 'install attribution'),
  ('contentful', 'webflow', 'content entries'),
  ('webflow', 'hubspot', 'form submissions'),
  ('intercom', 'salesforce', 'conversations as activities'),
  ('drift', 'salesforce', 'booked meetings'),
  ('zapier', 'mailchimp', 'webinar sign-ups'),
  ('intercom', 'segment', 'chat events')
) as v (source, target, flow)
join public.tools s on s.slug = v.source
join public.tools t on t.slug = v.target
on conflict (source_id, target_id) do nothing;

-- The public status page of each seeded vendor that publishes an Atlassian Statuspage, kept as
-- the check's documented alternative: the check stays simulated (a first run may be offline and
-- the demo must not depend on the network). `worksinprod tools check SLUG --statuspage URL`
-- makes it real. Vendors whose page is not a Statuspage, or whose URL we have not confirmed,
-- are left out rather than guessed.
insert into public.tool_checks (tool_id, kind, config)
select t.id, 'simulated', jsonb_build_object('statuspage_url', v.url)
from (values
  ('hubspot', 'https://status.hubspot.com'),
  ('segment', 'https://status.segment.com'),
  ('braze', 'https://status.braze.com'),
  ('amplitude', 'https://status.amplitude.com'),
  ('mixpanel', 'https://www.mixpanelstatus.com'),
  ('zapier', 'https://status.zapier.com'),
  ('snowflake', 'https://status.snowflake.com'),
  ('contentful', 'https://www.contentfulstatus.com'),
  ('webflow', 'https://status.webflow.com')
) as v (slug, url)
join public.tools t on t.slug = v.slug
on conflict (tool_id) do nothing;

-- A few playbooks, so the tool pages show what one looks like. Revision 1 only: loading the seed
-- again, or after someone has written their own, changes nothing.
insert into public.playbook_revisions (tool_id, revision, body, author)
select t.id, 1, v.body, 'Works in Prod demo'
from (values
  ('segment', $md$# When Segment breaks

Everything downstream goes quiet at once, which is how you will notice.

## Vendor contacts

- Support: the Segment workspace, **Help > Contact support**. Mention the workspace slug.
- Account manager: ask Ravi; he has the number and the patience.

## Status page

- <https://status.segment.com>

## What to pause

- Braze campaigns triggered by events. A late event is better than a welcome email sent twice.
- Hightouch syncs that read event tables, until the backfill lands.

## Who to tell

- Ravi Okafor (owner), then `#marketing-ops`.
- Analytics: Amplitude and Mixpanel will show a dip that is not a real dip.

## How to verify recovery

1. A test `track` call from staging shows in the debugger.
2. Event volume is back within 10% of last week's same hour.
3. Replays are done. Then, and only then, unpause Braze.
$md$),
  ('hubspot', $md$# When HubSpot breaks

Forms still look fine. They are not fine.

## Vendor contacts

- Support: HubSpot portal, **Help > Support**, Enterprise plan (answer time: "soon").
- Account manager: Priya has the name; the name changes every quarter.

## Status page

- <https://status.hubspot.com>

## What to pause

- Nurture workflows that branch on lead score: scores are stale.
- The Salesforce sync, if MQLs are arriving twice.

## Who to tell

- Priya Raman (owner) and the SDR team lead: no new MQLs is not a quiet day.

## How to verify recovery

1. Submit the test form on the pricing page; the contact appears within five minutes.
2. The sync error log in Salesforce stops growing.
$md$),
  ('salesforce', $md$# When Salesforce breaks

The system of record is unrecordable. Sales will tell you before the heartbeat does.

## Vendor contacts

- Support: Salesforce Help, Premier Success plan, severity 1 if opportunities cannot be saved.

## Status page

- <https://status.salesforce.com>, then find our instance (it is not the one you think).

## What to pause

- HubSpot and Marketo syncs: they will retry into a wall and trip API limits for the rest of the day.

## Who to tell

- Dana Whitfield (owner), RevOps, and whoever is running this quarter's forecast call.

## How to verify recovery

1. Create and delete a test lead.
2. API usage is under 50% of the daily limit after the syncs resume.
$md$),
  ('gtm', $md$# When Google Tag Manager breaks

Usually it did not break. Someone published.

## What to pause

- Publishing. Lock the container: **Admin > User management**, read-only for everyone but Ravi.

## Who to tell

- Ravi Okafor (owner); Marcus, because conversion tags for Google Ads live here.

## How to verify recovery

1. Roll back to the last version that worked: **Versions**, the one before the one named "small fix".
2. Preview mode on the homepage and the checkout: consent fires first, GA4 second, ads last.
$md$),
  ('zapier', $md$# When Zapier breaks

Nobody knows what it does, so nobody knows what stopped. Start here.

## What to pause

- Nothing. Pausing a Zap that nobody documented is how we found out what the last one did.

## Who to tell

- Priya Raman (owner, by elimination).
- Whoever gets the webinar sign-ups in Mailchimp: they will stop.

## How to verify recovery

1. **Zap history** shows runs again, with no red rows.
2. Document one Zap while you are in there. Just one.
$md$)
) as v (slug, body)
join public.tools t on t.slug = v.slug
on conflict (tool_id, revision) do nothing;

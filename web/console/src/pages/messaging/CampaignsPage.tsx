import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { KIND_LABELS, messagingApi, messagingPaths, type Campaign, type Segment, type Template } from '../../messaging-api';
import { Link, navigate } from '../../router';
import { CampaignStatusBadge, ChannelTag, SectionHead } from '../../components/messaging/ui';
import { ErrorMessage, Spinner } from '../../components/ui';

interface Lists {
  campaigns: Campaign[];
  templates: Template[];
  segments: Segment[];
}

export function CampaignsPage() {
  useDocumentTitle('Campaigns');
  const data = useResource<Lists>('campaigns', async (signal) => {
    const [campaigns, templates, segments] = await Promise.all([
      messagingApi.campaigns(signal),
      messagingApi.templates(signal),
      messagingApi.segments(signal),
    ]);
    return { campaigns: campaigns.items, templates: templates.items, segments: segments.items };
  });
  const lists = data.data;

  return (
    <>
      <SectionHead title="Campaigns">
        <Link to={messagingPaths.newCampaign} className="btn btn-primary" data-testid="new-campaign">
          New campaign
        </Link>
      </SectionHead>
      {data.error !== null && <ErrorMessage error={data.error} onRetry={data.reload} />}
      {!lists && data.loading && <Spinner label="Loading campaigns…" />}
      {lists && lists.campaigns.length === 0 && <NoCampaigns lists={lists} />}
      {lists && lists.campaigns.length > 0 && <CampaignTable lists={lists} />}
    </>
  );
}

function NoCampaigns({ lists }: { lists: Lists }) {
  return (
    <div className="empty-state" data-testid="campaigns-empty">
      <p>There are no campaigns yet. A campaign sends a template to the customers of a segment, once, on a date, on a schedule or when something happens.</p>
      {lists.templates.length === 0 ? (
        <p>
          Start with a <Link to={messagingPaths.newTemplate}>template</Link>
          {lists.segments.length === 0 && (
            <>
              {' '}
              and a <Link to={messagingPaths.newSegment}>segment</Link>
            </>
          )}
          .
        </p>
      ) : (
        <Link to={messagingPaths.newCampaign} className="btn btn-primary">
          Create the first campaign
        </Link>
      )}
    </div>
  );
}

function CampaignTable({ lists }: { lists: Lists }) {
  const templates = new Map(lists.templates.map((t) => [t.id, t]));
  const segments = new Map(lists.segments.map((s) => [s.id, s]));
  return (
    <table className="table table-stack results-table" data-testid="campaigns">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Kind</th>
          <th scope="col">Template</th>
          <th scope="col">Audience</th>
          <th scope="col">When</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {lists.campaigns.map((c) => {
          const template = templates.get(c.templateId);
          const segment = c.segmentId !== null ? segments.get(c.segmentId) : undefined;
          return (
            <tr
              key={c.id}
              className="clickable"
              data-testid="campaign-row"
              data-campaign-id={c.id}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest('a')) return;
                navigate(messagingPaths.campaign(c.id));
              }}
            >
              <td data-label="Name" className="cell-name">
                <Link to={messagingPaths.campaign(c.id)}>{c.name}</Link>
              </td>
              <td data-label="Status">
                <CampaignStatusBadge status={c.status} />
              </td>
              <td data-label="Kind">{KIND_LABELS[c.kind] ?? c.kind}</td>
              <td data-label="Template" className="wrap">
                {template ? (
                  <span className="msg-template-cell">
                    <Link to={messagingPaths.template(template.id)}>{template.name}</Link>
                    <ChannelTag channel={template.channel} />
                  </span>
                ) : (
                  <span className="muted">#{c.templateId}</span>
                )}
              </td>
              <td data-label="Audience" className="wrap">
                {c.kind === 'triggered' ? (
                  <span className="muted">on event</span>
                ) : segment ? (
                  <Link to={messagingPaths.segment(segment.id)}>{segment.name}</Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td data-label="When">{whenOf(c)}</td>
              <td data-label="Created">
                <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** When a campaign sends: at once, at a time, on a cron schedule (UTC), or on an event. */
export function whenOf(c: Campaign) {
  switch (c.kind) {
    case 'one_off':
      return <span className="muted">when started</span>;
    case 'scheduled':
      return c.sendAt ? <time dateTime={c.sendAt}>{formatDateTime(c.sendAt)}</time> : '—';
    case 'recurring':
      return (
        <span>
          <code>{c.cron}</code> <span className="muted">UTC</span>
        </span>
      );
    case 'triggered':
      return (
        <span>
          on <code>{c.triggerName}</code>
        </span>
      );
    default:
      return '—';
  }
}

import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { messagingApi, messagingPaths, type Template } from '../../messaging-api';
import { Link, navigate } from '../../router';
import { ChannelTag, SectionHead } from '../../components/messaging/ui';
import { ErrorMessage, Spinner } from '../../components/ui';

export function TemplatesPage() {
  useDocumentTitle('Templates');
  const templates = useResource('templates', (signal) => messagingApi.templates(signal));
  const items = templates.data?.items;

  return (
    <>
      <SectionHead title="Templates">
        <Link to={messagingPaths.newTemplate} className="btn btn-primary" data-testid="new-template">
          New template
        </Link>
      </SectionHead>
      {templates.error !== null && <ErrorMessage error={templates.error} onRetry={templates.reload} />}
      {!items && templates.loading && <Spinner label="Loading templates…" />}
      {items && items.length === 0 && (
        <div className="empty-state" data-testid="templates-empty">
          <p>There are no templates yet. A template is the subject and text of a message, with placeholders for each customer.</p>
          <Link to={messagingPaths.newTemplate} className="btn btn-primary">
            Write the first template
          </Link>
        </div>
      )}
      {items && items.length > 0 && <TemplateTable items={items} />}
    </>
  );
}

function TemplateTable({ items }: { items: Template[] }) {
  return (
    <table className="table table-stack results-table" data-testid="templates">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Channel</th>
          <th scope="col">Subject</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {items.map((t) => (
          <tr
            key={t.id}
            className="clickable"
            data-testid="template-row"
            onClick={(e) => {
              if ((e.target as HTMLElement).closest('a')) return;
              navigate(messagingPaths.template(t.id));
            }}
          >
            <td data-label="Name" className="cell-name">
              <Link to={messagingPaths.template(t.id)}>{t.name}</Link>
            </td>
            <td data-label="Channel">
              <ChannelTag channel={t.channel} />
            </td>
            <td data-label="Subject" className="wrap">
              {t.subject}
            </td>
            <td data-label="Updated">
              <time dateTime={t.updatedAt}>{formatDateTime(t.updatedAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

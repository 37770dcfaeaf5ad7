import '../../messaging.css';
import { canUseMessaging, messagingPaths } from '../../messaging-api';
import { Link } from '../../router';
import { useSession } from '../../session';
import { CampaignNewPage } from './CampaignNewPage';
import { CampaignPage } from './CampaignPage';
import { CampaignsPage } from './CampaignsPage';
import { SegmentEditorPage } from './SegmentEditorPage';
import { SegmentsPage } from './SegmentsPage';
import { SendLogPage } from './SendLogPage';
import { TemplateEditorPage } from './TemplateEditorPage';
import { TemplatesPage } from './TemplatesPage';

type Tab = 'campaigns' | 'templates' | 'segments' | 'sendLog';

type MessagingRoute =
  | { name: 'campaigns' }
  | { name: 'newCampaign' }
  | { name: 'campaign'; id: number }
  | { name: 'templates' }
  | { name: 'template'; id: number | null }
  | { name: 'segments' }
  | { name: 'segment'; id: number | null }
  | { name: 'sendLog' }
  | { name: 'notFound' };

/** Everything under /messaging belongs to this section. */
export function isMessagingPath(pathname: string): boolean {
  return pathname === '/messaging' || pathname.startsWith('/messaging/');
}

const positiveId = (text: string | undefined) => (text && /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : null);

function matchMessagingRoute(pathname: string): MessagingRoute {
  const path = pathname.replace(/\/+$/, '');
  const parts = path.split('/').slice(2); // after "", "messaging"
  const [section, id, ...rest] = parts;
  if (rest.length) return { name: 'notFound' };
  if (section === undefined || (section === 'campaigns' && id === undefined)) return { name: 'campaigns' };
  if (section === 'send-log' && id === undefined) return { name: 'sendLog' };
  if (section === 'campaigns') {
    if (id === 'new') return { name: 'newCampaign' };
    const n = positiveId(id);
    return n ? { name: 'campaign', id: n } : { name: 'notFound' };
  }
  if (section === 'templates' || section === 'segments') {
    if (id === undefined) return { name: section };
    const n = id === 'new' ? null : positiveId(id);
    if (id !== 'new' && n === null) return { name: 'notFound' };
    return { name: section === 'templates' ? 'template' : 'segment', id: n };
  }
  return { name: 'notFound' };
}

const TAB_OF: Record<MessagingRoute['name'], Tab | null> = {
  campaigns: 'campaigns',
  newCampaign: 'campaigns',
  campaign: 'campaigns',
  templates: 'templates',
  template: 'templates',
  segments: 'segments',
  segment: 'segments',
  sendLog: 'sendLog',
  notFound: null,
};

const TABS: { tab: Tab; label: string; to: string }[] = [
  { tab: 'campaigns', label: 'Campaigns', to: messagingPaths.campaigns },
  { tab: 'templates', label: 'Templates', to: messagingPaths.templates },
  { tab: 'segments', label: 'Segments', to: messagingPaths.segments },
  { tab: 'sendLog', label: 'Send log', to: messagingPaths.sendLog() },
];

/** The messaging pages: campaigns, templates, segments and the send log, under one set of tabs. */
export function MessagingSection({ pathname }: { pathname: string }) {
  const { staff } = useSession();
  const route = matchMessagingRoute(pathname);
  const current = TAB_OF[route.name];

  if (!canUseMessaging(staff)) {
    return (
      <main id="main" className="page page-narrow">
        <h1>Messaging</h1>
        <div className="alert alert-info">Messaging is for marketing staff. Your role ({staff.role}) cannot use it.</div>
      </main>
    );
  }

  return (
    <main id="main" className="page msg-page" data-testid="messaging">
      <nav className="msg-tabs" aria-label="Messaging">
        {TABS.map((t) => (
          <Link
            key={t.tab}
            to={t.to}
            className="msg-tab"
            aria-current={current === t.tab ? 'page' : undefined}
            data-testid={`messaging-tab-${t.tab}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <RoutePage route={route} />
    </main>
  );
}

function RoutePage({ route }: { route: MessagingRoute }) {
  switch (route.name) {
    case 'campaigns':
      return <CampaignsPage />;
    case 'newCampaign':
      return <CampaignNewPage />;
    case 'campaign':
      return <CampaignPage key={route.id} id={route.id} />;
    case 'templates':
      return <TemplatesPage />;
    case 'template':
      return <TemplateEditorPage key={route.id ?? 'new'} id={route.id} />;
    case 'segments':
      return <SegmentsPage />;
    case 'segment':
      return <SegmentEditorPage key={route.id ?? 'new'} id={route.id} />;
    case 'sendLog':
      return <SendLogPage />;
    default:
      return (
        <div className="empty-state">
          <h1>Page not found</h1>
          <p>
            <Link to={messagingPaths.campaigns}>Go to campaigns</Link>
          </p>
        </div>
      );
  }
}

import { useId } from 'react';

interface Placeholder {
  code: string;
  insert?: string;
  meaning: string;
}

const CUSTOMER: Placeholder[] = [
  { code: '{{customer.name}}', meaning: 'Name' },
  { code: '{{customer.nameReading}}', meaning: 'Reading (kana)' },
  { code: '{{customer.registrationNo}}', meaning: 'Registration no. (formatted)' },
  { code: '{{customer.customerNumber}}', meaning: 'Customer no.' },
  { code: '{{customer.prefecture}}', meaning: 'Prefecture (also city, postalCode, addressLine1 …)' },
  { code: '{{customer.rank}}', meaning: 'Rank' },
];

const OTHER: Placeholder[] = [
  { code: '{{trigger.…}}', insert: '{{trigger.}}', meaning: 'Data of the event that triggered the message (triggered campaigns)' },
  { code: '{{unsubscribeUrl}}', meaning: 'The customer’s unsubscribe link (added to e-mails that lack it)' },
  { code: '{{campaign.name}}', meaning: 'The campaign’s name' },
];

interface Props {
  /** Names other modules add data under (points, recommendations…). */
  providers: string[];
  /** Where an inserted placeholder goes, e.g. "Text"; null when no field was chosen yet. */
  target: string | null;
  onInsert: (text: string) => void;
}

/** The placeholders a template may use; each one can be inserted at the cursor of the last field used. */
export function PlaceholderHelp({ providers, target, onInsert }: Props) {
  const id = useId();
  const row = (p: Placeholder) => (
    <li key={p.code}>
      <button
        type="button"
        className="msg-code-button"
        onClick={() => onInsert(p.insert ?? p.code)}
        aria-describedby={`${id}-target`}
        title={target ? `Insert into ${target}` : 'Insert'}
      >
        <code>{p.code}</code>
      </button>
      <span className="muted">{p.meaning}</span>
    </li>
  );
  return (
    <aside className="card msg-help" aria-labelledby={`${id}-title`} data-testid="placeholder-help">
      <h2 id={`${id}-title`}>Placeholders</h2>
      <p className="hint" id={`${id}-target`}>
        Select one to insert it {target ? <>into <strong>{target}</strong></> : 'into the text'} at the cursor.
      </p>
      <h3 className="msg-help-group">Customer</h3>
      <ul className="msg-help-list">{CUSTOMER.map(row)}</ul>
      <h3 className="msg-help-group">Message</h3>
      <ul className="msg-help-list">{OTHER.map(row)}</ul>
      <h3 className="msg-help-group">Sections</h3>
      <ul className="msg-help-list">
        {row({ code: '{{#x}}…{{/x}}', insert: '{{#x}}{{/x}}', meaning: 'Shown when x is present; repeated for each item of a list' })}
        {row({ code: '{{^x}}…{{/x}}', insert: '{{^x}}{{/x}}', meaning: 'Shown when x is missing or empty' })}
        {providers.map((name) =>
          row({ code: `{{#${name}}}…{{/${name}}}`, insert: `{{#${name}}}{{/${name}}}`, meaning: `Data from the ${name} module` }),
        )}
      </ul>
      <p className="hint">
        Subjects and text are sent as written; in HTML, values are escaped.
      </p>
    </aside>
  );
}

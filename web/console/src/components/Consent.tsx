import { useState } from 'react';
import { api } from '../api';
import { CHANNEL_LABELS, formatDateTime } from '../format';
import type { ConsentChannel, ConsentState, Customer } from '../types';
import { ErrorMessage, useToast } from './ui';

interface Props {
  customer: Customer;
  editable: boolean;
  onChanged: (customer: Customer) => void;
}

const CHANNELS: { channel: ConsentChannel; key: 'email' | 'postalMail' }[] = [
  { channel: 'email', key: 'email' },
  { channel: 'postal_mail', key: 'postalMail' },
];

export function Consent({ customer, editable, onChanged }: Props) {
  const [busy, setBusy] = useState<ConsentChannel | null>(null);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();

  const toggle = async (channel: ConsentChannel, granted: boolean) => {
    setBusy(channel);
    setError(null);
    try {
      const updated = await api.setConsent(customer.customerNumber, channel, granted);
      toast(`${CHANNEL_LABELS[channel]} consent ${granted ? 'granted' : 'withdrawn'}`);
      onChanged(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card" aria-labelledby="consent-title" data-testid="consent">
      <div className="card-head">
        <h2 id="consent-title">Consent</h2>
      </div>
      <ul className="consent-list">
        {CHANNELS.map(({ channel, key }) => {
          const state: ConsentState | null = customer.consent[key];
          return (
            <li key={channel} className="consent-row" data-testid={`consent-${channel}`}>
              <div className="consent-main">
                <span className="consent-channel">{CHANNEL_LABELS[channel]}</span>
                <span className={`pill ${state === null ? 'pill-none' : state.granted ? 'pill-yes' : 'pill-no'}`}>
                  {state === null ? 'Not recorded' : state.granted ? 'Granted' : 'Withdrawn'}
                </span>
              </div>
              <div className="consent-meta muted">
                {state === null ? (
                  'No consent recorded yet'
                ) : (
                  <>
                    <time dateTime={state.at}>{formatDateTime(state.at)}</time> · source {state.source} · via {state.surface}
                  </>
                )}
              </div>
              {editable && (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={busy !== null}
                  onClick={() => toggle(channel, !state?.granted)}
                >
                  {busy === channel ? 'Saving…' : state?.granted ? 'Withdraw' : 'Grant'}
                  <span className="visually-hidden"> {CHANNEL_LABELS[channel]} consent</span>
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {error !== null && <ErrorMessage error={error} />}
    </section>
  );
}

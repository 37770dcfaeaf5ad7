import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { useDocumentTitle } from '../hooks';
import type { Session } from '../types';

interface Props {
  onLoggedIn: (session: Session) => void;
  /** Set when the person was sent here because their session ended. */
  expired: boolean;
}

export function LoginPage({ onLoggedIn, expired }: Props) {
  useDocumentTitle('Log in');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const waitSeconds = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));

  useEffect(() => {
    if (retryAt === null) return;
    const timer = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= retryAt) {
        setRetryAt(null);
        setError(null);
      }
    }, 250);
    return () => window.clearInterval(timer);
  }, [retryAt]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || waitSeconds > 0) return;
    if (!username.trim() || !password) {
      setError('Enter your username and password');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await api.login(username.trim(), password);
      onLoggedIn(session);
    } catch (err) {
      setBusy(false);
      setPassword('');
      if (err instanceof ApiError && err.status === 429) {
        const seconds = Number(err.details.retryAfterSeconds);
        const wait = Number.isFinite(seconds) && seconds > 0 ? seconds : 30;
        setNow(Date.now());
        setRetryAt(Date.now() + wait * 1000);
        setError(null);
      } else if (err instanceof ApiError && err.status === 401) {
        setError('Wrong username or password');
      } else {
        setError(err instanceof Error ? err.message : 'Could not log in');
      }
    }
  };

  return (
    <main id="main" className="login-page">
      <form className="card login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">C</span> Clientele
        </div>
        <h1 id="login-title">Staff console</h1>
        {expired && !error && waitSeconds === 0 && (
          <div className="alert alert-info" role="status">
            Your session has ended. Log in again to continue.
          </div>
        )}
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <div aria-live="assertive" className="login-messages">
          {waitSeconds > 0 && (
            <div className="alert alert-error" data-testid="login-error">
              Too many attempts, try again in {waitSeconds} s
            </div>
          )}
          {error && waitSeconds === 0 && (
            <div className="alert alert-error" data-testid="login-error">
              {error}
            </div>
          )}
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || waitSeconds > 0}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}

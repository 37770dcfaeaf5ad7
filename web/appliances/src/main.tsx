import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { login, me, messageOf, type Staff } from './api';
import { AnalysisPage } from './AnalysisPage';
import { BillingPage } from './BillingPage';
import { CatalogPage } from './CatalogPage';
import { CustomerPage } from './CustomerPage';
import { useRoute } from './route';
import './styles.css';

const ALLOWED = new Set(['admin', 'sales']);

function Login(props: { onDone(staff: Staff): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      props.onDone(await login(username, password));
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form className="login" onSubmit={(e) => void submit(e)}>
      <h1>Clientele — appliances</h1>
      <p className="muted">Log in with your console account (admin or sales).</p>
      <label>
        Username
        <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required />
      </label>
      <label>
        Password
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit">Log in</button>
    </form>
  );
}

function App() {
  const [staff, setStaff] = useState<Staff | null | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    me()
      .then(setStaff)
      .catch(() => setStaff(null));
  }, []);
  if (staff === undefined) return <p className="muted page">Loading…</p>;
  if (staff === null) return <Login onDone={setStaff} />;
  if (!ALLOWED.has(staff.role)) {
    return (
      <p className="page error">
        The appliance screens are for admin and sales staff. <a href="/">Back to the console</a>
      </p>
    );
  }
  const isAdmin = staff.role === 'admin';
  const tab = (name: string, href: string, label: string) => (
    <a href={href} aria-current={route.name === name ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <a className="brand" href="/" title="Back to the console">
          Clientele
        </a>
        <nav aria-label="Appliances">
          {tab('analysis', '#/analysis', 'Analysis 分析')}
          {tab('customer', '#/customer', 'Customers 顧客')}
          {tab('billing', '#/billing', 'Billing 料金')}
          {tab('catalog', '#/catalog', 'Catalog 商品')}
        </nav>
        <span className="who" data-testid="current-staff">
          {staff.displayName} ({staff.role})
        </span>
      </header>
      <main className="page">
        {route.name === 'analysis' && <AnalysisPage />}
        {route.name === 'customer' && <CustomerPage customerNumber={route.customerNumber} month={route.month} />}
        {route.name === 'billing' && <BillingPage month={route.month} customerNumber={route.customerNumber} isAdmin={isAdmin} />}
        {route.name === 'catalog' && <CatalogPage isAdmin={isAdmin} />}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

import { useEffect, useState, type FormEvent } from 'react';
import { api, type ApiError, type Me } from './api';
import { t, type Lang } from './i18n';

export function Login({ lang, onSignedIn }: { lang: Lang; onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [provider, setProvider] = useState<{ name: string; loginUrl: string } | null>(null);

  useEffect(() => {
    api.providers().then((p) => setProvider(p.oidc), () => setProvider(null));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.login(username, password);
      window.history.replaceState(null, '', '/inbox');
      onSignedIn(me);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card login" onSubmit={submit} aria-labelledby="login-title">
      <h2 id="login-title">{t(lang, 'signIn')}</h2>
      {provider && (
        <>
          {/* A plain link: the console's server sends the browser on to the provider (code flow). */}
          <a className="button primary" href={provider.loginUrl}>
            {t(lang, 'signInWith').replace('{name}', provider.name)}
          </a>
          <p>{t(lang, 'orLocal')}</p>
        </>
      )}
      <label htmlFor="username">{t(lang, 'username')}</label>
      <input id="username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
      <label htmlFor="password">{t(lang, 'password')}</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error.message[lang]}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {t(lang, 'signIn')}
      </button>
    </form>
  );
}

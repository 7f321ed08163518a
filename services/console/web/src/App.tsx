import { useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken, type ApiError, type Me } from './api';
import { CasePage } from './CasePage';
import { Inbox } from './Inbox';
import { t, type Lang } from './i18n';
import { Login } from './Login';

/** Client-side routes hold ids only: `/inbox`, `/cases/<caseId>`. */
function currentRoute(): { page: 'inbox' } | { page: 'case'; caseId: string } {
  const m = /^\/cases\/([A-Za-z0-9_.:-]+)$/.exec(window.location.pathname);
  return m ? { page: 'case', caseId: decodeURIComponent(m[1]!) } : { page: 'inbox' };
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

function initialLang(): Lang {
  const saved = window.localStorage.getItem('portico.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [route, setRoute] = useState(currentRoute);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t(lang, 'title');
    window.localStorage.setItem('portico.lang', lang);
  }, [lang]);

  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const signedIn = useCallback((m: Me) => {
    setCsrfToken(m.csrfToken);
    setMe(m);
  }, []);

  useEffect(() => {
    api.me().then(signedIn, (e: ApiError) => (e.status === 401 ? setMe(null) : setMe(null)));
  }, [signedIn]);

  const toggle = (
    <button type="button" className="lang" aria-label={t(lang, 'languageLabel')} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
      {t(lang, 'language')}
    </button>
  );

  if (me === undefined) return null;
  if (me === null)
    return (
      <>
        <header className="bar">
          <h1>{t(lang, 'title')}</h1>
          {toggle}
        </header>
        <main id="main">
          <Login lang={lang} onSignedIn={signedIn} />
        </main>
      </>
    );

  const logout = async () => {
    await api.logout().catch(() => undefined);
    setMe(null);
    navigate('/login');
  };

  return (
    <>
      <header className="bar">
        <h1>{t(lang, 'title')}</h1>
        <span className="who">{me.subject}</span>
        {toggle}
        <button type="button" onClick={logout}>
          {t(lang, 'signOut')}
        </button>
      </header>
      <main id="main">
        {route.page === 'case' ? <CasePage lang={lang} caseId={route.caseId} /> : <Inbox lang={lang} me={me} />}
      </main>
    </>
  );
}

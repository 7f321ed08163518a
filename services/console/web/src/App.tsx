import { useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken, type ApiError, type Me } from './api';
import { Inbox } from './Inbox';
import { t, type Lang } from './i18n';
import { Login } from './Login';
import { ParcelPage } from './ParcelPage';
import { ReviewPage } from './ReviewPage';
import { SearchPage } from './SearchPage';

type Route = { page: 'inbox' } | { page: 'search' } | { page: 'reviews' } | { page: 'parcel'; parcelId: string };

/** Client-side routes hold ids only: `/inbox`, `/search`, `/reviews`, `/parcels/<parcelId>` (never search text). */
function currentRoute(): Route {
  const path = window.location.pathname;
  const m = /^\/parcels\/(prc_[0-9a-f]{32})$/.exec(path);
  if (m) return { page: 'parcel', parcelId: m[1]! };
  if (path === '/search') return { page: 'search' };
  if (path === '/reviews') return { page: 'reviews' };
  return { page: 'inbox' };
}

function NavLink({ path, label, current }: { path: string; label: string; current: boolean }) {
  return (
    <a href={path} aria-current={current ? 'page' : undefined} onClick={(e) => (e.preventDefault(), navigate(path))}>
      {label}
    </a>
  );
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
    const answer = await api.logout().catch(() => null);
    setMe(null);
    // An OIDC session also ends at the provider (RP-initiated logout), which sends the browser back.
    if (answer?.endSessionUrl) window.location.assign(answer.endSessionUrl);
    else navigate('/login');
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
      <nav className="nav" aria-label={t(lang, 'nav')}>
        <NavLink path="/inbox" label={t(lang, 'inbox')} current={route.page === 'inbox'} />
        <NavLink path="/search" label={t(lang, 'searchNav')} current={route.page === 'search'} />
        <NavLink path="/reviews" label={t(lang, 'reviewNav')} current={route.page === 'reviews'} />
      </nav>
      <main id="main">
        {route.page === 'parcel' ? (
          <ParcelPage key={route.parcelId} lang={lang} parcelId={route.parcelId} />
        ) : route.page === 'search' ? (
          <SearchPage lang={lang} me={me} />
        ) : route.page === 'reviews' ? (
          <ReviewPage lang={lang} me={me} />
        ) : (
          <Inbox lang={lang} me={me} />
        )}
      </main>
    </>
  );
}

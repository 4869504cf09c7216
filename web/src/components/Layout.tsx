import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { useSession } from '../session';

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [exact] = useRoute(href);
  const [nested] = useRoute(`${href}/*`);
  const active = exact || (href !== '/' && nested);
  return (
    <Link href={href} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Vigil
        </Link>
        <nav aria-label="Main">
          <NavLink href="/">Apps</NavLink>
          <NavLink href="/incidents">Incidents</NavLink>
          <NavLink href="/postmortems">Postmortems</NavLink>
          <NavLink href="/channels">Channels</NavLink>
          <NavLink href="/silences">Silences</NavLink>
        </nav>
        <div className="who">
          <span className="muted">{session.name}</span>
          <button type="button" className="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

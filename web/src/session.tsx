import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthorized, setCsrfToken } from './api';
import type { SessionInfo } from './types';

interface SessionState {
  /** undefined while the dashboard asks whether this browser has a session; null: signed out. */
  session: SessionInfo | null | undefined;
  signIn: (token: string, name: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Why the operator is looking at the sign-in form again, if it was not their choice. */
  notice: string | null;
}

const Context = createContext<SessionState | null>(null);

export function useSession(): SessionState & { session: SessionInfo } {
  const state = useContext(Context);
  if (!state?.session) throw new Error('useSession outside a signed-in dashboard');
  return state as SessionState & { session: SessionInfo };
}

export function useSessionState(): SessionState {
  const state = useContext(Context);
  if (!state) throw new Error('useSessionState outside SessionProvider');
  return state;
}

/** Holds the session: asks the API once at start, signs in and out, and drops it when any call answers 401. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  const adopt = useCallback((s: SessionInfo | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setSession(s);
  }, []);

  useEffect(() => {
    api<SessionInfo>('/v1/session')
      .then(adopt)
      .catch(() => adopt(null));
    return onUnauthorized(() => {
      setNotice('Your session has ended. Sign in again.');
      adopt(null);
    });
  }, [adopt]);

  const signIn = useCallback(
    async (token: string, name: string) => {
      const s = await api<SessionInfo>('/v1/session', { json: { token, ...(name ? { name } : {}) } });
      setNotice(null);
      adopt(s);
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await api('/v1/session', { method: 'DELETE' });
    } catch (err) {
      // Already gone server-side is what signing out wants anyway.
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    setNotice('You are signed out.');
    adopt(null);
  }, [adopt]);

  const value = useMemo(() => ({ session, signIn, signOut, notice }), [session, signIn, signOut, notice]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

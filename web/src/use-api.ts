import { useCallback, useEffect, useState } from 'react';
import { api } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetches again; the current data stays on screen meanwhile. */
  reload: () => void;
  /** Replaces the data with what a write answered, without another round trip. */
  set: (value: T) => void;
}

interface State<T> {
  /** Which request (path and reload count) the data or error answers. */
  key: string | null;
  data?: T;
  error?: Error;
}

/**
 * GET `path` (null: nothing to fetch yet), again whenever it changes or `refreshMs` passes. A request overtaken by a
 * newer one is aborted, so a quick range switch never shows the older chart.
 */
export function useApi<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<State<T>>({ key: null });
  const [tick, setTick] = useState(0);
  const key = path === null ? null : `${tick}:${path}`;

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    const answered = `${tick}:${path}`;
    api<T>(path, { signal: controller.signal })
      .then((data) => {
        if (!controller.signal.aborted) setState({ key: answered, data });
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof Error ? err : new Error(String(err));
        setState((s) => ({ key: answered, data: s.data, error }));
      });
    return () => controller.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!refreshMs || path === null) return;
    const timer = setInterval(() => {
      // A hidden tab does not need fresh numbers, and its polls would keep an idle session alive.
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, path]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState((s) => ({ ...s, data, error: undefined })), []);
  return { data: state.data, error: state.error, loading: key !== null && state.key !== key, reload, set };
}

/** The wall clock as state, moved every `everyMs`: render stays pure, and "going on for 5 min" keeps counting. */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

import { useCallback, useState } from 'react';

export interface Action {
  busy: boolean;
  /** The last attempt's failure, until the next attempt. */
  error: unknown;
  /** Runs one write; true when it went through. Buttons disable on `busy`, errors show from `error`. */
  run: (work: () => Promise<unknown>) => Promise<boolean>;
}

/** The state every button and form of the dashboard needs around a write: busy while it runs, its error after. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

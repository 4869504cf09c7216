import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { Field } from '../components/Field';
import { useSessionState } from '../session';
import { useAction } from '../use-action';

/** The admin token starts a session; the name is who timelines and postmortem edits will say acted. */
export function SignIn() {
  const { signIn, notice } = useSessionState();
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const { busy, error: failure, run } = useAction();
  const error = failure
    ? failure instanceof ApiError && failure.status === 401
      ? 'That is not the admin token.'
      : failure instanceof Error
        ? failure.message
        : JSON.stringify(failure)
    : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() => signIn(token.trim(), name.trim()));
  };

  return (
    <main className="sign-in" id="main">
      <h1>Vigil</h1>
      <p className="muted">Login health of your mobile apps. Sign in with the admin token.</p>
      {notice && <p role="status">{notice}</p>}
      <form onSubmit={submit} className="stack">
        <Field label="Admin token">
          {(c) => (
            <input
              {...c}
              type="password"
              autoComplete="current-password"
              required
              maxLength={512}
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-invalid={error !== null || undefined}
              aria-describedby={error ? 'sign-in-error' : undefined}
            />
          )}
        </Field>
        <Field label="Your name" hint="(shown in timelines)">
          {(c) => <input {...c} type="text" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {error && (
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

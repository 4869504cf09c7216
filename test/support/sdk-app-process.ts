import { VigilClient } from '../../sdk/src/client';
import { fileStorage } from '../../sdk/src/node';
import { hostRuntime } from '../../sdk/src/platform';
import { sdkTestOptions, trackLogins } from './sdk-fixtures';

/**
 * A mobile app in a process of its own, so a test can SIGKILL it mid-delivery: the SDK on a file-backed queue in
 * VIGIL_DIR, sending to VIGIL_ENDPOINT. It tracks VIGIL_EVENTS logins, prints "tracked", and flushes.
 */
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const vigil = new VigilClient(
  {
    ...sdkTestOptions(env('VIGIL_ENDPOINT'), env('VIGIL_KEY')),
    storage: fileStorage(env('VIGIL_DIR')),
    onError: (e) => process.stderr.write(`vigil ${e.kind}: ${e.message}\n`),
  },
  { ...hostRuntime, random: () => 0.1 },
);
trackLogins(vigil, Number(env('VIGIL_EVENTS')), 0);
process.stdout.write('tracked\n');
void vigil.flush();

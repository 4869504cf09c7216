import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE } from '../../src/errors';

describe('error catalogue', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it.each(Object.entries(ERROR_CATALOGUE))('when code %s exists, then the README documents it with its status', (code, entry) => {
    expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${entry.status} \\|`));
  });

  it('when a status is 429 or 503, then the error is retryable', () => {
    for (const entry of Object.values(ERROR_CATALOGUE)) {
      if (entry.status === 429 || entry.status === 503) expect(entry.retryable).toBe(true);
    }
  });
});

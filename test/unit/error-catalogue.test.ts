import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE } from '../../src/errors';

describe('error catalogue', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it.each(Object.entries(ERROR_CATALOGUE))('when code %s exists, then the README documents it with its status', (code, entry) => {
    expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${entry.status} \\|`));
  });

  it('when the README lists an error code, then the catalogue has it with that status (no stale rows)', () => {
    const section = readme.slice(readme.indexOf('## Errors'));
    const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows.length).toBeGreaterThan(5);
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status]);
    expect(rows).toEqual(expect.arrayContaining(catalogue));
    expect(catalogue).toEqual(expect.arrayContaining(rows));
  });

  it('when a status is 429 or 503, then the error is retryable', () => {
    for (const entry of Object.values(ERROR_CATALOGUE)) {
      if (entry.status === 429 || entry.status === 503) expect(entry.retryable).toBe(true);
    }
  });
});

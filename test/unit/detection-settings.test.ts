import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadDetectorSettings, SHIPPED_DETECTOR_SETTINGS } from '../../src/detection/settings-file';
import { makeTempDir } from '../support/tmp';

describe('detector settings file', () => {
  const tmp = makeTempDir('detector-settings');
  afterAll(() => tmp.remove());
  const write = (name: string, body: unknown) => {
    const file = path.join(tmp.dir, name);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };

  it('ships config/detector.json with every key, valid as it is', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED_DETECTOR_SETTINGS, 'utf8')) as unknown;
    expect(loadDetectorSettings()).toEqual(shipped);
  });

  it('every key is documented in config/README.md', () => {
    const readme = readFileSync(path.join(path.dirname(SHIPPED_DETECTOR_SETTINGS), 'README.md'), 'utf8');
    const keys = (o: unknown, prefix = ''): string[] =>
      typeof o === 'object' && o !== null && !Array.isArray(o)
        ? Object.entries(o).flatMap(([k, v]) => keys(v, `${prefix}${k}.`))
        : [prefix.slice(0, -1)];
    for (const key of keys(loadDetectorSettings())) expect(readme).toContain(`\`${key}\``);
  });

  it('merges an override key by key', () => {
    const file = write('override.json', { errorRate: { maxPValue: 1e-8 }, episodes: { cooldownMinutes: 60 } });
    const s = loadDetectorSettings(file);
    expect(s.errorRate.maxPValue).toBe(1e-8);
    expect(s.errorRate.minFailures).toBe(loadDetectorSettings().errorRate.minFailures);
    expect(s.episodes.cooldownMinutes).toBe(60);
  });

  it('names the key of a bad value', () => {
    const file = write('bad.json', { errorRate: { maxPValue: 2 } });
    expect(() => loadDetectorSettings(file)).toThrow(/errorRate\.maxPValue/);
  });

  it('names a misspelt key', () => {
    const file = write('typo.json', { episodes: { coolDownMinutes: 60 } });
    expect(() => loadDetectorSettings(file)).toThrow(/episodes.*coolDownMinutes/s);
  });

  it('says so when the file is not JSON', () => {
    expect(() => loadDetectorSettings(write('broken.json', '{ nope'))).toThrow(/not valid JSON/);
  });
});

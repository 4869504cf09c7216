import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package';
import { DetectorSettingsSchema, type DetectorSettings } from '../domain/detector/settings';

export const SHIPPED_DETECTOR_SETTINGS = path.join(PACKAGE_ROOT, 'config', 'detector.json');

export class DetectorSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorSettingsError';
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DetectorSettingsError(`Cannot read detector settings ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DetectorSettingsError(`Detector settings ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else (numbers, arrays) in the override replaces the default. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

/**
 * The detector settings: config/detector.json, overridden key by key by the operator's file (config.detectorConfig,
 * env DETECTOR_CONFIG) when given, validated. A bad value fails with the key named, e.g.
 * `errorRate.maxPValue: Too big: expected number to be <1`.
 */
export function loadDetectorSettings(overridePath?: string): DetectorSettings {
  const shipped = readJson(SHIPPED_DETECTOR_SETTINGS);
  const merged = overridePath ? deepMerge(shipped, readJson(path.resolve(overridePath))) : shipped;
  const parsed = DetectorSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const source = overridePath ? `${SHIPPED_DETECTOR_SETTINGS} + ${overridePath}` : SHIPPED_DETECTOR_SETTINGS;
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DetectorSettingsError(`Invalid detector settings (${source}):\n${problems.join('\n')}`);
  }
  return parsed.data;
}

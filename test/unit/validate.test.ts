import { z } from 'zod';
import { VigilError } from '../../src/errors';
import { parse } from '../../src/http/validate';

const Body = z.strictObject({ by: z.string().min(1), nested: z.strictObject({ n: z.number() }).optional() });

function errorOf(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VigilError) return err;
  }
  throw new Error('expected a VigilError');
}

describe('parse', () => {
  it('when the input is valid, then the parsed value is returned', () => {
    expect(parse(Body, { by: 'dana' }, 'body')).toEqual({ by: 'dana' });
  });

  it('when a field has the wrong type, then 400 names the field', () => {
    const error = errorOf(() => parse(Body, { by: 'dana', nested: { n: 'x' } }, 'body'));
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid body: nested.n: Invalid input: expected number, received string');
    expect(error.details).toEqual([{ field: 'nested.n', message: 'Invalid input: expected number, received string' }]);
  });

  it('when unknown fields are sent, then each is named as the field', () => {
    const error = errorOf(() => parse(Body, { by: 'dana', colour: 'red', nested: { n: 1, extra: true } }, 'body'));
    expect(error.details).toEqual([
      { field: 'nested.extra', message: 'unknown field' },
      { field: 'colour', message: 'unknown field' },
    ]);
    expect(error.message).toBe('Invalid body: nested.extra: unknown field');
  });

  it('when the body is missing, then the root is named', () => {
    expect(errorOf(() => parse(Body, undefined, 'body')).details).toEqual([
      { field: '(root)', message: 'Invalid input: expected object, received undefined' },
    ]);
  });
});

import { ConfigError, loadConfig } from '../../src/config';

describe('CORS_ORIGINS', () => {
  it('when unset or empty, then there is no CORS at all', () => {
    expect(loadConfig({}).corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: ' ' }).corsOrigins).toBeUndefined();
  });

  it('when *, then any origin', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it('when a list, then the origins as browsers send them (trimmed, lower case), frozen', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://App.example.com, http://localhost:8081,' });
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:8081']);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  it.each([
    ['https://app.example.com/', '"https://app.example.com/" is not an origin'],
    ['https://app.example.com/login', '"https://app.example.com/login" is not an origin'],
    ['app.example.com', '"app.example.com" is not an origin'],
    ['https://a.example.com,*', '"*" is not an origin'],
    ['ftp://files.example.com', '"ftp://files.example.com" is not an origin'],
    ['https://app.example.com:443', '"https://app.example.com:443" is not an origin'],
  ])('when %j, then start-up fails naming CORS_ORIGINS and the bad origin', (value, message) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(`CORS_ORIGINS=${JSON.stringify(value)}: ${message}`);
  });
});

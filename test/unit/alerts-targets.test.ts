import { describeRank, rankOf } from '../../src/alerts/order';
import { addressProblem, urlProblem } from '../../src/alerts/targets';

describe('channel targets (SSRF)', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback address 127.0.0.1'],
    ['http://2130706433/', 'loopback address 127.0.0.1'],
    ['http://017700000001/', 'loopback address 127.0.0.1'],
    ['http://0x7f.0.0.1/', 'loopback address 127.0.0.1'],
    ['http://127.1/', 'loopback address 127.0.0.1'],
    ['http://[::1]/', 'loopback address ::1'],
    ['http://[::ffff:127.0.0.1]/', 'loopback address 127.0.0.1'],
    ['http://[::ffff:a9fe:a9fe]/', 'link-local address 169.254.169.254'],
    ['http://localhost:6379/', 'loopback name localhost'],
    ['http://redis.localhost/', 'loopback name redis.localhost'],
    ['http://10.0.0.5:6379/', 'private address 10.0.0.5'],
    ['http://172.16.3.4/', 'private address 172.16.3.4'],
    ['http://192.168.1.1/', 'private address 192.168.1.1'],
    ['http://[fd12:3456::1]/', 'private (unique-local) address fd12:3456::1'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local address 169.254.169.254'],
    ['http://[fd00:ec2::254]/', 'private (unique-local) address fd00:ec2::254'],
    ['http://[fe80::1]/', 'link-local address fe80::1'],
    ['http://100.64.0.1/', 'carrier-grade NAT address 100.64.0.1'],
    ['http://224.0.0.251/', 'multicast address 224.0.0.251'],
    ['http://[ff02::1]/', 'multicast address ff02::1'],
    ['http://0.0.0.0/', 'unspecified address 0.0.0.0'],
    ['http://0/', 'unspecified address 0.0.0.0'],
    ['http://[::]/', 'unspecified address ::'],
    ['http://255.255.255.255/', 'broadcast address 255.255.255.255'],
  ])('when the URL is %s, then it is refused as the %s', (url, what) => {
    expect(urlProblem(url, false)).toBe(`points at the ${what}; set ALERT_ALLOW_PRIVATE_TARGETS=true to allow it`);
  });

  it.each(['https://hooks.slack.com/services/T/B/X', 'https://events.pagerduty.com/v2/enqueue', 'http://93.184.216.34/hook', 'https://[2606:4700:4700::1111]/x'])(
    'when the URL is %s, then it is allowed',
    (url) => expect(urlProblem(url, false)).toBeNull(),
  );

  it('when private targets are allowed, then addresses pass but credentials and other schemes still do not', () => {
    expect(urlProblem('http://127.0.0.1:9/x', true)).toBeNull();
    expect(urlProblem('http://user:pass@127.0.0.1/x', true)).toMatch(/^must not carry credentials/);
    expect(urlProblem('https://token@hooks.example.com/x', false)).toMatch(/^must not carry credentials/);
    expect(urlProblem('ftp://example.com/x', true)).toBe('must be an http(s) URL');
    expect(urlProblem('file:///etc/passwd', true)).toBe('must be an http(s) URL');
  });

  it('when DNS answers with a special address, then it is named; a public one passes', () => {
    expect(addressProblem('::ffff:10.1.2.3')).toBe('the private address 10.1.2.3');
    expect(addressProblem('192.0.2.10')).toBe('the reserved address 192.0.2.10');
    expect(addressProblem('8.8.8.8')).toBeNull();
    expect(addressProblem('2a00:1450:4001:80b::200e')).toBeNull();
  });
});

describe('notification order', () => {
  it('then within an occurrence opened < escalations by level < acknowledged < resolved, and a reopen outranks the old resolve', () => {
    const story = [
      rankOf({ event: 'incident.opened', occurrence: 1 }),
      rankOf({ event: 'incident.escalated', occurrence: 1, level: 1 }),
      rankOf({ event: 'incident.escalated', occurrence: 1, level: 3 }),
      rankOf({ event: 'incident.acknowledged', occurrence: 1 }),
      rankOf({ event: 'incident.resolved', occurrence: 1 }),
      rankOf({ event: 'incident.opened', occurrence: 2 }),
    ];
    expect([...story].sort((a, b) => a - b)).toEqual(story);
    expect(new Set(story).size).toBe(story.length);
    expect(story.map(describeRank)).toEqual([
      'incident.opened of occurrence 1',
      'incident.escalated (level 1) of occurrence 1',
      'incident.escalated (level 3) of occurrence 1',
      'incident.acknowledged of occurrence 1',
      'incident.resolved of occurrence 1',
      'incident.opened of occurrence 2',
    ]);
  });
});

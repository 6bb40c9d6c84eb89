import { normalizeSubnet } from '../../src/net/subnet';
import { DomainError } from '../../src/errors';

function rejection(text: string): string {
  try {
    normalizeSubnet(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_USER_INPUT');
    return (error as DomainError).message;
  }
  throw new Error(`${text} was accepted`);
}

describe('normalizeSubnet', () => {
  it.each([
    ['10.0.0.0/24', '10.0.0.0/24'],
    ['10.0.0.7', '10.0.0.7/32'],
    [' 192.0.2.1/32 ', '192.0.2.1/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0:0::/32', '2001:db8::/32'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/64', '2001:db8::/64'],
  ])('%s -> %s', (input, output) => expect(normalizeSubnet(input)).toBe(output));

  it('rejects host bits set, suggesting the network or the single address', () => {
    expect(rejection('10.0.0.7/24')).toBe('subnet "10.0.0.7/24" has host bits set; did you mean 10.0.0.0/24 (the network) or 10.0.0.7/32 (the single address)?');
    expect(rejection('2001:db8::1/64')).toMatch(/did you mean 2001:db8::\/64 \(the network\) or 2001:db8::1\/128/);
  });

  it('rejects an IPv4-mapped IPv6 address (IPv6 where IPv4 was meant)', () => {
    expect(rejection('::ffff:10.0.0.1')).toMatch(/IPv4-mapped IPv6 address; write the IPv4 form instead \(10.0.0.1\)/);
  });

  it.each(['', 'banana', '10.0.0.0/33', '2001:db8::/129', '10.0.0.256', '10.1', '0x0a.0.0.1', '10.0.0.0/24/1', '10.0.0.0/', '10.0.0.0/-1', 'fe80::1%eth0'])(
    'rejects %p',
    (text) => expect(rejection(text)).toMatch(/subnet/),
  );

  it('names the prefix range of the family', () => {
    expect(rejection('10.0.0.0/64')).toMatch(/prefix length of an IPv4 subnet must be 0..32/);
  });
});

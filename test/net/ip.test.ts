import { formatIPv4, formatIPv6, isStrictAddress, isV4Mapped, parseCidr, parseIPv4, parseIPv6, unmapIPv4 } from '../../src/net/ip';

const v6 = (text: string) => {
  const out = new Uint8Array(16);
  return parseIPv6(text, out) ? Buffer.from(out).toString('hex') : null;
};

describe('parseIPv4', () => {
  it('parses dotted quads to unsigned integers', () => {
    expect(parseIPv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(formatIPv4(parseIPv4('192.0.2.7'))).toBe('192.0.2.7');
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1..2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.'])('rejects %p', (text) => {
    expect(parseIPv4(text)).toBe(-1);
  });
});

describe('parseIPv6', () => {
  it('parses full, compressed and dotted forms', () => {
    expect(v6('2001:db8:0:0:0:0:0:1')).toBe('20010db8000000000000000000000001');
    expect(v6('2001:db8::1')).toBe('20010db8000000000000000000000001');
    expect(v6('::')).toBe('0'.repeat(32));
    expect(v6('::1')).toBe('0'.repeat(31) + '1');
    expect(v6('fe80::')).toBe('fe80' + '0'.repeat(28));
    expect(v6('::ffff:192.0.2.7')).toBe('00000000000000000000ffffc0000207');
    expect(v6('1:2:3:4:5:6:7::')).toBe('00010002000300040005000600070000');
    expect(v6('ABCD::EF01')).toBe('abcd' + '0'.repeat(24) + 'ef01');
  });

  it.each([':', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '1:', 'g::1', '1:2:3:4:5:6:7', 'fe80::1%eth0', '::1.2.3'])(
    'rejects %p',
    (text) => {
      expect(v6(text)).toBeNull();
    },
  );

  it('recognizes IPv4-mapped addresses', () => {
    const out = new Uint8Array(16);
    parseIPv6('::ffff:10.0.0.1', out);
    expect(isV4Mapped(out)).toBe(true);
    parseIPv6('::10.0.0.1', out);
    expect(isV4Mapped(out)).toBe(false);
  });
});

describe('parseCidr', () => {
  it('parses both families and bare addresses', () => {
    expect(parseCidr('10.0.0.0/24')).toEqual({ v6: false, w0: 0x0a000000, w1: 0, w2: 0, w3: 0, length: 24 });
    expect(parseCidr('10.0.0.7')).toEqual({ v6: false, w0: 0x0a000007, w1: 0, w2: 0, w3: 0, length: 32 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ v6: false, w0: 0, w1: 0, w2: 0, w3: 0, length: 0 });
    expect(parseCidr('2001:db8:1::/48')).toEqual({ v6: true, w0: 0x20010db8, w1: 0x00010000, w2: 0, w3: 0, length: 48 });
    expect(parseCidr('2001:db8::1')).toMatchObject({ v6: true, w3: 1, length: 128 });
  });

  it('clears host bits', () => {
    expect(parseCidr('10.0.0.7/24')).toMatchObject({ w0: 0x0a000000, length: 24 });
    expect(parseCidr('2001:db8:ffff:ffff::1/40')).toMatchObject({ w0: 0x20010db8, w1: 0xff000000, w3: 0, length: 40 });
  });

  it('turns IPv4-mapped prefixes of /96 or longer into IPv4', () => {
    expect(parseCidr('::ffff:10.0.0.0/120')).toEqual({ v6: false, w0: 0x0a000000, w1: 0, w2: 0, w3: 0, length: 24 });
    expect(parseCidr('::ffff:0.0.0.0/96')).toEqual({ v6: false, w0: 0, w1: 0, w2: 0, w3: 0, length: 0 });
    expect(parseCidr('::ffff:0:0/95')).toMatchObject({ v6: true, length: 95 });
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', 'nonsense', '2001:db8::/-1'])('rejects %p', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});

describe('formatIPv6', () => {
  it.each([
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['::', '::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['0:0:1:0:0:1:1:1', '::1:0:0:1:1:1'],
    ['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1'],
    ['ABCD::EF01', 'abcd::ef01'],
  ])('prints %s as %s (RFC 5952: the first longest zero run, never a single zero group)', (text, expected) => {
    const bytes = new Uint8Array(16);
    expect(parseIPv6(text, bytes)).toBe(true);
    expect(formatIPv6(bytes)).toBe(expected);
  });
});

describe('isStrictAddress', () => {
  it.each(['192.0.2.7', '0.0.0.0', '2001:db8::1', '::', '::ffff:192.0.2.7'])('accepts %p', (text) => {
    expect(isStrictAddress(text)).toBe(true);
  });

  it.each(['10.1', '010.0.0.1', '192.0.2.7/32', 'fe80::1%eth0', '', ' 192.0.2.7'])('rejects %p', (text) => {
    expect(isStrictAddress(text)).toBe(false);
  });
});

describe('unmapIPv4', () => {
  it('turns a dual-stack socket address back into IPv4 and leaves other addresses alone', () => {
    expect(unmapIPv4('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(unmapIPv4('192.0.2.1')).toBe('192.0.2.1');
    expect(unmapIPv4('2001:db8::1')).toBe('2001:db8::1');
    expect(unmapIPv4('::ffff:c000:201')).toBe('::ffff:c000:201');
  });
});

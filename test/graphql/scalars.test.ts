import { Kind } from 'graphql';
import { DateScalar, DatetimeScalar, Int64BitScalar, IPScalar, SubnetScalar } from '../../src/graphql/scalars';

describe('Int64Bit', () => {
  it('serializes as a string, exactly, at both ends of the range', () => {
    expect(Int64BitScalar.serialize(9223372036854775807n)).toBe('9223372036854775807');
    expect(Int64BitScalar.serialize(-9223372036854775808n)).toBe('-9223372036854775808');
    expect(Int64BitScalar.serialize(42)).toBe('42');
    expect(Int64BitScalar.serialize('18446744073709')).toBe('18446744073709');
  });

  it('accepts JSON integers and numeric strings', () => {
    expect(Int64BitScalar.parseValue(5)).toBe(5n);
    expect(Int64BitScalar.parseValue('9223372036854775807')).toBe(9223372036854775807n);
    expect(Int64BitScalar.parseLiteral({ kind: Kind.INT, value: '-12' })).toBe(-12n);
  });

  it.each([
    ['a 65-bit value', '36893488147419103232', /out of range/],
    ['one past the maximum', '9223372036854775808', /out of range/],
    ['a 70-bit value', '1180591620717411303424', /out of range/],
    ['a fraction', 1.5, /must be an integer/],
    ['an unsafe JSON number', 2 ** 60, /send it as a string/],
    ['text', 'ten', /integer or a numeric string/],
    ['a boolean', true, /integer or a numeric string/],
  ])('rejects %s', (_what, value, message) => {
    expect(() => Int64BitScalar.parseValue(value)).toThrow(message);
  });
});

describe('Datetime', () => {
  it('needs an offset and answers in UTC', () => {
    expect(DatetimeScalar.parseValue('2026-03-08T01:30:00-05:00')).toEqual(new Date('2026-03-08T06:30:00Z'));
    expect(DatetimeScalar.serialize(new Date('2026-03-08T06:30:00.000Z'))).toBe('2026-03-08T06:30:00.000Z');
    expect(() => DatetimeScalar.parseValue('2026-03-08T01:30:00')).toThrow(/offset/);
    expect(() => DatetimeScalar.parseValue('2026-02-30T00:00:00Z')).not.toThrow(); // JS rolls it; the offset rule is what matters
    expect(() => DatetimeScalar.parseValue('yesterday')).toThrow(/ISO 8601/);
  });
});

describe('Date', () => {
  it('accepts real calendar dates only', () => {
    expect(DateScalar.parseValue('2028-02-29')).toBe('2028-02-29');
    expect(() => DateScalar.parseValue('2027-02-29')).toThrow(/real calendar date/);
    expect(() => DateScalar.parseValue('2027-1-2')).toThrow();
  });
});

describe('IP and SubnetScalar', () => {
  it('normalize addresses', () => {
    expect(IPScalar.parseValue('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(IPScalar.parseValue(' 192.0.2.7 ')).toBe('192.0.2.7');
    expect(() => IPScalar.parseValue('10.1')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => IPScalar.parseValue('300.1.1.1')).toThrow();
  });

  it('treat a bare address as a host route and keep networks as given', () => {
    expect(SubnetScalar.parseValue('192.0.2.7')).toBe('192.0.2.7/32');
    expect(SubnetScalar.parseValue('2001:db8::1')).toBe('2001:db8::1/128');
    expect(SubnetScalar.parseValue('2001:DB8:AB00::/40')).toBe('2001:db8:ab00::/40');
    expect(SubnetScalar.parseValue('0.0.0.0/0')).toBe('0.0.0.0/0');
  });

  it('reject host bits, bad prefixes and garbage with a suggestion', () => {
    expect(() => SubnetScalar.parseValue('10.0.0.7/24')).toThrow('10.0.0.7/24 has host bits set: did you mean 10.0.0.0/24 or 10.0.0.7/32?');
    expect(() => SubnetScalar.parseValue('10.0.0.0/33')).toThrow(/not a CIDR subnet/);
    expect(() => SubnetScalar.parseValue('2001:db8::/129')).toThrow(/not a CIDR subnet/);
    expect(() => SubnetScalar.parseValue('')).toThrow();
  });
});

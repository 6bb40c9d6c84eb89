import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import radius from 'radius';
import { seededRandom } from '../../support/seeded-random';
import {
  checkDatagram,
  decodable,
  decodeAccountingRequest,
  encodeAccountingResponse,
  ipv6Prefix,
  PACKAGE_INTEGER_ATTRS,
  PACKAGE_TAGGED_ATTRS,
  verifyRequestAuthenticator,
} from '../../../src/ingest/radius/radius.decoder';

const CAPTURES = path.resolve(__dirname, '../../../node_modules/radius/test/captures');
const capture = (name: string) => readFileSync(path.join(CAPTURES, `${name}.packet`));
const NEARBUY = Buffer.from('nearbuy');
const SECRET = Buffer.from('s3cret');

function build(attributes: Array<[string | number, unknown]>, identifier = 1, secret = 's3cret'): Buffer {
  return radius.encode({ code: 'Accounting-Request', identifier, secret, attributes });
}

/** Recomputes the Request Authenticator after a mutation, so mutated packets reach the attribute decoder. */
function resign(packet: Buffer, secret: Buffer): Buffer {
  const copy = Buffer.from(packet);
  if (copy.length < 20) return copy;
  copy.fill(0, 4, 20);
  createHash('md5').update(copy).update(secret).digest().copy(copy, 4);
  return copy;
}

describe('checkDatagram', () => {
  const good = build([['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'x']]);
  it('accepts a well-formed request', () => expect(checkDatagram(good)).toEqual({ ok: true, packet: good }));
  it.each([0, 1, 4, 19])('rejects %i bytes as too short', (n) => expect(checkDatagram(good.subarray(0, n))).toEqual({ ok: false, reason: 'too_short' }));
  it('rejects other codes', () => {
    const p = Buffer.from(good);
    p[0] = 1;
    expect(checkDatagram(p)).toEqual({ ok: false, reason: 'not_accounting_request' });
  });
  it.each([[19], [4097], [60000]])('rejects Length %i', (length) => {
    const p = Buffer.from(good);
    p.writeUInt16BE(length, 2);
    expect(checkDatagram(p)).toEqual({ ok: false, reason: 'bad_length' });
  });
  it('rejects a Length beyond the datagram (truncated)', () => expect(checkDatagram(good.subarray(0, good.length - 1))).toEqual({ ok: false, reason: 'bad_length' }));
  it('accepts well-formed tagged and Vendor-Specific attributes', () => {
    const p = build([
      ['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'x'], [81, Buffer.from('5')], [64, Buffer.from([1, 0, 0, 13])],
      [26, Buffer.from([0, 0, 0, 9, 1, 7, 0x61, 0x3d, 0x62, 0x63, 0x64])], [26, Buffer.from([0, 0, 0x0d, 0xe9, 129, 6, 0, 0, 1, 0])],
    ]);
    expect(checkDatagram(p)).toEqual({ ok: true, packet: p });
  });
  it('slices trailing padding off', () => {
    const padded = Buffer.concat([good, Buffer.alloc(13, 0xaa)]);
    const result = checkDatagram(padded);
    expect(result.ok && result.packet.equals(good)).toBe(true);
    expect(result.ok && verifyRequestAuthenticator(result.packet, SECRET)).toBe(true);
  });
  it.each([
    ['zero attribute length', Buffer.from([44, 0])],
    ['attribute length 1', Buffer.from([44, 1])],
    ['attribute past the end', Buffer.from([44, 9, 1, 2])],
    ['dangling type byte', Buffer.from([44])],
    ['short integer', Buffer.from([42, 4, 0, 1])],
    ['long integer', Buffer.from([40, 7, 0, 0, 0, 1, 0])],
    ['short NAS-IP-Address', Buffer.from([4, 5, 10, 0, 0])],
    ['short NAS-IPv6-Address', Buffer.from([95, 6, 0, 0, 0, 0])],
    ['short integer the package knows (Framed-MTU)', Buffer.from([12, 5, 0, 5, 0])],
    ['empty tagged attribute (Tunnel-Private-Group-Id)', Buffer.from([81, 2])],
  ])('rejects %s', (_name, attrs) => {
    const p = Buffer.concat([Buffer.from([4, 1, 0, 0]), Buffer.alloc(16), attrs]);
    p.writeUInt16BE(p.length, 2);
    expect(checkDatagram(p)).toEqual({ ok: false, reason: 'bad_attribute' });
  });
});

describe('Vendor-Specific attributes outside the recommended format', () => {
  // RFC 2865 only recommends the sub-attribute format; the radius package throws on anything
  // else. None is used here: the request must still count, without them.
  it.each([
    ['a short value', Buffer.from([26, 5, 0, 0, 9])],
    ['a vendor id above 2^24', Buffer.from([26, 8, 1, 0, 0, 9, 1, 2])],
    ['a zero sub-attribute length', Buffer.from([26, 10, 0, 0, 0, 9, 1, 0, 0, 0])],
    ['a dangling sub-attribute octet', Buffer.from([26, 7, 0, 0, 0, 9, 1])],
    ['a sub-attribute past its end', Buffer.from([26, 9, 0, 0, 0, 9, 1, 5, 0])],
    ['4-octet vendor types', Buffer.from([26, 14, 0, 0, 0x1f, 0x83, 0, 0, 0, 1, 0, 6, 0x61, 0x62])],
    ['a short ADSL-Forum integer', Buffer.from([26, 11, 0, 0, 0x0d, 0xe9, 129, 5, 0, 0, 1])],
  ])('a request with %s is decoded without it and answered', (_name, vsa) => {
    const plain = build([
      ['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Id', 'vsa-1'], ['User-Name', 'alice'],
      ['Acct-Input-Octets', 1234], ['Acct-Output-Octets', 5678], ['Message-Authenticator', Buffer.alloc(16)],
    ]);
    // The odd attribute in the middle of the others, then signed again as a NAS would have.
    const unsigned = Buffer.concat([plain.subarray(0, 26), vsa, plain.subarray(26)]);
    unsigned.writeUInt16BE(unsigned.length, 2);
    const packet = resign(unsigned, SECRET);
    const checked = checkDatagram(packet);
    expect(checked).toEqual({ ok: true, packet });
    const decoded = decodeAccountingRequest(packet);
    expect(decoded).toMatchObject({ ok: true, request: { status: 'Interim-Update', sessionId: 'vsa-1', userName: 'alice', inputOctets: 1234, outputOctets: 5678 } });
    const reply = encodeAccountingResponse(packet, SECRET, true);
    expect(reply[0]).toBe(5);
    expect(reply[1]).toBe(packet[1]);
  });

  it('well-formed ones are left for the package to decode', () => {
    const packet = build([['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'x'], [26, Buffer.from([0, 0, 0, 9, 1, 7, 0x61, 0x3d, 0x62, 0x63, 0x64])]]);
    expect(decodable(packet)).toBe(packet);
  });
});

describe('verifyRequestAuthenticator', () => {
  it('agrees with the radius package on its captures', () => {
    for (const name of ['cisco_accounting', 'motorola_accounting']) {
      const p = capture(name);
      expect(verifyRequestAuthenticator(p, NEARBUY)).toBe(true);
      expect(verifyRequestAuthenticator(p, Buffer.from('nearby'))).toBe(false);
    }
  });
  it('fails on any flipped bit', () => {
    const p = build([['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'abc']]);
    for (let i = 0; i < p.length * 8; i += 7) {
      const m = Buffer.from(p);
      m[i >> 3] ^= 1 << (i & 7);
      if (i >> 3 === 2 || i >> 3 === 3) continue; // Length: caught by checkDatagram instead
      expect(verifyRequestAuthenticator(m, SECRET)).toBe(false);
    }
  });
});

describe('the validation matches the radius package dictionaries', () => {
  // The package throws on short integer / date / time values and empty tagged values; the
  // validation's lists of those attributes must follow its bundled dictionaries.
  const DICTIONARIES = path.resolve(__dirname, '../../../node_modules/radius/dictionaries');
  const integer = new Set<number>();
  const tagged = new Set<number>();
  for (const file of readdirSync(DICTIONARIES)) {
    let inVendor = false;
    for (const line of readFileSync(path.join(DICTIONARIES, file), 'ascii').split('\n')) {
      const clean = line.replace(/#.*/, '').trim();
      if (/^BEGIN-VENDOR\b/.test(clean)) inVendor = true;
      if (/^END-VENDOR\b/.test(clean)) inVendor = false;
      const m = /^ATTRIBUTE\s+\S+\s+(\d+)\s+(\S+)\s*(.*)$/.exec(clean);
      if (!m || inVendor) continue;
      if (m[3].includes('has_tag')) tagged.add(Number(m[1]));
      else if (['integer', 'date', 'time'].includes(m[2].toLowerCase())) integer.add(Number(m[1]));
    }
  }
  it('integer, time and date attributes', () => expect([...PACKAGE_INTEGER_ATTRS].sort((x, y) => x - y)).toEqual([...integer].sort((x, y) => x - y)));
  it('tagged attributes', () => expect([...PACKAGE_TAGGED_ATTRS].sort((x, y) => x - y)).toEqual([...tagged].sort((x, y) => x - y)));
  it('Delegated-IPv6-Prefix (123) is in the bundled dictionaries', () => {
    expect(radius.decode_without_secret({ packet: build([[123, Buffer.from([0, 56, 0x20, 0x01])]]) }).attributes['Delegated-IPv6-Prefix']).toEqual(Buffer.from([0, 56, 0x20, 0x01]));
  });
});

describe('decodeAccountingRequest', () => {
  it('decodes the motorola capture', () => {
    const p = capture('motorola_accounting');
    expect(decodeAccountingRequest(p)).toEqual({
      ok: true,
      request: {
        identifier: p[1], status: 'Start', userName: '00-1F-3B-8C-3A-15', sessionId: '1970D5A4-001F3B8C3A15-0000000001',
        nasAddress: '10.2.0.3', eventTimestampS: Date.UTC(2012, 9, 10, 14, 35, 53) / 1000,
        framedIp: null, framedIpv6Prefix: null, delegatedIpv6Prefix: null, hasMessageAuthenticator: false,
      },
    });
  });

  it('decodes the cisco capture (tagged attributes and an empty Vendor-Specific)', () => {
    const p = capture('cisco_accounting');
    expect(checkDatagram(p)).toEqual({ ok: true, packet: p });
    expect(decodeAccountingRequest(p)).toEqual({
      ok: true,
      request: {
        identifier: p[1], status: 'Start', userName: 'user_7C:C5:37:FF:F8:AF_134', sessionId: '4fecc41e/7c:c5:37:ff:f8:af/9',
        nasAddress: '10.0.3.4', framedIp: '10.2.0.252', framedIpv6Prefix: null, delegatedIpv6Prefix: null,
        hasMessageAuthenticator: false,
      },
    });
  });

  it('reads NAS-IPv6-Address, Message-Authenticator, repeated attributes (last wins) and strips NUL', () => {
    const p = build([
      ['Acct-Status-Type', 'Interim-Update'], ['User-Name', 'first'], ['User-Name', 'bo\0b'], ['Acct-Session-Id', 's'],
      [95, Buffer.from([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1])], ['Acct-Input-Octets', 1], ['Acct-Input-Octets', 2],
      ['Acct-Terminate-Cause', 99], ['Message-Authenticator', Buffer.alloc(16)],
    ]);
    const result = decodeAccountingRequest(p);
    expect(result.ok && result.request).toMatchObject({
      userName: 'bob', nasAddress: '2001:db8::1', inputOctets: 2, terminateCause: '99', hasMessageAuthenticator: true,
    });
  });

  it('reads counters, gigawords, times, cause and addresses', () => {
    const p = build([
      ['Acct-Status-Type', 'Stop'], ['User-Name', 'alice'], ['Acct-Session-Id', 's1'], ['NAS-IP-Address', '192.0.2.1'],
      ['Acct-Input-Octets', 4294967295], ['Acct-Input-Gigawords', 7], ['Acct-Output-Octets', 12], ['Acct-Output-Gigawords', 0],
      ['Event-Timestamp', new Date(1700000000_000)], ['Acct-Delay-Time', 4], ['Acct-Session-Time', 600],
      ['Acct-Terminate-Cause', 'Lost-Carrier'], ['Framed-IP-Address', '100.64.1.2'],
      [97, Buffer.from([0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2])],
      [123, Buffer.from([0, 56, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff])],
    ]);
    const result = decodeAccountingRequest(p);
    expect(result).toEqual({
      ok: true,
      request: {
        identifier: 1, status: 'Stop', userName: 'alice', sessionId: 's1', nasAddress: '192.0.2.1',
        inputOctets: 4294967295, inputGigawords: 7, outputOctets: 12, outputGigawords: 0,
        eventTimestampS: 1700000000, delayTimeS: 4, sessionTimeS: 600, terminateCause: 'Lost-Carrier',
        framedIp: '100.64.1.2', framedIpv6Prefix: '2001:db8:1:2::/64', delegatedIpv6Prefix: '2001:db8:ffff:ff00::/56',
        hasMessageAuthenticator: false,
      },
    });
  });

  it.each([
    ['missing_status_type', [['Acct-Session-Id', 's']]],
    ['unsupported_status_type', [['Acct-Status-Type', 9], ['Acct-Session-Id', 's']]],
    ['unsupported_status_type', [['Acct-Status-Type', 99], ['Acct-Session-Id', 's']]],
    ['missing_session_id', [['Acct-Status-Type', 'Interim-Update']]],
  ])('rejects %s', (reason, attributes) => {
    expect(decodeAccountingRequest(build(attributes as Array<[string, unknown]>))).toEqual({ ok: false, reason });
  });

  it('accepts Accounting-On without a session id', () => {
    const result = decodeAccountingRequest(build([['Acct-Status-Type', 'Accounting-On'], ['NAS-IP-Address', '192.0.2.9']]));
    expect(result.ok && result.request.status).toBe('Accounting-On');
  });
});

describe('ipv6Prefix', () => {
  it.each([
    [[0, 64, 0x20, 0x01, 0x0d, 0xb8], '2001:db8::/64'],
    [[0, 0], '::/0'],
    [[0, 128, ...Array(16).fill(0xff)], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'],
    [[0, 60, 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x7f], '2001:db8:1234:5670::/60'],
  ])('%p -> %s', (bytes, text) => expect(ipv6Prefix(Buffer.from(bytes))).toBe(text));
  it.each([[[0]], [[0, 129]], [[0, 64, ...Array(17).fill(1)]]])('rejects %p', (bytes) => expect(ipv6Prefix(Buffer.from(bytes))).toBeNull());
});

describe('encodeAccountingResponse', () => {
  it('builds the same reply as the radius package, and the capture agrees', () => {
    const p = capture('cisco_accounting');
    const ours = encodeAccountingResponse(p, NEARBUY, false);
    const reference = radius.encode_response({ packet: radius.decode({ packet: p, secret: 'nearbuy' }), code: 'Accounting-Response', secret: 'nearbuy' });
    expect(ours.equals(reference)).toBe(true);
    expect(ours.equals(capture('cisco_accounting_response'))).toBe(true);
  });
  it('copies Proxy-State', () => {
    const p = build([['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 's'], ['Proxy-State', Buffer.from('hop1')]]);
    const reply = encodeAccountingResponse(p, SECRET, false);
    const reference = radius.encode_response({ packet: radius.decode({ packet: p, secret: 's3cret' }), code: 'Accounting-Response', secret: 's3cret' });
    expect(reply.equals(reference)).toBe(true);
    expect(reply.length).toBe(26);
  });
  it('answers a Message-Authenticator with one, octet for octet as the radius package does', () => {
    const p = radius.encode({
      code: 'Accounting-Request', identifier: 9, secret: 's3cret', add_message_authenticator: true,
      attributes: [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 's'], ['Proxy-State', Buffer.from('hop1')]],
    });
    const reply = encodeAccountingResponse(p, SECRET, true);
    const reference = radius.encode_response({ packet: radius.decode_without_secret({ packet: p }), code: 'Accounting-Response', secret: 's3cret' });
    expect(reply.equals(reference)).toBe(true);
    expect(reply.length).toBe(20 + 6 + 18);
  });
});

describe('fuzz: random and mutated datagrams', () => {
  const seeds = [
    capture('cisco_accounting'),
    capture('motorola_accounting'),
    build([['Acct-Status-Type', 'Interim-Update'], ['User-Name', 'u'], ['Acct-Session-Id', 's'], ['Acct-Input-Octets', 5], ['Acct-Input-Gigawords', 1], ['Framed-IP-Address', '10.0.0.1'], [97, Buffer.from([0, 64, 0x20, 1])], ['Event-Timestamp', new Date()]]),
    build([['Acct-Status-Type', 'Stop'], ['Acct-Session-Id', 's'], [81, Buffer.from('7')], [64, Buffer.from([1, 0, 0, 13])], [26, Buffer.from([0, 0, 0, 9, 1, 4, 0x61, 0x62])], [26, Buffer.from([0, 0, 0x0d, 0xe9, 129, 6, 0, 0, 1, 0])], [123, Buffer.from([0, 56, 0x20, 1])], ['Message-Authenticator', Buffer.alloc(16)]]),
  ];
  const random = seededRandom(0x12345678);
  const rand = (n: number) => Math.floor(random() * n);


  function mutate(p: Buffer): Buffer {
    let m = Buffer.from(p);
    const ops = 1 + rand(4);
    for (let i = 0; i < ops; i++) {
      switch (rand(6)) {
        case 0: if (m.length) m[rand(m.length)] = rand(256); break;
        case 1: m = m.subarray(0, rand(m.length + 1)); break;
        case 2: m = Buffer.concat([m, Buffer.from(Array.from({ length: rand(40) }, () => rand(256)))]); break;
        case 3: if (m.length > 21) m[20 + 1 + 2 * rand((m.length - 21) >> 1)] = rand(4); break; // attribute lengths 0..3
        case 4: if (m.length >= 4) m.writeUInt16BE(rand(5000), 2); break;
        case 5: { const at = rand(m.length + 1); m = Buffer.concat([m.subarray(0, at), Buffer.from([rand(256), rand(256)]), m.subarray(at)]); break; }
      }
    }
    return m;
  }

  it('survives 120 000 datagrams: every one is accepted or dropped with a reason, none throws', () => {
    const reasons = new Map<string, number>();
    for (let i = 0; i < 120_000; i++) {
      let datagram: Buffer;
      if (i % 4 === 0) datagram = Buffer.from(Array.from({ length: rand(120) }, () => rand(256)));
      else datagram = mutate(seeds[rand(seeds.length)]);
      if (i % 2 === 0) datagram = resign(datagram, SECRET);
      let outcome: string;
      const checked = checkDatagram(datagram);
      // The validation (with the Vendor-Specific attributes it cannot walk left out) must keep
      // the package from throwing on anything it lets through.
      if (checked.ok) expect(() => radius.decode_without_secret({ packet: decodable(checked.packet) })).not.toThrow();
      if (!checked.ok) outcome = checked.reason;
      else if (!verifyRequestAuthenticator(checked.packet, SECRET)) outcome = 'bad_authenticator';
      else {
        const decoded = decodeAccountingRequest(checked.packet);
        outcome = decoded.ok ? 'accepted' : decoded.reason;
        if (decoded.ok) expect(encodeAccountingResponse(checked.packet, SECRET, decoded.request.hasMessageAuthenticator).length).toBeGreaterThanOrEqual(20);
      }
      reasons.set(outcome, (reasons.get(outcome) ?? 0) + 1);
    }
    // Every path was exercised (a hang would time the test out).
    for (const reason of ['accepted', 'too_short', 'bad_length', 'bad_attribute', 'bad_authenticator', 'not_accounting_request']) {
      expect(reasons.get(reason)).toBeGreaterThan(0);
    }
  });
});

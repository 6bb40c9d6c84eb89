import { createHash, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import radius from 'radius';

/**
 * Accounting-Request validation and decoding (RFC 2866, 2869, 3162, 4818).
 *
 * Every datagram is checked here before anything interprets it: header length rules,
 * Length field within [20, 4096] and within the datagram (trailing padding is legal and
 * cut off), every attribute inside the packet, and integer / address attributes of their
 * exact sizes. The Request Authenticator is verified with a constant-time compare.
 *
 * Attributes are read from a validated TLV walk instead of `radius.decode`: the walk costs
 * about 1 µs per request where `radius.decode` costs about 24 µs (measured on the package's
 * cisco_accounting capture), which matters at 10 000+ requests/s. The `radius` package stays
 * the reference in tests (differential checks) and builds replies that need a
 * Message-Authenticator.
 */

export const ACCOUNTING_REQUEST = 4;
export const ACCOUNTING_RESPONSE = 5;
const HEADER = 20;
const MAX_LENGTH = 4096;

export type DecodeDropReason =
  | 'too_short'
  | 'bad_length'
  | 'not_accounting_request'
  | 'bad_attribute'
  | 'bad_authenticator'
  | 'missing_status_type'
  | 'unsupported_status_type'
  | 'missing_session_id';

export type StatusType = 'Start' | 'Stop' | 'Interim-Update' | 'Accounting-On' | 'Accounting-Off';
const STATUS: Record<number, StatusType> = { 1: 'Start', 2: 'Stop', 3: 'Interim-Update', 7: 'Accounting-On', 8: 'Accounting-Off' };

const TERMINATE_CAUSES: Record<number, string> = {
  1: 'User-Request', 2: 'Lost-Carrier', 3: 'Lost-Service', 4: 'Idle-Timeout', 5: 'Session-Timeout',
  6: 'Admin-Reset', 7: 'Admin-Reboot', 8: 'Port-Error', 9: 'NAS-Error', 10: 'NAS-Request',
  11: 'NAS-Reboot', 12: 'Port-Unneeded', 13: 'Port-Preempted', 14: 'Port-Suspended',
  15: 'Service-Unavailable', 16: 'Callback', 17: 'User-Error', 18: 'Host-Request',
  19: 'Supplicant-Restart', 20: 'Reauthentication-Failure', 21: 'Port-Reinit', 22: 'Port-Disabled',
};

/** Attribute numbers used here. */
const A = {
  USER_NAME: 1, NAS_IP: 4, FRAMED_IP: 8, PROXY_STATE: 33, STATUS_TYPE: 40, DELAY_TIME: 41,
  INPUT_OCTETS: 42, OUTPUT_OCTETS: 43, SESSION_ID: 44, SESSION_TIME: 46, TERMINATE_CAUSE: 49,
  INPUT_GIGAWORDS: 52, OUTPUT_GIGAWORDS: 53, EVENT_TIMESTAMP: 55, MESSAGE_AUTHENTICATOR: 80,
  NAS_IPV6: 95, FRAMED_IPV6_PREFIX: 97, DELEGATED_IPV6_PREFIX: 123,
} as const;
const INTEGER_ATTRS = new Set<number>([A.STATUS_TYPE, A.DELAY_TIME, A.INPUT_OCTETS, A.OUTPUT_OCTETS, A.SESSION_TIME, A.TERMINATE_CAUSE, A.INPUT_GIGAWORDS, A.OUTPUT_GIGAWORDS, A.EVENT_TIMESTAMP]);

export type CheckResult = { ok: true; packet: Buffer } | { ok: false; reason: DecodeDropReason };

/**
 * Structural checks on a raw datagram. Returns the packet sliced to its Length field.
 * Never throws, whatever the bytes.
 */
export function checkDatagram(datagram: Buffer): CheckResult {
  if (datagram.length < HEADER) return { ok: false, reason: 'too_short' };
  if (datagram[0] !== ACCOUNTING_REQUEST) return { ok: false, reason: 'not_accounting_request' };
  const length = datagram.readUInt16BE(2);
  if (length < HEADER || length > MAX_LENGTH || length > datagram.length) return { ok: false, reason: 'bad_length' };
  const packet = length === datagram.length ? datagram : datagram.subarray(0, length);
  let offset = HEADER;
  while (offset < length) {
    if (offset + 2 > length) return { ok: false, reason: 'bad_attribute' };
    const type = packet[offset];
    const attrLength = packet[offset + 1];
    if (attrLength < 2 || offset + attrLength > length) return { ok: false, reason: 'bad_attribute' };
    if (INTEGER_ATTRS.has(type) && attrLength !== 6) return { ok: false, reason: 'bad_attribute' };
    if ((type === A.NAS_IP || type === A.FRAMED_IP) && attrLength !== 6) return { ok: false, reason: 'bad_attribute' };
    if (type === A.NAS_IPV6 && attrLength !== 18) return { ok: false, reason: 'bad_attribute' };
    if (type === A.MESSAGE_AUTHENTICATOR && attrLength !== 18) return { ok: false, reason: 'bad_attribute' };
    offset += attrLength;
  }
  return { ok: true, packet };
}

/** MD5(Code+Identifier+Length+16 zero octets+Attributes+secret) == Request Authenticator, in constant time. */
export function verifyRequestAuthenticator(packet: Buffer, secret: Buffer): boolean {
  if (packet.length < HEADER) return false;
  const digest = createHash('md5')
    .update(packet.subarray(0, 4))
    .update(ZERO16)
    .update(packet.subarray(HEADER))
    .update(secret)
    .digest();
  return timingSafeEqual(digest, packet.subarray(4, HEADER));
}
const ZERO16 = Buffer.alloc(16);

export interface AccountingRequest {
  identifier: number;
  status: StatusType;
  userName: string | null;
  sessionId: string | null;
  /** NAS-IP-Address or NAS-IPv6-Address as text, null when absent. */
  nasAddress: string | null;
  inputOctets?: number;
  outputOctets?: number;
  inputGigawords?: number;
  outputGigawords?: number;
  delayTimeS?: number;
  sessionTimeS?: number;
  eventTimestampS?: number;
  terminateCause?: string;
  framedIp: string | null;
  framedIpv6Prefix: string | null;
  delegatedIpv6Prefix: string | null;
  /** The request carried a Message-Authenticator: the reply must too. */
  hasMessageAuthenticator: boolean;
}

export type DecodeResult = { ok: true; request: AccountingRequest } | { ok: false; reason: DecodeDropReason };

/** Decodes a packet that passed `checkDatagram`. Never throws. */
export function decodeAccountingRequest(packet: Buffer): DecodeResult {
  try {
    return decodeChecked(packet);
  } catch {
    return { ok: false, reason: 'bad_attribute' };
  }
}

function decodeChecked(packet: Buffer): DecodeResult {
  const request: AccountingRequest = {
    identifier: packet[1],
    status: 'Start',
    userName: null,
    sessionId: null,
    nasAddress: null,
    framedIp: null,
    framedIpv6Prefix: null,
    delegatedIpv6Prefix: null,
    hasMessageAuthenticator: false,
  };
  let statusCode: number | undefined;
  const length = packet.length;
  let offset = HEADER;
  while (offset + 2 <= length) {
    const type = packet[offset];
    const attrLength = packet[offset + 1];
    if (attrLength < 2 || offset + attrLength > length) return { ok: false, reason: 'bad_attribute' };
    const start = offset + 2;
    const end = offset + attrLength;
    offset = end;
    switch (type) {
      case A.USER_NAME: request.userName = text(packet, start, end); break;
      case A.SESSION_ID: request.sessionId = text(packet, start, end); break;
      case A.NAS_IP: request.nasAddress = ipv4(packet, start); break;
      case A.NAS_IPV6: request.nasAddress = ipaddr.fromByteArray([...packet.subarray(start, end)]).toString(); break;
      case A.FRAMED_IP: request.framedIp = ipv4(packet, start); break;
      case A.STATUS_TYPE: statusCode = packet.readUInt32BE(start); break;
      case A.DELAY_TIME: request.delayTimeS = packet.readUInt32BE(start); break;
      case A.INPUT_OCTETS: request.inputOctets = packet.readUInt32BE(start); break;
      case A.OUTPUT_OCTETS: request.outputOctets = packet.readUInt32BE(start); break;
      case A.INPUT_GIGAWORDS: request.inputGigawords = packet.readUInt32BE(start); break;
      case A.OUTPUT_GIGAWORDS: request.outputGigawords = packet.readUInt32BE(start); break;
      case A.SESSION_TIME: request.sessionTimeS = packet.readUInt32BE(start); break;
      case A.EVENT_TIMESTAMP: request.eventTimestampS = packet.readUInt32BE(start); break;
      case A.TERMINATE_CAUSE: {
        const cause = packet.readUInt32BE(start);
        request.terminateCause = TERMINATE_CAUSES[cause] ?? String(cause);
        break;
      }
      case A.FRAMED_IPV6_PREFIX: request.framedIpv6Prefix = ipv6Prefix(packet.subarray(start, end)); break;
      case A.DELEGATED_IPV6_PREFIX: request.delegatedIpv6Prefix = ipv6Prefix(packet.subarray(start, end)); break;
      case A.MESSAGE_AUTHENTICATOR: request.hasMessageAuthenticator = true; break;
      default: break;
    }
  }
  if (offset !== length) return { ok: false, reason: 'bad_attribute' };
  if (statusCode === undefined) return { ok: false, reason: 'missing_status_type' };
  const status = STATUS[statusCode];
  if (!status) return { ok: false, reason: 'unsupported_status_type' };
  request.status = status;
  if ((status === 'Start' || status === 'Stop' || status === 'Interim-Update') && !request.sessionId) {
    return { ok: false, reason: 'missing_session_id' };
  }
  return { ok: true, request };
}

/**
 * Text attributes as UTF-8 (invalid sequences become U+FFFD) without NUL characters, which
 * PostgreSQL text cannot store: one such request must not make a whole batch fail.
 */
function text(packet: Buffer, start: number, end: number): string {
  const value = packet.toString('utf8', start, end);
  return value.includes('\0') ? value.replace(/\0/g, '') : value;
}

function ipv4(packet: Buffer, start: number): string {
  return `${packet[start]}.${packet[start + 1]}.${packet[start + 2]}.${packet[start + 3]}`;
}

/**
 * RFC 3162 prefix: reserved octet, prefix length (0..128), then the prefix's significant
 * octets (senders may omit trailing zero octets). Host bits are cleared so the value is a
 * valid `cidr`. Malformed values become null (the request still counts).
 */
export function ipv6Prefix(value: Buffer): string | null {
  if (value.length < 2 || value.length > 18) return null;
  const bits = value[1];
  if (bits > 128) return null;
  const bytes = new Array<number>(16).fill(0);
  for (let i = 0; i < value.length - 2; i++) bytes[i] = value[2 + i];
  for (let bit = bits; bit < 128; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`;
}

/**
 * The Accounting-Response for a request: Code 5, same Identifier, and
 * Response Authenticator = MD5(Code+ID+Length+RequestAuth+Attributes+Secret). Proxy-State
 * attributes are copied back (RFC 2865). When the request carried a Message-Authenticator,
 * the `radius` package builds the reply, which then carries one too.
 */
export function encodeAccountingResponse(packet: Buffer, secret: Buffer, hasMessageAuthenticator: boolean): Buffer {
  if (hasMessageAuthenticator) {
    const decoded = radius.decode_without_secret({ packet });
    return radius.encode_response({ packet: decoded, code: 'Accounting-Response', secret: secret.toString('latin1') });
  }
  const proxyStates: Buffer[] = [];
  for (let offset = HEADER; offset + 2 <= packet.length; ) {
    const attrLength = packet[offset + 1];
    if (attrLength < 2) break;
    if (packet[offset] === A.PROXY_STATE) proxyStates.push(packet.subarray(offset, offset + attrLength));
    offset += attrLength;
  }
  const attributes = proxyStates.length ? Buffer.concat(proxyStates) : Buffer.alloc(0);
  const reply = Buffer.allocUnsafe(HEADER + attributes.length);
  reply[0] = ACCOUNTING_RESPONSE;
  reply[1] = packet[1];
  reply.writeUInt16BE(reply.length, 2);
  attributes.copy(reply, HEADER);
  const digest = createHash('md5')
    .update(reply.subarray(0, 4))
    .update(packet.subarray(4, HEADER))
    .update(attributes)
    .update(secret)
    .digest();
  digest.copy(reply, 4);
  return reply;
}

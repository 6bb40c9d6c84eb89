import { maskV4, parseCidr, parseIPv4, parseIPv6, Prefix, wordOf } from './ip';

/**
 * Longest-prefix match over IPv4 and IPv6, in memory, with int32 values (callers store ids or
 * handles).
 *
 * Layout: one open-addressing hash table per prefix length that is in use (keys are the masked
 * address words, linear probing, backward-shift deletion so there are no tombstones). A lookup
 * probes the lengths in use from longest to shortest and stops at the first hit. An ISP has a
 * handful of distinct lengths (/32 /30 /29 /24 ..., /128 /64 /56 /48), so a miss costs a handful
 * of probes into typed arrays: no allocation, no strings, no per-lookup objects.
 *
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is IPv4: mapped prefixes of length >= 96 are stored as IPv4
 * (parseCidr does that), and lookupV6 of a mapped address is an IPv4 lookup. IPv6 prefixes
 * shorter than /96 (e.g. ::/0) therefore never match mapped addresses.
 */
export class PrefixIndex {
  /**
   * The prefixes in `cidrs` (CIDR or bare addresses), each valued by its position; on duplicates
   * the first wins. Text that does not parse matches nothing.
   */
  static of(cidrs: readonly string[]): PrefixIndex {
    const index = new PrefixIndex();
    cidrs.forEach((text, position) => {
      const prefix = parseCidr(text);
      if (prefix && index.get(prefix) === null) index.set(prefix, position);
    });
    return index;
  }

  private readonly v4Tables: (Table | undefined)[] = new Array(33).fill(undefined);
  private readonly v6Tables: (Table | undefined)[] = new Array(129).fill(undefined);
  /** Lengths in use, longest first. */
  private v4Lengths = new Int32Array(0);
  private v6Lengths = new Int32Array(0);
  private count = 0;

  /** The prefix length of the last successful lookup (useful to continue with a shorter one). */
  matchedLength = -1;

  get size(): number {
    return this.count;
  }

  /** `value` must be a 32-bit signed integer other than -2^31 (the empty marker). */
  set(prefix: Prefix, value: number): void {
    if ((value | 0) !== value || value === EMPTY) throw new RangeError(`PrefixIndex value ${value} is not an int32`);
    const tables = prefix.v6 ? this.v6Tables : this.v4Tables;
    let table = tables[prefix.length];
    if (!table) {
      // IPv6 prefixes up to /64 have zero low words: store two key words, not four.
      table = new Table(prefix.v6 ? (prefix.length <= 64 ? 2 : 4) : 1);
      tables[prefix.length] = table;
      this.updateLengths(prefix.v6);
    }
    if (table.set(prefix.w0 | 0, prefix.w1 | 0, prefix.w2 | 0, prefix.w3 | 0, value)) this.count++;
  }

  delete(prefix: Prefix): boolean {
    const tables = prefix.v6 ? this.v6Tables : this.v4Tables;
    const table = tables[prefix.length];
    if (!table || !table.delete(prefix.w0 | 0, prefix.w1 | 0, prefix.w2 | 0, prefix.w3 | 0)) return false;
    this.count--;
    if (table.count === 0) {
      tables[prefix.length] = undefined;
      this.updateLengths(prefix.v6);
    }
    return true;
  }

  /** The value stored for exactly this prefix, or null. */
  get(prefix: Prefix): number | null {
    const table = (prefix.v6 ? this.v6Tables : this.v4Tables)[prefix.length];
    if (!table) return null;
    const slot = table.find(prefix.w0 | 0, prefix.w1 | 0, prefix.w2 | 0, prefix.w3 | 0);
    return slot < 0 ? null : table.valueAt(slot);
  }

  /**
   * Value of the longest prefix of length <= maxLength containing the IPv4 address (unsigned
   * 32-bit integer), or null. Sets `matchedLength`.
   */
  lookupV4(address: number, maxLength = 32): number | null {
    const lengths = this.v4Lengths;
    const tables = this.v4Tables;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i];
      if (length > maxLength) continue;
      const table = tables[length]!;
      const key = (address & MASKS[length]) | 0;
      const slots = table.slots;
      const mask = table.mask;
      const h = Math.imul(key, HASH_A);
      const f = h >>> table.filterShift;
      if (((table.filter[f >>> 5] >>> (f & 31)) & 1) === 0) continue;
      let slot = h >>> table.shift;
      for (;;) {
        const o = slot << 1;
        const value = slots[o + 1];
        if (value === EMPTY) break;
        if (slots[o] === key) {
          this.matchedLength = length;
          return value;
        }
        slot = (slot + 1) & mask;
      }
    }
    return null;
  }

  /**
   * Longest match for address text, or null when it is not an address. A zone id, as sockets
   * report link-local peers ("fe80::1%eth0"), is ignored.
   */
  lookupAddress(text: string): number | null {
    const percent = text.indexOf('%');
    const end = percent < 0 ? text.length : percent;
    const v4 = parseIPv4(text, 0, end);
    if (v4 >= 0) return this.lookupV4(v4);
    return parseIPv6(text, addressBytes, 0, end) ? this.lookupV6(addressBytes) : null;
  }

  /** Longest match for 16 network-order bytes; IPv4-mapped addresses are looked up as IPv4. */
  lookupV6(address: Uint8Array): number | null {
    const a = wordOf(address, 0);
    const b = wordOf(address, 1);
    const c = wordOf(address, 2);
    const d = wordOf(address, 3);
    if (a === 0 && b === 0 && c === 0xffff) return this.lookupV4(d);
    return this.lookupV6Words(a, b, c, d, 128);
  }

  /** Longest IPv6 match of length <= maxLength for an address given as four 32-bit words. */
  lookupV6Words(a: number, b: number, c: number, d: number, maxLength = 128): number | null {
    const lengths = this.v6Lengths;
    const tables = this.v6Tables;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i];
      if (length > maxLength) continue;
      const table = tables[length]!;
      const m = length * 4;
      const k0 = (a & MASKS6[m]) | 0;
      const k1 = (b & MASKS6[m + 1]) | 0;
      const k2 = (c & MASKS6[m + 2]) | 0;
      const k3 = (d & MASKS6[m + 3]) | 0;
      const slots = table.slots;
      const mask = table.mask;
      const h = hash6(k0, k1, k2, k3);
      const f = h >>> table.filterShift;
      if (((table.filter[f >>> 5] >>> (f & 31)) & 1) === 0) continue;
      let slot = h >>> table.shift;
      if (table.width === 2) {
        for (;;) {
          const o = slot * 3;
          const value = slots[o + 2];
          if (value === EMPTY) break;
          if (slots[o] === k0 && slots[o + 1] === k1) {
            this.matchedLength = length;
            return value;
          }
          slot = (slot + 1) & mask;
        }
      } else {
        for (;;) {
          const o = slot * 5;
          const value = slots[o + 4];
          if (value === EMPTY) break;
          if (slots[o] === k0 && slots[o + 1] === k1 && slots[o + 2] === k2 && slots[o + 3] === k3) {
            this.matchedLength = length;
            return value;
          }
          slot = (slot + 1) & mask;
        }
      }
    }
    return null;
  }

  /** Approximate bytes held by the typed arrays (for the benchmark and metrics). */
  byteSize(): number {
    let total = 0;
    for (const t of this.v4Tables) if (t) total += t.byteSize();
    for (const t of this.v6Tables) if (t) total += t.byteSize();
    return total;
  }

  private updateLengths(v6: boolean): void {
    const tables = v6 ? this.v6Tables : this.v4Tables;
    const lengths: number[] = [];
    for (let length = tables.length - 1; length >= 0; length--) if (tables[length]) lengths.push(length);
    if (v6) this.v6Lengths = Int32Array.from(lengths);
    else this.v4Lengths = Int32Array.from(lengths);
  }
}

/** Scratch for lookupAddress (lookups are synchronous, so one buffer serves every index). */
const addressBytes = new Uint8Array(16);
const HASH_A = 0x9e3779b1 | 0;
const EMPTY = -2147483648;
/** log2 of the filter bits per slot: 8 bits per slot, at most 3/4 full, so about 1 in 10 misses probes the slots. */
const FILTER_BITS = 3;

/** Mixes four words; callers take the high bits (Fibonacci hashing), so the last step multiplies. */
function hash6(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a, 0x85ebca77) ^ Math.imul(b, 0xc2b2ae3d) ^ Math.imul(c, 0x27d4eb2f) ^ Math.imul(d, 0x165667b1);
  h ^= h >>> 15;
  return Math.imul(h, HASH_A);
}

/** IPv4 netmask per length, as signed 32-bit integers (the form keys are stored in). */
const MASKS = Int32Array.from({ length: 33 }, (_, length) => maskV4(length) | 0);
/** IPv6 netmask per length: 4 words per length. */
const MASKS6 = new Int32Array(129 * 4);
for (let length = 0; length <= 128; length++) {
  for (let w = 0; w < 4; w++) MASKS6[length * 4 + w] = maskV4(Math.max(0, Math.min(32, length - 32 * w))) | 0;
}

/**
 * Open addressing, linear probing, power-of-two capacity, load factor <= 3/4. Keys and value are
 * interleaved in one Int32Array (`stride` = key words + 1), so a probe touches one cache line:
 * with 100 000 prefixes the tables do not fit in L1/L2 and cache misses are the whole cost.
 * An empty slot holds EMPTY as its value.
 *
 * `filter` is a small bitmap (2^FILTER_BITS bits per slot, indexed by more bits of the same hash)
 * with a bit set for every stored key: a lookup that misses this length usually stops at the
 * bitmap, which stays in the L1/L2 cache, instead of touching the big slot array. Deletions leave
 * bits set (only costing a useless probe) until the bitmap is rebuilt.
 */
class Table {
  slots: Int32Array;
  mask: number;
  shift: number;
  filter: Int32Array;
  filterShift: number;
  count = 0;
  private staleBits = 0;
  readonly stride: number;

  constructor(readonly width: 1 | 2 | 4, capacityBits = 4) {
    this.stride = width + 1;
    const capacity = 1 << capacityBits;
    this.slots = new Int32Array(capacity * this.stride).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - capacityBits;
    this.filterShift = this.shift - FILTER_BITS;
    this.filter = new Int32Array(Math.max(1, (capacity << FILTER_BITS) >>> 5));
  }

  get capacity(): number {
    return this.mask + 1;
  }

  byteSize(): number {
    return this.slots.byteLength + this.filter.byteLength;
  }

  private hashOf(a: number, b: number, c: number, d: number): number {
    return this.width === 1 ? Math.imul(a, HASH_A) : hash6(a, b, c, d);
  }

  /** Hash of the key stored at slot offset `o` (width-2 keys are IPv6 keys with zero low words). */
  private hashAt(o: number): number {
    const k = this.slots;
    if (this.width === 1) return Math.imul(k[o], HASH_A);
    if (this.width === 2) return hash6(k[o], k[o + 1], 0, 0);
    return hash6(k[o], k[o + 1], k[o + 2], k[o + 3]);
  }

  private markFilter(h: number): void {
    const f = h >>> this.filterShift;
    this.filter[f >>> 5] |= 1 << (f & 31);
  }

  private rebuildFilter(): void {
    this.filter.fill(0);
    this.staleBits = 0;
    const k = this.slots;
    for (let o = 0; o < k.length; o += this.stride) {
      if (k[o + this.width] === EMPTY) continue;
      this.markFilter(this.hashAt(o));
    }
  }

  valueAt(slot: number): number {
    return this.slots[slot * this.stride + this.width];
  }

  private home(a: number, b: number, c: number, d: number): number {
    return this.hashOf(a, b, c, d) >>> this.shift;
  }

  private homeOfSlot(slot: number): number {
    const k = this.slots;
    return this.hashAt(slot * this.stride) >>> this.shift;
  }

  private isUsed(slot: number): boolean {
    return this.slots[slot * this.stride + this.width] !== EMPTY;
  }

  private matches(slot: number, a: number, b: number, c: number, d: number): boolean {
    const k = this.slots;
    const o = slot * this.stride;
    if (this.width === 1) return k[o] === a;
    if (this.width === 2) return k[o] === a && k[o + 1] === b;
    return k[o] === a && k[o + 1] === b && k[o + 2] === c && k[o + 3] === d;
  }

  find(a: number, b: number, c: number, d: number): number {
    let slot = this.home(a, b, c, d);
    while (this.isUsed(slot)) {
      if (this.matches(slot, a, b, c, d)) return slot;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  /** True when the key is new. */
  set(a: number, b: number, c: number, d: number, value: number): boolean {
    const existing = this.find(a, b, c, d);
    if (existing >= 0) {
      this.slots[existing * this.stride + this.width] = value;
      return false;
    }
    if ((this.count + 1) * 4 > this.capacity * 3) this.grow();
    this.insertNew(a, b, c, d, value);
    this.count++;
    return true;
  }

  delete(a: number, b: number, c: number, d: number): boolean {
    let hole = this.find(a, b, c, d);
    if (hole < 0) return false;
    this.slots[hole * this.stride + this.width] = EMPTY;
    this.count--;
    // Backward-shift: pull later entries of the probe run into the hole when their home allows,
    // so lookups never need tombstones.
    let slot = hole;
    for (;;) {
      slot = (slot + 1) & this.mask;
      if (!this.isUsed(slot)) break;
      const home = this.homeOfSlot(slot);
      if (((hole - home) & this.mask) <= ((slot - home) & this.mask)) {
        this.slots.copyWithin(hole * this.stride, slot * this.stride, (slot + 1) * this.stride);
        this.slots[slot * this.stride + this.width] = EMPTY;
        hole = slot;
      }
    }
    if (++this.staleBits > 64 && this.staleBits > this.count) this.rebuildFilter();
    return true;
  }

  private insertNew(a: number, b: number, c: number, d: number, value: number): void {
    let slot = this.home(a, b, c, d);
    while (this.isUsed(slot)) slot = (slot + 1) & this.mask;
    const o = slot * this.stride;
    const k = this.slots;
    k[o] = a;
    if (this.width >= 2) k[o + 1] = b;
    if (this.width === 4) {
      k[o + 1] = b;
      k[o + 2] = c;
      k[o + 3] = d;
    }
    k[o + this.width] = value;
    this.markFilter(this.hashOf(a, b, c, d));
  }

  private grow(): void {
    const old = this.slots;
    const { stride, width } = this;
    const bits = 32 - this.shift + 1;
    const capacity = 1 << bits;
    this.slots = new Int32Array(capacity * stride).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - bits;
    this.filterShift = this.shift - FILTER_BITS;
    this.filter = new Int32Array((capacity << FILTER_BITS) >>> 5);
    this.staleBits = 0;
    for (let o = 0; o < old.length; o += stride) {
      const value = old[o + width];
      if (value === EMPTY) continue;
      if (width === 1) this.insertNew(old[o], 0, 0, 0, value);
      else if (width === 2) this.insertNew(old[o], old[o + 1], 0, 0, value);
      else this.insertNew(old[o], old[o + 1], old[o + 2], old[o + 3], value);
    }
  }
}

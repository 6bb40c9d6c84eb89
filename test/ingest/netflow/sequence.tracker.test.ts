import { newSequenceState, trackSequence } from '../../../src/ingest/netflow/sequence.tracker';

describe('sequence tracking', () => {
  it('v9: counts packets; a gap is loss, wrap-around is not', () => {
    const s = newSequenceState();
    trackSequence(s, 0xfffffffe, 1);
    trackSequence(s, 0xffffffff, 1);
    trackSequence(s, 0, 1);
    expect(s.lost).toBe(0);
    trackSequence(s, 4, 1);
    expect(s.lost).toBe(3);
  });

  it('IPFIX: RFC reading (records before this message) and softflowd reading (after, flows only)', () => {
    const rfc = newSequenceState();
    trackSequence(rfc, 0, 19, 18);
    trackSequence(rfc, 19, 23, 23);
    trackSequence(rfc, 42, 5, 5);
    expect(rfc.lost).toBe(0);
    const sfd = newSequenceState();
    trackSequence(sfd, 18, 19, 18);
    trackSequence(sfd, 41, 23, 23);
    trackSequence(sfd, 67, 26, 26);
    expect(sfd.lost).toBe(0);
    trackSequence(sfd, 67 + 26 + 10, 5, 5);
    expect(sfd.lost).toBe(10);
  });

  it('a late datagram is out of order, not loss; an unknown advance resyncs', () => {
    const s = newSequenceState();
    trackSequence(s, 100, 1);
    trackSequence(s, 99, 1);
    expect([s.lost, s.outOfOrder]).toEqual([0, 1]);
    trackSequence(s, 101, -1);
    trackSequence(s, 5000, 1);
    expect(s.lost).toBe(0);
  });
});

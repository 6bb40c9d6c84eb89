import { resolvePatch } from '../../src/accounts/patch';

interface Thing {
  name: string;
  note: string | null;
}

describe('resolvePatch', () => {
  it('changes only the fields sent', () => {
    expect(resolvePatch<Thing>('Thing', { name: 'a', note: undefined }, ['note'])).toEqual({ name: 'a' });
  });
  it('unset_<field>: true clears a nullable field; false is ignored', () => {
    expect(resolvePatch<Thing>('Thing', { unset_note: true }, ['note'])).toEqual({ note: null });
    expect(resolvePatch<Thing>('Thing', { unset_note: false }, ['note'])).toEqual({});
  });
  it('refuses a value and unset for the same field, null values and unsetting a required field', () => {
    expect(() => resolvePatch<Thing>('Thing', { note: 'x', unset_note: true }, ['note'])).toThrow(/both a value for note and unset_note/);
    expect(() => resolvePatch<Thing>('Thing', { note: null }, ['note'])).toThrow(/send unset_note: true/);
    expect(() => resolvePatch<Thing>('Thing', { name: null }, ['note'])).toThrow(/name cannot be null/);
    expect(() => resolvePatch<Thing>('Thing', { unset_name: true }, ['note'])).toThrow(/name cannot be unset/);
  });
});

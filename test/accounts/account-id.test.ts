import { accountIdOf } from '../../src/accounts/account-id';

it('reads only the canonical decimal spelling of an account id', () => {
  expect(accountIdOf('42')).toBe(42);
  expect(accountIdOf('999999999999999')).toBe(999_999_999_999_999);
  for (const text of [null, '', '0', '007', '-1', '4.2', ' 42', 'cust-x', '1000000000000000']) {
    expect(accountIdOf(text)).toBeNull();
  }
});

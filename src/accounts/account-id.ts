/**
 * The account id a text from outside names (a PacketLogic subscriber, a Preseem account_id), or
 * null. Only the canonical decimal spelling counts ("42", never "042" or "0"), so one account has
 * one spelling in every source; at most 15 digits keeps the number exact.
 */
export function accountIdOf(text: string | null): number | null {
  return text !== null && /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : null;
}

import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { INT64_MAX, INT64_MIN } from '../../db/int64';

/**
 * Signed 64-bit integer, serialized as a decimal string (GraphQL `Int` is 32-bit and JSON
 * numbers lose precision above 2^53). Input: a JSON integer or a decimal string.
 * Parsed values are `bigint`; resolvers that hold ids as numbers get them via `Number()`.
 */
export const Int64BitScalar = new GraphQLScalarType<bigint, string>({
  name: 'Int64Bit',
  description: 'Signed 64-bit integer, serialized as a string. Accepts a JSON integer or a numeric string.',
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value).toString();
    throw new GraphQLError(`Int64Bit cannot represent ${String(value)}`);
  },
  parseValue(value) {
    return parseInt64(value);
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return parseInt64(ast.value);
    throw new GraphQLError('Int64Bit must be an integer or a numeric string');
  },
});

/** A decimal integer, with the blanks around it that BigInt() ignores too. */
const DECIMAL = /^\s*-?\d+\s*$/;

export function parseInt64(value: unknown): bigint {
  let parsed: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new GraphQLError(`Int64Bit must be an integer, got ${value}`);
    if (!Number.isSafeInteger(value)) {
      throw new GraphQLError(`Int64Bit ${value} is beyond 2^53 as a JSON number; send it as a string to keep it exact`);
    }
    parsed = BigInt(value);
  } else if (typeof value === 'string' && DECIMAL.test(value)) {
    const digits = value.trim();
    // Anything longer than 20 digits is out of range; do not parse a megabyte of digits to find out.
    if (digits.length - (digits[0] === '-' ? 1 : 0) > 20) throw new GraphQLError(`Int64Bit ${digits.slice(0, 40)} is out of range (signed 64-bit)`);
    parsed = BigInt(digits);
  } else {
    throw new GraphQLError(`Int64Bit must be an integer or a numeric string, got ${JSON.stringify(value)}`);
  }
  if (parsed < INT64_MIN || parsed > INT64_MAX) throw new GraphQLError(`Int64Bit ${parsed} is out of range (signed 64-bit)`);
  return parsed;
}

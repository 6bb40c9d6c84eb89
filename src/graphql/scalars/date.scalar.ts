import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** A calendar date, `YYYY-MM-DD`, kept as that string (no time zone to get wrong). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDate(value);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string');
    return parseDate(ast.value);
  },
});

export function parseDate(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)) return value;
  }
  throw new GraphQLError(`Date must be a real calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
}

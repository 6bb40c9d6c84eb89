import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** An exact decimal (e.g. gigabytes): a JSON number or a numeric string on input; a string on output. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'Exact decimal number, serialized as a string ("12.5"). Accepts a JSON number or a numeric string.',
  // Trailing zeros dropped, so a value reads the same whether it came from input or from numeric(30,9).
  serialize: (value) => String(value).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''),
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a number or a numeric string');
  },
});

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d+(\.\d+)?$/.test(text) || text.length > 40) throw new GraphQLError(`Decimal must be a decimal number, got ${JSON.stringify(value)}`);
  return text;
}

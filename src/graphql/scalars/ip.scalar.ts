import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { normalizeAddress, normalizeSubnet } from '../../net/ip';

/** An IPv4 or IPv6 address, returned in canonical form (RFC 5952 for IPv6). */
export const IPScalar = new GraphQLScalarType<string, string>({
  name: 'IP',
  description: 'An IPv4 or IPv6 address.',
  serialize: (value) => normalizeAddress(String(value)),
  parseValue: (value) => asGraphQLError(() => normalizeAddress(value)),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('IP must be a string');
    return asGraphQLError(() => normalizeAddress(ast.value));
  },
});

/**
 * A CIDR subnet, IPv4 or IPv6. A bare address means /32 or /128. A subnet with host bits set
 * (10.0.0.7/24) is rejected rather than silently widened: the operator may have meant the host.
 */
export const SubnetScalar = new GraphQLScalarType<string, string>({
  name: 'SubnetScalar',
  description: 'CIDR subnet (v4 or v6); a bare address is /32 or /128; host bits must be zero.',
  serialize: (value) => normalizeSubnet(String(value)),
  parseValue: (value) => asGraphQLError(() => normalizeSubnet(value)),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('SubnetScalar must be a string');
    return asGraphQLError(() => normalizeSubnet(ast.value));
  },
});

function asGraphQLError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new GraphQLError((error as Error).message);
  }
}

import type { GraphQLField, GraphQLSchema } from 'graphql';
import { AuthChecker, Authorized, Extensions, registerEnumType } from 'type-graphql';
import { highestScope, isTokenScope, TokenScope } from '../../auth/token-scope';
import { DomainError } from '../../errors';
import type { GraphQLContext } from '../context';

registerEnumType(TokenScope, {
  name: 'PersonalAccessTokenScope',
  description: 'Extension: what a token may do. Each scope includes the ones before it: read < write < admin.',
  valuesConfig: {
    read: { description: 'Every query (front ends).' },
    write: {
      description:
        'read, plus mutations on data and usage: accounts, devices, addresses, RADIUS logins, usage policies, top-offs, ' +
        'createDataUsages (middleware).',
    },
    admin: { description: 'write, plus tokens, collectors (NetFlow, RADIUS clients, inline devices), Preseem and other settings.' },
  },
});

/**
 * The scope a query or mutation needs. type-graphql's `@Authorized` runs `scopeAuthChecker` before
 * the resolver; the same scope goes into the field's extensions, where `assertEveryOperationDeclaresScope`
 * finds the fields that declare none, and tests read what each one needs.
 */
export function NeedsScope(scope: TokenScope): MethodDecorator {
  return (target, key, descriptor) => {
    Authorized(scope)(target, key, descriptor);
    Extensions({ scope })(target, key, descriptor);
  };
}

/** type-graphql's `authChecker`: refuses with FORBIDDEN, naming the scope needed, instead of answering false. */
export const scopeAuthChecker: AuthChecker<GraphQLContext, TokenScope> = ({ context, info }, [scope]) => {
  requireScope(context, info.fieldName, scope);
  return true;
};

/** Throws FORBIDDEN unless the request's token holds `scope`. */
export function requireScope(context: GraphQLContext, operation: string, scope: TokenScope): void {
  const held = context.tokenScopes ?? [];
  if (held.includes(scope)) return;
  throw new DomainError('FORBIDDEN', `${operation} needs the ${scope} scope; this token has ${held.length ? highestScope(held) : 'none'}`, {
    required_scope: scope,
    token_scopes: held,
  });
}

/** The scope a root field declared with `@NeedsScope`. */
export function declaredScope(field: GraphQLField<unknown, unknown>): TokenScope | undefined {
  const scope = field.extensions?.scope;
  return isTokenScope(scope) ? scope : undefined;
}

/**
 * A query or mutation without a declared scope would be open to every token: the schema is not
 * built (the service does not start, every test fails) until each one declares the scope it needs.
 */
export function assertEveryOperationDeclaresScope(schema: GraphQLSchema): void {
  const undeclared = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
    type ? Object.values(type.getFields()).filter((field) => !declaredScope(field)).map((field) => `${type.name}.${field.name}`) : [],
  );
  if (undeclared.length) {
    throw new Error(`Every query and mutation must declare the scope it needs (@NeedsScope); these do not: ${undeclared.join(', ')}`);
  }
}

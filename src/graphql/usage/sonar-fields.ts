/** Unique across all types: base64url of "<Type>:<id>" (the shared scheme; see src/graphql/common once it lands). */
export function sonarUniqueId(typeName: string, id: number | bigint | string): string {
  return Buffer.from(`${typeName}:${id}`).toString('base64url');
}

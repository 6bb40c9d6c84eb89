/**
 * Writes test/compat/nullability-diff.md: every field argument and input field of this service's schema.graphql
 * compared with Sonar's (sonar-schema.graphql), and what this service has that Sonar does not (its extensions).
 *
 *   node -r @swc-node/register test/compat/nullability-diff.ts
 *
 * A report for people; the later test compares the same tables and fails instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FieldDefinitionNode, InputValueDefinitionNode, Kind, parse, print, TypeDefinitionNode, TypeNode } from 'graphql';
import { loadSonarSchema, SonarField, SonarInputValue, SonarType } from './sonar-schema';

/** Our names for types Sonar names otherwise (same role, same place in the API). */
export const SONAR_NAME_OF: Record<string, string> = {
  AccountIpAssignment: 'AccountIpAssignments',
  AccountIpAssignmentConnection: 'AccountIpAssignmentsConnection',
  BooleanFieldSearch: 'SearchBooleanField',
  CreatedPersonalAccessToken: 'PersonalAccessToken',
  DatetimeFieldSearch: 'SearchDatetimeField',
  DayOfWeek: 'Day',
  IntegerFieldSearch: 'SearchIntegerField',
  IpAddressFieldSearch: 'SearchIpAddressField',
  PersonalAccessTokenType: 'PersonalAccessToken',
  SearchOperator: 'RangeOperator',
  StringFieldSearch: 'SearchStringField',
  UpdateInventoryItemMutationInput: 'UpdateInventoryItemsMutationInput',
  UsageBasedBillingPolicyObject: 'UsageBasedBillingPolicy',
};

interface Value {
  type: string;
  defaultValue?: string;
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));
const named = (typeString: string): string => typeString.replace(/[[\]!]/g, '');
/** `[X!]!` -> `[_!]!`: the wrapping alone. */
const wrapping = (typeString: string): string => typeString.replace(/[A-Za-z0-9_]+/, '_');

/**
 * Whether ours requires a value (`!`) somewhere Sonar does not, at the same list depth: then a request typed the
 * way Sonar's schema is (a variable `$input: [CreateDataUsageMutationInput]`, a null list item) fails here.
 */
function stricter(ours: string, sonar: string): boolean {
  const levels = (typeString: string): boolean[] => {
    const nonNull: boolean[] = [];
    let rest = typeString;
    for (;;) {
      const required = rest.endsWith('!');
      if (required) rest = rest.slice(0, -1);
      nonNull.push(required);
      if (!rest.startsWith('[')) return nonNull;
      rest = rest.slice(1, -1);
    }
  };
  const ourLevels = levels(ours);
  const sonarLevels = levels(sonar);
  if (ourLevels.length !== sonarLevels.length) return true;
  return ourLevels.some((required, i) => required && !sonarLevels[i]);
}

function ourValue(node: InputValueDefinitionNode): Value {
  return { type: print(node.type), ...(node.defaultValue ? { defaultValue: print(node.defaultValue) } : {}) };
}

/** What differs between our argument/input field and Sonar's, in words; empty when nothing does. */
function difference(ours: Value, sonar: SonarInputValue): string[] {
  const found: string[] = [];
  const ourNamed = named(ours.type);
  if ((SONAR_NAME_OF[ourNamed] ?? ourNamed) !== named(sonar.type)) found.push('type');
  else if (ourNamed !== named(sonar.type)) found.push('type name');
  if (wrapping(ours.type) !== wrapping(sonar.type)) {
    found.push(stricter(ours.type, sonar.type) ? 'nullability (ours stricter)' : 'nullability (ours looser)');
  }
  if (ours.defaultValue !== sonar.defaultValue) found.push('default');
  return found;
}

const show = (value: Value | undefined): string =>
  value ? `\`${value.type}${value.defaultValue !== undefined ? ` = ${value.defaultValue}` : ''}\`` : '';

const codeList = (names: string[]): string => (names.length === 0 ? '' : names.map((name) => `\`${name}\``).join(', '));

interface Row {
  where: string;
  name: string;
  ours: Value;
  sonar: SonarInputValue;
  what: string[];
}

function compareValues(
  where: string,
  ours: readonly InputValueDefinitionNode[],
  sonar: Record<string, SonarInputValue>,
): { rows: Row[]; extensions: string[]; lacking: string[] } {
  const rows: Row[] = [];
  const extensions: string[] = [];
  for (const node of ours) {
    const theirs = sonar[node.name.value];
    if (!theirs) {
      extensions.push(`${node.name.value}: ${print(node.type)}`);
      continue;
    }
    const what = difference(ourValue(node), theirs);
    if (what.length > 0) rows.push({ where, name: node.name.value, ours: ourValue(node), sonar: theirs, what });
  }
  const ourNames = new Set(ours.map((node) => node.name.value));
  const lacking = Object.keys(sonar)
    .filter((name) => !ourNames.has(name))
    .sort();
  return { rows, extensions, lacking };
}

function table(rows: Row[]): string[] {
  if (rows.length === 0) return ['None.'];
  return [
    '| where | name | ours | Sonar | differs in |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| \`${row.where}\` | \`${row.name}\` | ${show(row.ours)} | ${show(row.sonar)} | ${row.what.join(', ')} |`),
  ];
}

function run(): void {
  const ours = parse(readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
  const sonar = loadSonarSchema();
  const ourTypes = new Map<string, TypeDefinitionNode>();
  for (const definition of ours.definitions) {
    if ('name' in definition && definition.name) ourTypes.set(definition.name.value, definition as TypeDefinitionNode);
  }
  const sonarTypeFor = (ourName: string): SonarType | undefined => sonar.types.get(SONAR_NAME_OF[ourName] ?? ourName);
  const byName = (a: { name: { value: string } }, b: { name: { value: string } }) => a.name.value.localeCompare(b.name.value);

  const rootRows: Row[] = [];
  const relationRows: Row[] = [];
  const inputRows: Row[] = [];
  const extensionOperations: string[] = [];
  const extensionArguments: string[] = [];
  const lackingArguments: string[] = [];
  const returnTypes: string[] = [];
  const extensionInputs: string[] = [];
  const extensionInputFields: string[] = [];
  const lackingInputFields: string[] = [];
  const extensionObjects: string[] = [];
  const enumRows: string[] = [];
  const scalarRows: string[] = [];
  const outputRows: string[] = [];

  const compareField = (typeName: string, field: FieldDefinitionNode, theirs: SonarField | undefined, rows: Row[]) => {
    const where = `${typeName}.${field.name.value}`;
    if (!theirs) {
      const args = (field.arguments ?? []).map((arg) => `${arg.name.value}: ${print(arg.type)}`).join(', ');
      extensionOperations.push(`| \`${where}\` | \`(${args}): ${print(field.type)}\` |`);
      return;
    }
    const result = compareValues(where, field.arguments ?? [], theirs.args);
    rows.push(...result.rows);
    for (const extension of result.extensions) extensionArguments.push(`| \`${where}\` | \`${extension}\` |`);
    if (result.lacking.length > 0) lackingArguments.push(`| \`${where}\` | ${codeList(result.lacking)} |`);
    const ourReturn = print(field.type);
    if (ourReturn !== theirs.type && (typeName === 'Query' || typeName === 'Mutation')) {
      returnTypes.push(`| \`${where}\` | \`${ourReturn}\` | \`${theirs.type}\` |`);
    }
  };

  for (const definition of [...ourTypes.values()].sort(byName)) {
    const name = definition.name.value;
    const theirs = sonarTypeFor(name);
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION: {
        if (!theirs) {
          extensionObjects.push(`\`${name}\``);
          break;
        }
        if (theirs.kind !== 'object') throw new Error(`Sonar's ${theirs.name} is not an object type`);
        const isRoot = name === 'Query' || name === 'Mutation';
        if (!isRoot) {
          const label = theirs.name === name ? name : `${name} (Sonar: ${theirs.name})`;
          const onlyOurs = (definition.fields ?? []).filter((field) => !theirs.fields[field.name.value]);
          const otherType = (definition.fields ?? []).filter((field) => {
            const sonarField = theirs.fields[field.name.value];
            const ourNamed = namedType(field.type);
            return sonarField && (SONAR_NAME_OF[ourNamed] ?? ourNamed) !== named(sonarField.type);
          });
          if (onlyOurs.length + otherType.length > 0) {
            outputRows.push(
              `| \`${label}\` | ${codeList(onlyOurs.map((field) => field.name.value).sort()) || '-'} | ${
                otherType
                  .map((field) => `\`${field.name.value}: ${print(field.type)}\` (Sonar \`${theirs.fields[field.name.value].type}\`)`)
                  .join(', ') || '-'
              } |`,
            );
          }
        }
        for (const field of [...(definition.fields ?? [])].sort(byName)) {
          if (!isRoot && (field.arguments ?? []).length === 0) continue;
          compareField(name, field, theirs.fields[field.name.value], isRoot ? rootRows : relationRows);
        }
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION: {
        if (!theirs) {
          const fields = (definition.fields ?? []).map((field) => `${field.name.value}: ${print(field.type)}`).join(', ');
          extensionInputs.push(`| \`${name}\` | \`{${fields}}\` |`);
          break;
        }
        if (theirs.kind !== 'input') throw new Error(`Sonar's ${theirs.name} is not an input type`);
        const where = theirs.name === name ? name : `${name} (Sonar: ${theirs.name})`;
        const result = compareValues(where, [...(definition.fields ?? [])].sort(byName), theirs.fields);
        inputRows.push(...result.rows);
        for (const extension of result.extensions) extensionInputFields.push(`| \`${where}\` | \`${extension}\` |`);
        if (result.lacking.length > 0) lackingInputFields.push(`| \`${where}\` | ${codeList(result.lacking)} |`);
        break;
      }
      case Kind.ENUM_TYPE_DEFINITION: {
        const ourValues = (definition.values ?? []).map((value) => value.name.value).sort();
        const sonarValues = theirs?.kind === 'enum' ? [...theirs.values].sort() : undefined;
        const onlyOurs = ourValues.filter((value) => !sonarValues?.includes(value));
        const onlySonar = (sonarValues ?? []).filter((value) => !ourValues.includes(value));
        const label = theirs && theirs.name !== name ? `${name} (Sonar: ${theirs.name})` : name;
        enumRows.push(
          sonarValues
            ? `| \`${label}\` | ${codeList(onlyOurs) || '-'} | ${codeList(onlySonar) || '-'} |`
            : `| \`${label}\` | not in Sonar | |`,
        );
        break;
      }
      case Kind.SCALAR_TYPE_DEFINITION:
        scalarRows.push(`| \`${name}\` | ${theirs?.kind === 'scalar' ? 'yes' : 'no'} |`);
        break;
      default:
        break;
    }
  }

  const md = [
    '# schema.graphql against Sonar: arguments, input fields, extensions',
    '',
    `Generated by \`test/compat/nullability-diff.ts\` from this worktree's \`schema.graphql\` and \`sonar-schema.graphql\``,
    `(Sonar's schema from github.com/Elifnurdeniz/sonar-graphql-schema at \`${sonar.commit}\`).`,
    'Regenerate after changing the schema.',
    '',
    '"differs in": `nullability` (the same type wrapped differently in `!` and `[]`; "ours stricter": ours requires a',
    "value where Sonar does not, so a request typed the way Sonar's schema is fails here), `type` (another type),",
    '`type name` (the same role under another name), `default` (default value). Our types are matched to Sonar\'s by',
    'name, or by `SONAR_NAME_OF`:',
    '',
    ...Object.entries(SONAR_NAME_OF).map(([ourName, sonarName]) => `- \`${ourName}\` is Sonar's \`${sonarName}\``),
    '',
    '## 1. Arguments of Query and Mutation fields that differ from Sonar',
    '',
    ...table(rootRows),
    '',
    '## 2. Arguments of relation fields (fields of object types) that differ from Sonar',
    '',
    ...table(relationRows),
    '',
    '## 3. Input fields that differ from Sonar',
    '',
    ...table(inputRows),
    '',
    '## 4. Our extensions: fields Sonar does not have (Query and Mutation fields, and fields with arguments)',
    '',
    '| field | signature |',
    '| --- | --- |',
    ...extensionOperations,
    '',
    '## 5. Our extensions: arguments Sonar does not have (on fields Sonar has)',
    '',
    ...(extensionArguments.length > 0 ? ['| field | argument |', '| --- | --- |', ...extensionArguments] : ['None.']),
    '',
    '## 6. Our extensions: input types and input fields Sonar does not have',
    '',
    '| input type | fields |',
    '| --- | --- |',
    ...extensionInputs,
    '',
    '| input type | field |',
    '| --- | --- |',
    ...extensionInputFields,
    '',
    '## 7. Our extensions: object types Sonar does not have',
    '',
    extensionObjects.join(', '),
    '',
    '## 8. Enums: values only one side has',
    '',
    '| enum | only ours | only Sonar |',
    '| --- | --- | --- |',
    ...enumRows,
    '',
    '## 9. Scalars',
    '',
    '| ours | in Sonar |',
    '| --- | --- |',
    ...scalarRows,
    '',
    '## 10. Return types of Query and Mutation fields (output types may stay stricter; for information)',
    '',
    '| field | ours | Sonar |',
    '| --- | --- | --- |',
    ...returnTypes,
    '',
    '## 11. Output fields of our object types that Sonar does not have, or types differently (for information)',
    '',
    '| type | fields Sonar does not have | fields of another type in Sonar |',
    '| --- | --- | --- |',
    ...outputRows,
    '',
    '## 12. Arguments Sonar has that we lack (on fields both have)',
    '',
    '| field | Sonar arguments not in schema.graphql |',
    '| --- | --- |',
    ...lackingArguments,
    '',
    '## 13. Input fields Sonar has that we lack (on input types both have)',
    '',
    '| input type | Sonar fields not in schema.graphql |',
    '| --- | --- |',
    ...lackingInputFields,
    '',
  ].join('\n');
  const file = path.resolve(__dirname, 'nullability-diff.md');
  writeFileSync(file, md);
  process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}

if (require.main === module) run();

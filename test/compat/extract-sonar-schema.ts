/**
 * Regenerates test/compat/sonar-schema.graphql (and sonar-schema-large-enums.graphql): the part of Sonar's V2
 * schema this service mirrors or will mirror (issues 12 and 13), from the public dump
 * github.com/Elifnurdeniz/sonar-graphql-schema.
 *
 *   node -r @swc-node/register test/compat/extract-sonar-schema.ts [git-dir-of-the-dump] [commit]
 *
 * The dump's own sonar_schema.graphql is stored out of band (the mirror lacks its blob), but its docs/*.md are
 * that file split by definition (its split_schema.py prints every definition with graphql-core's print_ast into a
 * ```graphql fence), so joining every docs/*.md gives the whole schema back: 1 378 definitions, no name twice,
 * and graphql-js builds it. From it this script keeps:
 *   - the root fields listed in ROOT_FIELDS (today's operations that Sonar has, and the ones the issues add);
 *   - every object type those return, the types in EXTRA_TYPES, and each one's Connection (or entity) type;
 *   - every interface they implement or return, and every input type, enum and scalar reachable from the
 *     arguments and fields of all of the above.
 * Object types reached only as the type of a relation field (Account.contacts: ContactConnection!) are not
 * reproduced; test/compat/sonar-schema.ts lists them and stands them in as scalars when it builds a schema.
 * Definitions are printed with graphql-js in name order (fields, arguments and enum values sorted too), with
 * Sonar's type strings and default values exactly as the dump writes them, and its descriptions (but for
 * arguments of non-root fields, see sorted()).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildASTSchema,
  DefinitionNode,
  FieldDefinitionNode,
  InputValueDefinitionNode,
  Kind,
  parse,
  print,
  TypeDefinitionNode,
  TypeNode,
} from 'graphql';

const DEFAULT_DUMP = '/work/.mirror/Elifnurdeniz+sonar-graphql-schema/repo';
const DUMP_REPOSITORY = 'Elifnurdeniz/sonar-graphql-schema';
const OUTPUT = path.resolve(__dirname, 'sonar-schema.graphql');
const LARGE_ENUMS_OUTPUT = path.resolve(__dirname, 'sonar-schema-large-enums.graphql');

/** Today's operations (schema.graphql) that Sonar has, and every operation issues 12 and 13 add. */
export const ROOT_FIELDS: Record<'Query' | 'Mutation', string[]> = {
  Query: [
    // today
    'account_ip_assignments', 'account_statuses', 'account_types', 'accounts', 'data_usage', 'data_usage_histories',
    'data_usage_top_offs', 'data_usage_totals', 'inline_devices', 'inventory_items', 'ip_assignment_histories',
    'ip_assignments', 'netflow_allowed_subnets', 'netflow_endpoints', 'netflow_whitelists', 'personal_access_tokens',
    'preseem', 'radius_accounts', 'radius_session_histories', 'usage_based_billing_policies',
    // Sonar's neighbours of today's types
    'inline_device_credentials', 'usage_based_billing_policy_free_periods',
    // issue 12
    'me', 'netflow_on_premises', 'radius_server_credentials', 'radius_servers',
    // issue 13
    'account_services', 'addresses', 'data_service_details', 'inventory_model_field_data', 'inventory_model_fields',
    'inventory_models', 'network_sites', 'services', 'uninventoried_mac_addresses',
  ],
  Mutation: [
    // today
    'archiveAccount', 'createAccount', 'createAccountStatus', 'createAccountType', 'createDataUsageTopOff',
    'createDataUsages', 'createInlineDevice', 'createIpAssignment', 'createNetflowAllowedSubnet',
    'createNetflowEndpoint', 'createNetflowWhitelist', 'createPersonalAccessToken', 'createRadiusAccount',
    'createUsageBasedBillingPolicy', 'createUsageBasedBillingPolicyFreePeriod', 'deleteAccountStatus',
    'deleteAccountType', 'deleteInlineDevice', 'deleteInventoryItem', 'deleteIpAssignment',
    'deleteNetflowAllowedSubnet', 'deleteNetflowEndpoint', 'deleteNetflowWhitelist', 'deletePersonalAccessToken',
    'deleteRadiusAccount', 'deleteUsageBasedBillingPolicy', 'deleteUsageBasedBillingPolicyFreePeriod',
    'unarchiveAccount', 'updateAccount', 'updateAccountStatus', 'updateAccountType', 'updateInlineDevice',
    'updateInventoryItem', 'updateIpAssignment', 'updateNetflowAllowedSubnet', 'updateNetflowEndpoint',
    'updateNetflowWhitelist', 'updatePreseem', 'updateRadiusAccount', 'updateUsageBasedBillingPolicy',
    'updateUsageBasedBillingPolicyFreePeriod',
    // Sonar's neighbours of today's operations
    'disconnectRadiusSession', 'synchronizeInlineDevice', 'updateDataUsageHistory', 'validateInlineDeviceCredentials',
    // issue 12
    'createNetflowOnPremise', 'createRadiusServer', 'deleteNetflowOnPremise', 'deleteRadiusServer',
    'synchronizeRadiusServer', 'updateMe', 'updateNetflowOnPremise', 'updateRadiusServer',
    'validateRadiusServerCredentials',
    // issue 13: addresses (Sonar creates them as serviceable or mailing addresses)
    'createMailingAddress', 'createServiceableAddress', 'deleteMailingAddress', 'deleteServiceableAddress',
    'updateMailingAddress', 'updateServiceableAddress',
    // issue 13: inventory
    'assignInventoryItems', 'createInventoryItems', 'createInventoryModel', 'createInventoryModelField',
    'deleteInventoryModel', 'deleteInventoryModelField', 'updateInventoryItemFields', 'updateInventoryItems',
    'updateInventoryModel', 'updateInventoryModelField',
    // issue 13: uninventoried MACs, network sites
    'createNetworkSite', 'createUninventoriedMacAddress', 'deleteNetworkSite', 'deleteUninventoriedMacAddress',
    'updateNetworkSite', 'updateUninventoriedMacAddress',
    // issue 13: services (Sonar's DATA service is created with its DataServiceDetail) and account services
    'addServiceToAccount', 'createDataService', 'deleteAccountService', 'deleteService', 'updateAccountService',
    'updateDataService',
  ],
};

/** Object types kept although no listed root field returns them (reached through relations). */
export const EXTRA_TYPES = ['InventoryModelFieldData', 'PageInfo', 'UsageBasedBillingPolicyFreePeriod'];

/** Enums with more values than this (countries, subdivisions, counties, time zones, icons) go to their own file. */
const LARGE_ENUM_VALUES = 100;

interface DumpText {
  commit: string;
  commitDate: string;
  files: string[];
  sdl: string;
}

function git(dump: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dump, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function readDump(dump: string, revision: string): DumpText {
  const commit = git(dump, 'rev-parse', `${revision}^{commit}`).trim();
  const commitDate = git(dump, 'show', '-s', '--format=%cI', commit).trim();
  const files = git(dump, 'ls-tree', '--name-only', commit, 'docs/')
    .split('\n')
    .filter((file) => file.endsWith('.md'))
    .sort();
  const blocks = files.map((file) => {
    const text = git(dump, 'show', `${commit}:${file}`);
    const fenced = /^```graphql\n([\s\S]*)\n```\n$/.exec(text);
    if (!fenced) throw new Error(`${file} is not one \`\`\`graphql fence`);
    return fenced[1];
  });
  return { commit, commitDate, files, sdl: blocks.join('\n\n') };
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

type Definition = Extract<DefinitionNode, TypeDefinitionNode>;

function fieldsOf(definition: Definition): readonly (FieldDefinitionNode | InputValueDefinitionNode)[] {
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      return definition.fields ?? [];
    default:
      return [];
  }
}

/** Names this definition points at: field types, argument types, implemented interfaces, union members. */
function references(definition: Definition): string[] {
  const names: string[] = [];
  for (const field of fieldsOf(definition)) {
    names.push(namedType(field.type));
    if (field.kind === Kind.FIELD_DEFINITION) for (const arg of field.arguments ?? []) names.push(namedType(arg.type));
  }
  if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION) {
    for (const iface of definition.interfaces ?? []) names.push(iface.name.value);
  }
  if (definition.kind === Kind.UNION_TYPE_DEFINITION) for (const member of definition.types ?? []) names.push(member.name.value);
  return names;
}

const LEAF_OR_INPUT = new Set<string>([Kind.INPUT_OBJECT_TYPE_DEFINITION, Kind.ENUM_TYPE_DEFINITION, Kind.SCALAR_TYPE_DEFINITION]);

interface Selection {
  definitions: Definition[];
  /** Object types named by a kept field but not reproduced. */
  notReproduced: string[];
}

function selectDefinitions(all: Map<string, Definition>): Selection {
  const definition = (name: string): Definition => {
    const found = all.get(name);
    if (!found) throw new Error(`Sonar's schema has no type ${name}`);
    return found;
  };
  const kept = new Map<string, Definition>();
  const roots: Definition[] = [];
  for (const [rootName, wanted] of Object.entries(ROOT_FIELDS)) {
    const root = definition(rootName);
    if (root.kind !== Kind.OBJECT_TYPE_DEFINITION) throw new Error(`${rootName} is not an object type`);
    const fields = (root.fields ?? []).filter((field) => wanted.includes(field.name.value));
    const missing = wanted.filter((name) => !fields.some((field) => field.name.value === name));
    if (missing.length > 0) throw new Error(`Sonar's ${rootName} has no ${missing.join(', ')}`);
    roots.push({ ...root, fields });
  }
  for (const root of roots) kept.set(root.name.value, root);

  // Object types: what the kept root fields return, the extras, and each one's Connection (or entity) type.
  const objects = new Set<string>(EXTRA_TYPES);
  for (const root of roots) for (const field of fieldsOf(root)) objects.add(namedType(field.type));
  for (const name of [...objects]) {
    const entity = definition(name);
    if (entity.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    if (all.has(`${name}Connection`)) objects.add(`${name}Connection`);
    if (name.endsWith('Connection')) {
      const entities = (entity.fields ?? []).find((field) => field.name.value === 'entities');
      if (entities) objects.add(namedType(entities.type));
    }
  }
  for (const name of objects) {
    const found = definition(name);
    if (found.kind === Kind.OBJECT_TYPE_DEFINITION) kept.set(name, found);
  }
  // Interfaces the kept objects implement or return (recursively), kept whole.
  const queue = [...kept.values()];
  while (queue.length > 0) {
    const next = queue.pop() as Definition;
    for (const name of references(next)) {
      const found = all.get(name);
      if (found?.kind === Kind.INTERFACE_TYPE_DEFINITION && !kept.has(name)) {
        kept.set(name, found);
        queue.push(found);
      }
    }
  }
  // Inputs, enums and scalars reachable from everything kept.
  const notReproduced = new Set<string>();
  const pending = [...kept.values()];
  while (pending.length > 0) {
    const next = pending.pop() as Definition;
    for (const name of references(next)) {
      if (kept.has(name)) continue;
      const found = all.get(name);
      if (!found) continue; // a built-in scalar
      if (LEAF_OR_INPUT.has(found.kind)) {
        kept.set(name, found);
        pending.push(found);
      } else {
        notReproduced.add(name);
      }
    }
  }
  return { definitions: [...kept.values()], notReproduced: [...notReproduced].sort() };
}

const byName = <T extends { name: { value: string } }>(a: T, b: T): number =>
  a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0;

const ROOT_TYPES = new Set(Object.keys(ROOT_FIELDS));

/**
 * The same definition with its fields, arguments and enum values in name order. Arguments of fields other than
 * Query's and Mutation's lose their descriptions: there they only repeat the target type's field descriptions
 * ("The ID of the entity.") and would triple the file.
 */
function sorted(definition: Definition): Definition {
  const keepArgumentDescriptions = ROOT_TYPES.has(definition.name.value);
  const sortArguments = (field: FieldDefinitionNode): FieldDefinitionNode => ({
    ...field,
    arguments: [...(field.arguments ?? [])]
      .map((arg) => (keepArgumentDescriptions ? arg : { ...arg, description: undefined }))
      .sort(byName),
  });
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
      return { ...definition, fields: [...(definition.fields ?? [])].map(sortArguments).sort(byName) };
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      return { ...definition, fields: [...(definition.fields ?? [])].sort(byName) };
    case Kind.ENUM_TYPE_DEFINITION:
      return { ...definition, values: [...(definition.values ?? [])].sort(byName) };
    default:
      return definition;
  }
}

/**
 * graphql-js prints arguments without descriptions on one line; this puts each on its own line, as the root
 * fields' described arguments already are, so the file reads and diffs one argument at a time.
 */
function printDefinition(definition: Definition): string {
  let text = print(definition);
  if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) return text;
  for (const field of definition.fields ?? []) {
    const args = field.arguments ?? [];
    if (args.length === 0 || args.some((arg) => arg.description)) continue;
    const oneLine = `\n  ${field.name.value}(${args.map((arg) => print(arg)).join(', ')}): ${print(field.type)}\n`;
    const lines = `\n  ${field.name.value}(\n${args.map((arg) => `    ${print(arg)}`).join('\n')}\n  ): ${print(field.type)}\n`;
    if (!text.includes(oneLine)) throw new Error(`${definition.name.value}.${field.name.value} did not print as expected`);
    text = text.replace(oneLine, lines);
  }
  return text;
}

const isLargeEnum = (definition: Definition): boolean =>
  definition.kind === Kind.ENUM_TYPE_DEFINITION && (definition.values ?? []).length > LARGE_ENUM_VALUES;

function wrap(words: string[], width = 110): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function source(dump: DumpText): string[] {
  return [
    `# Source: github.com/${DUMP_REPOSITORY}, commit ${dump.commit} (${dump.commitDate}),`,
    `# docs/*.md (${dump.files.length} files) joined back into one schema. Sorted by name; descriptions, type strings`,
    `# and default values as the dump writes them (argument descriptions only on Query and Mutation fields).`,
    `# See test/compat/README.md.`,
  ];
}

function header(dump: DumpText, selection: Selection, largeEnums: string[]): string {
  const list = (names: string[]) =>
    wrap(names.map((name, i) => (i < names.length - 1 ? `${name},` : name))).map((line) => `#   ${line}`);
  return [
    `# Part of Sonar's V2 GraphQL schema. GENERATED by test/compat/extract-sonar-schema.ts: do not edit by hand.`,
    ...source(dump),
    `#`,
    `# Enums with more than ${LARGE_ENUM_VALUES} values are in sonar-schema-large-enums.graphql: ${largeEnums.join(', ')}.`,
    `#`,
    `# Object types named by fields below but not reproduced here (${selection.notReproduced.length}):`,
    ...list(selection.notReproduced),
  ].join('\n');
}

function run(): void {
  const [dumpDir = DEFAULT_DUMP, revision = 'HEAD'] = process.argv.slice(2);
  const dump = readDump(dumpDir, revision);
  const document = parse(dump.sdl);
  // Building the whole schema proves the joined files are one consistent schema (every name defined once).
  buildASTSchema(document);
  const all = new Map<string, Definition>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) throw new Error(`unnamed ${definition.kind} in the dump`);
    all.set(definition.name.value, definition as Definition);
  }
  const selection = selectDefinitions(all);
  const definitions = selection.definitions.sort(byName);
  const printed = (list: Definition[]) => list.map((definition) => printDefinition(sorted(definition))).join('\n\n');
  const large = definitions.filter(isLargeEnum);
  const largeNames = large.map((definition) => definition.name.value);
  writeFileSync(OUTPUT, `${header(dump, selection, largeNames)}\n\n${printed(definitions.filter((d) => !isLargeEnum(d)))}\n`);
  writeFileSync(
    LARGE_ENUMS_OUTPUT,
    [
      `# Enums of Sonar's V2 GraphQL schema with more than ${LARGE_ENUM_VALUES} values, used by sonar-schema.graphql.`,
      `# GENERATED by test/compat/extract-sonar-schema.ts: do not edit by hand.`,
      ...source(dump),
      '',
      `${printed(large)}\n`,
    ].join('\n'),
  );
  process.stdout.write(`${definitions.length} definitions (${large.length} large enums) from ${dump.commit}\n`);
}

if (require.main === module) run();

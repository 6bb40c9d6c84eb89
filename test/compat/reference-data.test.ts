import { parse, validate, validateSchema } from 'graphql';
import { clientDocument, clientDocumentNames, clientDocumentPlaceholders } from './client-documents';
import { buildSonarSchema, loadSonarSchema, sonarType } from './sonar-schema';

/**
 * The reference data stays what it claims to be: Sonar's kept schema builds, every copied client document is valid
 * against it (so the copies and the kept part are complete), and the loaders read the files exactly.
 */
describe("Sonar's schema as kept in sonar-schema.graphql", () => {
  it('builds into a valid schema', () => {
    expect(validateSchema(buildSonarSchema()).map((error) => error.message)).toEqual([]);
  });

  it('gives arguments and input fields with their exact type strings and defaults', () => {
    expect(sonarType('Mutation', 'object').fields.createDataUsages.args.input).toMatchObject({
      type: '[CreateDataUsageMutationInput]',
    });
    expect(sonarType('Mutation', 'object').fields.updateNetflowOnPremise.args).toMatchObject({
      id: { type: 'Int64Bit!' },
      input: { type: 'UpdateNetflowOnPremiseMutationInput' },
    });
    const filter = sonarType('ReverseRelationFilter', 'input').fields;
    expect(Object.values(filter).map(({ name, type, defaultValue }) => ({ name, type, defaultValue }))).toEqual([
      { name: 'general_search', type: 'String', defaultValue: undefined },
      { name: 'group', type: 'String', defaultValue: '"1"' },
      { name: 'is_empty', type: 'Boolean', defaultValue: 'false' },
      { name: 'relation', type: 'String!', defaultValue: undefined },
      { name: 'search', type: '[Search]', defaultValue: undefined },
    ]);
    expect(sonarType('SearchStringField', 'input').fields.partial_matching).toMatchObject({ type: 'Boolean', defaultValue: 'true' });
    expect(sonarType('RadiusServerType', 'enum').values).toEqual(['FREERADIUS_MYSQL']);
  });

  it('names the object types it does not reproduce, and reproduces none of them', () => {
    const { notReproduced, types } = loadSonarSchema();
    expect(notReproduced).toContain('ContactConnection');
    expect(notReproduced.filter((name) => types.has(name))).toEqual([]);
  });
});

describe("Sonar's clients' documents", () => {
  const documents = (['netflow-onprem', 'libreqos'] as const).flatMap((client) =>
    clientDocumentNames(client).map((name) => ({ client, name })),
  );

  it('are the nine documents of netflow-onprem and LibreQoS', () => {
    expect(documents.map(({ client, name }) => `${client}/${name}`)).toEqual([
      'netflow-onprem/account-ip-assignments',
      'netflow-onprem/create-data-usages',
      'netflow-onprem/create-netflow-on-premise',
      'netflow-onprem/delete-netflow-on-premise',
      'netflow-onprem/netflow-on-premises',
      'netflow-onprem/update-netflow-on-premise',
      'libreqos/get-accounts',
      'libreqos/get-active-statuses',
      'libreqos/get-sites-and-aps',
    ]);
  });

  it.each(documents)("$client/$name is valid against Sonar's schema", ({ client, name }) => {
    const ids = Object.fromEntries(clientDocumentPlaceholders(client, name).map((placeholder) => [placeholder, 12]));
    const text = clientDocument(client, name, ids);
    expect(validate(buildSonarSchema(), parse(text)).map((error) => error.message)).toEqual([]);
  });

  it('come back exactly as the client sends them, without the provenance comment', () => {
    expect(clientDocument('netflow-onprem', 'create-data-usages')).toBe(
      'mutation createDataUsagesMutation($input: [CreateDataUsageMutationInput]) {\n' +
        '    createDataUsages(input: $input) { success message } }',
    );
    expect(clientDocument('netflow-onprem', 'delete-netflow-on-premise', { '{$this->id}': 12n })).toBe(
      'mutation deleteMutation {\n  deleteNetflowOnPremise(id: 12) {\n    success\n    message\n  }\n}',
    );
  });

  it('refuse to come back with a placeholder left, or with one that is not there', () => {
    expect(clientDocumentPlaceholders('netflow-onprem', 'update-netflow-on-premise')).toEqual(['{$this->id}']);
    expect(() => clientDocument('netflow-onprem', 'delete-netflow-on-premise')).toThrow(/\{\$this->id\} was not filled in/);
    expect(() => clientDocument('libreqos', 'get-accounts', { '{$this->id}': 1 })).toThrow(/has no \{\$this->id\}/);
  });
});


import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { spec } from '../schema/openapi/generated/router';

type Method = 'get' | 'post';
type Operation = {
  responses: Record<string, { $ref?: string; content?: unknown }>;
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'tracing', components: spec.components }, 'tracing');

/** The spec's path template (`/requests/{id}`) that a concrete path matches. */
export function specPathOf(path: string): string | undefined {
  const bare = path.split('?')[0];
  return Object.keys(spec.paths).find(template =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
}

function jsonSchemaOf(response: {
  $ref?: string;
  content?: unknown;
}): object | undefined {
  const resolved = response.$ref
    ? (spec.components.responses as Record<string, { content?: unknown }>)[
        response.$ref.split('/').pop()!
      ]
    : response;
  const content = resolved.content as
    | { 'application/json'?: { schema: object } }
    | undefined;
  return content?.['application/json']?.schema;
}

/**
 * Fails unless the contract (`schema/openapi.yaml`) documents this status
 * for the route and the body matches the schema it gives for it.
 */
export function expectMatchesContract(
  method: string,
  path: string,
  status: number,
  body: unknown,
): void {
  const template = specPathOf(path);
  if (!template) throw new Error(`${method} ${path}: not in the contract`);
  const operation = (
    spec.paths as unknown as Record<string, Partial<Record<Method, Operation>>>
  )[template][method.toLowerCase() as Method];
  if (!operation) throw new Error(`${method} ${template}: not in the contract`);
  const response = operation.responses[String(status)];
  if (!response) {
    throw new Error(
      `${method} ${template}: status ${status} is not in the contract (${Object.keys(
        operation.responses,
      ).join(', ')})`,
    );
  }
  const schema = jsonSchemaOf(response);
  if (!schema) return;
  // Local references resolve inside the spec's components.
  const validate = ajv.compile(
    JSON.parse(
      JSON.stringify(schema).replace(/"#\/components/g, '"tracing#/components'),
    ),
  );
  if (!validate(body)) {
    throw new Error(
      `${method} ${template} ${status}: the body does not match the contract: ${ajv.errorsText(
        validate.errors,
      )}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}

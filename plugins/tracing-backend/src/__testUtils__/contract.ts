import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { spec } from '../schema/openapi/generated/router';

type Method = 'get' | 'post';
type Operation = {
  responses: Record<string, { $ref?: string; content?: unknown }>;
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// The whole contract as one document, so that a response schema's local
// references (`#/components/...`) resolve inside it.
ajv.addSchema(spec as object, 'tracing');

/** The spec's path template (`/requests/{id}`) that a concrete path matches. */
export function specPathOf(path: string): string | undefined {
  const bare = path.split('?')[0];
  return Object.keys(spec.paths).find(template =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
}

/** A JSON pointer segment (RFC 6901), as a URI fragment. */
const segment = (key: string) =>
  encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));

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
  if (!response.$ref && !response.content) return; // no body documented
  // A shared response (`$ref`) or the operation's own, then its JSON body.
  const at = response.$ref
    ? response.$ref.slice(1)
    : ['', 'paths', template, method.toLowerCase(), 'responses', String(status)]
        .map(segment)
        .join('/');
  const validate = ajv.getSchema(
    `tracing#${at}/content/${segment('application/json')}/schema`,
  );
  if (!validate) throw new Error(`${method} ${template}: no schema at ${at}`);
  if (!validate(body)) {
    throw new Error(
      `${method} ${template} ${status}: the body does not match the contract: ${ajv.errorsText(
        validate.errors,
      )}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}

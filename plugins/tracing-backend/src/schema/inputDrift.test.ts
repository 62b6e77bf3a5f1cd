/**
 * The contract's input schemas and the zod schemas that validate requests
 * (the router runs the OpenAPI validator without request validation, so zod
 * is what holds) must say the same thing. Both ways:
 * - every constraint zod states in JSON Schema (type, enum, lengths, bounds,
 *   pattern, required, closed objects) is in the contract, at the same place;
 * - every constraint the contract states that zod could only check in code
 *   (a refinement: a label count, a date's format) refuses a value that
 *   breaks it.
 */
import {
  createExtendInputSchema,
  createTracingRequestInputSchema,
  decisionInputSchema,
  rejectInputSchema,
} from '@tracegate/plugin-tracing-common';
import { z } from 'zod';
import { requestInput } from '../__testUtils__/fixtures';
import { spec } from './openapi/generated/router';

type JsonSchema = Record<string, any>;

const DAY_MS = 86_400_000;
const zodOptions = { maxDurationMs: 30 * DAY_MS };

/** Each input schema of the contract, its zod schema and a valid value. */
const INPUTS: Array<[string, z.ZodType, Record<string, unknown>]> = [
  [
    'TracingRequestInput',
    createTracingRequestInputSchema(zodOptions),
    {
      ...requestInput(),
      podLabels: { app: 'checkout' },
      supersedes: '6f0e8a52-3a5c-4a8e-9a4c-1f2a3b4c5d6e',
    },
  ],
  [
    'ExtendInput',
    createExtendInputSchema(zodOptions),
    {
      expiresAt: new Date(Date.now() + DAY_MS).toISOString(),
      reason: 'longer',
    },
  ],
  ['DecisionInput', decisionInputSchema, { comment: 'ok' }],
  ['RejectInput', rejectInputSchema, { comment: 'not now' }],
];

/** Keywords both sides can state; compared where zod states them. */
const STATED = [
  'type',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'pattern',
  'required',
] as const;

function resolve(schema: JsonSchema): JsonSchema {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const name = ref.replace('#/components/schemas/', '');
  return resolve((spec.components.schemas as Record<string, JsonSchema>)[name]);
}

/** `[path, contract schema, zod's JSON Schema]` for every node, depth first. */
function pairs(
  contract: JsonSchema,
  zod: JsonSchema,
  path = '',
): Array<[string, JsonSchema, JsonSchema]> {
  const c = resolve(contract);
  const out: Array<[string, JsonSchema, JsonSchema]> = [[path, c, zod]];
  for (const [key, child] of Object.entries(c.properties ?? {})) {
    const zodChild = zod.properties?.[key] ?? {};
    out.push(...pairs(child as JsonSchema, zodChild, `${path}${key}.`));
  }
  if (typeof c.additionalProperties === 'object') {
    out.push(
      ...pairs(
        c.additionalProperties,
        typeof zod.additionalProperties === 'object'
          ? zod.additionalProperties
          : {},
        `${path}*.`,
      ),
    );
  }
  return out;
}

/** A value that breaks `keyword` of `schema`, or undefined when none is made. */
function breaking(keyword: string, schema: JsonSchema): unknown {
  switch (keyword) {
    case 'minLength':
      return 'x'.repeat(schema.minLength - 1);
    case 'maxLength':
      return 'a'.repeat(schema.maxLength + 1);
    case 'maxProperties':
      return Object.fromEntries(
        Array.from({ length: schema.maxProperties + 1 }, (_, i) => [
          `k${i}`,
          'v',
        ]),
      );
    case 'format':
      return `not-a-${schema.format}`;
    default:
      return undefined;
  }
}

/** `value` with the node at `path` (`a.b.`, `*` a new key) replaced. */
function withValueAt(value: unknown, path: string, replacement: unknown) {
  const keys = path.split('.').filter(Boolean);
  const copy = structuredClone(value) as Record<string, any>;
  let node = copy;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const name = key === '*' ? 'added' : key;
    if (last) node[name] = replacement;
    else node = node[name];
  });
  return copy;
}

describe.each(INPUTS)(
  'the contract %s and its zod schema',
  (name, zod, valid) => {
    const contract = (spec.components.schemas as Record<string, JsonSchema>)[
      name
    ];
    const zodJson = z.toJSONSchema(zod, {
      io: 'input',
      unrepresentable: 'any',
    }) as JsonSchema;

    it('take the same valid value', () => {
      expect(zod.safeParse(valid).error).toBeUndefined();
    });

    it.each(
      pairs(contract, zodJson).map(([path, c, j]) => [path || '(body)', c, j]),
    )('state what zod states at %s', (_path, c, j) => {
      for (const keyword of STATED) {
        if (j[keyword] === undefined) continue;
        // zod spells a uuid as a pattern too; the contract says format.
        if (keyword === 'pattern' && j.format && c.format === j.format)
          continue;
        const want =
          keyword === 'required' || keyword === 'enum'
            ? [...j[keyword]].sort()
            : j[keyword];
        const have =
          keyword === 'required' || keyword === 'enum'
            ? [...(c[keyword] ?? [])].sort()
            : c[keyword];
        expect({ keyword, value: have }).toEqual({ keyword, value: want });
      }
      // A closed object in zod is closed in the contract.
      expect(
        j.additionalProperties === false ? c.additionalProperties : false,
      ).toBe(false);
      expect(Object.keys(c.properties ?? {}).sort()).toEqual(
        Object.keys(j.properties ?? {}).sort(),
      );
    });

    const codeChecked = pairs(contract, zodJson).flatMap(([path, c, j]) =>
      ['minLength', 'maxLength', 'maxProperties', 'format']
        .filter(keyword => c[keyword] !== undefined && j[keyword] === undefined)
        .map(keyword => [`${path}${keyword}`, path, keyword, c] as const),
    );
    if (codeChecked.length) {
      it.each(codeChecked)(
        'refuses what breaks %s, which zod checks in code',
        (_label, path, keyword, c) => {
          const value = breaking(keyword, c);
          expect(value).toBeDefined();
          expect(zod.safeParse(withValueAt(valid, path, value)).success).toBe(
            false,
          );
        },
      );
    }
  },
);

import {
  createTracingRequestInputSchema,
  fieldErrors,
  formatFieldErrors,
  isValidOpenPorts,
  listRequestsQuerySchema,
  fieldErrorsOfBody,
  rejectInputSchema,
} from './schemas';

const now = Date.parse('2026-11-25T12:00:00Z');
const day = 86_400_000;
const schema = createTracingRequestInputSchema({
  maxDurationMs: 30 * day,
  now: () => now,
});

const valid = {
  entityRef: 'component:default/checkout',
  cluster: 'local',
  namespace: 'shop',
  workload: { kind: 'Deployment', name: 'checkout' },
  podLabels: { app: 'checkout', 'example.com/tier': 'web*' },
  openPorts: '8080,9000-9100',
  method: 'ebpf',
  sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
  expiresAt: new Date(now + 7 * day).toISOString(),
  reason: 'Latency spikes in checkout since Monday',
};

function failingFields(body: unknown) {
  const result = schema.safeParse(body);
  if (result.success) return [];
  return fieldErrors(result.error).map(e => e.field);
}

describe('createTracingRequestInputSchema', () => {
  it('accepts a complete request', () => {
    expect(schema.parse(valid)).toEqual(valid);
  });

  it.each([
    ['namespace', { namespace: 'Shop' }],
    ['namespace', { namespace: 'a'.repeat(64) }],
    ['namespace', { namespace: 'shop; rm -rf' }],
    ['workload.name', { workload: { kind: 'Deployment', name: 'Check_out' } }],
    ['workload.kind', { workload: { kind: 'Pod', name: 'checkout' } }],
    // The field is podLabels: a key is user text, never part of a path.
    ['podLabels', { podLabels: { 'bad key': 'x' } }],
    ['podLabels', { podLabels: { app: 'a: b' } }],
    ['openPorts', { openPorts: '0' }],
    ['openPorts', { openPorts: '65536' }],
    ['openPorts', { openPorts: '9000-8000' }],
    ['openPorts', { openPorts: '80, 443' }],
    ['method', { method: 'sidecar' }],
    ['sampling.sampler', { sampling: { sampler: 'sometimes', ratio: 1 } }],
    ['sampling.ratio', { sampling: { sampler: 'always_on', ratio: 1.5 } }],
    ['sampling.ratio', { sampling: { sampler: 'always_on', ratio: -0.1 } }],
    ['expiresAt', { expiresAt: 'next week' }],
    ['expiresAt', { expiresAt: new Date(now - 1000).toISOString() }],
    ['expiresAt', { expiresAt: new Date(now + 31 * day).toISOString() }],
    ['reason', { reason: '   ' }],
    ['reason', { reason: 'x'.repeat(2001) }],
    ['entityRef', { entityRef: '' }],
  ])('names %s when it is invalid', (field, change) => {
    expect(failingFields({ ...valid, ...change })).toEqual([field]);
  });

  it('refuses unknown fields and names them', () => {
    expect(failingFields({ ...valid, image: 'evil:latest' })).toEqual([
      'image',
    ]);
  });

  it('says how long the maximum is', () => {
    const result = schema.safeParse({
      ...valid,
      expiresAt: new Date(now + 31 * day).toISOString(),
    });
    expect(result.success).toBe(false);
    expect(formatFieldErrors(fieldErrors(result.error!))).toBe(
      'expiresAt: must be at most 30 days from now (tracing.maxDuration)',
    );
  });
});

describe('isValidOpenPorts', () => {
  it.each(['8080', '80,443', '2000-15000', '1', '65535', '1-65535'])(
    'accepts %s',
    ports => expect(isValidOpenPorts(ports)).toBe(true),
  );
  it.each(['', 'http', '80,', '-80', '80-', '100000'])('refuses %s', ports =>
    expect(isValidOpenPorts(ports)).toBe(false),
  );
});

describe('plainTextSchema', () => {
  it.each(['a\u0000b', '\u001b[31mred', 'x\u007f'])(
    'refuses control characters in %j',
    text => {
      expect(rejectInputSchema.safeParse({ comment: text }).success).toBe(
        false,
      );
      expect(listRequestsQuerySchema.safeParse({ cluster: text }).success).toBe(
        false,
      );
    },
  );

  it('keeps line breaks, tabs and any printable script', () => {
    const comment = 'Line one\r\nline\ttwo: ünïcödé ☃ 𝔘 <b>';
    expect(rejectInputSchema.parse({ comment })).toEqual({ comment });
  });
});

describe('rejectInputSchema', () => {
  it('requires a comment', () => {
    expect(rejectInputSchema.safeParse({}).success).toBe(false);
    expect(rejectInputSchema.safeParse({ comment: '  ' }).success).toBe(false);
    expect(rejectInputSchema.parse({ comment: 'No, use the SDK' })).toEqual({
      comment: 'No, use the SDK',
    });
  });
});

describe('listRequestsQuerySchema', () => {
  it('coerces limit and accepts repeated statuses', () => {
    expect(
      listRequestsQuerySchema.parse({
        limit: '5',
        status: ['pending', 'active'],
      }),
    ).toEqual({ limit: 5, status: ['pending', 'active'] });
    expect(listRequestsQuerySchema.parse({ status: 'pending' })).toEqual({
      limit: 20,
      status: ['pending'],
    });
  });

  it('refuses an unknown status and a silly limit', () => {
    expect(listRequestsQuerySchema.safeParse({ status: 'done' }).success).toBe(
      false,
    );
    expect(listRequestsQuerySchema.safeParse({ limit: '1000' }).success).toBe(
      false,
    );
    expect(listRequestsQuerySchema.safeParse({ limit: 'ten' }).success).toBe(
      false,
    );
  });
});

describe('fieldErrorsOfBody', () => {
  it('reads each field error whole, "; " and all', () => {
    const errors = [
      {
        field: 'workload.name',
        message:
          "Deployment shop/x is not one of the entity's; pick one of the entity's own, or ask a platform admin",
      },
      { field: 'sampling.ratio', message: 'must be a number between 0 and 1' },
    ];
    expect(
      fieldErrorsOfBody({
        name: 'InputError',
        message: formatFieldErrors(errors),
        fields: errors,
      }),
    ).toEqual(errors);
  });

  it('finds none in a body without a list, or with entries of another shape', () => {
    expect(fieldErrorsOfBody({ name: 'InputError', message: 'x: y' })).toEqual(
      [],
    );
    expect(fieldErrorsOfBody(undefined)).toEqual([]);
    expect(
      fieldErrorsOfBody({ fields: [{ field: 1, message: 'm' }, 'x'] }),
    ).toEqual([]);
  });
});

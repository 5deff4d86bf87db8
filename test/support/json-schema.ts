// A small JSON Schema checker for the subset our OpenAPI document uses (type, properties,
// required, additionalProperties, items, enum, anyOf, oneOf, allOf, $ref, min/max, lengths, pattern,
// date-time). Contract tests use it to hold real responses to the published document.

type Schema = Record<string, any>;

export function schemaErrors(
  value: unknown,
  schema: Schema,
  root: { components: { schemas: Record<string, Schema> } },
  at = '$',
): string[] {
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/components/schemas/', '');
    const target = root.components.schemas[name];
    if (!target) return [`${at}: unresolved $ref ${schema.$ref}`];
    return schemaErrors(value, target, root, at);
  }
  const errors: string[] = [];
  if (schema.allOf) for (const s of schema.allOf) errors.push(...schemaErrors(value, s, root, at));
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => schemaErrors(value, s, root, at).length === 0)) {
    errors.push(`${at}: matches none of anyOf`);
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (schema.oneOf && schema.oneOf.filter((s: Schema) => schemaErrors(value, s, root, at).length === 0).length !== 1) {
    errors.push(`${at}: matches not exactly one of oneOf`);
  }
  // OpenAPI 3.1 writes a nullable type as a list: { type: ['string', 'null'] }.
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []) as string[];
  if (types.length > 0) {
    const ok = types.some((type) =>
      type === 'null'
        ? value === null
        : type === 'array'
          ? Array.isArray(value)
          : type === 'object'
            ? value !== null && typeof value === 'object' && !Array.isArray(value)
            : type === 'integer'
              ? Number.isInteger(value)
              : typeof value === type,
    );
    if (!ok)
      return [
        ...errors,
        `${at}: expected ${types.join(' or ')}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`,
      ];
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${at}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...schemaErrors(v, schema.items, root, `${at}[${i}]`)));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in o)) errors.push(`${at}.${key}: required`);
    for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      if (key in o) errors.push(...schemaErrors(o[key], sub, root, `${at}.${key}`));
    }
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(o)) if (!(key in (schema.properties ?? {}))) errors.push(`${at}.${key}: not allowed`);
    } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      for (const [key, v] of Object.entries(o)) {
        if (!(key in (schema.properties ?? {}))) errors.push(...schemaErrors(v, schema.additionalProperties, root, `${at}.${key}`));
      }
    }
  }
  return errors;
}

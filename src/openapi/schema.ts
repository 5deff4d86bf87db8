// Small builders for the JSON Schema (2020-12, as OpenAPI 3.1 uses it) of the API document, so
// the operation list reads like the API rather than like nested object literals.

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
export const num = (extra: Schema = {}): Schema => ({ type: 'number', ...extra });
export const bool = (extra: Schema = {}): Schema => ({ type: 'boolean', ...extra });
export const time = (extra: Schema = {}): Schema => ({ type: 'string', format: 'date-time', ...extra });
/** Ids are bigints serialised as decimal strings. */
export const id = (description?: string): Schema => ({ type: 'string', pattern: '^[0-9]{1,19}$', ...(description ? { description } : {}) });
export const oneOfValues = (values: readonly (string | number)[], extra: Schema = {}): Schema => ({ enum: [...values], ...extra });
export const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });

/**
 * An object schema. Keys ending in `?` are optional; the rest are required. Request bodies are
 * closed (`closed: true`) because the API refuses unknown fields; responses stay open so adding
 * a field is not a breaking change.
 */
export function obj(props: Record<string, Schema>, options: { closed?: boolean; description?: string } = {}): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [key, schema] of Object.entries(props)) {
    const optional = key.endsWith('?');
    const name = optional ? key.slice(0, -1) : key;
    properties[name] = schema;
    if (!optional) required.push(name);
  }
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(options.closed ? { additionalProperties: false } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
}

export const itemsOf = (item: Schema): Schema => obj({ items: arr(item) });

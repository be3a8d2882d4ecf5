/**
 * A small JSON Schema validator for the subset that tool and structured-output schemas use (OpenAI strict schemas,
 * Anthropic tool input schemas): type (one or a list), enum, const, properties, required, additionalProperties
 * (boolean or schema), items, minItems / maxItems, minLength / maxLength, pattern, minimum / maximum /
 * exclusiveMinimum / exclusiveMaximum (numbers), anyOf / oneOf / allOf, and local $ref (`#/$defs/...`,
 * `#/definitions/...`). Unknown keywords (format, description, title, default...) are ignored, so a schema that uses
 * more than this is checked less strictly, never wrongly refused. Returns the first violation with its JSON path.
 */

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  const actual = typeOf(value);
  return types.some((expected) => expected === actual || (expected === 'number' && actual === 'integer'));
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolveRef(root: Schema, ref: string): Schema | null {
  if (!ref.startsWith('#/')) return null;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    if (!isObject(node)) return null;
    node = node[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isObject(node) ? node : null;
}

interface Context {
  root: Schema;
  depth: number;
}

function checkString(value: string, schema: Schema, path: string): string | null {
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) return `${path}: shorter than ${schema.minLength} characters`;
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) return `${path}: longer than ${schema.maxLength} characters`;
  if (typeof schema.pattern === 'string') {
    try {
      if (!new RegExp(schema.pattern, 'u').test(value)) return `${path}: does not match ${schema.pattern}`;
    } catch {
      return null;
    }
  }
  return null;
}

function checkNumber(value: number, schema: Schema, path: string): string | null {
  if (typeof schema.minimum === 'number' && value < schema.minimum) return `${path}: less than ${schema.minimum}`;
  if (typeof schema.maximum === 'number' && value > schema.maximum) return `${path}: greater than ${schema.maximum}`;
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return `${path}: not greater than ${schema.exclusiveMinimum}`;
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return `${path}: not less than ${schema.exclusiveMaximum}`;
  return null;
}

function checkArray(value: unknown[], schema: Schema, path: string, context: Context): string | null {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${path}: fewer than ${schema.minItems} items`;
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return `${path}: more than ${schema.maxItems} items`;
  if (isObject(schema.items)) {
    for (let index = 0; index < value.length; index++) {
      const problem = check(value[index], schema.items, `${path}[${index}]`, context);
      if (problem !== null) return problem;
    }
  }
  return null;
}

function checkObject(value: Record<string, unknown>, schema: Schema, path: string, context: Context): string | null {
  const properties = isObject(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) if (typeof name === 'string' && !(name in value)) return `${path}: missing required property "${name}"`;
  }
  for (const [name, child] of Object.entries(value)) {
    const childPath = `${path}.${name}`;
    const declared = properties[name];
    if (isObject(declared)) {
      const problem = check(child, declared, childPath, context);
      if (problem !== null) return problem;
    } else if (schema.additionalProperties === false) {
      return `${childPath}: property not allowed`;
    } else if (isObject(schema.additionalProperties)) {
      const problem = check(child, schema.additionalProperties, childPath, context);
      if (problem !== null) return problem;
    }
  }
  return null;
}

function checkCombinators(value: unknown, schema: Schema, path: string, context: Context): string | null {
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) {
      const problem = isObject(part) ? check(value, part, path, context) : null;
      if (problem !== null) return problem;
    }
  }
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((part) => isObject(part) && check(value, part, path, context) === null)) return `${path}: matches none of anyOf`;
  if (Array.isArray(schema.oneOf)) {
    const matching = schema.oneOf.filter((part) => isObject(part) && check(value, part, path, context) === null).length;
    if (matching !== 1) return `${path}: matches ${matching} of oneOf, expected exactly 1`;
  }
  return null;
}

function check(value: unknown, schema: Schema, path: string, context: Context): string | null {
  if (context.depth > 64) return `${path}: schema nested too deeply`;
  const inner: Context = { root: context.root, depth: context.depth + 1 };
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(context.root, schema.$ref);
    if (target !== null) return check(value, target, path, inner);
  }
  if (schema.type !== undefined && !typeMatches(value, schema.type)) return `${path}: expected ${JSON.stringify(schema.type)}, got ${typeOf(value)}`;
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => deepEqual(option, value))) return `${path}: not one of ${JSON.stringify(schema.enum)}`;
  if ('const' in schema && !deepEqual(schema.const, value)) return `${path}: expected ${JSON.stringify(schema.const)}`;
  const combined = checkCombinators(value, schema, path, inner);
  if (combined !== null) return combined;
  if (typeof value === 'string') return checkString(value, schema, path);
  if (typeof value === 'number') return checkNumber(value, schema, path);
  if (Array.isArray(value)) return checkArray(value, schema, path, inner);
  if (isObject(value)) return checkObject(value, schema, path, inner);
  return null;
}

/** The first violation of `schema` by `value` ("$.a.b: expected ..."), or null when it conforms. */
export function validateJsonSchema(value: unknown, schema: Schema): string | null {
  return check(value, schema, '$', { root: schema, depth: 0 });
}

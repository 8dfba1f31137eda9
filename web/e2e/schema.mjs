// A small JSON Schema (2020-12 subset) validator for the schemas in api/openapi.yaml: $ref (local),
// type, enum, const, required, properties, additionalProperties, items, min/maxLength, pattern,
// minimum/maximum, minProperties, oneOf/anyOf/allOf. Annotations (description, example, x-…) are ignored.

/** Returns the list of problems of value against schema ([] when valid); root resolves "#/..." refs. */
export function validate(value, schema, root, at = '$') {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${at}: no value is allowed`];
  const problems = [];
  if (schema.$ref) {
    const target = resolve(root, schema.$ref);
    if (!target) return [`${at}: unresolvable $ref ${schema.$ref}`];
    problems.push(...validate(value, target, root, at));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) return [...problems, `${at}: ${JSON.stringify(value)} is not of type ${types.join('|')}`];
  }
  if (schema.const !== undefined && JSON.stringify(value) !== JSON.stringify(schema.const)) {
    problems.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  }
  if (schema.enum && !schema.enum.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length > schema.maxLength) problems.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: less than ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: more than ${schema.maximum}`);
  }
  if (isObject(value)) {
    for (const name of schema.required ?? []) {
      if (!(name in value)) problems.push(`${at}: missing required ${name}`);
    }
    if (schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties) problems.push(`${at}: fewer than ${schema.minProperties} properties`);
    const properties = schema.properties ?? {};
    for (const [name, v] of Object.entries(value)) {
      if (name in properties) problems.push(...validate(v, properties[name], root, `${at}.${name}`));
      else if (schema.additionalProperties !== undefined) problems.push(...validate(v, schema.additionalProperties, root, `${at}.${name}`).map((p) => (schema.additionalProperties === false ? `${at}: unexpected property ${name}` : p)));
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => problems.push(...validate(v, schema.items, root, `${at}[${i}]`)));
  }
  for (const sub of schema.allOf ?? []) problems.push(...validate(value, sub, root, at));
  if (schema.anyOf && !schema.anyOf.some((sub) => validate(value, sub, root, at).length === 0)) problems.push(`${at}: matches none of anyOf`);
  if (schema.oneOf) {
    const matches = schema.oneOf.filter((sub) => validate(value, sub, root, at).length === 0).length;
    if (matches !== 1) problems.push(`${at}: matches ${matches} of oneOf, want exactly 1`);
  }
  return problems;
}

function hasType(value, type) {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return false;
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows a local JSON pointer ("#/components/schemas/Order"). */
export function resolve(root, ref) {
  if (!ref.startsWith('#/')) return undefined;
  let cur = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The JSON schema an OpenAPI document gives for a response, or undefined when it documents none. */
export function responseSchema(spec, method, pathTemplate, status) {
  const operation = spec.paths?.[pathTemplate]?.[method.toLowerCase()];
  let response = operation?.responses?.[String(status)];
  if (response?.$ref) response = resolve(spec, response.$ref);
  return response?.content?.['application/json']?.schema;
}

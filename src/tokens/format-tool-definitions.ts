/**
 * How OpenAI chat models see function/tool definitions: rendered into the system prompt as a TypeScript-like
 * `namespace functions { ... }` block. The layout was reverse-engineered by hmarr/openai-chat-tokens and is the
 * one gpt-tokenizer's `functionCalling.ts` and the OpenAI cookbook's tool-token estimate follow; OpenAI does not
 * document it, so counts that include tools are estimates.
 */
import type { ToolDefinition } from '../spec/canonical.js';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function formatEnum(values: unknown[], quote: boolean): string {
  return values.map((value) => (quote ? JSON.stringify(value) : String(value))).join(' | ');
}

function formatType(schema: Schema, indent: number): string {
  const values = Array.isArray(schema.enum) ? schema.enum : null;
  switch (schema.type) {
    case 'string':
      return values ? formatEnum(values, true) : 'string';
    case 'number':
    case 'integer':
      return values ? formatEnum(values, false) : 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return isSchema(schema.items) ? `${formatType(schema.items, indent)}[]` : 'any[]';
    case 'object':
      return `{\n${formatProperties(schema, indent + 2)}\n${' '.repeat(indent)}}`;
    default:
      return 'any';
  }
}

function formatProperties(schema: Schema, indent: number): string {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : []);
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const propertySchema = isSchema(property) ? property : {};
    const description = textOf(propertySchema.description);
    if (description !== undefined && indent < 2) lines.push(`${pad}// ${description}`);
    lines.push(`${pad}${name}${required.has(name) ? '' : '?'}: ${formatType(propertySchema, indent)},`);
  }
  return lines.join('\n');
}

/** The `namespace functions { ... }` text for a list of tools. */
export function formatToolDefinitions(tools: readonly ToolDefinition[]): string {
  const lines = ['namespace functions {', ''];
  for (const tool of tools) {
    const description = textOf(tool.description);
    if (description !== undefined) lines.push(`// ${description}`);
    const properties = isSchema(tool.parameters.properties) ? tool.parameters.properties : {};
    if (Object.keys(properties).length === 0) {
      lines.push(`type ${tool.name} = () => any;`);
    } else {
      lines.push(`type ${tool.name} = (_: {`);
      const formatted = formatProperties(tool.parameters, 0);
      if (formatted !== '') lines.push(formatted);
      lines.push('}) => any;');
    }
    lines.push('');
  }
  lines.push('} // namespace functions');
  return lines.join('\n');
}

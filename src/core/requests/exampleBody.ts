/**
 * The body a POST route's preview starts with, so that the first Send streams instead of answering 422:
 * - a route speaking the AI SDK's protocol or OpenAI's gets that protocol's chat request (protocolBodies.ts);
 * - otherwise the route's Pydantic body model, read from the module's syntax tree: each annotated field with
 *   an example of its type (`str` "Hello!" for prompt-like names, `int` 1, `list[X]` [X], a nested model of
 *   the module as an object, `Literal["a", ...]` "a", `X | None` as X), a literal default or
 *   `Field(examples=[...])` where the model has one, base models' fields first;
 * - otherwise, for our sse routes, `{"prompt": "Hello!"}`.
 * Pure (reads an analysis; never imports vscode). Pretty-printed JSON text.
 */
import type { ModuleAnalysis, Route } from '../python/analysis';
import type { SyntaxNode } from '../python/parser';
import { routeProtocol } from '../python/routeProtocol';
import { keywordArgument, stringValue } from '../python/syntax';
import { EXAMPLE_PROMPT, protocolRequestBody, type JsonValue } from './protocolBodies';

/** Field names whose `str` is the user's text: they get the example prompt. */
const PROMPT_NAMES = /^(prompt|message|text|content|query|question|input|q)$/i;
/** Nested models deeper than this are written as {} (a self-referencing model ends). */
const MAX_DEPTH = 4;

export function exampleRequestBody(analysis: ModuleAnalysis, route: Route): string | undefined {
  const protocol = routeProtocol(route);
  if (protocol === 'ai-sdk' || protocol === 'openai') {
    return JSON.stringify(protocolRequestBody(protocol), null, 2);
  }
  const models = modelClasses(analysis.root);
  for (const parameter of route.handler?.node.childForFieldName('parameters')?.namedChildren ?? []) {
    const type = parameter?.childForFieldName('type');
    const model = type ? models.get(typeName(unwrap(type))) : undefined;
    if (model !== undefined) {
      return JSON.stringify(modelExample(model, models, 0), null, 2);
    }
  }
  return protocol === 'sse' ? JSON.stringify(protocolRequestBody('sse'), null, 2) : undefined;
}

/** The module's top-level classes by name (decorated ones too). */
function modelClasses(root: SyntaxNode): Map<string, SyntaxNode> {
  const classes = new Map<string, SyntaxNode>();
  for (const statement of root.namedChildren) {
    const node = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    const name = node?.type === 'class_definition' ? node.childForFieldName('name')?.text : undefined;
    if (node && name) {
      classes.set(name, node);
    }
  }
  return classes;
}

/** A type's name and its arguments: `list[str]` -> list, [str]; `typing.List[B]` -> List, [B]; `"B"` -> B. */
function typeParts(node: SyntaxNode): { readonly head: string; readonly args: readonly SyntaxNode[] } {
  const inner = node.type === 'type' ? node.namedChildren[0] : node;
  switch (inner?.type) {
    case 'generic_type':
      return {
        head: inner.namedChildren[0]?.text ?? '',
        args: (inner.namedChildren.find((child) => child?.type === 'type_parameter')?.namedChildren ?? []).filter((n): n is SyntaxNode => n !== null),
      };
    case 'subscript':
      return {
        head: inner.childForFieldName('value')?.text ?? '',
        args: inner.namedChildren.slice(1).filter((n): n is SyntaxNode => n !== null),
      };
    case 'string':
      return { head: stringValue(inner) ?? '', args: [] };
    default:
      return { head: inner?.text ?? '', args: [] };
  }
}

function typeName(node: SyntaxNode): string {
  return typeParts(node).head.replace(/^typing\./, '');
}

/** `Annotated[X, ...]`, `Optional[X]`, `X | None` -> X. */
function unwrap(node: SyntaxNode): SyntaxNode {
  const inner = node.type === 'type' ? node.namedChildren[0] : node;
  if (inner?.type === 'binary_operator') {
    const sides = [inner.childForFieldName('left'), inner.childForFieldName('right')].filter((n): n is SyntaxNode => n !== null);
    return unwrap(sides.find((side) => side.type !== 'none' && side.namedChildren[0]?.type !== 'none') ?? sides[0]!);
  }
  const { args } = typeParts(node);
  const name = typeName(node);
  return (name === 'Annotated' || name === 'Optional' || name === 'Required' || name === 'NotRequired') && args[0] ? unwrap(args[0]) : node;
}

function modelExample(model: SyntaxNode, models: ReadonlyMap<string, SyntaxNode>, depth: number): JsonValue {
  const example: Record<string, JsonValue> = {};
  if (depth > MAX_DEPTH) {
    return example;
  }
  // Base models of the module first: their fields come first in Pydantic's too.
  for (const base of model.childForFieldName('superclasses')?.namedChildren ?? []) {
    const baseModel = base ? models.get(base.text) : undefined;
    if (baseModel && baseModel !== model) {
      Object.assign(example, modelExample(baseModel, models, depth + 1));
    }
  }
  for (const statement of model.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    const name = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
    const type = assignment?.childForFieldName('type');
    if (!assignment || name?.type !== 'identifier' || !type || name.text.startsWith('_') || typeName(type) === 'ClassVar') {
      continue;
    }
    const given = literalValue(fieldExampleNode(assignment.childForFieldName('right')));
    example[name.text] = given !== undefined ? given : typeExample(type, name.text, models, depth);
  }
  return example;
}

/** The node holding a field's example: `Field(examples=[x])`'s x, `Field(default=x)` / `Field(x)`, or the default itself. */
function fieldExampleNode(right: SyntaxNode | null | undefined): SyntaxNode | null | undefined {
  if (right?.type !== 'call' || !/^(pydantic\.)?Field$/.test(right.childForFieldName('function')?.text ?? '')) {
    return right;
  }
  const examples = keywordArgument(right, 'examples');
  if (examples?.type === 'list' && examples.namedChildren[0]) {
    return examples.namedChildren[0];
  }
  const first = right.childForFieldName('arguments')?.namedChildren[0];
  return keywordArgument(right, 'default') ?? (first && first.type !== 'keyword_argument' && first.text !== '...' ? first : undefined);
}

/** A Python literal as JSON; undefined for anything else (a call, a name, `...`). */
function literalValue(node: SyntaxNode | null | undefined): JsonValue | undefined {
  switch (node?.type) {
    case 'string':
    case 'concatenated_string':
      return stringValue(node);
    case 'integer':
    case 'float': {
      const value = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(value) ? value : undefined;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'unary_operator': {
      const value = literalValue(node.namedChildren[0]);
      return typeof value === 'number' && node.text.startsWith('-') ? -value : undefined;
    }
    case 'list':
    case 'tuple': {
      const items = node.namedChildren.map((child) => literalValue(child));
      return items.every((item) => item !== undefined) ? (items as JsonValue[]) : undefined;
    }
    case 'dictionary':
      return node.namedChildren.length === 0 ? {} : undefined;
    default:
      return undefined;
  }
}

function typeExample(annotation: SyntaxNode, field: string, models: ReadonlyMap<string, SyntaxNode>, depth: number): JsonValue {
  const type = unwrap(annotation);
  const { args } = typeParts(type);
  const head = typeName(type);
  switch (head) {
    case 'str':
      return PROMPT_NAMES.test(field) ? EXAMPLE_PROMPT : 'string';
    case 'int':
      return 1;
    case 'float':
      return 1.5;
    case 'bool':
      return true;
    case 'None':
      return null;
    case 'list':
    case 'List':
    case 'Sequence':
    case 'set':
    case 'Set':
    case 'tuple':
    case 'Tuple':
      return args[0] === undefined ? [] : [typeExample(args[0], field, models, depth + 1)];
    case 'dict':
    case 'Dict':
    case 'Mapping':
      return {};
    case 'Literal': {
      const first = args[0]?.type === 'type' ? args[0].namedChildren[0] : args[0];
      return literalValue(first) ?? null;
    }
  }
  const model = models.get(head);
  return model === undefined ? null : modelExample(model, models, depth + 1);
}

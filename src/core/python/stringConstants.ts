/**
 * The value of a string expression the way Python would compute it at import time, for the few forms real
 * projects write a router prefix in: a literal, a module constant (`API_PREFIX`, here or imported from
 * another module, or `config.API_PREFIX` through a module import), a settings attribute with a literal
 * default (`settings.API_V1_STR` where `settings = Settings()` and `class Settings(BaseSettings):
 * API_V1_STR: str = "/api/v1"`), and `+` of those. Anything else is "not known": the caller says so instead
 * of guessing. Read from the syntax trees only; nothing is run.
 */
import type { ModuleAnalysis } from './analysis';
import type { SyntaxNode } from './parser';
import { children, requiredField, resolveQualifiedName, stringValue } from './syntax';

/** How the resolver reaches other modules: the analysis of a module by its dotted name, as seen from a file. */
export interface ModuleLookup {
  /** The file of a module imported by `qualified` (absolute or relative) from `fromFile`. */
  moduleFile(fromFile: string, qualified: string): string | undefined;
  module(file: string): Promise<ModuleAnalysis> | undefined;
}

/** Resolution depth: constants that refer to constants, a few levels deep at most (and never in a cycle). */
const MAX_DEPTH = 8;

/** The string `node` evaluates to in `file`; undefined when it cannot be known from the source. */
export async function resolveString(lookup: ModuleLookup, file: string, node: SyntaxNode, depth = 0): Promise<string | undefined> {
  if (depth > MAX_DEPTH) {
    return undefined;
  }
  const literal = stringValue(node);
  if (literal !== undefined) {
    return literal;
  }
  if (node.type === 'parenthesized_expression' && node.firstNamedChild) {
    return resolveString(lookup, file, node.firstNamedChild, depth + 1);
  }
  if (node.type === 'binary_operator' && requiredField(node, 'operator').text === '+') {
    const sides = [requiredField(node, 'left'), requiredField(node, 'right')];
    const values = await Promise.all(sides.map((side) => resolveString(lookup, file, side, depth + 1)));
    return values.every((v): v is string => v !== undefined) ? values.join('') : undefined;
  }
  const analysis = await lookup.module(file);
  if (!analysis) {
    return undefined;
  }
  if (node.type === 'identifier') {
    return resolveName(lookup, file, analysis, node.text, depth);
  }
  if (node.type === 'attribute') {
    const object = requiredField(node, 'object');
    const attribute = requiredField(node, 'attribute').text;
    // `config.API_PREFIX` with `from app import config` / `import app.config as config`: a module's constant.
    const qualified = resolveQualifiedName(object, analysis.bindings);
    const moduleFile = qualified === undefined ? undefined : lookup.moduleFile(file, qualified);
    if (moduleFile !== undefined) {
      const module = await lookup.module(moduleFile);
      return module && resolveName(lookup, moduleFile, module, attribute, depth + 1);
    }
    // `settings.API_V1_STR`: an instance of a settings class whose attribute has a literal default.
    if (object.type === 'identifier') {
      const instance = await findInstance(lookup, file, analysis, object.text, depth + 1);
      return instance && classAttribute(lookup, instance.file, instance.classBody, attribute, depth + 1);
    }
  }
  return undefined;
}

/** A module-level name: assigned here (`NAME = ...`, `NAME: str = ...`), or imported (`from .config import NAME`). */
async function resolveName(lookup: ModuleLookup, file: string, analysis: ModuleAnalysis, name: string, depth: number): Promise<string | undefined> {
  const value = moduleAssignment(analysis.root, name);
  if (value) {
    return resolveString(lookup, file, value, depth + 1);
  }
  const imported = analysis.bindings.get(name);
  const found = imported === undefined ? undefined : await importedDefinition(lookup, file, imported);
  if (!found) {
    return undefined;
  }
  const value2 = moduleAssignment(found.analysis.root, found.name);
  return value2 ? resolveString(lookup, found.file, value2, depth + 1) : undefined;
}

/** `pkg.config.NAME` (or `.config.NAME`) as imported from `file`: the module that defines NAME, and NAME. */
async function importedDefinition(
  lookup: ModuleLookup,
  file: string,
  qualified: string,
): Promise<{ file: string; analysis: ModuleAnalysis; name: string } | undefined> {
  const rest = qualified.replace(/^\.+/, '');
  const dots = qualified.slice(0, qualified.length - rest.length);
  const cut = rest.lastIndexOf('.');
  const moduleName = dots + (cut < 0 ? '' : rest.slice(0, cut));
  const moduleFile = moduleName === '' ? undefined : lookup.moduleFile(file, moduleName);
  const analysis = moduleFile === undefined ? undefined : await lookup.module(moduleFile);
  return moduleFile !== undefined && analysis ? { file: moduleFile, analysis, name: rest.slice(cut + 1) } : undefined;
}

/** The value of the last module-level `name = value` / `name: T = value` (the one in force after import). */
function moduleAssignment(root: SyntaxNode, name: string): SyntaxNode | undefined {
  let value: SyntaxNode | undefined;
  for (const statement of children(root)) {
    const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
    if (assignment?.type === 'assignment' && requiredField(assignment, 'left').text === name) {
      value = assignment.childForFieldName('right') ?? undefined;
    }
  }
  return value;
}

/** `settings = Settings()` (here, or imported): the class body of the instance's class. */
async function findInstance(
  lookup: ModuleLookup,
  file: string,
  analysis: ModuleAnalysis,
  name: string,
  depth: number,
): Promise<{ file: string; classBody: SyntaxNode } | undefined> {
  if (depth > MAX_DEPTH) {
    return undefined;
  }
  let where = { file, analysis, name };
  if (!moduleAssignment(analysis.root, name)) {
    const imported = analysis.bindings.get(name);
    const found = imported === undefined ? undefined : await importedDefinition(lookup, file, imported);
    if (!found) {
      return undefined;
    }
    where = found;
  }
  const value = moduleAssignment(where.analysis.root, where.name);
  // `Settings()` or a cached getter's result is out of reach; only a direct constructor call is read.
  const callee = value?.type === 'call' ? requiredField(value, 'function') : undefined;
  if (callee?.type !== 'identifier') {
    return undefined;
  }
  const classBody = await classBodyOf(lookup, where.file, where.analysis, callee.text);
  return classBody && { file: classBody.file, classBody: classBody.body };
}

async function classBodyOf(
  lookup: ModuleLookup,
  file: string,
  analysis: ModuleAnalysis,
  name: string,
): Promise<{ file: string; body: SyntaxNode } | undefined> {
  for (const statement of children(analysis.root)) {
    const definition = statement.type === 'decorated_definition' ? requiredField(statement, 'definition') : statement;
    if (definition.type === 'class_definition' && requiredField(definition, 'name').text === name) {
      return { file, body: requiredField(definition, 'body') };
    }
  }
  const imported = analysis.bindings.get(name);
  const found = imported === undefined ? undefined : await importedDefinition(lookup, file, imported);
  return found && found.file !== file ? classBodyOf(lookup, found.file, found.analysis, found.name) : undefined;
}

/** `NAME: str = "default"` or `NAME = "default"` in a class body. */
async function classAttribute(lookup: ModuleLookup, file: string, body: SyntaxNode, name: string, depth: number): Promise<string | undefined> {
  const value = moduleAssignment(body, name);
  return value ? resolveString(lookup, file, value, depth + 1) : undefined;
}
